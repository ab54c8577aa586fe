"""The shape sweep's library (Katta): CKA, the compressed-sensing bound, the token stream,
the transformer's parameter count and depth matching, training, and the LLM shape reader."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from superscale.core.errors import DivergenceError
from superscale.shapes.cka import linear_cka
from superscale.shapes.compressed_sensing import BRANCH_TOP, features_per_neuron, implied_density
from superscale.shapes.gpt import GPT, GPTShape, depth_block, non_embedding_parameters
from superscale.shapes.plan import kaplan_n
from superscale.shapes.token_stream import (
    encode,
    evaluation_starts,
    split_documents,
    train_tokenizer,
    training_starts,
    unigram_loss,
    windows,
)
from superscale.shapes.training import LMSettings, heldout_loss, residual_streams, train_language_model

TEXTS = [
    f"document {i}: the king and the queen speak of {word} in the castle.\n" * 20
    for i, word in enumerate(["ghosts", "poison", "revenge", "storms", "crowns", "letters", "swords", "rings"])
]


# ---------------------------------------------------------------- linear CKA


def test_cka_of_a_representation_with_itself_is_one():
    x = np.random.default_rng(0).normal(size=(200, 7))
    assert linear_cka(x, x) == pytest.approx(1.0, abs=1e-12)


def test_cka_is_invariant_to_rotation_and_isotropic_scaling_and_symmetric():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 6))
    y = x @ rng.normal(size=(6, 9)) + 0.5 * rng.normal(size=(300, 9))
    rotation, _ = np.linalg.qr(rng.normal(size=(9, 9)))
    reference = linear_cka(x, y)
    assert 0.1 < reference < 0.99
    assert linear_cka(x, 3.7 * y @ rotation) == pytest.approx(reference, rel=1e-10)
    assert linear_cka(y, x) == pytest.approx(reference, rel=1e-12)
    assert linear_cka(x + 5.0, y) == pytest.approx(reference, rel=1e-10)  # centred over examples


def test_cka_is_not_invariant_to_anisotropic_scaling():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 4))
    y = x + 0.3 * rng.normal(size=(300, 4))
    assert linear_cka(x, y * np.array([10.0, 1.0, 1.0, 0.1])) < linear_cka(x, y) - 0.1


def test_cka_of_independent_representations_is_low():
    rng = np.random.default_rng(3)
    assert linear_cka(rng.normal(size=(4000, 8)), rng.normal(size=(4000, 16))) < 0.02


def test_cka_rejects_mismatched_or_constant_inputs():
    with pytest.raises(ValueError, match="same number of rows"):
        linear_cka(np.zeros((5, 2)), np.ones((6, 2)))
    with pytest.raises(ValueError, match="constant"):
        linear_cka(np.ones((5, 2)), np.random.default_rng(0).normal(size=(5, 2)))


# ---------------------------------------------------------------- compressed-sensing bound


@pytest.mark.parametrize("density", [1e-6, 1e-3, 0.02, 0.2, 0.36])
def test_implied_density_inverts_the_bound_on_the_sparse_branch(density):
    features = 10_000
    neurons = features / features_per_neuron(density)
    assert implied_density(features, neurons) == pytest.approx(density, rel=1e-9)


def test_implied_density_grows_with_neurons_and_saturates_at_one():
    densities = [implied_density(1024, m) for m in (8, 16, 32, 64, 128)]
    assert all(a < b for a, b in zip(densities, densities[1:]))
    assert all(d < BRANCH_TOP for d in densities)
    assert implied_density(1024, 1024 / math.e) == 1.0  # the bound asks for no sparsity
    with pytest.raises(ValueError):
        implied_density(0, 10)
    with pytest.raises(ValueError):
        features_per_neuron(1.0)


# ---------------------------------------------------------------- token stream


def test_split_holds_out_every_kth_document_and_never_trains_on_it():
    train, heldout = split_documents(TEXTS, 4)
    assert heldout == [TEXTS[3], TEXTS[7]]
    assert not set(train) & set(heldout) and len(train) == 6
    with pytest.raises(ValueError, match="both need at least one"):
        split_documents(TEXTS[:2], 4)


def test_tokenizer_is_deterministic_and_encodes_documents_with_end_markers():
    first, second = train_tokenizer(TEXTS, 300), train_tokenizer(TEXTS, 300)
    assert first.to_str() == second.to_str()
    tokens = encode(first, TEXTS[:2])
    assert tokens.dtype == np.uint16 and np.sum(tokens == 0) == 2 and tokens[-1] == 0
    assert first.decode(encode(first, ["the king"]).tolist()[:-1]) == "the king"


def test_unigram_loss_is_the_entropy_of_the_fitted_frequencies():
    tokens = np.array([0, 0, 1, 1, 2, 2, 3, 3] * 1000)
    assert unigram_loss(tokens, tokens, 4) == pytest.approx(math.log(4), rel=1e-6)
    assert unigram_loss(tokens, np.array([0, 1]), 8) > math.log(4)  # smoothing spends mass on unseen ids


def test_each_seed_of_the_sweep_and_the_ladder_reads_its_own_batches():
    """In the default config, two seeds of one shape differ in their windows, not only their init."""
    from pathlib import Path

    import yaml

    from superscale.shapes.plan import ladder_plan, shape_plan

    settings = yaml.safe_load((Path(__file__).resolve().parents[3] / "config/config.yaml").read_text())["shapes"]
    for plan in (shape_plan(settings), ladder_plan(settings)):
        by_shape: dict = {}
        for spec in plan.values():
            starts = training_starts(5000, 16, spec["training"]["batch_size"], 5, spec["data_seed"])
            by_shape.setdefault((spec["n_layer"], spec["d_model"]), []).append((spec["seed"], starts))
        for runs in by_shape.values():
            assert len(runs) >= 2
            for (_, first), (_, second) in zip(runs, runs[1:]):
                assert not np.array_equal(first, second)


def test_windows_are_shared_by_seed_and_cover_the_heldout_stream():
    starts = training_starts(1000, 16, 4, 3, seed=5)
    assert starts.shape == (3, 4) and np.array_equal(starts, training_starts(1000, 16, 4, 3, seed=5))
    assert not np.array_equal(starts, training_starts(1000, 16, 4, 3, seed=6))
    assert starts.max() + 16 < 1000
    spread = evaluation_starts(1000, 16, 5)
    assert spread[0] == 0 and spread[-1] == 1000 - 17
    batch = windows(np.arange(1000, dtype=np.uint16), spread, 16)
    assert batch.shape == (5, 17) and batch.dtype == torch.int64 and batch[1, 0] == spread[1]


# ---------------------------------------------------------------- transformer


@pytest.mark.parametrize("n_layer,d_model", [(1, 32), (4, 16)])
def test_non_embedding_count_is_kaplans_plus_the_layernorm_gains(n_layer, d_model):
    model = GPT(GPTShape(vocab=50, context=8, n_layer=n_layer, d_model=d_model, head_dim=8))
    counted = non_embedding_parameters(model)
    assert counted == kaplan_n(n_layer, d_model) + n_layer * 2 * d_model + d_model
    total = sum(p.numel() for p in model.parameters())
    assert total - counted == 2 * 50 * d_model + 8 * d_model  # token, position, unembedding


def test_ladder_shapes_have_equal_kaplan_n():
    assert kaplan_n(1, 128) == kaplan_n(4, 64) == kaplan_n(16, 32)


def test_depth_blocks_match_relative_depth():
    assert [depth_block(16, f) for f in (0.25, 0.5, 1.0)] == [4, 8, 16]
    assert [depth_block(1, f) for f in (0.5, 1.0)] == [1, 1]
    assert depth_block(3, 0.5) == 2
    with pytest.raises(ValueError):
        depth_block(4, 0.0)


def test_shape_rejects_a_width_not_divisible_by_the_head_dim():
    with pytest.raises(ValueError, match="head_dim"):
        GPTShape(vocab=10, context=4, n_layer=1, d_model=12, head_dim=8)


def _tiny_run(seed: int, poisoned: bool = False, steps: int = 40):
    tokens = np.random.default_rng(0).integers(0, 20, size=2000).astype(np.uint16)
    tokens[1::2] = (tokens[::2] + 1) % 20  # every odd token follows from the previous one
    torch.manual_seed(seed)
    model = GPT(GPTShape(vocab=20, context=8, n_layer=2, d_model=16, head_dim=8))
    if poisoned:
        with torch.no_grad():
            model.unembedding.weight[3, 0] = float("nan")
    settings = LMSettings(
        batch_size=8,
        steps=steps,
        lr=1e-2,
        warmup_steps=3,
        min_lr_ratio=0.1,
        weight_decay=0.1,
        grad_clip=1.0,
        log_every=10,
    )
    history = train_language_model(
        model, tokens, training_starts(len(tokens), 8, 8, steps, 0), settings, torch.device("cpu"), f"tiny-s{seed}"
    )
    return model, history, tokens


def test_training_learns_and_is_reproducible():
    model, history, tokens = _tiny_run(0)
    again, history_again, _ = _tiny_run(0)
    assert history["train_losses"] == history_again["train_losses"]
    assert history["train_losses"][-1] < history["train_losses"][0] - 0.3
    assert history["tokens_trained"] == 40 * 8 * 8
    batch = windows(tokens, evaluation_starts(len(tokens), 8, 16), 8)
    assert heldout_loss(model, batch, torch.device("cpu")) == heldout_loss(again, batch, torch.device("cpu"))
    assert heldout_loss(model, batch, torch.device("cpu")) < math.log(20)
    streams = residual_streams(model, batch, {1, 2}, torch.device("cpu"))
    assert streams[2].shape == (16 * 8, 16) and streams[1].dtype == np.float64


def test_a_nan_loss_names_the_model_and_step():
    with pytest.raises(DivergenceError, match=r"tiny-s0: training loss became nan at step 0"):
        _tiny_run(0, poisoned=True)


# ---------------------------------------------------------------- LLM shapes


def test_llm_shape_is_read_from_a_gguf_header_and_checked_against_the_registry(tmp_path):
    from tiny_llm import write_tiny_gguf

    from superscale.llm.weights import WeightError
    from superscale.shapes.llm_shape import COUNTED, model_shape

    path = tmp_path / "m.gguf"
    write_tiny_gguf(path, vocab=64, width=32, blocks=3)
    manifest = {"kind": "local", "head_format": "gguf", "head_file": str(path), "model_dir": str(tmp_path)}
    entry = {"d_model": 32, "n_layer": 3}
    assert model_shape("m", entry, manifest) == {
        "n_layer": 3,
        "n_nonembedding": 3 * 32 * 32,
        "n_nonembedding_method": COUNTED,
    }
    with pytest.raises(WeightError, match="registry says n_layer 4, its weights have 3"):
        model_shape("m", entry | {"n_layer": 4}, manifest)


def test_llm_shape_of_a_snapshot_counts_its_blocks_and_a_hub_model_needs_the_registry(tmp_path):
    from tiny_llm import write_tiny_llama

    from superscale.llm.weights import WeightError
    from superscale.shapes.llm_shape import KAPLAN, model_shape

    directory = write_tiny_llama(tmp_path / "tiny", d_model=16)
    manifest = {
        "kind": "local",
        "head_format": "safetensors",
        "head_file": str(directory / "model.safetensors"),
        "model_dir": str(directory),
    }
    shape = model_shape("tiny", {"d_model": 16}, manifest)
    # one Llama block: q, k, v, o (4 x 16^2), gate, up, down (3 x 16 x 32), two RMSNorms; final norm
    assert shape["n_layer"] == 1 and shape["n_nonembedding"] == 4 * 256 + 3 * 16 * 32 + 2 * 16 + 16
    hub = {"kind": "hub", "head_format": "safetensors", "head_file": "shard", "model_dir": "org/model"}
    assert model_shape("big", {"d_model": 64, "n_layer": 2}, hub) == {
        "n_layer": 2,
        "n_nonembedding": 12 * 2 * 64**2,
        "n_nonembedding_method": KAPLAN,
    }
    with pytest.raises(WeightError, match="n_layer in config/models.yaml"):
        model_shape("big", {"d_model": 64}, hub)


# ---------------------------------------------------------------- analysis and verdicts

SHAPES = {49152: [(1, 64), (4, 32), (16, 16)], 196608: [(1, 128), (4, 64), (16, 32)]}
SETTINGS = {
    "verdicts": {"loss_flat_percent": 5.0, "z": 2.0, "p_value": 0.05, "power": 0.8, "cka_margin": 0.05},
    "context": 8,
    "head_dim": 8,
    "steps": 10,
    "batch_size": 2,
    "lr": 0.003,
    "weight_decay": 0.1,
    "similarity": {"depths": [0.5, 1.0]},
}


def _models(loss, overlap, noise: float = 0.01, seeds=(0, 1)) -> pd.DataFrame:
    """A models.csv of the default ladder with loss(n_layer, d, N) and overlap(d, N), plus seed noise."""
    import pandas as pd

    from superscale.shapes.compressed_sensing import implied_density

    rng = np.random.default_rng(0)
    rows = []
    for group, shapes in SHAPES.items():
        for n_layer, d in shapes:
            n = n_layer * (12 * d * d + 2 * d) + d
            for seed in seeds:
                value = overlap(d, n) * math.exp(noise * rng.normal())
                rows.append(
                    {
                        "model": f"L{n_layer}_d{d}_s{seed}",
                        "n_group": group,
                        "n_nonembedding": n,
                        "n_layer": n_layer,
                        "d_model": d,
                        "aspect": d / n_layer,
                        "seed": seed,
                        "vocab": 256,
                        "tokens_trained": 160,
                        "heldout_tokens": 64,
                        "heldout_loss": loss(n_layer, d, group) + noise * rng.normal(),
                        "final_train_loss": 4.0,
                        "mean_sq_overlap": value,
                        "overlap_ratio": value * d,
                        "phi_half": 1.0,
                        "norm_min": 0.5,
                        "implied_density_vocab": implied_density(256, d),
                    }
                )
    return pd.DataFrame(rows)


def _similarity(models, same: float, different: float, noise: float = 0.005) -> pd.DataFrame:
    import pandas as pd

    rng = np.random.default_rng(1)
    rows = []
    for group, block in models.groupby("n_group"):
        names = sorted(block.model)
        specs = block.set_index("model")
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                kind = "same shape" if specs.d_model[a] == specs.d_model[b] else "different shape"
                for representation, depth in (("residual", 0.5), ("residual", 1.0), ("unembedding", None)):
                    rows.append(
                        {
                            "n_group": group,
                            "model_a": a,
                            "model_b": b,
                            "kind": kind,
                            "representation": representation,
                            "depth": depth,
                            "examples": 64,
                            "cka": (same if kind == "same shape" else different) + noise * rng.normal(),
                        }
                    )
    return pd.DataFrame(rows)


def test_flat_loss_is_flat_and_a_shape_effect_beyond_seed_noise_is_found():
    from superscale.shapes.statistics import FLAT, SHAPE_MATTERS, UNDECIDED, loss_by_group

    flat = loss_by_group(_models(lambda n_layer, d, group: 4.0, lambda d, n: 1 / d), 5.0, 0.05, 0.8)
    assert [group["verdict"] for group in flat] == [FLAT, FLAT]
    assert all(group["aspect_spread"] == 64 and group["n_spread_percent"] < 1 for group in flat)
    deep_is_worse = loss_by_group(
        _models(lambda n_layer, d, group: 4.0 + 0.05 * n_layer, lambda d, n: 1 / d), 5.0, 0.05, 0.8
    )
    assert [group["verdict"] for group in deep_is_worse] == [SHAPE_MATTERS, SHAPE_MATTERS]
    assert deep_is_worse[0]["best"] == [1, 64] and deep_is_worse[0]["worst"] == [16, 16]
    noisy = loss_by_group(
        _models(lambda n_layer, d, group: 4.0 + 0.05 * n_layer, lambda d, n: 1 / d, noise=1.0), 5.0, 0.05, 0.8
    )
    assert UNDECIDED in {group["verdict"] for group in noisy}


def test_detectable_difference_is_the_power_analysis_of_two_means():
    """(z_0.975 + z_0.8) sd sqrt(2/n) on many degrees of freedom; fewer make it larger, more seeds smaller."""
    from superscale.shapes.statistics import detectable_difference

    assert detectable_difference(1.0, 10**7, 2, 0.05, 0.8) == pytest.approx((1.959964 + 0.841621), rel=1e-5)
    assert detectable_difference(1.0, 3, 2, 0.05, 0.8) > detectable_difference(1.0, 30, 2, 0.05, 0.8)
    assert detectable_difference(0.1, 10**7, 8, 0.05, 0.8) == pytest.approx(0.1 * 2.801585 / 2, rel=1e-5)
    assert math.isnan(detectable_difference(0.1, 0, 1, 0.05, 0.8))


def test_overlap_regression_tells_width_from_parameter_count():
    from superscale.shapes.statistics import UNDECIDED, overlap_regression

    by_width = overlap_regression(_models(lambda *_: 4.0, lambda d, n: 3 / d), "d_model", 2.0)
    assert by_width["verdict"] == "follows d_model" and by_width["b_d"] == pytest.approx(-1, abs=0.05)
    by_n = overlap_regression(_models(lambda *_: 4.0, lambda d, n: 50 / math.sqrt(n)), "d_model", 2.0)
    assert by_n["verdict"] == "follows N" and by_n["b_n"] == pytest.approx(-0.5, abs=0.05)
    flat = overlap_regression(_models(lambda *_: 4.0, lambda d, n: 0.1, noise=0.3), "d_model", 2.0)
    assert flat["verdict"] == UNDECIDED
    one_group = _models(lambda *_: 4.0, lambda d, n: 1 / d)
    assert (
        overlap_regression(one_group[one_group.n_group == 49152], "d_model", 2.0)["verdict"]
        == "d_model and N not separable"
    )


def test_similarity_verdicts_compare_cross_shape_pairs_with_the_seed_baseline():
    from superscale.shapes.statistics import AS_SIMILAR, LESS, UNDECIDED, pooled_similarity, similarity_by_group

    models = _models(lambda *_: 4.0, lambda d, n: 1 / d)
    less = similarity_by_group(_similarity(models, 0.9, 0.6), models, 5.0, 2.0, 0.05)
    assert {row["verdict"] for row in less} == {LESS} and len(less) == 2 * 3
    assert all(row["seed_pairs"] == 3 and row["cross_pairs"] == 12 for row in less)
    assert set(pooled_similarity(less, 2.0, 0.05)) == {"mid-depth residual", "final residual", "unembedding directions"}
    assert {result["verdict"] for result in pooled_similarity(less, 2.0, 0.05).values()} == {LESS}
    same = similarity_by_group(_similarity(models, 0.9, 0.9), models, 5.0, 2.0, 0.05)
    assert {row["verdict"] for row in same} == {AS_SIMILAR}
    overlapping = similarity_by_group(_similarity(models, 0.9, 0.85, noise=0.05), models, 5.0, 2.0, 0.05)
    assert UNDECIDED in {row["verdict"] for row in overlapping}


def test_equal_loss_pairs_are_compared_on_their_own():
    from superscale.shapes.statistics import similarity_by_group

    models = _models(lambda n_layer, d, group: 4.0 if n_layer < 16 else 5.0, lambda d, n: 1 / d, noise=0.0)
    rows = similarity_by_group(_similarity(models, 0.9, 0.6), models, 5.0, 2.0, 0.05)
    assert all(row["equal_loss_pairs"] == 4 and row["compared"] == "equal-loss pairs" for row in rows)


def test_summary_writes_letter_only_macros_and_a_conclusion_that_follows_the_verdicts():
    import pandas as pd

    from superscale.paper.latex import latex_macros
    from superscale.shapes.summary import shapes_summary

    models = _models(lambda *_: 4.0, lambda d, n: 3 / d)
    llms = pd.DataFrame(
        {
            "model": ["a", "b", "c"],
            "d_model": [64, 128, 256],
            "width": [64, 128, 256],
            "n_layer": [4, 8, 16],
            "aspect": [16.0, 16.0, 16.0],
            "n_nonembedding": [2e5, 1.6e6, 1.3e7],
            "n_nonembedding_method": ["counted"] * 3,
            "mean_sq_overlap": [0.1, 0.05, 0.03],
            "overlap_ratio": [6.4, 6.4, 7.7],
            "implied_density_vocab": [0.01, 0.02, 0.05],
        }
    )
    corpus = {
        "corpus": "my_text",
        "train_documents": 3,
        "heldout_documents": 1,
        "train_tokens": 1000,
        "heldout_tokens": 100,
        "vocab": 256,
        "unigram_loss_heldout": 5.0,
    }
    summary, macros = shapes_summary(models, _similarity(models, 0.9, 0.6), llms, corpus, SETTINGS)
    text = latex_macros(macros)
    assert "\\newcommand{\\ShapesConclusion}" in text and "my\\_text" in text
    assert "At every $N$ tested the premise holds" in summary["conclusion"]
    assert "changes with width ($\\overline{\\cos^2}\\propto d_\\mathrm{model}^{-1.00}$)" in summary["conclusion"]
    assert "also changes with $N$" not in summary["conclusion"]
    assert "differ more across shapes than across seeds" in summary["conclusion"]
    assert "neither confirms nor rules out" in summary["conclusion"]  # CKA compares subspaces, not features
    assert summary["densities"][0]["ratio"] > 1  # the wider shape tolerates denser features
    assert "not separate them" in macros["ShapesLlmVerdict"]  # d and N grow together in the LLMs


def test_the_conclusion_gives_each_n_its_own_verdict_and_power():
    from superscale.shapes.statistics import AS_SIMILAR, SHAPE_MATTERS, UNDECIDED
    from superscale.shapes.verdicts import abstract_sentence, conclusion

    def group(n, verdict, spread):
        return {"n_group": n, "verdict": verdict, "spread_percent": spread, "detectable_percent": 2.5, "seeds": 2}

    losses = [group(49152, SHAPE_MATTERS, 4.0) | {"anova_p": 0.001}, group(196608, UNDECIDED, 1.5) | {"anova_p": 0.3}]
    overlap = {"verdict": "follows d_model", "b_d": -1.0, "b_n": math.nan}
    similar = {"mid-depth residual": {"verdict": AS_SIMILAR, "gap": 0.01, "gap_se": 0.01}}
    text = conclusion(losses, overlap, similar, [{"ratio": 2.0}])
    assert "tested at 2 values of $N$ with 2 seeds per shape" in text
    assert "at $N\\approx$ 49k the loss depends on shape, by 4.0" in text
    assert "at $N\\approx$ 197k the data cannot decide (spread 1.5\\,\\%; a difference below 2.5" in text
    assert "The premise fails at this training budget at $N\\approx$ 49k," in text  # not at 197k
    assert "does not establish" in text and "universal across shapes" not in text
    short = abstract_sentence(losses, similar)
    assert "at $N\\approx$ 49k the loss depends on shape" in short and "197k the data cannot decide" in short
    assert short.endswith("as similar as two seeds of one shape.")
    tiny_p = conclusion([losses[0] | {"anova_p": 1e-7}, losses[1]], overlap, similar, [{"ratio": 2.0}])
    assert "(ANOVA $p<0.001$)" in tiny_p and "$$" not in tiny_p  # one math span, no stray display math
    assert "(ANOVA $p=0.001$)" in text


@pytest.mark.parametrize("path", ["config/config.yaml", "config/paper.yaml"])
def test_default_and_paper_sweeps_span_shapes_at_equal_n(path):
    """At least two N, two seeds, aspect ratios spread 8x or more within each N, and equal 12 L d^2."""
    from pathlib import Path

    import yaml

    from superscale.shapes.plan import shape_plan

    settings = yaml.safe_load((Path(__file__).resolve().parents[3] / path).read_text())["shapes"]
    plan = shape_plan(settings | {"grad_clip": 1.0, "log_every": 100})
    groups = {spec["n_group"] for spec in plan.values()}
    assert len(groups) >= 2 and len(settings["seeds"]) >= 2
    for group in groups:
        shapes = {(s["n_layer"], s["d_model"]) for s in plan.values() if s["n_group"] == group}
        aspects = [d / layers for layers, d in shapes]
        assert max(aspects) / min(aspects) >= 8
        assert {kaplan_n(*shape) for shape in shapes} == {group}


def test_ladder_plan_keeps_every_width_in_strong_superposition_and_trains_alike_but_for_the_rate():
    from pathlib import Path

    import yaml

    from superscale.shapes.plan import ladder_plan

    settings = yaml.safe_load((Path(__file__).resolve().parents[3] / "config/config.yaml").read_text())["shapes"]
    plan = ladder_plan(settings)
    widths = sorted({spec["d_model"] for spec in plan.values()})
    assert len(widths) >= 4 and widths[-1] / widths[0] >= 8 and settings["vocab_size"] >= 8 * widths[-1]
    assert len({spec["n_layer"] for spec in plan.values()}) == 1
    budgets = {str({k: v for k, v in spec["training"].items() if k != "lr"}) for spec in plan.values()}
    assert len(budgets) == 1  # one budget and schedule; the rate falls with width by the stated rule
    exponent, widest_lr = settings["ladder"]["lr_width_exponent"], settings["ladder"].get("lr", settings["lr"])
    for spec in plan.values():
        assert spec["training"]["lr"] == pytest.approx(widest_lr * (widths[-1] / spec["d_model"]) ** exponent)
    assert {spec["training"]["lr"] for spec in plan.values() if spec["d_model"] == widths[-1]} == {widest_lr}
    assert all(name.startswith("ladder_") and "curve" in spec for name, spec in plan.items())
    with pytest.raises(ValueError, match=r"shapes.ladder.widths.*vocab_size >= 8 x 256"):
        ladder_plan(settings | {"ladder": settings["ladder"] | {"widths": [32, 256]}})


def test_training_records_the_heldout_curve_when_asked():
    tokens = np.random.default_rng(0).integers(0, 20, size=2000).astype(np.uint16)
    settings = LMSettings(
        batch_size=4, steps=5, lr=1e-2, warmup_steps=1, min_lr_ratio=0.1, weight_decay=0.1, grad_clip=1.0
    )
    batch = windows(tokens, evaluation_starts(len(tokens), 8, 4), 8)
    torch.manual_seed(0)
    model = GPT(GPTShape(vocab=20, context=8, n_layer=1, d_model=8, head_dim=8))
    history = train_language_model(
        model, tokens, training_starts(len(tokens), 8, 4, 5, 0), settings, torch.device("cpu"), "c", curve=(batch, 2)
    )
    assert history["heldout_steps"] == [2, 4, 5]
    assert history["heldout_losses"][-1] == heldout_loss(model, batch, torch.device("cpu"))
