"""Katta's test as numbers and verdict sentences, computed from the shape sweep's tables.

Each question is answered from the measurements with thresholds stated here and set in config
`shapes.verdicts` (loss_flat_percent, z, p_value, cka_margin); "the data cannot decide" is a verdict of its own.

1. Loss against shape at fixed N (Kaplan et al.): per N group, the spread of the shape means of the
   held-out loss, (max - min) / min in %, beside the seed noise (pooled within-shape SD) and a
   one-way ANOVA over shapes. Flat: spread <= loss_flat_percent. Depends on shape: spread above it
   and ANOVA p < p_value. Otherwise the data cannot decide (or, with one seed per shape, no ANOVA).
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


def parameter_count(n: float) -> str:
    """1310340608 -> '1.31B', 106203456 -> '106M', 2e5 -> '0.2M'."""
    return f"{n / 1e9:.3g}B" if n >= 1e9 else f"{n / 1e6:.3g}M"


def group_label(n: float) -> str:
    """49152 -> '49k', 1572864 -> '1.6M' (group labels for tables and sentences)."""
    return f"{n / 1e6:.2g}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


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


def loss_by_group(models: pd.DataFrame, flat_percent: float, p_value: float) -> list[dict]:
    """Per N group: spread of shape-mean losses vs seed noise, ANOVA, and the verdict."""
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


def _mean(values) -> float:
    return float(np.mean(values)) if len(values) else math.nan


def _min(values) -> float:
    return float(np.min(values)) if len(values) else math.nan


def _max(values) -> float:
    return float(np.max(values)) if len(values) else math.nan


# ---------------------------------------------------------------- sentences and LaTeX


def _shape(pair) -> str:
    return f"$(n_\\mathrm{{layer}}, d_\\mathrm{{model}}) = ({pair[0]}, {pair[1]})$"


def _p(value: float) -> str:
    return "n/a" if not math.isfinite(value) else (f"{value:.2g}" if value >= 0.001 else "$<0.001$")


def loss_sentence(group: dict, flat_percent: float) -> str:
    start = (
        f"At $N\\approx$ {group_label(group['n_group'])} (counted $N$ within {group['n_spread_percent']:.1f}\\,\\%, "
        f"aspect ratios over {group['aspect_spread']:.0f}$\\times$) the shape means of the held-out loss span "
        f"{group['spread_percent']:.1f}\\,\\% (from {group['loss_min']:.3f} for {_shape(group['best'])} to "
        f"{group['loss_max']:.3f} for {_shape(group['worst'])}), against a seed SD of "
        f"{group['seed_sd_percent']:.1f}\\,\\% (the two seeds of {_shape(group['widest_seed_range_shape'])} differ "
        f"by {group['widest_seed_range']:.3f}; ANOVA over shapes $p={_p(group['anova_p'])}$): "
    )
    endings = {
        FLAT: f"flat within the {flat_percent:g}\\,\\% threshold, as Kaplan et al.\\ found.",
        SHAPE_MATTERS: f"the loss depends on shape, beyond the {flat_percent:g}\\,\\% threshold and the seed "
        f"noise, unlike Kaplan et al.'s near-flatness.",
        UNDECIDED: f"above the {flat_percent:g}\\,\\% threshold, but not distinguishable from seed noise; "
        f"the data cannot decide.",
    }
    return start + endings[group["verdict"]]


OVERLAP_ENDINGS = {
    "follows d_model": "the degree of superposition of the unembedding follows $d_\\mathrm{model}$, not $N$",
    "follows N": "the degree of superposition of the unembedding follows $N$, not $d_\\mathrm{model}$",
    "follows both": "the degree of superposition depends on both $d_\\mathrm{model}$ and $N$",
    UNDECIDED: "neither exponent differs from zero by more than the threshold: the data cannot decide",
    "d_model and N not separable": "$d_\\mathrm{model}$ and $N$ vary together here, so the data cannot separate them",
}


def _exponent(value: float, error: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.2f}\\pm{error:.2f}"


def overlap_sentence(fit: dict, z: float, who: str) -> str:
    separable = math.isfinite(fit["b_n"])
    n_part = (
        f" at fixed $N$ and as $N^{{{_exponent(fit['b_n'], fit['se_n'])}}}$ at fixed $d_\\mathrm{{model}}$"
        if separable
        else ""
    )
    return (
        f"Over {fit['points']} {who}, the mean squared overlap of the normalised unembedding rows scales as "
        f"$d_\\mathrm{{model}}^{{{_exponent(fit['b_d'], fit['se_d'])}}}${n_part} "
        f"({'' if separable else 'one slope, $N$ not held fixed; '}random directions: $d_\\mathrm{{model}}^{{-1}}$; "
        f"threshold ${z:g}$ standard errors): "
        f"{OVERLAP_ENDINGS[fit['verdict']]}."
    )


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


def similarity_sentence(rows: list[dict], pooled: dict[str, dict]) -> str:
    parts = []
    for name, result in pooled.items():
        chosen = [row for row in rows if representation_name(row) == name]
        per_group = ", ".join(
            f"{row['seed_mean']:.2f} against {row['equal_loss_mean'] if row['equal_loss_pairs'] else row['cross_mean']:.2f}"
            for row in chosen
        )
        parts.append(
            f"{name}, seed pairs against different shapes {per_group}: gap "
            f"${result['gap']:.3f}\\pm{result['gap_se']:.3f}$, {result['verdict']}"
        )
    return (
        "Mean linear CKA (per $N$ group, smallest $N$ first; different shapes restricted to equal-loss pairs "
        "where there are any), and the gap to the seed baseline averaged over the groups: " + "; ".join(parts) + "."
    )


def density_sentence(rows: list[dict], models: pd.DataFrame) -> str:
    """The densities Katta's bound allows for V token features, with how many rows are nonzero."""
    vocab, smallest = int(models.vocab.iloc[0]), float(models.norm_min.min())
    rows_text = (
        f"every unembedding keeps all {vocab} token rows nonzero (smallest row norm {smallest:.3f})"
        if smallest > 0
        else f"some unembedding rows are zero (of {vocab})"
    )
    parts = [
        f"at $N\\approx$ {group_label(row['n_group'])}, $1-S\\le{row['density_narrow']:.3f}$ for $d_\\mathrm{{model}}={row['d_narrow']}$ "
        f"against ${row['density_wide']:.3f}$ for $d_\\mathrm{{model}}={row['d_wide']}$ ({row['ratio']:.1f}$\\times$)"
        for row in rows
    ]
    return (
        f"Taking the tokens as the features, {rows_text}; for {vocab} features to fit in $d_\\mathrm{{model}}$ "
        f"neurons under Katta's bound they must have density " + "; ".join(parts) + "."
    )


def llm_sentence(llms: pd.DataFrame, fit: dict | None, z: float) -> str:
    if llms.empty:
        return "No open LLM was analysed in this run."
    estimated = int((llms.n_nonembedding_method != "counted").sum())
    how = (
        f"{estimated} of them estimated as $12\\,n_\\mathrm{{layer}}d_\\mathrm{{model}}^2$"
        if estimated
        else "all counted from the weights"
    )
    text = (
        f"The {len(llms)} open LLMs analysed have aspect ratios {llms.aspect.min():.0f}--{llms.aspect.max():.0f}, "
        f"$d_\\mathrm{{model}}$ {llms.d_model.min()}--{llms.d_model.max()} and non-embedding $N$ "
        f"{parameter_count(llms.n_nonembedding.min())}--{parameter_count(llms.n_nonembedding.max())} ({how}); "
        f"their overlaps are {llms.overlap_ratio.min():.0f}--{llms.overlap_ratio.max():.0f} times $1/d_\\mathrm{{model}}$. "
    )
    if fit is None:
        return text + "Too few models for a fit."
    return text + overlap_sentence(fit, z, "LLMs")


def conclusion(losses: list[dict], overlap: dict, similarity: dict[str, dict], densities: list[dict]) -> str:
    """What the numbers say about Katta's claim, premise by premise, in plain words."""
    states = {group["verdict"] for group in losses}
    spread = max(group["spread_percent"] for group in losses)
    if states == {FLAT}:
        premise = (
            f"Kaplan's premise holds here: at fixed $N$ the loss moves by at most {spread:.1f}\\,\\% across shapes, "
            f"so the shapes are equal-loss models in Katta's sense."
        )
    elif SHAPE_MATTERS in states:
        premise = (
            f"Kaplan's premise does not hold at this training budget: at fixed $N$ the loss depends on shape, by up "
            f"to {spread:.1f}\\,\\%. Katta's argument starts from equal loss, so these models test it only "
            f"approximately, and only pairs within the loss threshold count as equal-loss pairs."
        )
    else:
        premise = (
            f"Whether the loss depends on shape at fixed $N$ the data cannot decide: the shape means differ by up to "
            f"{spread:.1f}\\,\\%, but not clearly beyond the spread between seeds."
        )
    ratio = max(row["ratio"] for row in densities)
    if overlap["verdict"] in ("follows d_model", "follows both"):
        capacity = (
            f"At fixed $N$ the unembedding's superposition changes with width "
            f"($\\overline{{\\cos^2}}\\propto d_\\mathrm{{model}}^{{{overlap['b_d']:.2f}}}$), as Katta's argument assumes"
            + (
                f", and at fixed width it also changes with $N$ ($N^{{{overlap['b_n']:.2f}}}$)"
                if overlap["verdict"] == "follows both"
                else ""
            )
            + f"; under the compressed-sensing bound the widest shape of a group tolerates up to {ratio:.1f}"
            f"$\\times$ denser token features than the narrowest."
        )
    elif overlap["verdict"] == "follows N":
        capacity = (
            "The unembedding's superposition follows $N$, not $d_\\mathrm{model}$, which removes the premise that "
            "neurons per layer set the capacity."
        )
    else:
        capacity = f"Whether the superposition follows width or $N$ the data cannot decide ({OVERLAP_ENDINGS[overlap['verdict']]})."
    internal = {
        name: result for name, result in similarity.items() if name != REPRESENTATION_NAMES[("unembedding", None)]
    }
    found = {result["verdict"] for result in internal.values()}
    gaps = ", ".join(f"{name} ${result['gap']:.3f}\\pm{result['gap_se']:.3f}$" for name, result in internal.items())
    readout = similarity.get(REPRESENTATION_NAMES[("unembedding", None)])
    readout_text = f"; the unembedding directions are {readout['verdict']}" if readout else ""
    caveat = "" if states == {FLAT} else ", among models whose equality of loss is not established,"
    if found == {LESS}:
        universality = (
            f"Inside the models, different shapes are less similar than two seeds of one shape (CKA gap of the "
            f"residual streams: {gaps}){readout_text}. On linear CKA{caveat} the internal features are not "
            f"universal across shapes: the horn of Katta's dilemma that keeps per-layer superposition and "
            f"gives up universality."
        )
    elif found == {AS_SIMILAR}:
        universality = (
            f"Inside the models, different shapes are as similar as two seeds of one shape (CKA gap of the "
            f"residual streams: {gaps}){readout_text}. On linear CKA{caveat} the internal features are "
            f"universal across shapes, so if superposition changes with width, per-layer superposition is "
            f"not the complete account: Katta's other horn."
        )
    else:
        universality = (
            f"Whether the internal representations of different shapes are as similar as two seeds the data "
            f"cannot decide (CKA gap of the residual streams: {gaps}){readout_text}."
        )
    return " ".join([premise, capacity, universality])


def _tabular(columns: str, header: str, rows: list[str]) -> str:
    """A booktabs tabular from its column spec, header line and body lines."""
    return "\n".join(
        [
            f"\\begin{{tabular}}{{{columns}}}",
            r"\toprule",
            header + r" \\",
            r"\midrule",
            *(row + r" \\" for row in rows),
            r"\bottomrule",
            r"\end{tabular}",
        ]
    )


def _frame_tabular(frame: pd.DataFrame, columns: list[tuple[str, str, object]]) -> str:
    """A tabular of a frame, one body line per row, from (alignment, header, row -> text) triples."""
    rows = [" & ".join(str(cell(row)) for _, _, cell in columns) for row in frame.itertuples()]
    return _tabular("".join(align for align, _, _ in columns), " & ".join(head for _, head, _ in columns), rows)


def _with_sd(value: float, sd: float) -> str:
    return f"{value:.3f} $\\pm$ {sd:.3f}" if math.isfinite(sd) else f"{value:.3f}"


OVERLAP_HEADERS = [r"$\overline{\cos^2}$", r"$\overline{\cos^2}\,d_\mathrm{model}$", "$1-S$"]


def shape_tabular(table: pd.DataFrame) -> str:
    """The losses and overlaps by shape (one row per N group and shape)."""
    return _frame_tabular(
        table,
        [
            ("r", "$N$ group", lambda row: group_label(row.n_group)),
            ("r", r"$n_\mathrm{layer}$", lambda row: row.n_layer),
            ("r", r"$d_\mathrm{model}$", lambda row: row.d_model),
            ("r", "aspect", lambda row: f"{row.aspect:g}"),
            ("r", "$N$ counted", lambda row: f"{row.n_nonembedding:,.0f}"),
            ("r", "seeds", lambda row: row.seeds),
            ("r", "loss (nats)", lambda row: _with_sd(row.loss, row.loss_sd)),
            ("r", OVERLAP_HEADERS[0], lambda row: f"{row.overlap:.4f}"),
            ("r", OVERLAP_HEADERS[1], lambda row: f"{row.overlap_ratio:.2f}"),
            ("r", OVERLAP_HEADERS[2], lambda row: f"{row.density:.4f}"),
        ],
    )


def similarity_tabular(rows: list[dict]) -> str:
    """CKA of seed pairs and different-shape pairs by N group and representation."""

    def spread(row, kind):
        return (
            f"{row[kind + '_mean']:.3f} [{row[kind + '_min']:.3f}, {row[kind + '_max']:.3f}] ({row[kind + '_pairs']})"
        )

    body = [
        f"{group_label(row['n_group'])} & {representation_name(row)} & {spread(row, 'seed')} & {spread(row, 'cross')} & "
        + (f"{row['equal_loss_mean']:.3f} ({row['equal_loss_pairs']})" if row["equal_loss_pairs"] else "none")
        + f" & {row['verdict']}"
        for row in rows
    ]
    return _tabular(
        "llrrrl", r"$N$ group & representation & seed pairs & different shapes & equal-loss & verdict", body
    )


def llm_tabular(llms: pd.DataFrame) -> str:
    """The registry LLMs' shapes and head overlaps ($^*$: N estimated as 12 n_layer d_model^2)."""
    return _frame_tabular(
        llms,
        [
            ("l", "model", lambda row: row.model.replace("_", r"\_")),
            ("r", r"$d_\mathrm{model}$", lambda row: row.d_model),
            ("r", r"$n_\mathrm{layer}$", lambda row: row.n_layer),
            ("r", "aspect", lambda row: f"{row.aspect:.1f}"),
            (
                "r",
                "$N$",
                lambda row: (
                    parameter_count(row.n_nonembedding) + ("" if row.n_nonembedding_method == "counted" else "$^*$")
                ),
            ),
            ("r", OVERLAP_HEADERS[0], lambda row: f"{row.mean_sq_overlap:.4f}"),
            ("r", OVERLAP_HEADERS[1], lambda row: f"{row.overlap_ratio:.1f}"),
            ("r", OVERLAP_HEADERS[2], lambda row: f"{row.implied_density_vocab:.5f}"),
        ],
    )


def shapes_summary(
    models: pd.DataFrame, similarity: pd.DataFrame, llms: pd.DataFrame, corpus: dict, settings: dict
) -> tuple[dict, dict]:
    """(summary for JSON, LaTeX macro values) of the shape sweep and the registry LLMs."""
    thresholds = settings["verdicts"]
    flat, z = thresholds["loss_flat_percent"], thresholds["z"]
    table = shape_table(models)
    losses = loss_by_group(models, flat, thresholds["p_value"])
    overlap = overlap_regression(models, "d_model", z)
    similar = similarity_by_group(similarity, models, flat, z, thresholds["cka_margin"])
    pooled = pooled_similarity(similar, z, thresholds["cka_margin"])
    densities = density_by_group(table)
    llm_fit = overlap_regression(llms, "width", z) if len(llms) >= 3 else None
    summary = {
        "losses": losses,
        "overlap": overlap,
        "similarity": similar,
        "similarity_pooled": pooled,
        "densities": densities,
        "llm_overlap": llm_fit,
        "shapes": table.to_dict("records"),
        "conclusion": conclusion(losses, overlap, pooled, densities),
    }
    corpus_name = str(corpus["corpus"]).replace("_", r"\_")
    macros = {
        "ShapesCorpus": corpus_name,
        "ShapesTrainDocuments": corpus["train_documents"],
        "ShapesHeldoutDocuments": corpus["heldout_documents"],
        "ShapesTrainTokens": f"{corpus['train_tokens']:,}",
        "ShapesHeldoutTokens": f"{corpus['heldout_tokens']:,}",
        "ShapesVocab": corpus["vocab"],
        "ShapesUnigramLoss": corpus["unigram_loss_heldout"],
        "ShapesContext": settings["context"],
        "ShapesHeadDim": settings["head_dim"],
        "ShapesSteps": settings["steps"],
        "ShapesBatch": settings["batch_size"],
        "ShapesLr": f"{settings['lr']:g}",
        "ShapesWeightDecay": f"{settings['weight_decay']:g}",
        "ShapesTokensTrained": f"{int(models.tokens_trained.iloc[0]):,}",
        "ShapesEvalTokens": f"{int(models.heldout_tokens.iloc[0]):,}",
        "ShapesSimilarityTokens": f"{int(similarity[similarity.representation == 'residual'].examples.iloc[0]):,}",
        "ShapesDepths": ", ".join(f"{depth:g}" for depth in settings["similarity"]["depths"]),
        "ShapesModels": len(models),
        "ShapesGroups": models.n_group.nunique(),
        "ShapesSeeds": models.seed.nunique(),
        "ShapesShapes": len(table),
        "ShapesAspectMin": f"{models.aspect.min():g}",
        "ShapesAspectMax": f"{models.aspect.max():g}",
        "ShapesLossMin": float(models.heldout_loss.min()),
        "ShapesLossMax": float(models.heldout_loss.max()),
        "ShapesFlatPercent": f"{flat:g}",
        "ShapesZ": f"{z:g}",
        "ShapesPValue": f"{thresholds['p_value']:g}",
        "ShapesCkaMargin": f"{thresholds['cka_margin']:g}",
        "ShapesShapeTable": shape_tabular(table),
        "ShapesSimilarityTable": similarity_tabular(similar),
        "ShapesLossVerdict": " ".join(loss_sentence(group, flat) for group in losses),
        "ShapesOverlapVerdict": overlap_sentence(overlap, z, "models"),
        "ShapesSimilarityVerdict": similarity_sentence(similar, pooled),
        "ShapesSparsityVerdict": density_sentence(densities, models),
        "ShapesLlmTable": llm_tabular(llms),
        "ShapesLlmVerdict": llm_sentence(llms, llm_fit, z),
        "ShapesConclusion": summary["conclusion"],
    }
    return summary, macros
