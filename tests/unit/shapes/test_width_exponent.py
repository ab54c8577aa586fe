"""The width exponent's instruments: the convergence gate, the profile-likelihood fit with its
planted-truth recovery, the bottleneck heads and the overlap baselines; and its sentences, which
give the reason where a number is missing, never 'n/a'."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from superscale.llm.unembedding import mean_sq_overlap
from superscale.shapes.bottleneck import HeadSettings, cross_entropy, final_states, train_head
from superscale.shapes.convergence import CONVERGED, UNDER_TRAINED, family_status, gate
from superscale.shapes.gpt import GPT, GPTShape
from superscale.shapes.measures import overlap_baselines
from superscale.shapes.token_stream import evaluation_starts, training_starts, windows
from superscale.shapes.training import LMSettings, heldout_loss, train_language_model
from superscale.shapes.width_law import planted_recovery, profile_fit, seed_noise
from superscale.shapes.width_summary import _local, overlap_table

GATE = {"late_fraction": 0.2, "max_drop_percent": 1.0, "min_tokens_per_parameter": 20}
LADDER_WIDTHS = np.repeat([16, 32, 48, 64, 96, 128], 2)  # the default ladder, two seeds


def test_gate_marks_an_under_trained_curve_and_passes_a_flat_one():
    steps = np.arange(100, 1001, 100)
    falling = 4.0 + 30.0 / np.sqrt(steps)  # still 2.3 % down over the last 20 %
    flat = 4.0 + 3.0 * np.exp(-steps / 50)
    assert not gate(steps, falling, GATE)["passes_gate"]
    assert gate(steps, falling, GATE)["late_from_step"] == 800
    assert gate(steps, flat, GATE)["passes_gate"]
    short = gate(steps, flat, GATE, tokens_per_parameter=1.5)  # flat only because the schedule ended
    assert short["flat"] and not short["enough_tokens"] and not short["passes_gate"]
    family = pd.DataFrame({"passes_gate": [True, True]})
    assert family_status(family) == CONVERGED
    assert family_status(family.assign(passes_gate=[True, False])) == UNDER_TRAINED


def test_profile_fit_is_exact_on_a_noiseless_law_with_either_offset():
    m = np.array([4.0, 8, 16, 32, 64])
    loss = 2.0 * m**-0.7 + 3.0
    free, fixed = profile_fit(m, loss), profile_fit(m, loss, offset=3.0)
    for fit in (free, fixed):
        assert fit["alpha_m"] == pytest.approx(0.7, abs=2e-3)
        assert fit["alpha_m_low"] <= 0.7 <= fit["alpha_m_high"]
    assert free["L_inf"] == pytest.approx(3.0, abs=1e-3) and fixed["C_m"] == pytest.approx(2.0, rel=1e-2)


def test_profile_interval_is_open_when_the_loss_is_only_linear_in_log_width():
    """L = a - b ln m with noise: alpha -> 0 and a free L_inf fit as well, so the interval reaches 0."""
    rng = np.random.default_rng(1)
    loss = 4.5 - 0.05 * np.log(LADDER_WIDTHS) + rng.normal(0, 0.01, LADDER_WIDTHS.size)
    fit = profile_fit(LADDER_WIDTHS, loss)
    assert fit["lower_open"] and fit["alpha_m_low"] == pytest.approx(0.005)  # the smallest alpha profiled


@pytest.mark.parametrize("alpha", [0.5, 0.9])
def test_planted_alpha_is_recovered_within_the_stated_error(alpha):
    """Stated error: the median estimate within 0.1 of the planted exponent and 95 % intervals that
    cover it in at least 85 % of draws, at a seed noise of 0.01 nats on a 0.3-nat signal (the ladder's
    order of magnitude) with L_inf profiled, and at 0.005 nats with L_inf measured (the heads')."""
    profiled = planted_recovery(LADDER_WIDTHS, alpha, drop=0.3, l_inf=4.0, noise_sd=0.01, draws=100)
    measured = planted_recovery(
        np.repeat([4, 8, 16, 32, 64], 2), alpha, drop=0.4, l_inf=4.0, noise_sd=0.005, offset_repeats=2, draws=100
    )
    for result in (profiled, measured):
        assert abs(result["alpha_median"] - alpha) < 0.1
        assert result["coverage"] >= 0.85
    assert measured["interval_width_median"] < profiled["interval_width_median"]  # measuring L_inf pays


def test_seed_noise_is_the_pooled_within_width_sd():
    assert seed_noise([1, 1, 2, 2], [1.0, 3.0, 5.0, 7.0]) == pytest.approx(np.sqrt(2.0))
    assert np.isnan(seed_noise([1, 2], [1.0, 2.0]))


def test_centred_overlap_removes_a_shared_direction_that_raw_rows_carry():
    rng = np.random.default_rng(0)
    vocab, m = 2000, 16
    random_rows = rng.normal(size=(vocab, m))
    shared = np.zeros(m)
    shared[0] = 5.0  # one direction in every row, ~60 % of the variance
    baselines = overlap_baselines(random_rows + shared, random_rows)
    raw = mean_sq_overlap(random_rows + shared)
    assert raw > 3 / m  # the floor a shared direction sets
    assert baselines["mean_sq_overlap_centred"] == pytest.approx(1 / m, rel=0.1)
    assert baselines["mean_sq_overlap_init"] == pytest.approx(1 / m, rel=0.1)  # random rows: 1/m


def _markov_stream(vocab: int, length: int, seed: int) -> np.ndarray:
    """Tokens of a random sparse Markov chain: context matters, so a trunk can beat unigrams."""
    rng = np.random.default_rng(seed)
    successors = rng.integers(0, vocab, size=(vocab, 3))
    tokens = np.empty(length, dtype=np.uint16)
    tokens[0] = 0
    for i in range(1, length):
        tokens[i] = successors[tokens[i - 1], rng.integers(0, 3)]
    return tokens


def test_full_width_bottleneck_head_reproduces_the_trunks_own_loss():
    """Stated tolerance: the full-width head's held-out loss within 2 % of the trunk's own
    unembedding on the same cached states (the head can express exactly that readout)."""
    torch.manual_seed(0)
    tokens = _markov_stream(24, 6000, 0)
    heldout_tokens = tokens[4000:]  # the same chain, positions the trunk and heads never train on
    shape = GPTShape(vocab=24, context=16, n_layer=1, d_model=16, head_dim=8)
    trunk = GPT(shape)
    settings = LMSettings(
        batch_size=16, steps=300, lr=1e-2, warmup_steps=10, min_lr_ratio=0.1, weight_decay=0.0, grad_clip=1.0
    )
    train_language_model(
        trunk, tokens[:4000], training_starts(4000, 16, 16, 300, 0), settings, torch.device("cpu"), "t"
    )
    train_batches = windows(tokens[:4000], evaluation_starts(4000, 16, 250), 16)
    heldout_batches = windows(heldout_tokens, evaluation_starts(len(heldout_tokens), 16, 100), 16)
    train, heldout = final_states(trunk, train_batches), final_states(trunk, heldout_batches)
    readout = trunk.unembedding.weight.detach()
    trunk_loss = cross_entropy(lambda h: h @ readout.T, *heldout)
    assert trunk_loss == pytest.approx(heldout_loss(trunk, heldout_batches, torch.device("cpu")), rel=1e-5)
    head, record = train_head(train, heldout, 16, 24, 0, HeadSettings(1000, 512, 3e-3, 20, 50, 250), "full")
    assert record["heldout_loss"] == pytest.approx(trunk_loss, rel=0.02)
    narrow = train_head(train, heldout, 2, 24, 0, HeadSettings(1000, 512, 3e-3, 20, 50, 250), "narrow")[1]
    assert narrow["heldout_loss"] > record["heldout_loss"] * 1.02  # squeezing into 2 dimensions costs
    assert record["initial_rows"].shape == (24, 16) and head.up.weight.shape == (24, 16)


def test_heads_see_every_cached_position_once_before_any_repeats():
    from superscale.shapes.bottleneck import presentation_order

    order = presentation_order(10, steps=7, batch_size=2, seed=0).flatten().tolist()
    assert sorted(order[:10]) == list(range(10)) and len(order) == 14
    assert presentation_order(10, 7, 2, 0).equal(presentation_order(10, 7, 2, 0))


def test_sentences_state_each_numbers_regime_and_comparability():
    from superscale.llm.fits import bottleneck_width_fit, ladder_width_fit
    from superscale.shapes.width_summary import bottleneck_sentences, ladder_sentences

    rng = np.random.default_rng(0)
    m = np.repeat([16, 32, 64, 128], 2)
    ladder = pd.DataFrame(
        {
            "model": [f"ladder_d{w}_s{i % 2}" for i, w in enumerate(m)],
            "d_model": m,
            "seed": np.tile([0, 1], 4),
            "heldout_loss": 3 * m**-0.5 + 4 + rng.normal(0, 0.005, m.size),
            "lr": 0.003 * 128 / m,
            "tokens_per_parameter": 30.0 * 16 / m,
            "late_drop_percent": 0.5,
        }
    )
    ladder["enough_tokens"] = ladder.tokens_per_parameter >= 20
    ladder["flat"] = True
    ladder["passes_gate"] = ladder.enough_tokens & ladder.flat
    text = ladder_sentences(ladder_width_fit(ladder), ladder, GATE)
    assert "under-trained" in text and "not compared with the paper's 0.91" in text
    assert "6 of 8 models fail the convergence gate" in text and "Planted in synthetic losses" in text
    one_seed = ladder[ladder.seed == 0]
    text = ladder_sentences(ladder_width_fit(one_seed), one_seed, GATE)
    assert "no planted-truth control" in text and "nan" not in text

    widths = np.repeat([4, 8, 16, 32, 64, 128], 2)
    heads = pd.DataFrame(
        {
            "width": widths,
            "seed": np.tile([0, 1], 6),
            "full_width": widths == 128,
            "heldout_loss": np.where(widths == 128, 4.0, 2 * widths**-1.0 + 4) + rng.normal(0, 0.002, widths.size),
            "late_drop_percent": 0.1,
            "cooldown_drop_percent": 0.5,
            "passes_gate": True,
        }
    )
    fit = bottleneck_width_fit(heads, zipf_exponent=1.2, trunk_loss=3.99)
    trunk = {
        "trunk_width": 128,
        "vocab": 1024,
        "train_positions": 1000,
        "heldout_positions": 100,
        "trunk_heldout_loss": 3.99,
    }
    settings = {"steps": 400, "batch_size": 2048, "lr": 0.003, "cooldown_steps": 100}
    text = bottleneck_sentences(fit, heads, trunk, settings, GATE)
    assert "Bottleneck heads (converged" in text and "not comparable in setting with the paper's" in text
    assert fit["predictions"]["strong"]["inside_interval"] and "strong superposition's and not weak" in text


def test_heads_cool_down_after_a_constant_rate_and_the_gate_reads_the_constant_phase():
    from superscale.shapes.bottleneck import cooldown_drop, plateau

    settings = HeadSettings(steps=100, batch_size=8, lr=1e-2, warmup_steps=10, curve_every=10, cooldown_steps=20)
    rates = [settings.multiplier(step) for step in range(100)]
    assert rates[0] == pytest.approx(0.1) and rates[9:80] == [1.0] * 71 and rates[-1] == pytest.approx(0.05)
    record = {"curve_steps": [20, 40, 60, 80, 100], "curve_losses": [5.0, 4.5, 4.45, 4.44, 4.0], "heldout_loss": 4.0}
    assert plateau(record, 80) == ([20, 40, 60, 80], [5.0, 4.5, 4.45, 4.44])
    assert cooldown_drop(record, 80) == pytest.approx(11.0)


def test_local_exponent_and_slope_say_why_they_are_missing():
    assert _local(math.nan) == "undefined (excess loss $\\le0$)" and _local(0.914) == "0.91"
    fits = {
        key: {
            "raw": {"slope": math.nan, "slope_se": math.nan, "n_points": 2},
            "centred": {"slope": 0.5, "slope_se": 0.1, "n_points": 4},
            "init": {"slope": 1.0, "slope_se": 0.02, "n_points": 4},
        }
        for key in ("ladder_overlap_vs_inverse_width", "bottleneck_overlap_vs_inverse_width")
    }
    table = overlap_table(fits)
    assert "n/a" not in table and "not fitted (2 rows)" in table and "0.50 $\\pm$ 0.10" in table
