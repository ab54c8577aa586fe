"""alpha_m of L(m) = C m^-alpha + L_inf with an interval that says what the data determine.

With L_inf free, alpha and L_inf trade off (as alpha -> 0 the law becomes const - C alpha ln m), so
a curvature standard error at the optimum can look small while the data allow any exponent. The
interval here is the profile-likelihood one: for each alpha on a grid, C >= 0 and L_inf (when
free) are the exact least-squares solution of a model linear in them, and the interval is every
alpha whose residual sum of squares stays within the F test's bound at `level`,
    RSS(alpha) <= RSS_min (1 + F_{1, n-p}(level) / (n - p)),
(Bates & Watts 1988, Sec. 6.1); the profile is exact on the grid, since the model is linear in C
and L_inf at fixed alpha. An interval reaching an end of the grid is open there
(`lower_open`, `upper_open`): the data do not bound alpha on that side. With L_inf measured
(the bottleneck heads' full-width loss) it is held fixed and only C is profiled.

planted_recovery passes synthetic curves of known alpha, with the measured seed noise, through the
same fit: its coverage and interval width state what the instrument can tell apart.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

GRID = np.round(np.arange(0.005, 4.0 + 1e-9, 0.005), 3)  # alpha values profiled (alpha = 0 has no width term)
LEVEL = 0.95


def _profile(m: np.ndarray, loss: np.ndarray, offset: float | None, alphas: np.ndarray) -> tuple[np.ndarray, ...]:
    """(C >= 0, L_inf, RSS) for every alpha of `alphas`: least squares of loss ~ C m^-alpha + L_inf,
    L_inf fixed at `offset` if given; where C would be negative, C = 0 (no width term)."""
    x = m[None, :] ** -alphas[:, None]
    if offset is not None:
        excess = loss - offset
        c = np.maximum(0.0, (x @ excess) / np.einsum("ij,ij->i", x, x))
        l_inf = np.full(len(alphas), float(offset))
    else:
        centred = x - x.mean(axis=1, keepdims=True)
        spread = np.einsum("ij,ij->i", centred, centred)
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(spread > 1e-12, centred @ (loss - loss.mean()) / spread, 0.0)
        c = np.maximum(c, 0.0)
        l_inf = loss.mean() - c * x.mean(axis=1)
    rss = np.sum((loss[None, :] - c[:, None] * x - l_inf[:, None]) ** 2, axis=1)
    return c, l_inf, rss


def profile_fit(
    m, loss, offset: float | None = None, offset_se: float = 0.0, level: float = LEVEL, grid: np.ndarray = GRID
) -> dict:
    """Best alpha, its profile-likelihood interval at `level`, and C, L_inf at the best alpha
    (`fitted` False, alpha NaN, where too few widths or points leave alpha undetermined).

    With a measured `offset` of standard error `offset_se`, the interval is the union of the
    intervals with L_inf held at offset and at offset -/+ z offset_se (z of `level`), so that the
    measurement's own error widens it."""
    m, loss = np.asarray(m, float), np.asarray(loss, float)
    n, p = len(m), 2 if offset is not None else 3
    if n <= p or np.unique(m).size < p:  # too few widths or points: nothing to say about alpha
        return {"fitted": False, "alpha_m": math.nan, "n_points": n, "n_parameters": p}
    dof = n - p
    factor = 1 + stats.f.ppf(level, 1, dof) / dof
    z = stats.norm.ppf(0.5 + level / 2)
    offsets = [None] if offset is None else [offset, offset - z * offset_se, offset + z * offset_se]
    inside = []
    for index, value in enumerate(offsets):
        rss = _profile(m, loss, value, grid)[2]
        inside.append(grid[rss <= rss.min() * factor])
        if index == 0:
            best = int(np.argmin(rss))
            fine = np.linspace(grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)], 201)
            c, l_inf, fine_rss = _profile(m, loss, value, fine)
            at = int(np.argmin(fine_rss))
            alpha, c, l_inf, rss_min = float(fine[at]), float(c[at]), float(l_inf[at]), float(fine_rss[at])
    inside = np.concatenate(inside)
    return {
        "fitted": True,
        "alpha_m": alpha,
        "alpha_m_low": float(inside.min()),
        "alpha_m_high": float(inside.max()),
        "lower_open": bool(inside.min() <= grid[0]),
        "upper_open": bool(inside.max() >= grid[-1]),
        "level": level,
        "C_m": c,
        "L_inf": l_inf,
        "L_inf_measured": offset is not None,
        "L_inf_se": offset_se if offset is not None else math.nan,
        "rss": rss_min,
        "residual_sd": math.sqrt(rss_min / dof),
        "n_points": n,
        "n_parameters": p,
        "method": "profile likelihood over alpha (F bound), C >= 0"
        + (", L_inf measured (interval: union over L_inf -/+ z SE)" if offset is not None else ", L_inf profiled"),
    }


def seed_noise(m, loss) -> float:
    """Pooled within-width standard deviation of the loss over seeds (NaN without repeats)."""
    m, loss = np.asarray(m, float), np.asarray(loss, float)
    squares, dof = 0.0, 0
    for width in np.unique(m):
        values = loss[m == width]
        squares += float(np.sum((values - values.mean()) ** 2))
        dof += len(values) - 1
    return math.sqrt(squares / dof) if dof > 0 else math.nan


def planted_recovery(
    m,
    alpha: float,
    drop: float,
    l_inf: float,
    noise_sd: float,
    offset_repeats: int | None = None,
    draws: int = 200,
    seed: int = 0,
    level: float = LEVEL,
) -> dict:
    """Fit `draws` synthetic data sets L = C m^-alpha + L_inf + N(0, noise_sd^2) at the widths `m`
    (one point per entry, seeds included), C set so that the loss falls by `drop` from the
    narrowest to the widest width (the measured curve's signal). With `offset_repeats`, L_inf is
    measured as the mean of that many noisy full-width losses and held fixed; else profiled.
    Returns the median estimate, the share of intervals covering `alpha`, their median width and
    the share open on either side."""
    m = np.asarray(m, float)
    c = drop / (m.min() ** -alpha - m.max() ** -alpha)
    rng = np.random.default_rng(seed)
    estimates, covered, widths, open_ = [], [], [], []
    for _ in range(draws):
        loss = c * m**-alpha + l_inf + rng.normal(0.0, noise_sd, m.size)
        offset, offset_se = None, 0.0
        if offset_repeats is not None:
            offset = l_inf + float(rng.normal(0.0, noise_sd, offset_repeats).mean())
            offset_se = noise_sd / math.sqrt(offset_repeats)
        fit = profile_fit(m, loss, offset, offset_se, level)
        estimates.append(fit["alpha_m"])
        covered.append(fit["alpha_m_low"] <= alpha <= fit["alpha_m_high"])
        widths.append(fit["alpha_m_high"] - fit["alpha_m_low"])
        open_.append(fit["lower_open"] or fit["upper_open"])
    return {
        "alpha_planted": alpha,
        "alpha_median": float(np.median(estimates)),
        "alpha_abs_error_median": float(np.median(np.abs(np.array(estimates) - alpha))),
        "coverage": float(np.mean(covered)),
        "interval_width_median": float(np.median(widths)),
        "open_share": float(np.mean(open_)),
        "noise_sd": noise_sd,
        "drop": drop,
        "draws": draws,
        "L_inf_measured": offset_repeats is not None,
    }
