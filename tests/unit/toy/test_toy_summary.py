"""Headline numbers of the toy stage: the small-toy, large-toy, E-sweep and Fig. 18 summaries."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from superscale.toy.summary import (
    FIT_WINDOWS,
    count,
    esweep_summary,
    fig18_summary,
    large_toy_summary,
    small_toy_summary,
)

REPO = Path(__file__).resolve().parents[3]


def _fit(**values):
    return (
        dict(
            alpha_m=1.0, alpha_m_se=0.05, r2=0.99, n_points=6, seeds=1, alpha_m_seed_std=math.nan, m_min=32, m_max=1024
        )
        | values
    )


def test_large_summary_picks_shape_and_regime_and_reports_seed_spread():
    fits = pd.DataFrame(
        [
            _fit(distribution="exponential", gamma=-1.0, alpha_m=1.01),
            _fit(distribution="exponential", gamma=0.1, alpha_m=0.3),
            _fit(distribution="power", gamma=-1.0, alpha_m=0.98, seeds=3, alpha_m_seed_std=0.12),
        ]
    )
    values = large_toy_summary(fits)
    assert values["LargeStrongExponentialAlphaM"] == r"1.01 \pm 0.05"
    assert values["LargeWeakExponentialAlphaM"] == r"0.30 \pm 0.05"
    assert values["LargeStrongPowerAlphaM"] == r"0.98 \pm 0.12"  # spread over seeds, not the SE
    assert values["LargeStrongLinearAlphaM"] == r"\text{not measured}" and math.isnan(values["LargeStrongLinearRsq"])
    assert values["LargeStrongLinearRange"] == r"\text{not measured}"
    # an en dash that stays one in $m=...$ (there "32--1024" typesets as 32 - -1024)
    assert values["LargeStrongExponentialRange"] == r"32\text{--}1024"


def test_esweep_summary_lists_exponents_by_density_at_the_strongest_decay():
    fits = pd.DataFrame(
        [
            _fit(gamma=g, density=d, alpha_m=a)
            for g, d, a in [(-1.0, 4.2, 1.1), (-1.0, 1.0, 1.2), (1.0, 1.0, 0.1), (1.0, 4.2, 0.5)]
        ]
    )
    values = esweep_summary(fits)
    assert values["EsweepDensities"] == "1.00, 4.20"
    assert values["EsweepStrongAlphaMs"] == r"$1.20 \pm 0.05$, $1.10 \pm 0.05$"
    assert values["EsweepMaxSpread"] == pytest.approx(0.4)


def test_fig18_summary_splits_at_alpha_one_and_a_half():
    fits = pd.DataFrame(
        [_fit(gamma=-1.0, alpha=a, alpha_m=x, m_min=50, m_max=150) for a, x in [(1.0, 1.0), (2.0, 1.6)]]
    )
    values = fig18_summary(fits)
    assert values["WideFlatAlphaM"] == 1.0 and values["WideSkewedAlphaM"] == 1.6 and values["WideSkewedTheory"] == 2.0
    assert values["WideRange"] == r"50\text{--}150"


def test_counts_take_the_noun_in_the_right_number():
    assert count(1, "seed") == "1 seed" and count(2, "seed") == "2 seeds" and count(0, "seed") == "0 seeds"


def test_every_fit_window_of_the_schema_has_its_words():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    windows = schema["properties"]["toy_large"]["properties"]["fit_window"]["enum"]
    assert set(FIT_WINDOWS) == set(windows) and FIT_WINDOWS["all"] == "over every width"


def test_small_summary_states_the_overlap_variance_ratio_and_all_rows_slopes():
    m = np.array([10, 25, 63, 100] * 2)
    alpha = np.repeat([1.0, 2.0], 4)
    metrics = pd.DataFrame(
        {
            "m": m,
            "alpha": alpha,
            "gamma": -1.0,
            "n": 1000,
            "phi_half": 1.0,
            # all rows: 1/m^1.5 at alpha = 1, 1/m at alpha = 2
            "mean_sq_overlap": np.where(alpha == 1.0, m**-1.5, 1.0 / m),
            "mean_sq_overlap_strong": 1.0 / m,
            # twice the random variance at alpha = 1, the random variance at alpha = 2
            "var_sq_overlap_strong": np.where(alpha == 1.0, 2.0, 1.0) * 2 * (m - 1) / (m**2 * (m + 2)),
        }
    )
    fits = pd.DataFrame({"gamma": [-1.0, -1.0], "alpha": [1.0, 2.0], "alpha_m": [1.0, 1.5], "r2": [0.99, 0.99]})
    values = small_toy_summary(metrics, fits)
    assert values["SmallStrongOverlapVarianceRatioMin"] == pytest.approx(1.0)
    assert values["SmallStrongOverlapVarianceRatioMax"] == pytest.approx(2.0)
    assert (
        values["SmallAllOverlapSlopes"]
        == r"as $m^{-x}$, $x=1.50$, for $\alpha\le1$; as $m^{-x}$, $x=1.00$, for $\alpha>1$"
    )
