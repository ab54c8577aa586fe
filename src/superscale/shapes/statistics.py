"""Katta's test as numbers, computed from the shape sweep's tables (their sentences: shapes.verdicts).

Each question is answered from the measurements with thresholds stated here and set in config
`shapes.verdicts` (loss_flat_percent, z, p_value, cka_margin); "the data cannot decide" is a verdict of its own.

1. Loss against shape at fixed N (Kaplan et al.): per N group, the spread of the shape means of the
   held-out loss, (max - min) / min in %, beside the seed noise (pooled within-shape SD) and a
   one-way ANOVA over shapes. Flat: spread <= loss_flat_percent. Depends on shape: spread above it
   and ANOVA p < p_value. Otherwise the data cannot decide (or, with one seed per shape, no ANOVA).
   Beside the verdict, the smallest difference between two shape means that the seeds could have
   detected: (t_{1-p_value/2} + t_power) x seed SD x sqrt(2/seeds), t on the pooled degrees of
   freedom (two-sided test at p_value with probability `power`, config shapes.verdicts.power).
2. Superposition against d_model or N: least squares of log(mean squared overlap of the normalised
   unembedding rows) on log d_model and log N (counted) over every model. A coefficient differs
   from zero when |value| > z SE. Follows d_model: only b_d does; follows N: only b_N does; both;
   or neither (cannot decide). Random directions would give b_d = -1, b_N = 0.
3. Feature similarity: per N group and representation, linear CKA of different-shape pairs against
   the same-shape, different-seed pairs (the baseline): gap = seed mean - cross mean, with the
   Welch standard error of the two means (pairs treated as independent, an approximation: they
   share models). Less similar than seeds: gap > z SE. As similar as seeds: gap <= z SE and
   gap + z SE <= cka_margin (the difference is bounded, not merely unresolved). Otherwise cannot
   decide. Pairs whose held-out losses differ by at most loss_flat_percent % are "equal-loss"
   pairs, compared on their own where there are any. Over all N groups, the groups' gaps are
   averaged (standard errors in quadrature) and judged by the same rule: that pooled verdict per
   representation is the one the conclusion uses.
4. Compressed sensing: the feature density p = 1 - S at which V features (every token row) fit in
   d_model neurons under Katta's bound, by shape, and its ratio between the widest and narrowest
   shape of each group.
5. Open LLMs: overlap against d_model and N, aspect ratios; d_model and N are separable only where
   their logs are not collinear (|correlation| < COLLINEAR).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

COLLINEAR = 0.9  # |corr(log d, log N)| above which d_model and N cannot be told apart

FLAT, SHAPE_MATTERS, UNDECIDED = "flat", "depends on shape", "cannot decide"

LESS, AS_SIMILAR = "less similar than seeds", "as similar as seeds"

REPRESENTATION_NAMES = {
    ("residual", 0.5): "mid-depth residual",
    ("residual", 1.0): "final residual",
    ("unembedding", None): "unembedding directions",
}


def _groups(models: pd.DataFrame):
    return sorted(models.n_group.unique())


def shape_table(models: pd.DataFrame) -> pd.DataFrame:
    """One row per (N group, shape): means and SDs over seeds of loss, overlap and implied density."""
    grouped = models.groupby(["n_group", "n_layer", "d_model"])
    table = grouped.agg(
        aspect=("aspect", "first"),
        n_nonembedding=("n_nonembedding", "mean"),
        seeds=("seed", "nunique"),
        loss=("heldout_loss", "mean"),
        loss_sd=("heldout_loss", "std"),
        train_loss=("final_train_loss", "mean"),
        overlap=("mean_sq_overlap", "mean"),
        overlap_sd=("mean_sq_overlap", "std"),
        overlap_ratio=("overlap_ratio", "mean"),
        phi_half=("phi_half", "mean"),
        density=("implied_density_vocab", "mean"),
    ).reset_index()
    return table.sort_values(["n_group", "aspect"], ascending=[True, False]).reset_index(drop=True)


def detectable_difference(seed_sd: float, dof: int, seeds: int, p_value: float, power: float) -> float:
    """The smallest difference of two means of `seeds` runs each that a two-sided t test at
    `p_value` detects with probability `power`, given the pooled seed SD on `dof` degrees of freedom."""
    if dof <= 0 or not math.isfinite(seed_sd):
        return math.nan
    quantiles = stats.t.ppf(1 - p_value / 2, dof) + stats.t.ppf(power, dof)
    return float(quantiles * seed_sd * math.sqrt(2 / seeds))


def loss_by_group(models: pd.DataFrame, flat_percent: float, p_value: float, power: float) -> list[dict]:
    """Per N group: spread of shape-mean losses vs seed noise, ANOVA, the verdict and the smallest
    shape difference the seeds could have detected."""
    out = []
    for group in _groups(models):
        rows = models[models.n_group == group]
        by_shape = [shape.heldout_loss.to_numpy() for _, shape in rows.groupby(["n_layer", "d_model"])]
        means = rows.groupby(["n_layer", "d_model"]).heldout_loss.mean()
        spread = 100 * (means.max() - means.min()) / means.min()
        replicated = all(len(losses) > 1 for losses in by_shape)
        residuals = np.concatenate([losses - losses.mean() for losses in by_shape])
        dof = len(residuals) - len(by_shape)
        seed_sd = math.sqrt(np.sum(residuals**2) / dof) if dof > 0 else math.nan
        detectable = detectable_difference(seed_sd, dof, min(len(losses) for losses in by_shape), p_value, power)
        p = float(stats.f_oneway(*by_shape).pvalue) if replicated and seed_sd > 0 else math.nan
        if spread <= flat_percent:
            verdict = FLAT
        elif math.isfinite(p) and p < p_value:
            verdict = SHAPE_MATTERS
        else:
            verdict = UNDECIDED
        best, worst = means.idxmin(), means.idxmax()
        ranges = rows.groupby(["n_layer", "d_model"]).heldout_loss.agg(np.ptp)
        n_counted = rows.n_nonembedding
        out.append(
            {
                "n_group": int(group),
                "spread_percent": float(spread),
                "seed_sd": seed_sd,
                "seed_sd_percent": 100 * seed_sd / means.mean(),
                "seeds": int(min(len(losses) for losses in by_shape)),
                "detectable": detectable,
                "detectable_percent": 100 * detectable / means.mean(),
                "anova_p": p,
                "verdict": verdict,
                "best": [int(v) for v in best],
                "worst": [int(v) for v in worst],
                "loss_min": float(means.min()),
                "loss_max": float(means.max()),
                "widest_seed_range": float(ranges.max()),
                "widest_seed_range_shape": [int(v) for v in ranges.idxmax()],
                "n_spread_percent": float(100 * (n_counted.max() - n_counted.min()) / n_counted.min()),
                "aspect_spread": float(rows.aspect.max() / rows.aspect.min()),
            }
        )
    return out


def overlap_regression(table: pd.DataFrame, width: str, z: float) -> dict:
    """log overlap = c + b_d log width + b_N log N over the rows, with SEs and the verdict."""
    y = np.log(table.mean_sq_overlap.to_numpy(float))
    log_d = np.log(table[width].to_numpy(float))
    log_n = np.log(table.n_nonembedding.to_numpy(float))
    correlation = float(np.corrcoef(log_d, log_n)[0, 1]) if np.ptp(log_d) > 0 and np.ptp(log_n) > 0 else math.nan
    if np.ptp(log_d) == 0:
        raise ValueError(f"an overlap fit needs more than one {width}; got {sorted(set(table[width]))}")
    separable = np.ptp(log_n) > 0 and abs(correlation) < COLLINEAR
    columns = [np.ones_like(y), log_d] + ([log_n] if separable else [])
    design = np.column_stack(columns)
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    dof = len(y) - design.shape[1]
    if dof > 0:
        sigma2 = float(np.sum((y - design @ coefficients) ** 2) / dof)
        errors = np.sqrt(np.diag(sigma2 * np.linalg.inv(design.T @ design)))
    else:
        errors = np.full(design.shape[1], math.nan)
    b_d, se_d = float(coefficients[1]), float(errors[1])
    b_n, se_n = (float(coefficients[2]), float(errors[2])) if separable else (math.nan, math.nan)
    d_matters = math.isfinite(se_d) and abs(b_d) > z * se_d
    n_matters = math.isfinite(se_n) and abs(b_n) > z * se_n
    if not separable:
        verdict = "d_model and N not separable"
    elif d_matters and not n_matters:
        verdict = "follows d_model"
    elif n_matters and not d_matters:
        verdict = "follows N"
    elif d_matters and n_matters:
        verdict = "follows both"
    else:
        verdict = UNDECIDED
    return {
        "b_d": b_d,
        "se_d": se_d,
        "b_n": b_n,
        "se_n": se_n,
        "points": len(y),
        "log_correlation": correlation,
        "verdict": verdict,
    }


def similarity_verdict(seeds: pd.Series, compared: pd.Series, z: float, margin: float) -> tuple[str, float, float]:
    """(verdict, gap, its standard error) of different-shape CKAs against the seed baseline."""
    if len(seeds) < 2 or len(compared) < 1:
        return UNDECIDED, math.nan, math.nan
    gap = float(seeds.mean() - compared.mean())
    error = math.sqrt(seeds.var() / len(seeds) + (compared.var() / len(compared) if len(compared) > 1 else 0.0))
    if gap > z * error:
        return LESS, gap, error
    if gap + z * error <= margin:
        return AS_SIMILAR, gap, error
    return UNDECIDED, gap, error


def similarity_by_group(
    similarity: pd.DataFrame, models: pd.DataFrame, flat_percent: float, z: float, margin: float
) -> list[dict]:
    """Per N group and representation: seed baseline and cross-shape CKA, with the verdict."""
    loss = models.set_index("model").heldout_loss
    pairs = similarity.assign(
        loss_gap_percent=100
        * (similarity.model_a.map(loss) - similarity.model_b.map(loss)).abs()
        / (0.5 * (similarity.model_a.map(loss) + similarity.model_b.map(loss)))
    )
    out = []
    for (group, representation, depth), rows in pairs.groupby(["n_group", "representation", "depth"], dropna=False):
        seeds = rows[rows.kind == "same shape"].cka
        cross = rows[rows.kind == "different shape"]
        equal = cross[cross.loss_gap_percent <= flat_percent].cka
        verdict, gap, error = similarity_verdict(seeds, equal if len(equal) else cross.cka, z, margin)
        out.append(
            {
                "n_group": int(group),
                "representation": representation,
                "depth": None if pd.isna(depth) else float(depth),
                "seed_mean": _mean(seeds),
                "seed_min": _min(seeds),
                "seed_max": _max(seeds),
                "seed_pairs": len(seeds),
                "cross_mean": _mean(cross.cka),
                "cross_min": _min(cross.cka),
                "cross_max": _max(cross.cka),
                "cross_pairs": len(cross),
                "equal_loss_mean": _mean(equal),
                "equal_loss_pairs": len(equal),
                "compared": "equal-loss pairs" if len(equal) else "all different-shape pairs",
                "gap": gap,
                "gap_se": error,
                "verdict": verdict,
            }
        )
    return out


def density_by_group(table: pd.DataFrame) -> list[dict]:
    """Implied feature density (V features in d_model neurons) of the widest and narrowest shape."""
    out = []
    for group, rows in table.groupby("n_group"):
        wide, narrow = rows.loc[rows.d_model.idxmax()], rows.loc[rows.d_model.idxmin()]
        out.append(
            {
                "n_group": int(group),
                "d_wide": int(wide.d_model),
                "d_narrow": int(narrow.d_model),
                "density_wide": float(wide.density),
                "density_narrow": float(narrow.density),
                "ratio": float(wide.density / narrow.density),
            }
        )
    return out


def representation_name(row: dict) -> str:
    depth = None if row["depth"] is None or pd.isna(row["depth"]) else float(row["depth"])
    key = (row["representation"], depth)
    return REPRESENTATION_NAMES[key] if key in REPRESENTATION_NAMES else f"residual at depth {depth:g}"


def pooled_similarity(rows: list[dict], z: float, margin: float) -> dict[str, dict]:
    """Representation -> the CKA gap to the seed baseline averaged over N groups, its standard
    error (the groups' in quadrature, over their count) and the verdict under the same thresholds."""
    pooled = {}
    for name in dict.fromkeys(representation_name(row) for row in rows):
        gaps = [(row["gap"], row["gap_se"]) for row in rows if representation_name(row) == name]
        if not all(math.isfinite(gap) and math.isfinite(error) for gap, error in gaps):
            pooled[name] = {"gap": math.nan, "gap_se": math.nan, "groups": len(gaps), "verdict": UNDECIDED}
            continue
        gap = float(np.mean([g for g, _ in gaps]))
        error = math.sqrt(sum(e**2 for _, e in gaps)) / len(gaps)
        verdict = LESS if gap > z * error else AS_SIMILAR if gap + z * error <= margin else UNDECIDED
        pooled[name] = {"gap": gap, "gap_se": error, "groups": len(gaps), "verdict": verdict}
    return pooled


def _mean(values) -> float:
    return float(np.mean(values)) if len(values) else math.nan


def _min(values) -> float:
    return float(np.min(values)) if len(values) else math.nan


def _max(values) -> float:
    return float(np.max(values)) if len(values) else math.nan
