"""Our headline numbers against the paper's (config/published.yaml), one verdict per quantity.

Each published quantity names where our value comes from (`ours`):
- `table` (a fit table results/fits/<table>.csv) with `where` filters per column: a number selects
  that value, [lo, hi] a closed range, "min"/"max" the extreme value left after the other filters;
  `column` (default alpha_m). One row gives its value and error (the spread over seeds where there
  are several, else the slope SE); several rows give their mean and standard deviation;
- `summary`: a named value of superscale.summary.small_toy_summary (no error);
- `llm`: a dotted path into results/fits/llm.json, with `llm_se` for its error and `require` for a
  flag that must hold for the value to mean anything (the joint fit's identifiability);
- `zipf`: a column of results/llm/zipf.csv, as mean and standard deviation over the pairs.

Verdict: with the paper's sigma, |ours - paper| / sqrt(sigma_paper^2 + sigma_ours^2) <= k agrees
(k = agreement_sigma). Without it, a value read off a figure agrees if what lies beyond the
tolerance, max(0, |ours - paper| - tolerance), is at most k sigma_ours; that excess over
sigma_ours is the difference in sigma reported. A quantity the config does not measure, or whose fit cannot determine it, is said
to be so; nothing is counted as agreeing by default.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from superscale.latex import escape
from superscale.summary import small_toy_summary

COLUMNS = ["id", "quantity", "paper_value", "paper_sigma", "paper_tolerance", "paper_source", "ours_value",
           "ours_sigma", "ours_note", "difference", "difference_in_sigma", "verdict", "config"]


@dataclass
class Sources:
    """The pipeline's results the published quantities are read from."""

    fits: dict[str, pd.DataFrame]
    small_metrics: pd.DataFrame
    llm: dict
    zipf: pd.DataFrame


def _select(table: pd.DataFrame, where: dict) -> pd.DataFrame:
    rows = table
    extremes = {}
    for column, wanted in where.items():
        if column not in rows.columns:
            raise KeyError(f"published.yaml filters on column {column!r}, which the table lacks "
                           f"(columns: {', '.join(table.columns)})")
        if wanted in ("min", "max"):
            extremes[column] = wanted
        elif isinstance(wanted, list):
            rows = rows[rows[column].between(*wanted)]
        elif isinstance(wanted, str):
            rows = rows[rows[column] == wanted]
        else:
            rows = rows[np.isclose(rows[column], wanted)]
    for column, which in extremes.items():
        if len(rows):
            target = rows[column].min() if which == "min" else rows[column].max()
            rows = rows[rows[column] == target]
    return rows


def _from_table(table: pd.DataFrame, spec: dict) -> tuple[float, float, str]:
    rows = _select(table, spec.get("where", {}))
    column = spec.get("column", "alpha_m")
    if rows.empty:
        return math.nan, math.nan, f"not measured: no {spec['table']} cell matches {spec.get('where', {})}"
    if len(rows) == 1:
        row = rows.iloc[0]
        if column != "alpha_m":
            return float(row[column]), math.nan, "one cell"
        several = row.get("seeds", 1) > 1
        return float(row.alpha_m), float(row.alpha_m_seed_std if several else row.alpha_m_se), (
            f"one cell, spread over {int(row.seeds)} seeds" if several else "one cell, slope SE")
    values = rows[column].astype(float)
    return float(values.mean()), float(values.std()), f"mean and std over {len(rows)} cells"


def _dotted(tree: dict, path: str):
    for key in path.split("."):
        tree = tree[key]
    return tree


def ours(spec: dict, sources: Sources) -> tuple[float, float, str]:
    """(value, sigma, note) of one quantity from the pipeline's results; NaN value if not measured."""
    if "table" in spec:
        return _from_table(sources.fits[spec["table"]], spec)
    if "summary" in spec:
        fits = sources.fits["toy_small"]
        value = small_toy_summary(sources.small_metrics, fits)[spec["summary"]]
        note = "small-toy summary" if math.isfinite(value) else "not measured: no small-toy cell qualifies"
        return float(value), math.nan, note
    if "llm" in spec:
        if "require" in spec and not _dotted(sources.llm, spec["require"]):
            return math.nan, math.nan, f"undetermined: {spec['require']} is false"
        value = float(_dotted(sources.llm, spec["llm"]))
        sigma = float(_dotted(sources.llm, spec["llm_se"])) if "llm_se" in spec else math.nan
        return value, sigma, "LLM fit"
    if "zipf" in spec:
        values = sources.zipf[spec["zipf"]].astype(float)
        return float(values.mean()), float(values.std()), f"mean and std over {len(values)} model-text pairs"
    raise ValueError(f"published.yaml: `ours` needs table, summary, llm or zipf, got {sorted(spec)}")


def verdict(paper: dict, value: float, sigma: float, note: str, k: float) -> tuple[float, float, str]:
    """(difference, difference in sigma, verdict) as the module docstring defines them."""
    if not math.isfinite(value):
        return math.nan, math.nan, "undetermined" if note.startswith("undetermined") else "not measured"
    difference = value - paper["value"]
    sigma_ours = sigma if math.isfinite(sigma) else 0.0
    if paper.get("sigma") is not None:
        combined = math.hypot(paper["sigma"], sigma_ours)
        z = abs(difference) / combined
        return difference, z, "agrees" if z <= k else "disagrees"
    excess = max(0.0, abs(difference) - (paper.get("tolerance") or 0.0))
    z = excess / sigma_ours if sigma_ours > 0 else math.nan
    if paper.get("tolerance") is not None:
        return difference, z, "agrees" if excess <= k * sigma_ours else "disagrees"
    if math.isfinite(z):
        return difference, z, "agrees" if z <= k else "disagrees"
    return difference, z, "undetermined"


def compare(published: dict, sources: Sources, config_label: str) -> pd.DataFrame:
    """One row per published quantity (COLUMNS)."""
    k = float(published["agreement_sigma"])
    rows = []
    for entry in published["quantities"]:
        if not re.fullmatch(r"[a-z]+(_[a-z]+)*", entry["id"]):
            raise ValueError(f"published.yaml: id {entry['id']!r} must be lowercase words joined by _ "
                             "(it names a LaTeX macro)")
        paper = entry["paper"]
        value, sigma, note = ours(entry["ours"], sources)
        difference, z, word = verdict(paper, value, sigma, note, k)
        rows.append({
            "id": entry["id"], "quantity": entry["quantity"], "paper_value": paper["value"],
            "paper_sigma": paper.get("sigma"), "paper_tolerance": paper.get("tolerance"),
            "paper_source": paper["source"], "ours_value": value, "ours_sigma": sigma, "ours_note": note,
            "difference": difference, "difference_in_sigma": z, "verdict": word, "config": config_label,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _pm(value, sigma, tolerance=None) -> str:
    if value is None or not math.isfinite(value):
        return "--"
    if sigma is not None and math.isfinite(sigma):
        return f"{value:.3g} ± {sigma:.2g}"
    if tolerance is not None and math.isfinite(tolerance):
        return f"≈{value:.3g} (±{tolerance:.2g} read)"
    return f"{value:.3g}"


def _z(z) -> str:
    return f"{z:.1f}" if z is not None and math.isfinite(z) else "--"


def markdown(table: pd.DataFrame) -> str:
    """The comparison as a Markdown table, with its config and counts."""
    lines = [f"# Reproduction report ({table.config.iloc[0]})", "",
             "| quantity | paper | source | ours | Δ/σ | verdict | note |", "|---|---|---|---|---|---|---|"]
    for row in table.itertuples():
        lines.append(f"| {row.quantity} | {_pm(row.paper_value, row.paper_sigma, row.paper_tolerance)} | "
                     f"{row.paper_source} | {_pm(row.ours_value, row.ours_sigma)} | {_z(row.difference_in_sigma)} | "
                     f"{row.verdict} | {row.ours_note} |")
    counts = table.verdict.value_counts()
    lines += ["", ", ".join(f"{word}: {count}" for word, count in counts.items())]
    return "\n".join(lines) + "\n"


def latex_table(table: pd.DataFrame) -> str:
    """The comparison as a LaTeX tabular (booktabs) for the paper."""
    lines = [r"\begin{tabular}{p{0.40\textwidth}llrl}", r"\toprule",
             r"Quantity & Paper & Ours & $|\Delta|/\sigma$ & Verdict \\", r"\midrule"]
    for row in table.itertuples():
        lines.append(" & ".join([
            escape(row.quantity) + f" ({escape(row.paper_source)})",
            escape(_pm(row.paper_value, row.paper_sigma, row.paper_tolerance)),
            escape(_pm(row.ours_value, row.ours_sigma)),
            _z(row.difference_in_sigma),
            escape(row.verdict),
        ]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def paper_macros(table: pd.DataFrame) -> dict[str, object]:
    """Each published value as maths-mode text, named Paper<Id> (id large_strong_power ->
    \\PaperLargeStrongPower), so the paper quotes the paper's numbers from published.yaml too."""
    macros = {}
    for row in table.itertuples():
        name = "Paper" + "".join(part.capitalize() for part in row.id.split("_"))
        if row.paper_sigma is not None and math.isfinite(row.paper_sigma):
            macros[name] = f"{row.paper_value:g}\\pm{row.paper_sigma:g}"
        else:
            macros[name] = f"\\approx{row.paper_value:g}"
    return macros


def counts_macros(table: pd.DataFrame, agreement_sigma: float) -> dict[str, object]:
    """How many quantities agree, disagree, or were not measured or determined."""
    counts = table.verdict.value_counts()
    return {
        "ReproQuantities": len(table),
        "ReproAgreementSigma": f"{agreement_sigma:g}",
        "ReproAgree": int(counts.get("agrees", 0)),
        "ReproDisagree": int(counts.get("disagrees", 0)),
        "ReproNotMeasured": int(counts.get("not measured", 0)),
        "ReproUndetermined": int(counts.get("undetermined", 0)),
    }
