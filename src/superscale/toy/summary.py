"""Headline numbers of the toy stage, computed from its tables, as LaTeX macro values.

The paper's text quotes only these macros, so that every number in it comes from a computation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from superscale.core.grid import nearest
from superscale.paper.latex import UNDETERMINED
from superscale.toy.fits import fit_power_law, least_ambiguous_cases
from superscale.toy.geometry import random_sq_overlap_variance


def small_toy_summary(metrics: pd.DataFrame, fits: pd.DataFrame) -> dict[str, object]:
    """The regimes of Figs 3b and 9b as numbers: mean alpha_m per region, phi_1/2 at alpha ~ 1."""
    weak = fits[fits.gamma > 0]
    strong_flat = fits[(fits.gamma < 0) & (fits.alpha <= 1.25)]
    strong_skewed = fits[(fits.gamma < 0) & (fits.alpha >= 1.75)]
    at_one = metrics[np.isclose(metrics.alpha, nearest(metrics.alpha, 1.0))]
    strong_phi = at_one[at_one.gamma <= -0.55]
    weak_phi = at_one[at_one.gamma >= 0.33]
    n = metrics.n.iloc[0]
    strong_overlaps = metrics[(metrics.gamma < 0) & metrics.mean_sq_overlap_strong.notna()]
    return {
        "SmallModels": len(metrics),
        "SmallCells": len(fits),
        "SmallWeakAlphaM": _mean(weak.alpha_m),
        "SmallWeakAlphaMMax": _max(weak.alpha_m),
        "SmallStrongFlatAlphaM": _mean(strong_flat.alpha_m),
        "SmallStrongFlatAlphaMStd": _std(strong_flat.alpha_m),
        "SmallStrongSkewedAlphaM": _mean(strong_skewed.alpha_m),
        "SmallStrongSkewedAlphaMMin": _min(strong_skewed.alpha_m),
        "SmallPhiAlpha": nearest(metrics.alpha, 1.0),
        "SmallStrongPhiMin": _min(strong_phi.phi_half),
        "SmallWeakPhiExcessMax": _max((weak_phi.phi_half - weak_phi.m / n).abs()),
        "SmallMedianRsq": float(fits.r2.median()),
        "SmallStrongOverlapExponent": _overlap_exponent(strong_overlaps),
        "SmallStrongOverlapVarianceRatioMin": _min(_variance_ratio(strong_overlaps)),
        "SmallStrongOverlapVarianceRatioMax": _max(_variance_ratio(strong_overlaps)),
        "SmallAllOverlapSlopes": _all_overlap_slopes(metrics[metrics.gamma == metrics.gamma.min()]),
    }


def _variance_ratio(rows: pd.DataFrame) -> pd.Series:
    """The variance of the strongly represented rows' squared overlaps over that of random unit
    vectors at the same m (Fig. 5c), per model with at least two such rows."""
    rows = rows[rows.var_sq_overlap_strong.notna()]
    return rows.var_sq_overlap_strong / rows.m.map(random_sq_overlap_variance)


def _all_overlap_slopes(rows: pd.DataFrame) -> str:
    """Fig. 17 in words: how all rows' mean squared overlap falls with m at the strongest decay,
    as the range of the per-alpha exponents for alpha <= 1 and alpha > 1 (1 for a 1/m law)."""
    parts = []
    for label, chosen in (("\\le", rows[rows.alpha <= 1.0]), (">", rows[rows.alpha > 1.0])):
        exponents = [
            fit_power_law(group.m, group.mean_sq_overlap).alpha_m
            for _, group in chosen.groupby("alpha")
            if group.m.nunique() >= 2
        ]
        if exponents:
            low, high = min(exponents), max(exponents)
            span = f"{low:.2f}" if math.isclose(low, high, abs_tol=0.005) else f"{low:.2f}\\text{{--}}{high:.2f}"
            parts.append(f"as $m^{{-x}}$, $x={span}$, for $\\alpha{label}1$")
    return "; ".join(parts) or UNDETERMINED


SHAPE_NAMES = {"exponential": "Exponential", "power": "Power", "linear": "Linear"}
NOT_MEASURED = r"\text{not measured}"  # words, in text or maths mode, where a cell was not trained
FIT_WINDOWS = {"paper": "over the paper's windows (App.~D.1)", "all": "over every width"}


def count(number: int, noun: str) -> str:
    """'1 seed', '2 seeds': a count with its noun in the right number."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def small_settings(settings: dict, metrics: pd.DataFrame) -> dict[str, object]:
    """Macros of the small toys' run settings (config toy_small), and how many least ambiguous cases
    the run's metrics hold."""
    return {
        "SmallN": settings["n"],
        "SmallSteps": settings["steps"],
        "SmallBatch": settings["batch_size"],
        "SmallLR": f"{settings['lr']:g}",
        "SmallWarmup": settings["warmup_steps"],
        "SmallSeeds": len(settings["seeds"]),
        "SmallWidths": ", ".join(str(m) for m in settings["m"]),
        "SmallLeastAmbiguous": count(len(least_ambiguous_cases(metrics)), "least ambiguous case"),
    }


def large_settings(settings: dict) -> dict[str, object]:
    """Macros of the large toys' run settings (config toy_large), the fit window in words."""
    return {
        "LargeN": settings["n"],
        "LargeSteps": settings["steps"],
        "LargeBatch": settings["batch_size"],
        "LargeWidths": ", ".join(str(m) for m in settings["m"]),
        "LargeSeeds": count(len(settings["seeds"]), "seed"),
        "LargeFitWindow": FIT_WINDOWS[settings["fit_window"]],
    }


def width_range(low: int, high: int) -> str:
    """'8\\text{--}45': an en dash that stays one in maths mode ($m=8--45$ typesets 8 - -45)."""
    return f"{low}\\text{{--}}{high}"


def _with_error(fit: pd.Series | None) -> str:
    """'1.01 \\pm 0.05' (maths mode): the spread over seeds where there are several, else the SE."""
    if fit is None:
        return NOT_MEASURED
    error = fit.alpha_m_seed_std if fit.seeds > 1 else fit.alpha_m_se
    return f"{fit.alpha_m:.2f} \\pm {error:.2f}"


def large_toy_summary(fits: pd.DataFrame) -> dict[str, object]:
    """alpha_m (with its error) and R^2 per frequency shape and regime, and the fitted ranges."""
    values: dict[str, object] = {}
    for shape, name in SHAPE_NAMES.items():
        for regime, rows in (("Strong", fits[fits.gamma < 0]), ("Weak", fits[fits.gamma > 0])):
            chosen = rows[rows.distribution == shape]
            # the regime's decay farthest from zero (the paper has one per regime: -1 and 0.1)
            fit = chosen.loc[chosen.gamma.abs().idxmax()] if len(chosen) else None
            values[f"Large{regime}{name}AlphaM"] = _with_error(fit)
            values[f"Large{regime}{name}Rsq"] = math.nan if fit is None else float(fit.r2)
            values[f"Large{regime}{name}Range"] = NOT_MEASURED if fit is None else width_range(fit.m_min, fit.m_max)
    return values


def esweep_summary(fits: pd.DataFrame) -> dict[str, object]:
    """The E sweep's exponents at the strongest decay, and their spread across E at each gamma."""
    strongest = fits[fits.gamma == fits.gamma.min()].sort_values("density")
    spread = fits.groupby("gamma").alpha_m.agg(lambda a: a.max() - a.min())
    return {
        "EsweepStrongGamma": float(strongest.gamma.iloc[0]),
        "EsweepStrongAlphaMs": ", ".join(f"${_with_error(fit)}$" for _, fit in strongest.iterrows()),
        "EsweepDensities": ", ".join(f"{d:.2f}" for d in strongest.density),
        "EsweepMaxSpread": float(spread.max()),
        "EsweepCells": len(fits),
    }


def fig18_summary(fits: pd.DataFrame) -> dict[str, object]:
    """alpha_m at widths with m^2/2 > n, below and above alpha = 1.5."""
    return {
        "WideRange": width_range(fits.m_min.min(), fits.m_max.max()),
        "WideFlatAlphaM": _mean(fits[fits.alpha < 1.5].alpha_m),
        "WideSkewedAlphaM": _mean(fits[fits.alpha >= 1.5].alpha_m),
        "WideSkewedTheory": _mean(2 * (fits[fits.alpha >= 1.5].alpha - 1)),
    }


def _overlap_exponent(rows: pd.DataFrame) -> float:
    """Minus the log-log slope of the strongly represented rows' mean squared overlap against m
    (1 for overlaps that follow 1/m); NaN with fewer than 3 usable models."""
    if len(rows) < 3 or rows.m.nunique() < 2:
        return math.nan
    return fit_power_law(rows.m, rows.mean_sq_overlap_strong).alpha_m


def _mean(series) -> float:
    return float(series.mean()) if len(series) else math.nan


def _std(series) -> float:
    return float(series.std()) if len(series) > 1 else math.nan


def _min(series) -> float:
    return float(series.min()) if len(series) else math.nan


def _max(series) -> float:
    return float(series.max()) if len(series) else math.nan
