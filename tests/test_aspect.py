"""The shape sweep's library (Katta, issue 7): CKA, the compressed-sensing bound, the token stream,
the transformer's parameter count and depth matching, training, and the LLM shape reader."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from superscale.cka import linear_cka
from superscale.compressed_sensing import BRANCH_TOP, features_per_neuron, implied_density
from superscale.gpt import GPT, GPTShape, depth_block, kaplan_n, non_embedding_parameters
from superscale.lm_training import LMSettings, heldout_loss, residual_streams, train_language_model
from superscale.token_stream import (
    encode, evaluation_starts, split_documents, train_tokenizer, training_starts, unigram_loss, windows,
)
from superscale.trainer import DivergenceError

TEXTS = [f"document {i}: the king and the queen speak of {word} in the castle.\n" * 20
         for i, word in enumerate(["ghosts", "poison", "revenge", "storms", "crowns", "letters", "swords", "rings"])]


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
    settings = LMSettings(batch_size=8, steps=steps, lr=1e-2, warmup_steps=3, min_lr_ratio=0.1,
                          weight_decay=0.1, grad_clip=1.0, log_every=10)
    history = train_language_model(model, tokens, training_starts(len(tokens), 8, 8, steps, 0), settings,
                                   torch.device("cpu"), f"tiny-s{seed}")
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

    from superscale.weights import WeightError
    from superscale.weights.architecture import COUNTED, model_shape

    path = tmp_path / "m.gguf"
    write_tiny_gguf(path, vocab=64, width=32, blocks=3)
    manifest = {"kind": "local", "head_format": "gguf", "head_file": str(path), "model_dir": str(tmp_path)}
    entry = {"d_model": 32, "n_layer": 3}
    assert model_shape("m", entry, manifest) == {"n_layer": 3, "n_nonembedding": 3 * 32 * 32,
                                                 "n_nonembedding_method": COUNTED}
    with pytest.raises(WeightError, match="registry says n_layer 4, its weights have 3"):
        model_shape("m", entry | {"n_layer": 4}, manifest)


def test_llm_shape_of_a_snapshot_counts_its_blocks_and_a_hub_model_needs_the_registry(tmp_path):
    from tiny_llm import write_tiny_llama

    from superscale.weights import WeightError
    from superscale.weights.architecture import KAPLAN, model_shape

    directory = write_tiny_llama(tmp_path / "tiny", d_model=16)
    manifest = {"kind": "local", "head_format": "safetensors", "head_file": str(directory / "model.safetensors"),
                "model_dir": str(directory)}
    shape = model_shape("tiny", {"d_model": 16}, manifest)
    # one Llama block: q, k, v, o (4 x 16^2), gate, up, down (3 x 16 x 32), two RMSNorms; final norm
    assert shape["n_layer"] == 1 and shape["n_nonembedding"] == 4 * 256 + 3 * 16 * 32 + 2 * 16 + 16
    hub = {"kind": "hub", "head_format": "safetensors", "head_file": "shard", "model_dir": "org/model"}
    assert model_shape("big", {"d_model": 64, "n_layer": 2}, hub) == {
        "n_layer": 2, "n_nonembedding": 12 * 2 * 64**2, "n_nonembedding_method": KAPLAN}
    with pytest.raises(WeightError, match="n_layer in config/models.yaml"):
        model_shape("big", {"d_model": 64}, hub)
