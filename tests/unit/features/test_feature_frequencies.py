"""The feature-frequency stage: law fits and verdicts, the dictionary, the splice loss, the toy
transfer, activations of a tiny model, the method on planted truth (small), and the summary's
tables, where an exponent the fit left at its bound says so instead of carrying an error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from tiny_llm import TEXT, write_tiny_llama

from superscale.features import activations as acts
from superscale.features.controls import same_tokens, thin, token_counts
from superscale.features.dictionary import (
    DictionarySettings,
    batch_top_k,
    firing_counts,
    load,
    quality,
    save,
    train_dictionary,
)
from superscale.features.laws import EXPONENTS, fit_law, verdict
from superscale.features.planted import planted_case, planted_probabilities
from superscale.features.splice import reference_losses, splice_losses, unembedding_loss
from superscale.features.summary import ORDER, _alpha, _bound_note, answer, confusion, toy_fits, verdict_sentence
from superscale.features.tables import law_table
from superscale.features.transfer import alpha_m_by_gamma, late_fall, toy_probabilities


def rank_law(alpha: float, n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=float) ** -alpha / 10


TOKENS = 10**6


LAW = {"level": 0.1, "min_tail": 10, "bootstrap": 20, "scan": 30, "seed": 0}


def test_fit_law_recovers_a_rank_exponent_and_rejects_exponential_frequencies():
    power = fit_law(np.round(rank_law(1.2, 500) * TOKENS), TOKENS)
    assert power["alpha"] == pytest.approx(1.2, abs=0.06)
    assert power["tau"] == pytest.approx(1 + 1 / power["alpha"])
    assert power["alpha_se"] == pytest.approx(power["tau_se"] / (power["tau"] - 1) ** 2)
    assert power["lr_exponential"] > 0 and power["verdict"] != "disfavoured"
    exponential = fit_law(np.round(np.exp(-np.arange(500) / 50.0) * TOKENS), TOKENS)
    assert exponential["verdict"] == "disfavoured" and np.isnan(exponential["alpha_quoted"])


def test_the_law_test_on_sampled_power_law_lognormal_and_exponential_counts():
    """3,000 counts drawn from each law, where the answer is known: the power law (tau = 2, alpha = 1)
    passes the bootstrap and is not beaten; the lognormal and the exponential are rejected or beaten."""
    rng = np.random.default_rng(1)
    power = np.floor((1 - rng.random(3000)) ** -1.0 * 9.5 + 0.5)  # discrete power law, tau = 2, x >= 10
    fitted = fit_law(power, 10**6, **LAW)
    assert fitted["verdict"] in ("favoured", "undecided") and fitted["p_gof"] >= 0.1
    assert fitted["alpha_quoted"] == pytest.approx(1.0, abs=3 * fitted["alpha_se"] + 0.05)
    assert fitted["decades"] > 2
    lognormal = np.round(rng.lognormal(3.0, 1.0, 3000)) + 1
    exponential = np.round(rng.exponential(50.0, 3000)) + 1
    for counts in (lognormal, exponential):
        assert fit_law(counts, 10**6, **LAW)["verdict"] in ("disfavoured", "rejected")


def test_verdict_scale_from_rejected_to_favoured():
    row = {
        "p_gof": 0.5,
        "lr_lognormal": 2.0,
        "p_lognormal": 0.01,
        "lr_exponential": 3.0,
        "p_exponential": 0.001,
        "lr_truncated_power_law": -0.5,
        "p_truncated_power_law": 0.4,
    }
    assert verdict(row, 0.1) == "favoured"
    assert verdict(row | {"p_lognormal": 0.5}, 0.1) == "undecided"
    assert verdict(row | {"lr_exponential": -3.0}, 0.1) == "disfavoured"
    assert verdict(row | {"p_truncated_power_law": 0.01}, 0.1) == "disfavoured"  # the cutoff is needed
    assert verdict(row | {"p_gof": 0.05}, 0.1) == "rejected"
    assert verdict(row | {"p_gof": float("nan")}, 0.1) == "favoured"  # no bootstrap: the ratios decide


def test_fit_law_refuses_too_few_frequencies():
    with pytest.raises(ValueError, match="at least 20 latents that fire"):
        fit_law([1, 2, 0] * 3, 100)
    with pytest.raises(ValueError, match="firing counts"):
        fit_law(rank_law(1.0, 40), 100)


def test_batch_top_k_keeps_the_largest_k_per_input_over_the_batch():
    z = torch.tensor([[5.0, 0.1, 0.2], [4.0, 3.0, 0.3]])
    kept = batch_top_k(z, 1)
    assert torch.equal(kept, torch.tensor([[5.0, 0.0, 0.0], [4.0, 0.0, 0.0]]))


def test_dictionary_learns_planted_directions_and_round_trips(tmp_path):
    torch.manual_seed(0)
    directions = torch.linalg.qr(torch.randn(16, 16))[0][:8]
    codes = (torch.rand(2048, 8) < 0.25) * torch.rand(2048, 8) * 2
    x = codes @ directions + 3.0
    model, record = train_dictionary(x, 8, DictionarySettings(k=2, steps=300, batch_size=128, lr=0.01))
    counts = firing_counts(model, x)
    stats = quality(model, x[:512], counts, x.shape[0], dense=0.9)
    assert stats["fve_heldout"] > 0.9 and stats["dead"] == 0 and stats["dense"] == 0
    assert 1.0 < stats["l0_heldout"] < 3.0
    assert record["mse"][-1] < record["mse"][0]
    save(model, record, tmp_path / "d.pt")
    again, _ = load(tmp_path / "d.pt")
    assert torch.equal(again.encode(x[:10]), model.encode(x[:10]))


def test_dictionary_errors_name_the_setting():
    with pytest.raises(ValueError, match="batch_size"):
        train_dictionary(torch.zeros(10, 4), 8, DictionarySettings(k=2, steps=1, batch_size=64))
    with pytest.raises(ValueError, match="features.dictionary.k"):
        train_dictionary(torch.zeros(64, 4), 8, DictionarySettings(k=8, steps=1, batch_size=64))


def test_unembedding_loss_is_the_cross_entropy_over_positions_with_a_target():
    x, head = torch.randn(6, 4), torch.randn(10, 4)
    targets = torch.tensor([1, 2, 3, -100, 4, 5])
    known = targets >= 0
    expected = torch.nn.functional.cross_entropy((x @ head.T)[known], targets[known])
    assert unembedding_loss(x, head, targets, chunk=4) == pytest.approx(float(expected), rel=1e-6)


def test_splice_of_a_perfect_reconstruction_costs_nothing():
    class Identity:
        def encode(self, x):
            return x

        def decode(self, z):
            return z

    x, head, targets = torch.randn(8, 4), torch.randn(10, 4), torch.arange(8)
    row = splice_losses(Identity(), x, head, targets, reference_losses(x, x.mean(0), head, targets))
    assert row["loss_increase"] == pytest.approx(0.0, abs=1e-6) and row["loss_recovered"] == pytest.approx(1.0)


def test_toy_probabilities_keep_the_rank_exponent_when_subsampled():
    frequencies = np.concatenate([rank_law(1.3, 3000), np.zeros(50)])
    probs = toy_probabilities(frequencies, 300, density=1.0).numpy()
    assert probs.size == 300 and probs.sum() == pytest.approx(1.0)
    slope = -np.polyfit(np.log(np.arange(1, 301)), np.log(probs), 1)[0]
    assert slope == pytest.approx(1.3, abs=0.05)
    with pytest.raises(ValueError, match="features.toy.density"):
        toy_probabilities(frequencies, 300, density=5.0)


def test_toy_alpha_m_per_gamma_and_the_papers_predictions():
    rows = [
        {"gamma": g, "m": m, "loss": m**-e, "n": 30, "converged": m != 8 or g < 0}
        for g, e in ((-1.0, 1.0), (1.0, 0.5))
        for m in (2, 4, 8)
    ]
    fitted = alpha_m_by_gamma(rows)
    assert [round(f["alpha_m"], 6) for f in fitted] == [1.0, 0.5]
    assert [f["trained"] for f in fitted] == [True, False]  # one weak toy still improving
    toy = pd.DataFrame(rows).assign(model="a", depth="last", size=2, live=30, density=1.0)
    laws = pd.DataFrame([{"model": "a", "depth": "last", "size": 2, "layer": 3, "alpha": 1.4, "verdict": "undecided"}])
    fits = toy_fits(toy, laws)
    assert list(fits.predicted) == [1.0, pytest.approx(0.4)]
    # alpha - 1 is the paper's weak-regime exponent for alpha > 1 only: below it, no prediction
    shallow = toy_fits(toy, laws.assign(alpha=0.75))
    assert shallow.predicted.iloc[0] == 1.0 and np.isnan(shallow.predicted.iloc[1])


def test_late_fall_says_whether_the_loss_still_falls():
    assert late_fall([1.0] * 20) == pytest.approx(0.0)
    assert late_fall(list(np.linspace(2.0, 1.0, 20))) > 0.1
    assert np.isnan(late_fall([1.0, 0.5]))


def test_the_answer_is_worded_against_the_controls():
    def frame(*verdicts, **columns):
        return pd.DataFrame({"verdict": list(verdicts)} | {k: [v] * len(verdicts) for k, v in columns.items()})

    laws = frame("disfavoured", "disfavoured", decades=1.2)
    controls = pd.concat(
        [
            frame("undecided", control="tokens (same positions)", decades=2.4),
            frame("disfavoured", control="null (random init)", decades=0.5),
        ]
    )
    planted = pd.concat(
        [frame("undecided", "undecided", law="power"), frame("disfavoured", "rejected", law="lognormal")]
    )
    sentence = answer(laws, controls, planted)
    assert "as far from a power law as a planted lognormal" in sentence
    assert "further from a power law than the model's own tokens" in sentence
    assert "null gets the same verdict" in sentence
    assert "(fitted tails of 1.2-1.2 decades)" in sentence and "(2.4 decades)" in sentence
    same = pd.concat([frame("undecided", law="power"), frame("undecided", law="lognormal")])
    assert "cannot tell which of the two" in answer(laws, controls, same)
    assert sentence.endswith(". So " + verdict_sentence(laws, controls, planted))  # the abstract's sentence


def test_layer_index_and_windows_spread_over_the_whole_text(monkeypatch):
    assert [acts.layer_index(d, 30) for d in (0.5, 1.0)] == [15, 30]
    assert acts.layer_index(0.5, 1) == 1
    with pytest.raises(ValueError, match="features.layers"):
        acts.layer_index(0.0, 4)
    assert acts.spread(100, 4) == [12, 37, 62, 87] and acts.spread(3, 5) == [0, 1, 2]
    monkeypatch.setattr(acts, "load_documents", lambda spec: [f"{spec['name']}{i}" for i in range(spec["n"])])
    parts = acts.split_documents([{"name": "a", "n": 100}, {"name": "b", "n": 40}], {"train": 6, "heldout": 2}, 200)
    assert parts["train"] == ["a12", "b5", "a37", "b15", "a62", "b25"]  # both texts from start to end
    assert parts["heldout"] == ["a87", "b35"]


def test_a_text_too_short_for_its_share_leaves_the_rest_to_the_others(monkeypatch):
    assert acts.window_shares(8, [100, 40]) == [4, 4]  # equal shares where every text has enough
    assert acts.window_shares(10, [100, 3, 50]) == [4, 3, 4]
    assert acts.window_shares(1000, [227, 4465]) == [227, 773]
    assert acts.window_shares(10, [2, 3]) == [2, 3]  # all there is
    monkeypatch.setattr(acts, "load_documents", lambda spec: [f"{spec['name']}{i}" for i in range(spec["n"])])
    parts = acts.split_documents([{"name": "a", "n": 100}, {"name": "b", "n": 2}], {"train": 6, "heldout": 2}, 200)
    assert sorted(parts["train"] + parts["heldout"]) == sorted(["b0", "b1"] + [f"a{i}" for i in acts.spread(100, 6)])


def test_token_control_reads_the_very_tokens_whose_activations_are_stored(tmp_path):
    """Hidden state 0 is the token embedding: the stored ids must be the tokens at the stored
    positions, or the token control counts other tokens than the latents."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    directory = write_tiny_llama(tmp_path / "tiny", 16)
    model, tokenizer = AutoModelForCausalLM.from_pretrained(directory).eval(), AutoTokenizer.from_pretrained(directory)
    documents = [TEXT[i * 40 :] for i in range(6)]
    out = acts.collect(model, tokenizer, documents, 50, 12, [0, 1], "tiny", scored=False)
    embedded = model.get_input_embeddings()(out["ids"]).detach()
    assert out["ids"].shape == (50,) and torch.allclose(out["activations"][0], embedded)
    null = acts.collect(acts.random_model(model, 123), tokenizer, documents, 50, 12, [1], "null", scored=False)
    assert torch.equal(null["ids"], out["ids"]) and not torch.allclose(null["activations"][1], out["activations"][1])
    same_tokens(out["ids"], [{"model": "m", "depth": "last", "size": 2, "train_tokens": 50}], "m")
    with pytest.raises(ValueError, match="forcerun features_activations"):
        same_tokens(out["ids"][:-1], [{"model": "m", "depth": "last", "size": 2, "train_tokens": 50}], "m")


def test_token_counts_and_thinning_without_replacement():
    assert list(token_counts([5, 5, 2, 9, 5, 2])) == [3, 2, 1]
    counts = np.array([5000, 300, 20, 1])
    thinned = thin(counts, 1000, seed=0)
    assert thinned.sum() == 1000 and thinned[0] <= 5000 and np.all(thinned[: len(thinned)] > 0)
    assert np.array_equal(thin(counts, 1000, seed=0), thinned)  # seeded
    assert np.array_equal(thin(counts, 0, seed=0), counts)


def test_planted_probabilities_sum_to_k_under_the_cap():
    power = planted_probabilities("power", 1000, 1.2, density=32.0, cap=0.3)
    assert power.sum() == pytest.approx(32.0) and power[0] == pytest.approx(0.3)
    ratio = (power[0] / power[1]) ** (1 / 1.2)  # = (2 + b) / (1 + b) for p_i ~ (i + b)^-1.2
    offset = (2 - ratio) / (ratio - 1)
    law = np.log(power) + 1.2 * np.log(np.arange(1, 1001) + offset)
    assert offset > 0 and np.allclose(law, law[0])  # a power law of the offset rank, nothing piled at the cap
    free = planted_probabilities("power", 1000, 1.2, density=1.0, cap=0.3)  # no offset needed
    assert free[0] / free[9] == pytest.approx(10**1.2)
    lognormal = planted_probabilities("lognormal", 1000, 0.8, density=32.0, cap=0.5)
    assert lognormal.sum() == pytest.approx(32.0) and np.all(np.diff(lognormal) <= 0)
    with pytest.raises(ValueError, match="cannot sum"):
        planted_probabilities("power", 10, 1.2, density=32.0, cap=0.3)
    with pytest.raises(ValueError, match="p_1"):
        planted_probabilities("lognormal", 1000, 3.0, density=32.0, cap=0.3)  # p_1 > 1


def test_confusion_table_on_a_tiny_budget():
    """Planted power law and lognormal at a tiny budget through the whole case (dictionary and
    test), two seeds: each planted law's row counts every seed once, for both views."""
    budget = {
        "width": 16,
        "latents": 64,
        "features": 64,
        "tokens": 2000,
        "k": 4,
        "cap": 0.4,
        "noise": 0.0,
        "dictionary": {"steps": 30, "batch_size": 128, "lr": 0.003},
    }
    law = {"level": 0.1, "min_tail": 5, "bootstrap": 3, "scan": 10, "seed": 0}
    rows = []
    for label, name, parameter in (("power", "power", 1.2), ("lognormal", "lognormal", 1.0)):
        for seed in (0, 1):
            row, counts = planted_case({"label": label, "law": name, "parameter": parameter, "seed": seed}, budget, law)
            assert counts["planted"].sum() > 0 and counts["recovered"].size == 64
            rows.append(row)
    table = confusion(pd.DataFrame(rows))
    assert list(table.planted) == ["power", "power", "lognormal", "lognormal"]
    assert list(table.seen) == ["through the dictionary", "planted counts"] * 2
    assert (table[list(ORDER)].sum(axis=1) == 2).all()


def test_last_layer_activations_are_what_the_unembedding_reads(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    directory = write_tiny_llama(tmp_path / "tiny", 16)
    model, tokenizer = AutoModelForCausalLM.from_pretrained(directory).eval(), AutoTokenizer.from_pretrained(directory)
    documents = [TEXT[i * 40 :] for i in range(6)]
    out = acts.collect(model, tokenizer, documents, 50, 12, [1], "tiny", scored=True)
    assert out["activations"][1].shape == (50, 16) and out["targets"].shape == (50,)
    head = model.lm_head.weight.detach()
    assert unembedding_loss(out["activations"][1], head, out["targets"]) == pytest.approx(out["model_loss"], rel=1e-5)
    unscored = acts.collect(model, tokenizer, documents, 50, 12, [1], "tiny", scored=False)
    assert torch.allclose(unscored["activations"][1], out["activations"][1], atol=1e-5)


def test_law_table_sets_each_size_against_the_smallest_at_its_layer():
    rows = [
        pd.DataFrame({"latent": range(60), "count": np.round(rank_law(alpha, 60) * TOKENS)}).assign(
            frequency=lambda frame: frame["count"] / TOKENS, model="a", depth="last", layer=2, size=size
        )
        for size, alpha in ((4, 1.6), (2, 1.0))
    ]
    laws = law_table(pd.concat(rows), {"level": 0.1, "min_tail": 5, "bootstrap": 0, "scan": 40, "seed": 0})
    assert list(laws["size"]) == [2, 4]
    assert laws.alpha_shift_from_smallest_size.iloc[0] == 0.0
    assert laws.alpha_shift_from_smallest_size.iloc[1] == pytest.approx(laws.alpha.iloc[1] - laws.alpha.iloc[0])
    assert laws.alpha.iloc[1] > laws.alpha.iloc[0]


def test_exponent_at_its_bound_is_flagged_not_given_an_error():
    tau_low, tau_high = EXPONENTS["alpha"]
    laws = pd.DataFrame(
        {
            "tau": [tau_high, 2.0, tau_low + 0.5],
            "alpha_quoted": [1 / (tau_high - 1), 1.0, math.nan],
            "alpha_se": [0.0, 0.05, 0.1],
        }
    )
    cells = [_alpha(row) for row in laws.itertuples()]
    assert cells == [f"{1 / (tau_high - 1):.2f} (at bound)", "1.00 $\\pm$ 0.05", "--"]
    assert _bound_note(laws) == " (1 of them at a bound of the fit, so not measured)"
    assert _bound_note(laws.iloc[1:]) == ""
