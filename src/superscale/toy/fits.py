"""Power-law fits of loss against width, and the paper's theory curves for the weak regime.

alpha_m is minus the slope of a least-squares line of log L against log m (scipy linregress), with
the slope's standard error and R^2. With several seeds the points of all seeds are fitted together
and the spread of the per-seed exponents is reported beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class PowerLawFit:
    alpha_m: float  # L ~ m^-alpha_m
    alpha_m_se: float
    log_prefactor: float
    r2: float
    n_points: int


def fit_power_law(m, loss) -> PowerLawFit:
    """Fit log L = c - alpha_m log m; needs at least 3 points with positive loss."""
    m = np.asarray(m, dtype=float)
    loss = np.asarray(loss, dtype=float)
    if len(m) < 3 or np.any(loss <= 0) or len(np.unique(m)) < 2:
        raise ValueError(f"a power-law fit needs >= 3 points with positive loss and distinct m; got m={m}, loss={loss}")
    result = stats.linregress(np.log(m), np.log(loss))
    return PowerLawFit(-result.slope, result.stderr, result.intercept, result.rvalue**2, len(m))


def large_toy_window(distribution: str, gamma: float, widths) -> list[int]:
    """The widths the paper fits for a large toy (D.1): weak power law, the last 5; strong power law
    and linear, from the 3rd (m >= 32 on the paper grid); every other case, all of them."""
    widths = sorted(widths)
    if gamma > 0 and distribution == "power":
        return widths[-5:]
    if gamma < 0 and distribution in ("power", "linear"):
        return widths[2:]
    return widths


def fit_exponents(metrics: pd.DataFrame, by: list[str], window=None) -> pd.DataFrame:
    """One fit of loss vs m per group of `by` (seeds pooled), with the per-seed spread.

    window(key, widths), if given, picks the widths fitted for the group `key` (a dict of `by`).
    Every seed has the same widths, so the pooled slope is the mean of the per-seed slopes.
    Columns: by..., alpha_m, alpha_m_se, r2, n_points, seeds, alpha_m_seed_std (NaN for one seed),
    log_prefactor, m_min, m_max (the fitted range).
    """
    rows = []
    for values, group in metrics.groupby(by, sort=True):
        key = dict(zip(by, values if isinstance(values, tuple) else (values,)))
        if window is not None:
            group = group[group["m"].isin(window(key, group["m"].unique()))]
        fit = fit_power_law(group["m"], group["loss"])
        per_seed = [fit_power_law(g["m"], g["loss"]).alpha_m for _, g in group.groupby("seed")]
        rows.append(
            key
            | dict(
                alpha_m=fit.alpha_m,
                alpha_m_se=fit.alpha_m_se,
                r2=fit.r2,
                n_points=fit.n_points,
                seeds=len(per_seed),
                alpha_m_seed_std=float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else math.nan,
                log_prefactor=fit.log_prefactor,
                m_min=int(group["m"].min()),
                m_max=int(group["m"].max()),
            )
        )
    return pd.DataFrame(rows)


FIT_GROUPS = {
    "small": ["gamma", "alpha"],
    "fig18": ["gamma", "alpha"],
    "esweep": ["gamma", "density"],
    "large": ["distribution", "gamma"],
}


def family_exponents(metrics: pd.DataFrame, family: str, large_window: str = "paper") -> pd.DataFrame:
    """alpha_m of every cell group of a toy family. Large toys use the paper's fit windows
    (large_window 'paper') or every width ('all', for grids much shorter than the paper's)."""
    window = None
    if family == "large" and large_window == "paper":
        window = lambda key, widths: large_toy_window(key["distribution"], key["gamma"], widths)  # noqa: E731
    return fit_exponents(metrics, FIT_GROUPS[family], window)


def least_ambiguous_cases(metrics: pd.DataFrame, count: int = 9) -> pd.DataFrame:
    """The (gamma, alpha) cases whose largest ambiguity over m is smallest (paper D.5, Fig. 4b)."""
    worst = metrics.groupby(["gamma", "alpha"], as_index=False)["ambiguity"].max()
    return worst.nsmallest(count, "ambiguity").sort_values(["alpha", "gamma"]).reset_index(drop=True)


def weak_loss_sum(probs, n_represented: int) -> float:
    """Weak-regime loss (paper Eq. 4): sum over the features not represented of the variance of
    x_i, <v^2> p_i - <v>^2 p_i^2 = (4/3) p_i - p_i^2 (their optimal bias is the mean <x_i>)."""
    unrepresented = np.asarray(probs, dtype=float)[int(n_represented) :]
    return float(np.sum(4.0 / 3.0 * unrepresented - unrepresented**2))


def weak_loss_integral(phi, alpha: float, n: int):
    """The integral form of Eq. 4 (paper Eq. 14) for p_i ~ i^-alpha, as a function of phi in (0, 1]."""
    phi = np.asarray(phi, dtype=float)
    if math.isclose(alpha, 1.0):
        return 4.0 / 3.0 * (-np.log(phi) / math.log(n))
    return 4.0 / 3.0 * (phi ** (1 - alpha) - 1) * n ** (1 - alpha) / (1 - n ** (1 - alpha))


THEORY_EXPONENTS = {
    "weak": lambda alpha: alpha - 1.0,  # ideal weak superposition, alpha > 1
    "strong_flat": lambda alpha: 1.0,
    "strong_skewed": lambda alpha: 2.0 * (alpha - 1.0),  # worst case of paper A.1
}
