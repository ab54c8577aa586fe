"""Katta's test in words: the verdict sentences of the shape sweep (LaTeX), from the numbers of
superscale.shapes.statistics, one sentence per question and a conclusion premise by premise."""

from __future__ import annotations

import math

import pandas as pd

from superscale.shapes.statistics import (
    AS_SIMILAR,
    FLAT,
    LESS,
    REPRESENTATION_NAMES,
    SHAPE_MATTERS,
    UNDECIDED,
    representation_name,
)


def parameter_count(n: float) -> str:
    """1310340608 -> '1.31B', 106203456 -> '106M', 2e5 -> '0.2M'."""
    return f"{n / 1e9:.3g}B" if n >= 1e9 else f"{n / 1e6:.3g}M"


def group_label(n: float) -> str:
    """49152 -> '49k', 1572864 -> '1.6M' (group labels for tables and sentences)."""
    return f"{n / 1e6:.2g}M" if n >= 1e6 else f"{n / 1e3:.0f}k"


def _shape(pair) -> str:
    """'n_layer = 1, d_model = 64' as two formulas, so that a line may break between them."""
    return f"$n_\\mathrm{{layer}}={pair[0]}$, $d_\\mathrm{{model}}={pair[1]}$"


def _p(value: float) -> str:
    """A p-value's relation and value, for math mode: '=0.012', '<0.001', or '=\\mathrm{n/a}'."""
    if not math.isfinite(value):
        return "=\\mathrm{n/a}"
    return f"={value:.2g}" if value >= 0.001 else "<0.001"


def loss_sentence(group: dict, flat_percent: float, p_value: float, power: float) -> str:
    start = (
        f"At $N\\approx$ {group_label(group['n_group'])} (counted $N$ within {group['n_spread_percent']:.1f}\\,\\%, "
        f"aspect ratios over {group['aspect_spread']:.0f}$\\times$) the shape means of the held-out loss span "
        f"{group['spread_percent']:.1f}\\,\\% (from {group['loss_min']:.3f} for {_shape(group['best'])} to "
        f"{group['loss_max']:.3f} for {_shape(group['worst'])}), against a seed SD of "
        f"{group['seed_sd_percent']:.1f}\\,\\% (the seeds of {_shape(group['widest_seed_range_shape'])} span "
        f"{group['widest_seed_range']:.3f}; ANOVA over shapes $p{_p(group['anova_p'])}$): "
    )
    endings = {
        FLAT: f"flat within the {flat_percent:g}\\,\\% threshold, as Kaplan et al.\\ found.",
        SHAPE_MATTERS: f"the loss depends on shape, beyond the {flat_percent:g}\\,\\% threshold and the seed "
        f"noise, unlike Kaplan et al.'s near-flatness.",
        UNDECIDED: f"above the {flat_percent:g}\\,\\% threshold, but not distinguishable from seed noise; "
        f"the data cannot decide.",
    }
    return start + endings[group["verdict"]] + detectable_sentence(group, p_value, power)


def detectable_sentence(group: dict, p_value: float, power: float) -> str:
    """How large a shape effect these seeds could have seen (the bound behind an undecided verdict)."""
    if not math.isfinite(group["detectable"]):
        return " With one seed per shape, no difference can be tested."
    return (
        f" With {group['seeds']} seeds per shape (each its own data order), a difference of "
        f"{group['detectable']:.3f} nats ({group['detectable_percent']:.1f}\\,\\%) between two shapes would have been "
        f"detected (two-sided $p<{p_value:g}$, power {power:g})."
    )


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


def _group_verdict(group: dict) -> str:
    """One N group's loss verdict in a clause, with what its seeds could have detected."""
    at = f"at $N\\approx$ {group_label(group['n_group'])}"
    bound = (
        f"a difference below {group['detectable_percent']:.1f}\\,\\% would have gone unseen"
        if math.isfinite(group["detectable_percent"])
        else "with one seed per shape nothing could be detected"
    )
    if group["verdict"] == FLAT:
        return f"{at} the shape means lie within {group['spread_percent']:.1f}\\,\\% ({bound})"
    if group["verdict"] == SHAPE_MATTERS:
        return (
            f"{at} the loss depends on shape, by {group['spread_percent']:.1f}\\,\\% (ANOVA $p{_p(group['anova_p'])}$)"
        )
    return f"{at} the data cannot decide (spread {group['spread_percent']:.1f}\\,\\%; {bound})"


def conclusion(losses: list[dict], overlap: dict, similarity: dict[str, dict], densities: list[dict]) -> str:
    """What the numbers say about Katta's claim, premise by premise and N by N, no stronger than
    the tests decided."""
    states = {group["verdict"] for group in losses}
    seeds = min(group["seeds"] for group in losses)
    premise = (
        f"Kaplan's premise, a loss that depends on $N$ and hardly on shape, was tested at "
        f"{len(losses)} value{'s' if len(losses) != 1 else ''} of $N$ with {seeds} seed{'s' if seeds != 1 else ''} "
        f"per shape: " + "; ".join(_group_verdict(group) for group in losses) + "."
    )
    if states == {FLAT}:
        premise += " At every $N$ tested the premise holds, so the shapes are equal-loss models in Katta's sense."
    elif SHAPE_MATTERS in states:
        decided = [group_label(g["n_group"]) for g in losses if g["verdict"] == SHAPE_MATTERS]
        premise += (
            f" The premise fails at this training budget at $N\\approx$ {', '.join(decided)}, and only pairs "
            f"within the loss threshold count as equal-loss pairs there."
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
    caveat = "" if states == {FLAT} else " (among models whose equality of loss is not established)"
    if found == {LESS}:
        universality = (
            f"Inside the models, different shapes are less similar than two seeds of one shape (CKA gap of the "
            f"residual streams, averaged over the $N$ groups: {gaps}){readout_text}. Linear CKA compares "
            f"subspaces, so this says that the representations differ more across shapes than across seeds"
            f"{caveat}; it neither confirms nor rules out that the shapes share individual features."
        )
    elif found == {AS_SIMILAR}:
        universality = (
            f"Inside the models, different shapes are as similar as two seeds of one shape (CKA gap of the "
            f"residual streams, averaged over the $N$ groups: {gaps}){readout_text}. Linear CKA compares "
            f"subspaces, so this is what universal features would show{caveat}, but it does not establish "
            f"that the shapes share individual features."
        )
    else:
        universality = (
            f"Whether the internal representations of different shapes are as similar as two seeds the data "
            f"cannot decide (CKA gap of the residual streams: {gaps}){readout_text}."
        )
    return " ".join([premise, capacity, universality])


SIMILARITY_WORDS = {
    LESS: "less similar than two seeds of one shape",
    AS_SIMILAR: "as similar as two seeds of one shape",
}


def abstract_sentence(losses: list[dict], similarity: dict[str, dict]) -> str:
    """The shape test in one sentence for the abstract: the loss verdict N by N, and the residual
    streams' similarity on linear CKA."""
    internal = [
        result["verdict"] for name, result in similarity.items() if name != REPRESENTATION_NAMES[("unembedding", None)]
    ]
    similar = (
        f"on linear CKA the residual streams of different shapes are {SIMILARITY_WORDS[internal[0]]}"
        if len(set(internal)) == 1 and internal[0] in SIMILARITY_WORDS
        else "whether the residual streams of different shapes are as similar as two seeds' the data cannot decide"
    )
    return (
        "In transformers of equal parameter count and different shape, "
        + "; ".join(_group_verdict(group) for group in losses)
        + f"; {similar}."
    )
