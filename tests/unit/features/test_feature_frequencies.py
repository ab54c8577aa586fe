"""The feature-frequency stage: law fits and verdicts, the dictionary, the splice loss, the toy
transfer, activations of a tiny model, and the method on planted truth (small)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from tiny_llm import TEXT, write_tiny_llama

from superscale.features import activations as acts
from superscale.features.dictionary import (
    DictionarySettings,
    batch_top_k,
    firing_counts,
    load,
    quality,
    save,
    train_dictionary,
)
from superscale.features.laws import fit_law, verdict
from superscale.features.planted import planted_case
from superscale.features.splice import reference_losses, splice_losses, unembedding_loss
from superscale.features.summary import answer, toy_fits
from superscale.features.tables import law_table
from superscale.features.transfer import alpha_m_by_gamma, toy_probabilities


def rank_law(alpha: float, n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=float) ** -alpha / 10


TOKENS = 10**6


def test_fit_law_recovers_a_rank_exponent_and_rejects_exponential_frequencies():
    power = fit_law(np.round(rank_law(1.2, 500) * TOKENS), TOKENS)
    assert power["alpha"] == pytest.approx(1.2, abs=0.06)
    assert power["tau"] == pytest.approx(1 + 1 / power["alpha"])
    assert power["lr_exponential"] > 0 and power["verdict"] != "disfavoured"
    exponential = fit_law(np.round(np.exp(-np.arange(500) / 50.0) * TOKENS), TOKENS)
    assert exponential["verdict"] == "disfavoured"


def test_verdict_needs_both_alternatives_beaten_to_favour_and_one_to_disfavour():
    row = {"lr_lognormal": 2.0, "p_lognormal": 0.01, "lr_exponential": 3.0, "p_exponential": 0.001}
    assert verdict(row, 0.1) == "favoured"
    assert verdict(row | {"p_lognormal": 0.5}, 0.1) == "undecided"
    assert verdict(row | {"lr_exponential": -3.0}, 0.1) == "disfavoured"


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
    rows = [{"gamma": g, "m": m, "loss": m**-e, "n": 30} for g, e in ((-1.0, 1.0), (1.0, 0.5)) for m in (2, 4, 8)]
    assert [round(f["alpha_m"], 6) for f in alpha_m_by_gamma(rows)] == [1.0, 0.5]
    toy = pd.DataFrame(rows).assign(model="a", depth="last", size=2, live=30, density=1.0)
    laws = pd.DataFrame([{"model": "a", "depth": "last", "size": 2, "layer": 3, "alpha": 1.4, "verdict": "undecided"}])
    fits = toy_fits(toy, laws)
    assert list(fits.predicted) == [1.0, pytest.approx(0.4)]
    assert answer(laws) == "a power law is 0 of 1 favoured, 0 of 1 disfavoured, 1 of 1 undecided"


def test_layer_index_and_the_heldout_split(monkeypatch):
    assert [acts.layer_index(d, 30) for d in (0.5, 1.0)] == [15, 30]
    assert acts.layer_index(0.5, 1) == 1
    with pytest.raises(ValueError, match="features.layers"):
        acts.layer_index(0.0, 4)
    monkeypatch.setattr(acts, "evaluation_documents", lambda spec: [f"{spec['name']}{i}" for i in range(spec["n"])])
    train, heldout = acts.split_documents([{"name": "a", "n": 4}, {"name": "b", "n": 2}], heldout_every=3)
    assert heldout == ["a1", "a3"] and train == ["a0", "b0", "b1", "a2"]  # a0 b0 a1 b1 a2 a3, every 3rd out


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


def test_planted_power_law_is_recovered_and_planted_exponential_is_not_called_one():
    """The method end to end on planted truth, small: 128 features in 128 dimensions, 10,000 tokens,
    a dictionary of 2 latents per feature (the stage's full-size version: rule features_planted)."""
    settings = {
        "features": 128,
        "latents_per_feature": 2,
        "width": 128,
        "tokens": 10000,
        "density": 2.0,
        "noise": 0.0,
        "seed": 0,
        "min_tail": 10,
        "dictionary": {"steps": 500, "batch_size": 256, "lr": 0.01},
    }
    power = planted_case({"distribution": "power", "alpha": 1.2}, settings, level=0.1)
    assert power["alpha"] == pytest.approx(1.2, abs=0.15)
    assert power["verdict"] != "disfavoured"
    exponential = planted_case({"distribution": "exponential", "scale": 16.0}, settings, level=0.1)
    assert exponential["verdict"] == "disfavoured"


def test_law_table_sets_each_size_against_the_smallest_at_its_layer():
    rows = [
        pd.DataFrame({"latent": range(60), "count": np.round(rank_law(alpha, 60) * TOKENS)}).assign(
            frequency=lambda frame: frame["count"] / TOKENS, model="a", depth="last", layer=2, size=size
        )
        for size, alpha in ((4, 1.6), (2, 1.0))
    ]
    laws = law_table(pd.concat(rows), {"level": 0.1, "min_tail": 5})
    assert list(laws["size"]) == [2, 4]
    assert laws.alpha_shift_from_smallest_size.iloc[0] == 0.0
    assert laws.alpha_shift_from_smallest_size.iloc[1] == pytest.approx(laws.alpha.iloc[1] - laws.alpha.iloc[0])
    assert laws.alpha.iloc[1] > laws.alpha.iloc[0]
