"""Tests of superscale.toy.fits: power-law fits, exponents per group, case selection, weak-regime theory."""

import math

import numpy as np
import pandas as pd
import pytest

from superscale.toy.fits import (
    THEORY_EXPONENTS,
    family_exponents,
    fit_exponents,
    fit_power_law,
    large_toy_window,
    least_ambiguous_cases,
    weak_loss_integral,
    weak_loss_sum,
)

M_SMALL = np.array([10, 15, 25, 39, 63, 100])

# ---------------------------------------------------------------- fit_power_law


@pytest.mark.parametrize("alpha_m, prefactor", [(0.7, 3.0), (1.0, 0.5), (2.0, 40.0), (-0.3, 1.0)])
def test_fit_power_law_noiseless(alpha_m, prefactor):
    fit = fit_power_law(M_SMALL, prefactor * M_SMALL**-alpha_m)
    assert fit.alpha_m == pytest.approx(alpha_m, abs=1e-12)
    assert fit.log_prefactor == pytest.approx(math.log(prefactor), abs=1e-10)
    assert fit.r2 == pytest.approx(1.0, abs=1e-12)
    assert fit.alpha_m_se == pytest.approx(0.0, abs=1e-7)
    assert fit.n_points == 6


def test_fit_power_law_noisy_within_three_standard_errors():
    rng = np.random.default_rng(0)
    m = np.repeat(M_SMALL, 4)
    true = 0.85
    inside = 0
    for _ in range(20):
        loss = 2.0 * m**-true * np.exp(rng.normal(0, 0.1, size=m.size))
        fit = fit_power_law(m, loss)
        assert 0 < fit.alpha_m_se < 0.1
        assert 0.9 < fit.r2 < 1.0
        assert abs(fit.alpha_m - true) < 4 * fit.alpha_m_se
        inside += abs(fit.alpha_m - true) < fit.alpha_m_se
    assert 8 <= inside <= 19  # about 68% of fits within one standard error


def test_fit_power_law_accepts_lists_and_pandas():
    m = [8, 16, 32, 64]
    loss = pd.Series([1 / x for x in m])
    assert fit_power_law(m, loss).alpha_m == pytest.approx(1.0)


@pytest.mark.parametrize(
    "m, loss",
    [
        ([10, 20], [1.0, 0.5]),  # < 3 points
        ([10, 20, 40], [1.0, 0.0, 0.2]),  # zero loss
        ([10, 20, 40], [1.0, -0.5, 0.2]),  # negative loss
        ([10, 10, 10], [1.0, 0.9, 0.8]),  # one distinct width
    ],
)
def test_fit_power_law_rejects_bad_input(m, loss):
    with pytest.raises(ValueError):
        fit_power_law(m, loss)


# ---------------------------------------------------------------- fit_exponents


def _metrics_frame():
    rows = []
    # (gamma, alpha) = (-1, 1.0): two seeds with exponents 0.5 and 0.7 and different prefactors
    for seed, (a, c) in enumerate([(0.5, 1.0), (0.7, 2.0)]):
        rows += [dict(gamma=-1.0, alpha=1.0, seed=seed, m=m, loss=c * m**-a) for m in M_SMALL]
    # (gamma, alpha) = (0.5, 1.5): one seed, exponent 1.25
    rows += [dict(gamma=0.5, alpha=1.5, seed=0, m=m, loss=3.0 * m**-1.25) for m in M_SMALL]
    # (gamma, alpha) = (0.5, 1.0): one seed, exponent 0.1
    rows += [dict(gamma=0.5, alpha=1.0, seed=0, m=m, loss=m**-0.1) for m in M_SMALL]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # order must not matter


def test_fit_exponents_per_group_and_pooled_seeds():
    table = fit_exponents(_metrics_frame(), by=["gamma", "alpha"])
    assert list(table.columns[:2]) == ["gamma", "alpha"]
    assert {"alpha_m", "alpha_m_se", "r2", "n_points", "seeds", "alpha_m_seed_std"} <= set(table.columns)
    assert len(table) == 3
    table = table.set_index(["gamma", "alpha"])
    # two seeds on the same widths: the pooled least-squares slope is the mean of the seeds' slopes
    pooled = table.loc[(-1.0, 1.0)]
    assert pooled["alpha_m"] == pytest.approx(0.6, abs=1e-10)
    assert pooled["n_points"] == 12 and pooled["seeds"] == 2
    assert pooled["alpha_m_seed_std"] == pytest.approx(np.std([0.5, 0.7], ddof=1), rel=1e-9)
    assert pooled["alpha_m_se"] > 0 and pooled["r2"] < 1  # the seeds' offsets are scatter around one line
    single = table.loc[(0.5, 1.5)]
    assert single["alpha_m"] == pytest.approx(1.25, abs=1e-10)
    assert single["seeds"] == 1 and single["n_points"] == 6 and math.isnan(single["alpha_m_seed_std"])
    assert single["r2"] == pytest.approx(1.0)
    assert table.loc[(0.5, 1.0)]["alpha_m"] == pytest.approx(0.1, abs=1e-10)


def test_fit_exponents_single_key():
    table = fit_exponents(_metrics_frame(), by=["gamma"])
    assert list(table["gamma"]) == [-1.0, 0.5]
    # gamma = 0.5 pools two alphas (exponents 1.25 and 0.1) under seed 0: one seed, 12 points
    row = table.set_index("gamma").loc[0.5]
    assert row["n_points"] == 12 and row["seeds"] == 1
    assert 0.1 < row["alpha_m"] < 1.25


def test_fit_exponents_seed_spread_zero_for_equal_exponents():
    rows = [dict(g=0, seed=s, m=m, loss=(1 + s) * m**-0.9) for s in range(3) for m in M_SMALL]
    table = fit_exponents(pd.DataFrame(rows), by=["g"])
    assert table["alpha_m"].iloc[0] == pytest.approx(0.9)
    assert table["seeds"].iloc[0] == 3
    assert table["alpha_m_seed_std"].iloc[0] == pytest.approx(0.0, abs=1e-10)


# ---------------------------------------------------------------- least_ambiguous_cases


def test_least_ambiguous_cases_uses_max_over_m():
    # case -> ambiguity at m = 10, 20, 40
    cases = {
        (0.5, 1.0): [0.1, 0.2, 0.3],  # max 0.3
        (0.5, 2.0): [0.05, 0.05, 0.9],  # smallest mean, but max 0.9
        (-1.0, 1.0): [0.4, 0.4, 0.4],  # max 0.4
        (0.1, 0.5): [0.25, 0.2, 0.1],  # max 0.25
        (1.0, 1.5): [2.0, 0.1, 0.1],  # max 2.0
    }
    rows = [
        dict(gamma=g, alpha=a, m=m, ambiguity=value)
        for (g, a), values in cases.items()
        for m, value in zip([10, 20, 40], values)
    ]
    chosen = least_ambiguous_cases(pd.DataFrame(rows), count=3)
    assert len(chosen) == 3
    assert set(zip(chosen["gamma"], chosen["alpha"])) == {(0.5, 1.0), (-1.0, 1.0), (0.1, 0.5)}
    # sorted by alpha then gamma, with the max ambiguity reported
    assert list(zip(chosen["alpha"], chosen["gamma"])) == [(0.5, 0.1), (1.0, -1.0), (1.0, 0.5)]
    assert list(chosen["ambiguity"]) == [0.25, 0.4, 0.3]
    assert len(least_ambiguous_cases(pd.DataFrame(rows))) == 5  # default 9, only 5 cases exist


# ---------------------------------------------------------------- weak-regime theory


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 1.5, 2.0])
def test_weak_loss_integral_endpoints(alpha):
    n = 1000
    assert weak_loss_integral(1.0, alpha, n) == pytest.approx(0.0, abs=1e-12)
    # nothing represented (phi = 1/n, the integral starting at feature 1) loses all of (4/3) sum p = 4/3
    assert weak_loss_integral(1 / n, alpha, n) == pytest.approx(4 / 3, rel=1e-9)
    phi = np.array([0.001, 0.01, 0.1, 0.5, 0.9])
    values = weak_loss_integral(phi, alpha, n)
    assert values.shape == phi.shape
    assert np.all(np.diff(values) < 0)  # more features represented, less loss


def test_weak_loss_integral_alpha_one_branch():
    assert weak_loss_integral(0.1, 1.0, 1000) == pytest.approx(4 / 3 * math.log(10) / math.log(1000))
    assert weak_loss_integral(0.1, 1.0, 1000) == pytest.approx(4 / 9)
    # continuous in alpha around 1
    assert weak_loss_integral(0.1, 1.0 + 1e-6, 1000) == pytest.approx(4 / 9, rel=1e-4)


def test_weak_loss_integral_hand_value():
    # alpha = 2, n = 10, phi = 0.5: (4/3) (2 - 1) 10^-1 / (1 - 10^-1) = (4/3) / 9
    assert weak_loss_integral(0.5, 2.0, 10) == pytest.approx(4 / 27)
    # alpha = 0 (uniform p): loss = (4/3)(1 - phi) up to the 1/n edge, here (4/3)(1 - phi) n / (n - 1)
    assert weak_loss_integral(0.25, 0.0, 100) == pytest.approx(4 / 3 * 0.75 * 100 / 99)


def test_weak_loss_sum_is_the_variance_of_the_unrepresented_features():
    """Eq. 4: sum of (4/3) p_i - p_i^2, the variance of x_i = u_i v_i, over the features left out."""
    probs = np.array([0.4, 0.3, 0.2, 0.1])
    assert weak_loss_sum(probs, 0) == pytest.approx(4 / 3 - (0.16 + 0.09 + 0.04 + 0.01))
    assert weak_loss_sum(probs, 2) == pytest.approx(4 / 3 * 0.3 - (0.04 + 0.01))
    assert weak_loss_sum(probs, 4) == 0.0
    # the same number as the empirical variance of x_i summed over the left-out features
    rng = np.random.default_rng(0)
    x = (rng.random((400_000, 4)) < probs) * rng.uniform(0, 2, (400_000, 4))
    assert weak_loss_sum(probs, 1) == pytest.approx(x[:, 1:].var(axis=0).sum(), rel=0.01)


@pytest.mark.parametrize("alpha, rel", [(0.0, 0.001), (0.5, 0.01), (1.0, 0.06)])
def test_weak_loss_integral_approximates_the_sum(alpha, rel):
    n = 200_000
    i = np.arange(1, n + 1, dtype=float)
    probs = i**-alpha / np.sum(i**-alpha)
    for phi in [0.001, 0.01, 0.1, 0.5]:
        discrete = weak_loss_sum(probs, int(phi * n))
        assert weak_loss_integral(phi, alpha, n) == pytest.approx(discrete, rel=rel)


def test_weak_loss_integral_for_alpha_above_one_is_off_by_the_normalisation():
    """For alpha > 1 the tails still agree, but the integral normalises by int_1^n x^-a dx, not zeta(a)."""
    alpha, n = 1.5, 200_000
    i = np.arange(1, n + 1, dtype=float)
    norm_sum = np.sum(i**-alpha)
    probs = i**-alpha / norm_sum
    norm_integral = (1 - n ** (1 - alpha)) / (alpha - 1)
    for phi in [0.001, 0.01, 0.1, 0.5]:
        ratio = weak_loss_integral(phi, alpha, n) / weak_loss_sum(probs, int(phi * n))
        assert ratio == pytest.approx(norm_sum / norm_integral, rel=0.01)  # about 1.31


def test_theory_exponents():
    assert THEORY_EXPONENTS["weak"](1.5) == pytest.approx(0.5)
    assert THEORY_EXPONENTS["strong_flat"](0.3) == 1.0
    assert THEORY_EXPONENTS["strong_skewed"](1.5) == pytest.approx(1.0)
    assert THEORY_EXPONENTS["strong_skewed"](2.0) == pytest.approx(2.0)


# ---------------------------------------------------------------- large-toy fit windows
def test_large_toy_windows_follow_the_paper():
    widths = [8, 16, 32, 64, 128, 256, 512, 1024]
    assert large_toy_window("power", 0.1, widths) == widths[-5:]
    assert large_toy_window("linear", 0.1, widths) == widths
    assert large_toy_window("power", -1.0, widths) == widths[2:]
    assert large_toy_window("linear", -1.0, widths) == widths[2:]
    assert large_toy_window("exponential", -1.0, widths) == widths


def test_family_exponents_apply_windows_to_large_toys_only():
    widths = [8, 16, 32, 64, 128, 256]
    rows = [
        dict(
            distribution="power",
            gamma=-1.0,
            alpha=1.2,
            density=1.0,
            seed=0,
            m=m,
            loss=(5.0 if m < 32 else 1.0) * m**-1.0,
        )
        for m in widths
    ]
    frame = pd.DataFrame(rows)
    windowed = family_exponents(frame, "large").iloc[0]
    assert windowed["alpha_m"] == pytest.approx(1.0) and windowed["n_points"] == 4 and windowed["m_min"] == 32
    assert family_exponents(frame, "large", "all").iloc[0]["n_points"] == 6
    assert family_exponents(frame.assign(alpha=1.0), "fig18").iloc[0]["n_points"] == 6
