"""Fits of the LLM stage: the joint loss fit of paper Eq. 6, the overlap slope, the N-m exponents.

Eq. 6: L[model, dataset] = C_m / m^alpha_m + L_offset[group], one shared (C_m, alpha_m) and one
offset per group (the paper: per family x dataset), fitted by nonlinear least squares (scipy
least_squares) with standard errors from the Jacobian, cov = s^2 (J^T J)^-1, s^2 = RSS/(n - p).
The paper fitted the same model with Adam on the MSE and quoted, as its error, the slope error of
the log-linearised fit; that number is reported beside ours (`alpha_m_se_loglinear`).
A group with one width only pins its offset to its point and says nothing about alpha_m; the fit
reports how many points do constrain the exponent and whether the Jacobian has full rank. Offsets
are irreducible losses, so they are bounded below by 0; a parameter the optimiser leaves at a bound
has no standard error (`alpha_m_at_bound`, and `at_bound` per offset). The shape
stage's width ladder (models that differ only in width, trained alike) enters as one more family,
one point per (width, seed) (`ladder_points`). The ladder alone and the bottleneck heads (one trunk,
heads of every width on its hidden states) are fitted with profile-likelihood intervals
(superscale.shapes.width_law), each beside its convergence gate and planted-truth control.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, stats

from superscale.shapes.convergence import family_status
from superscale.shapes.width_law import planted_recovery, profile_fit, seed_noise

ALPHA_N_BESIROGLU = (0.35, 0.02)  # alpha_N of Besiroglu et al. (2024), as the paper uses it
LADDER = "ladder"  # the family name of the shape stage's trained width ladder in the joint fit
PLANTED_ALPHAS = (0.5, 0.9)  # exponents planted in synthetic losses to test the width fits


def joint_fit(
    points: pd.DataFrame, offsets_by: list[str] = ("family", "dataset"), prefactor_by: str | None = None
) -> dict:
    """Fit L = C_m m^-alpha_m + offset[group] to rows with columns d_model, loss_nats and offsets_by.

    With `prefactor_by` (e.g. "family"), each level of that column with two or more widths gets a C_m
    of its own (one shared exponent); a level with one width has no width term, since its offsets
    absorb any C_m m^-alpha_m. Eq. 6 shares one C_m, which only suits families trained alike."""
    points = points.dropna(subset=["loss_nats"]).reset_index(drop=True)
    offsets_by = list(offsets_by)
    groups = points.groupby(offsets_by, sort=True).ngroup().to_numpy()
    names = [
        dict(zip(offsets_by, key if isinstance(key, tuple) else (key,)))
        for key in points.groupby(offsets_by, sort=True).groups
    ]
    m = points.d_model.to_numpy(float)
    loss = points.loss_nats.to_numpy(float)
    n_groups = len(names)
    if len(points) < 3 or n_groups == 0:
        raise ValueError(f"the joint fit needs at least 3 points, got {len(points)}")
    levels, prefactor, width_term = [None], np.zeros(len(points), int), np.ones(len(points))
    if prefactor_by is not None:
        widths = points.groupby(prefactor_by).d_model.nunique()
        levels = sorted(widths[widths >= 2].index)
        if not levels:
            raise ValueError(f"the joint fit with one C_m per {prefactor_by} needs a {prefactor_by} with two widths")
        index = points[prefactor_by].map({level: i for i, level in enumerate(levels)})
        width_term = index.notna().to_numpy(float)
        prefactor = index.fillna(0).to_numpy(int)
    n_c = len(levels)

    def model(theta):
        return theta[1 : 1 + n_c][prefactor] * m ** -theta[0] * width_term + theta[1 + n_c :][groups]

    start_offsets = np.maximum(np.array([loss[groups == g].min() for g in range(n_groups)]) - 0.5, 0.0)
    start = np.concatenate([[1.0], np.full(n_c, 500.0), start_offsets])  # the paper's initial alpha = 1, A = 500
    # an irreducible loss is a loss: offsets >= 0 (left free, a loss falling as log m drives them negative)
    lower = np.concatenate([[0.0], np.zeros(n_c), np.zeros(n_groups)])
    upper = np.concatenate([[10.0], np.full(n_c, np.inf), np.full(n_groups, np.inf)])
    result = optimize.least_squares(
        lambda t: model(t) - loss,
        start,
        bounds=(lower, upper),
        x_scale="jac",
        xtol=1e-14,
        ftol=1e-14,
        gtol=1e-14,
        max_nfev=20000,
    )
    theta, jac = result.x, result.jac
    dof = len(points) - len(theta)
    rss = float(np.sum(result.fun**2))
    rank = _rank(jac)
    at_bound = _at_bound(theta, lower, upper)
    se = np.full(len(theta), math.nan)
    if dof > 0 and rank == len(theta):
        with np.errstate(invalid="ignore"):
            se = np.sqrt(np.diag(rss / dof * np.linalg.inv(jac.T @ jac)))
    se[at_bound] = math.nan  # the Jacobian's error describes a minimum inside the bounds only
    if at_bound[1 : 1 + n_c].all():
        se[0] = math.nan  # every C_m at 0: no width term is left for alpha_m to describe
    informative = sum(int(np.unique(m[groups == g]).size >= 2) * int(np.sum(groups == g)) for g in range(n_groups))
    offsets, prefactors = theta[1 + n_c :], theta[1 : 1 + n_c][prefactor]
    excess = loss - offsets[groups]
    with_width = width_term > 0
    fit = {
        "method": "scipy.optimize.least_squares on L = C_m m^-alpha_m + offset[group]; SE = sqrt(diag(s^2 (J^T J)^-1))",
        "offsets_by": offsets_by,
        "alpha_m": float(theta[0]),
        "alpha_m_se": float(se[0]),
        "alpha_m_at_bound": bool(at_bound[0]),
        "alpha_m_se_loglinear": _loglinear_se(
            m[with_width], loss[with_width], offsets[groups][with_width], prefactors[with_width], theta[0]
        ),
        "C_m": float(theta[1]),
        "C_m_se": float(se[1]),
        "offsets": [
            name | {"offset": float(v), "offset_se": float(s), "at_bound": bool(b)}
            for name, v, s, b in zip(names, offsets, se[1 + n_c :], at_bound[1 + n_c :])
        ],
        "n_points": len(points),
        "n_parameters": len(theta),
        "n_points_constraining_alpha": informative,
        "dof": dof,
        "rss": rss,
        "jacobian_rank": rank,
        "identifiable": bool(rank == len(theta) and dof > 0 and informative >= 3 and np.isfinite(se[0])),
        "converged": bool(result.success),
        "points": [
            {
                "model": r.model,
                "family": r.family,
                "dataset": r.dataset,
                "d_model": int(r.d_model),
                "loss_nats": float(r.loss_nats),
                "offset": float(offsets[g]),
                "excess_loss": float(e),
            }
            for r, g, e in zip(points.itertuples(), groups, excess)
        ],
    }
    if prefactor_by is not None:
        fit["prefactors"] = [
            {prefactor_by: level, "C_m": float(c), "C_m_se": float(e)}
            for level, c, e in zip(levels, theta[1 : 1 + n_c], se[1 : 1 + n_c])
        ]
    return fit


def ladder_points(ladder: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The width ladder's models (results/shapes/ladder.csv) as points of the joint fit: family
    "ladder", their held-out loss on `dataset` in nats per token."""
    return pd.DataFrame(
        {
            "model": ladder.model,
            "family": LADDER,
            "d_model": ladder.d_model,
            "dataset": dataset,
            "loss_nats": ladder.heldout_loss,
            "seed": ladder.seed,
        }
    )


def seed_alphas(points: pd.DataFrame) -> list[float]:
    """alpha_m of L = C m^-alpha + L_inf (L_inf profiled) fitted to each seed's points alone (the
    spread over seeds shows how much of the exponent is the draw of initialisation and data order);
    NaN for a seed with fewer than 4 widths, which leave no residual for 3 parameters."""
    return [
        profile_fit(rows.d_model, rows.loss_nats)["alpha_m"] if rows.d_model.nunique() >= 4 else math.nan
        for _, rows in points.groupby("seed")
    ]


def _planted(fit: dict, m, drop: float, noise: float, offset_repeats: int | None) -> list[dict]:
    """The fit's planted-truth control at the family's widths, signal and seed noise (none where
    the family cannot be fitted or has no seed repeats to measure its noise)."""
    if not fit["fitted"] or not math.isfinite(noise):
        return []
    return [planted_recovery(m, alpha, drop, fit["L_inf"], noise, offset_repeats) for alpha in PLANTED_ALPHAS]


def ladder_width_fit(ladder: pd.DataFrame) -> dict:
    """alpha_m of the trained ladder with L_inf profiled (profile-likelihood interval), its gate
    status and the planted-truth control at its widths and seed noise."""
    fit = profile_fit(ladder.d_model, ladder.heldout_loss)
    noise = seed_noise(ladder.d_model, ladder.heldout_loss)
    means = ladder.groupby("d_model").heldout_loss.mean()
    return fit | {
        "seed_noise": noise,
        "gate": family_status(ladder),
        "failing": sorted(ladder.loc[~ladder.passes_gate, "model"]),
        "planted": _planted(fit, ladder.d_model, means.iloc[0] - means.iloc[-1], noise, None),
    }


def bottleneck_width_fit(heads: pd.DataFrame, zipf_exponent: float, trunk_loss: float) -> dict:
    """alpha_m of the bottleneck heads with L_inf measured (the mean full-width head's held-out loss;
    its widths only, the full width excluded, enter the fit), its gate status, the planted-truth
    control, and where the weak- (alpha_zipf - 1) and strong-superposition (1) predictions fall.
    `alpha_m_trunk_offset`: the same fit with L_inf at the trunk's own held-out loss instead, which
    shows how far a full-width head short of the trunk's readout moves the exponent."""
    full, narrow = heads[heads.full_width], heads[~heads.full_width]
    l_inf = float(full.heldout_loss.mean())
    noise = seed_noise(heads.width, heads.heldout_loss)
    fit = profile_fit(narrow.width, narrow.heldout_loss, offset=l_inf, offset_se=noise / math.sqrt(len(full)))
    trunk_offset = profile_fit(narrow.width, narrow.heldout_loss, offset=trunk_loss)
    means = narrow.groupby("width").heldout_loss.mean()
    excess = means - l_inf
    local = [
        float(np.log(excess.iloc[i] / excess.iloc[i + 1]) / np.log(excess.index[i + 1] / excess.index[i]))
        if excess.iloc[i] > 0 and excess.iloc[i + 1] > 0
        else math.nan
        for i in range(len(excess) - 1)
    ]
    predictions = {"weak": zipf_exponent - 1, "strong": 1.0}
    return fit | {
        "L_inf_sd": float(full.heldout_loss.std()) if len(full) > 1 else math.nan,
        "trunk_loss": trunk_loss,
        "alpha_m_trunk_offset": trunk_offset["alpha_m"],
        "seed_noise": noise,
        "gate": family_status(heads),
        "failing": [f"m={r.width} seed {r.seed}" for r in heads[~heads.passes_gate].itertuples()],
        "planted": _planted(fit, narrow.width, means.iloc[0] - means.iloc[-1], noise, len(full)),
        "local_alphas": local,  # -d ln(L - L_inf) / d ln m between successive widths
        "zipf_exponent": zipf_exponent,
        "predictions": {
            name: {
                "alpha_m": value,
                "inside_interval": bool(fit["fitted"] and fit["alpha_m_low"] <= value <= fit["alpha_m_high"]),
            }
            for name, value in predictions.items()
        },
    }


def overlap_baseline_slopes(table: pd.DataFrame, width: str) -> dict:
    """overlap_slope of the raw rows, the centred rows and the rows at initialisation."""
    columns = {"raw": "mean_sq_overlap", "centred": "mean_sq_overlap_centred", "init": "mean_sq_overlap_init"}
    return {
        name: overlap_slope(pd.DataFrame({"width": table[width], "mean_sq_overlap": table[column]}))
        for name, column in columns.items()
    }


def _rank(jac: np.ndarray, rtol: float = 1e-7) -> int:
    """Numerical rank of a Jacobian with unit-norm columns (so that parameter scales do not matter).
    Two widths per group leave alpha_m free (a shift of C m^-alpha is absorbed by the offsets):
    that shows here as a rank one short of the parameter count."""
    norms = np.linalg.norm(jac, axis=0)
    scaled = jac / np.where(norms > 0, norms, 1.0)
    singular = np.linalg.svd(scaled, compute_uv=False)
    return int(np.sum(singular > rtol * singular.max())) - int(np.sum(norms == 0))


def _loglinear_se(m, loss, offset, c, alpha) -> float:
    """The paper's error bar: the slope error of log(L - offset) against log m around the fit."""
    excess = loss - offset
    if np.any(excess <= 0) or len(m) <= 3 or np.var(np.log(m)) == 0:
        return math.nan
    residual = np.log(excess) - np.log(c * m**-alpha)
    return float(math.sqrt(np.sum(residual**2) / np.sum((np.log(m) - np.log(m).mean()) ** 2) / (len(m) - 3)))


def _at_bound(theta: np.ndarray, lower: np.ndarray, upper: np.ndarray, atol: float = 1e-4) -> np.ndarray:
    """Which parameters the optimiser left at a bound: the data pulled them beyond it, so the value
    is the bound's and no standard error describes it."""
    return (np.abs(theta - lower) <= atol) | (np.abs(theta - upper) <= atol)


def overlap_slope(heads: pd.DataFrame) -> dict:
    """Slope of log(mean squared overlap) against log(1/m), m the head's width (Fig. 6a)."""
    if len(heads) < 3 or heads.width.nunique() < 2:
        return {"slope": math.nan, "slope_se": math.nan, "n_points": len(heads)}
    fit = stats.linregress(np.log(1.0 / heads.width.to_numpy(float)), np.log(heads.mean_sq_overlap.to_numpy(float)))
    return {"slope": fit.slope, "slope_se": fit.stderr, "r2": fit.rvalue**2, "n_points": len(heads)}


def size_exponent(table: pd.DataFrame, by: str | None = None) -> dict:
    """Exponent s of N ~ m^s by least squares in log-log; with `by`, one intercept per group
    (a universal exponent with per-family coefficients, Fig. 23a)."""
    log_m = np.log(table.d_model.to_numpy(float))
    log_n = np.log(table.n_params.to_numpy(float))
    groups = table[by].astype(str).to_numpy() if by else np.zeros(len(table), dtype=str)
    levels = sorted(set(groups))
    design = np.column_stack([log_m] + [(groups == level).astype(float) for level in levels])
    dof = len(table) - design.shape[1]
    if dof < 0 or np.linalg.matrix_rank(design) < design.shape[1]:
        return {"exponent": math.nan, "exponent_se": math.nan, "n_points": len(table), "groups": len(levels)}
    coef, *_ = np.linalg.lstsq(design, log_n, rcond=None)
    residual = log_n - design @ coef
    se = math.sqrt((residual @ residual / dof * np.linalg.inv(design.T @ design))[0, 0]) if dof > 0 else math.nan
    return {"exponent": float(coef[0]), "exponent_se": se, "n_points": len(table), "groups": len(levels)}


def chinchilla_alpha_m(table: pd.DataFrame, alpha_n: tuple[float, float] = ALPHA_N_BESIROGLU) -> dict:
    """N ~ m^s over the Chinchilla models, and alpha_m = s alpha_N (paper Sec. 3.3, Fig. 23b).
    The SE adds the relative errors in quadrature; the paper's 0.06 matches their plain sum."""
    fit = size_exponent(table)
    s, s_se = fit["exponent"], fit["exponent_se"]
    a, a_se = alpha_n
    return fit | {
        "alpha_N": a,
        "alpha_N_se": a_se,
        "alpha_m": s * a,
        "alpha_m_se": math.hypot(s * a_se, a * s_se),
        "alpha_m_se_linear": s * a_se + a * s_se,
    }
