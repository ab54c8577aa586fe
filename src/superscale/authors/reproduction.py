"""Our results against the paper's (config/published.yaml), like with like, one verdict per row.

Three kinds of row:
- `value`: one headline quantity (a printed number, or one read off a figure);
- `cell`: one cell of a grid (a (gamma, alpha) cell of the phase diagram, a (gamma, m) point of
  Fig. 3a, ...), set against the same cell of the authors' figure as digitised into
  data/authors_figures.csv (or its nearest grid point, which the row then names);
- `summary`: the mean over a region of our cells against the mean over the same cells of the
  figure, kept beside the cells they summarise.

Every row names the setting its paper value was made in (`setting`: keys of config/paper.yaml's
sections, which follows the authors' runs) and says whether this run's config matches it there.
Where it does, our value is judged against the paper's: with the paper's sigma (or the reading
error of a digitised value), |ours - paper| / sqrt(sigma_paper^2 + sigma_ours^2) <= k agrees
(k = agreement_sigma); a value with only a stated tolerance agrees if what lies beyond the
tolerance is at most k sigma_ours. Where the setting differs, the row is judged against the
paper's *claim* for it (an interval, `claims` in published.yaml: inside, or within k sigma_ours
of it, agrees), and without a claim it is "not comparable". A quantity the config does not
measure, or whose fit cannot determine it, is said to be so; nothing agrees by default.

The authors trained one seed per cell, so a digitised cell carries that seed's noise besides the
reading error. Each cell row also gives their local trend at the cell and the scatter of their
neighbouring cells about it (`neighbour_trend`), so a reader can weigh a difference of a few sigma;
the verdict itself stays against the cell, as the paper printed it.

Where our values come from (`ours`):
- `table`: a fit table results/fits/<table>.csv with `where` filters per column (a number selects
  that value, [lo, hi] a closed range, "min"/"max" the extreme left after the other filters) and
  `column` (default alpha_m). One row gives its value and error (the spread over seeds where there
  are several, else the slope SE); several rows give their mean and standard deviation;
- `metrics`: a per-model table results/toy/<family>/metrics.csv (cell rows only), `column`, `where`;
- `summary`: a named value of superscale.toy.summary.small_toy_summary (no error);
- `llm`: a dotted path into results/fits/llm.json, with `llm_se` for its error and `require` for a
  flag that must hold for the value to mean anything (the joint fit's identifiability);
- `zipf`: a column of results/llm/zipf.csv, as mean and standard deviation over the pairs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from superscale.core.grid import axis_values
from superscale.paper.latex import NARROW_COLUMNS, escape
from superscale.paper.uncertainty import finite, plus_minus
from superscale.toy.summary import small_toy_summary

COLUMNS = [
    "id",
    "kind",
    "quantity",
    "gamma",
    "alpha",
    "m",
    "paper_value",
    "paper_sigma",
    "paper_tolerance",
    "paper_source",
    "paper_point",
    "paper_neighbour_trend",
    "paper_neighbour_scatter",
    "setting_matches",
    "setting",
    "judged_against",
    "claim_low",
    "claim_high",
    "ours_value",
    "ours_sigma",
    "ours_note",
    "difference",
    "difference_in_sigma",
    "verdict",
    "config",
]
CELL_KEYS = ("gamma", "alpha", "m")
# The authors' cells within this many grid steps of a cell on every axis (the cell left out) make
# its local trend: 8 at a corner of the grid, a plane and 5 degrees of freedom for its scatter (one
# step would leave 3 there, none to spare).
NEIGHBOUR_REACH = 2
ID_PATTERN = r"[a-z]+(_[a-z]+)*"


@dataclass
class Sources:
    """The pipeline's results the published quantities are read from, and the configs compared."""

    fits: dict[str, pd.DataFrame]
    small_metrics: pd.DataFrame
    llm: dict
    zipf: pd.DataFrame
    figure_values: pd.DataFrame = field(default_factory=pd.DataFrame)  # data/authors_figures.csv
    config: dict = field(default_factory=dict)  # this run's config sections
    paper_config: dict = field(default_factory=dict)  # config/paper.yaml


# ---------------------------------------------------------------- settings


def _describe(value) -> str:
    """A config value as short text: long lists as their range or size, mappings as key value."""
    if isinstance(value, dict) and {"start", "stop", "num"} <= set(value):
        value = axis_values(value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {_describe(item)}" for key, item in sorted(value.items()))
    if isinstance(value, list) and len(value) > 3 and all(isinstance(v, (int, float)) for v in value):
        return f"{min(value):g}–{max(value):g} ({len(value)} values)"
    if isinstance(value, list) and (len(value) > 4 or any(isinstance(v, (dict, list)) for v in value)):
        return f"{len(value)} entries"
    if isinstance(value, list):
        return ", ".join(_describe(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _normalised(value):
    if isinstance(value, dict) and {"start", "stop", "num"} <= set(value):
        return [round(v, 9) for v in axis_values(value)]
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, float):
        return round(value, 9)
    return value


def setting_differences(keys: dict[str, list[str]], run: dict, paper: dict) -> list[str]:
    """'section.key = ours (paper theirs)' for every listed key where this run's config differs
    from config/paper.yaml; empty when the run is in the paper's setting."""
    differences = []
    for section, names in keys.items():
        for name in names:
            ours, theirs = run.get(section, {}).get(name), paper.get(section, {}).get(name)
            if _normalised(ours) != _normalised(theirs):
                differences.append(f"{name} = {_describe(ours)} (paper {_describe(theirs)})")
    return differences


def _setting(published: dict, name: str | None, sources: Sources) -> tuple[bool, str]:
    if name is None:
        return True, "paper's"
    if name not in published.get("settings", {}):
        raise KeyError(f"published.yaml: setting {name!r} is not defined under `settings`")
    differences = setting_differences(published["settings"][name], sources.config, sources.paper_config)
    return (False, "differs: " + "; ".join(differences)) if differences else (True, "paper's")


# ---------------------------------------------------------------- our values


def _select(table: pd.DataFrame, where: dict) -> pd.DataFrame:
    rows = table
    extremes = {}
    for column, wanted in where.items():
        if column not in rows.columns:
            raise KeyError(
                f"published.yaml filters on column {column!r}, which the table lacks "
                f"(columns: {', '.join(table.columns)})"
            )
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


def _row_value(row: pd.Series, column: str) -> tuple[float, float, str]:
    if column != "alpha_m":
        return float(row[column]), math.nan, "one cell"
    several = row.get("seeds", 1) > 1
    return (
        float(row.alpha_m),
        float(row.alpha_m_seed_std if several else row.alpha_m_se),
        (f"one cell, spread over {int(row.seeds)} seeds" if several else "one cell, slope SE"),
    )


def _from_table(table: pd.DataFrame, spec: dict) -> tuple[float, float, str]:
    rows = _select(table, spec.get("where", {}))
    column = spec.get("column", "alpha_m")
    if rows.empty:
        return math.nan, math.nan, f"not measured: no {spec['table']} cell matches {spec.get('where', {})}"
    if len(rows) == 1:
        return _row_value(rows.iloc[0], column)
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


def _our_cells(spec: dict, keys: list[str], sources: Sources) -> pd.DataFrame:
    """One row per cell of ours: the keys, value, sigma and note."""
    if "table" in spec:
        table, column = sources.fits[spec["table"]], spec.get("column", "alpha_m")
    elif "metrics" in spec:
        table, column = sources.small_metrics, spec["column"]
    else:
        raise ValueError(f"published.yaml: a cell block's `ours` needs table or metrics, got {sorted(spec)}")
    rows = _select(table, spec.get("where", {}))
    coordinates = [key for key in (*CELL_KEYS, "n") if key in rows.columns]
    cells = []
    for _, row in rows.sort_values(keys).iterrows():
        value, sigma, note = _row_value(row, column)
        cells.append({**{key: float(row[key]) for key in coordinates}, "value": value, "sigma": sigma, "note": note})
    return pd.DataFrame(cells, columns=[*coordinates, "value", "sigma", "note"])


# ---------------------------------------------------------------- the paper's values


def figure_rows(figure_values: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The digitised values of one figure panel and quantity, filtered by `where` (exact matches)."""
    if figure_values.empty:
        raise ValueError("published.yaml reads digitised values, but data/authors_figures.csv was not given")
    rows = figure_values[
        (figure_values.figure == spec["figure"])
        & (figure_values.panel == spec["panel"])
        & (figure_values.quantity == spec["quantity"])
    ]
    for column, wanted in spec.get("where", {}).items():
        rows = (
            rows[np.isclose(rows[column], wanted)] if isinstance(wanted, (int, float)) else rows[rows[column] == wanted]
        )
    if rows.empty:
        raise ValueError(f"published.yaml: no digitised value for {spec} in data/authors_figures.csv")
    return rows


def _paper_value(paper: dict, sources: Sources) -> dict:
    """{value, sigma, tolerance, source} of a value row, read from the yaml or the digitised table."""
    if "digitised" not in paper:
        return {
            "value": paper["value"],
            "sigma": paper.get("sigma"),
            "tolerance": paper.get("tolerance"),
            "source": paper["source"],
        }
    spec = paper["digitised"]
    rows = figure_rows(sources.figure_values, spec)
    if "slope_of" in spec:  # a log-log slope through the digitised points, as ours is fitted
        x, y = (rows[column].astype(float).to_numpy() for column in spec["slope_of"])
        fit = np.polyfit(np.log(x), np.log(y), 1, cov=True)
        return {
            "value": float(-fit[0][0]),
            "sigma": float(math.sqrt(fit[1][0, 0])),
            "tolerance": None,
            "source": paper["source"] + f", slope of {len(rows)} digitised points",
        }
    if len(rows) != 1:
        raise ValueError(f"published.yaml: {spec} selects {len(rows)} digitised values; narrow its `where`")
    row = rows.iloc[0]
    return {
        "value": float(row.value),
        "sigma": float(row.reading_error),
        "tolerance": None,
        "source": paper["source"] + " (digitised)",
    }


def match_cell(figure: pd.DataFrame, cell: dict, keys: list[str]) -> tuple[pd.Series | None, str]:
    """The digitised row at the same cell, or at the nearest grid point within half a grid step on
    every key (named in the note); None if the figure has no such cell."""
    rows, moved = figure, []
    for key in keys:
        grid = np.unique(rows[key].dropna().astype(float))
        if grid.size == 0:
            return None, f"the figure has no {key} axis"
        nearest = grid[np.argmin(np.abs(grid - cell[key]))]
        step = np.min(np.diff(np.unique(figure[key].dropna().astype(float)))) if grid.size > 1 else math.inf
        if abs(nearest - cell[key]) > step / 2:
            return None, f"the figure has no {key} near {cell[key]:g}"
        if not math.isclose(nearest, cell[key], abs_tol=1e-3):
            moved.append(f"{key} = {nearest:g}")
        rows = rows[np.isclose(rows[key].astype(float), nearest)]
    return rows.iloc[0], ("nearest grid point: " + ", ".join(moved)) if moved else "same cell"


def neighbour_trend(figure: pd.DataFrame, point: pd.Series, keys: list[str]) -> tuple[float, float, int]:
    """(the authors' local trend at a digitised cell, the scatter of their neighbouring cells about
    it, how many neighbours): a plane in the grid indices (linear in gamma and alpha, in log m on
    Fig. 3's widths) fitted by least squares to their cells within NEIGHBOUR_REACH steps on every
    key, the cell itself left out; the scatter is its residual standard deviation, one seed's noise
    plus the reading error. NaN where too few neighbours determine it."""
    grids = [np.unique(figure[key].astype(float)) for key in keys]
    steps = np.column_stack([np.searchsorted(grid, figure[key].astype(float)) for grid, key in zip(grids, keys)])
    here = np.array([np.searchsorted(grid, float(point[key])) for grid, key in zip(grids, keys)])
    offset = np.abs(steps - here)
    near = (offset <= NEIGHBOUR_REACH).all(axis=1) & (offset.sum(axis=1) > 0)
    design = np.column_stack([np.ones(near.sum()), steps[near]])
    values = figure.value.to_numpy(float)[near]
    dof = len(values) - design.shape[1]
    if dof < 1:
        return math.nan, math.nan, len(values)
    coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
    residuals = values - design @ coefficients
    return float(np.r_[1.0, here] @ coefficients), float(math.sqrt(residuals @ residuals / dof)), len(values)


# ---------------------------------------------------------------- verdicts


def verdict(paper: dict, value: float, sigma: float, note: str, k: float) -> tuple[float, float, str]:
    """(difference, difference in sigma, verdict) against the paper's value, as the module says."""
    if not math.isfinite(value):
        return math.nan, math.nan, "undetermined" if note.startswith("undetermined") else "not measured"
    difference = value - paper["value"]
    sigma_ours = sigma if math.isfinite(sigma) else 0.0
    if paper.get("sigma") is not None and math.isfinite(paper["sigma"]):
        combined = math.hypot(paper["sigma"], sigma_ours)
        if combined == 0:
            return difference, math.nan, "undetermined"
        z = abs(difference) / combined
        return difference, z, "agrees" if z <= k else "disagrees"
    excess = max(0.0, abs(difference) - (paper.get("tolerance") or 0.0))
    z = excess / sigma_ours if sigma_ours > 0 else math.nan
    if paper.get("tolerance") is not None:
        return difference, z, "agrees" if excess <= k * sigma_ours else "disagrees"
    if math.isfinite(z):
        return difference, z, "agrees" if z <= k else "disagrees"
    return difference, z, "undetermined"


def claim_verdict(claim: dict, value: float, sigma: float, note: str, k: float) -> tuple[float, float, str]:
    """(distance outside the claimed interval, in sigma, verdict): inside, or within k sigma_ours
    of it, agrees with the claim."""
    if not math.isfinite(value):
        return math.nan, math.nan, "undetermined" if note.startswith("undetermined") else "not measured"
    outside = max(claim["low"] - value, value - claim["high"], 0.0)
    sigma_ours = sigma if math.isfinite(sigma) else 0.0
    z = outside / sigma_ours if sigma_ours > 0 else (0.0 if outside == 0 else math.inf)
    return outside, z, "agrees with claim" if outside <= k * sigma_ours else "disagrees with claim"


def _in_region(where: dict, cell: dict) -> bool:
    return all(key in cell and low <= cell[key] <= high for key, (low, high) in where.items())


def _claim(published: dict, name: str | None) -> dict | None:
    if name is None:
        return None
    if name not in published.get("claims", {}):
        raise KeyError(f"published.yaml: claim {name!r} is not defined under `claims`")
    return published["claims"][name]


def _judge(
    published: dict,
    matches: bool,
    paper: dict,
    claim: dict | None,
    value: float,
    sigma: float,
    note: str,
    cell: dict | None = None,
) -> dict:
    """The verdict columns of one row: against the paper's value in its setting, else its claim."""
    k = float(published["agreement_sigma"])
    if matches:
        difference, z, word = verdict(paper, value, sigma, note, k)
        return {"judged_against": "paper value", "difference": difference, "difference_in_sigma": z, "verdict": word}
    if claim is None:
        measured = math.isfinite(value) or not note.startswith(("not measured", "undetermined"))
        word = "not comparable" if measured else ("undetermined" if note.startswith("undetermined") else "not measured")
        return {
            "judged_against": "none (setting differs, no claim)",
            "difference": math.nan,
            "difference_in_sigma": math.nan,
            "verdict": word,
        }
    offset = cell["m"] / cell["n"] if claim.get("offset") == "m_over_n" else 0.0
    outside, z, word = claim_verdict(claim, value - offset, sigma, note, k)
    return {
        "judged_against": "claim: " + claim["text"],
        "claim_low": claim["low"],
        "claim_high": claim["high"],
        "difference": outside,
        "difference_in_sigma": z,
        "verdict": word,
    }


# ---------------------------------------------------------------- rows


def _base(entry: dict, kind: str, config_label: str) -> dict:
    if not re.fullmatch(ID_PATTERN, entry["id"]):
        raise ValueError(
            f"published.yaml: id {entry['id']!r} must be lowercase words joined by _ (it names a LaTeX macro)"
        )
    return {"id": entry["id"], "kind": kind, "quantity": entry["quantity"], "config": config_label}


def _row(
    entry: dict,
    kind: str,
    config_label: str,
    paper: dict,
    point: str,
    setting: tuple[bool, str],
    ours: tuple[float, float, str],
    judged: dict,
) -> dict:
    """One report row (COLUMNS) from its parts; cell rows add their coordinates."""
    (matches, described), (value, sigma, note) = setting, ours
    return (
        _base(entry, kind, config_label)
        | {
            "paper_value": paper["value"],
            "paper_sigma": paper["sigma"],
            "paper_tolerance": paper.get("tolerance"),
            "paper_source": paper["source"],
            "paper_point": point,
            "setting_matches": matches,
            "setting": described,
            "ours_value": value,
            "ours_sigma": sigma,
            "ours_note": note,
        }
        | judged
    )


def value_rows(published: dict, sources: Sources, config_label: str) -> list[dict]:
    rows = []
    for entry in published.get("quantities", []):
        paper = _paper_value(entry["paper"], sources)
        value, sigma, note = ours(entry["ours"], sources)
        matches, setting = _setting(published, entry.get("setting"), sources)
        claim = _claim(published, entry.get("claim"))
        judged = _judge(published, matches, paper, claim, value, sigma, note)
        rows.append(_row(entry, "value", config_label, paper, "", (matches, setting), (value, sigma, note), judged))
    return rows


def cell_rows(published: dict, sources: Sources, config_label: str) -> list[dict]:
    """One row per cell of ours in each `cells` block, against the same cell of the figure."""
    rows = []
    for entry in published.get("cells", []):
        keys = entry["keys"]
        figure = figure_rows(sources.figure_values, entry["paper"])
        matches, setting = _setting(published, entry.get("setting"), sources)
        claims = [_claim(published, name) for name in entry.get("claims", [])]
        for _, cell in _our_cells(entry["ours"], keys, sources).iterrows():
            at = {key: cell[key] for key in keys}
            coordinates = {key: cell[key] for key in (*CELL_KEYS, "n") if key in cell.index}
            paper_row, point = match_cell(figure, at, keys)
            source = entry["paper"]["source"] + " (digitised)"
            paper = (
                {"value": float(paper_row.value), "sigma": float(paper_row.reading_error), "source": source}
                if paper_row is not None
                else {"value": math.nan, "sigma": math.nan, "source": source}
            )
            trend, scatter, _ = (
                neighbour_trend(figure, paper_row, keys) if paper_row is not None else (math.nan, math.nan, 0)
            )
            note = cell.note if paper_row is not None else f"not measured: {point}"
            value = cell.value if paper_row is not None else math.nan
            claim = next((c for c in claims if _in_region(c.get("where", {}), coordinates)), None)
            judged = _judge(published, matches, paper, claim, value, cell.sigma, note, coordinates)
            row = _row(entry, "cell", config_label, paper, point, (matches, setting), (value, cell.sigma, note), judged)
            neighbours = {"paper_neighbour_trend": trend, "paper_neighbour_scatter": scatter}
            rows.append(row | neighbours | {key: coordinates.get(key) for key in CELL_KEYS})
    return rows


def summary_rows(published: dict, sources: Sources, cells: pd.DataFrame, config_label: str) -> list[dict]:
    """Region means over the same cells on both sides (errors propagated from the cells'), in the
    setting of the cell block they summarise."""
    blocks = {block["id"]: block for block in published.get("cells", [])}
    rows = []
    for entry in published.get("summaries", []):
        matches, setting = _setting(published, blocks[entry["of"]].get("setting"), sources)
        members = cells[(cells.id == entry["of"]) & cells.ours_value.notna() & cells.paper_value.notna()]
        members = members[[_in_region(entry["where"], row.to_dict()) for _, row in members.iterrows()]]
        count = len(members)
        mean_error = lambda column: math.sqrt((members[column].fillna(0) ** 2).sum()) / count  # noqa: E731
        value = float(members.ours_value.mean()) if count else math.nan
        sigma = mean_error("ours_sigma") if count else math.nan
        note = f"mean over {count} cells" if count else "not measured: no cell of ours in the region"
        paper = {
            "value": float(members.paper_value.mean()) if count else math.nan,
            "sigma": mean_error("paper_sigma") if count else math.nan,
            "source": entry["source"],
        }
        judged = _judge(published, matches, paper, _claim(published, entry.get("claim")), value, sigma, note)
        rows.append(
            _row(
                entry,
                "summary",
                config_label,
                paper,
                "the same cells",
                (matches, setting),
                (value, sigma, note),
                judged,
            )
        )
    return rows


def compare(published: dict, sources: Sources, config_label: str) -> pd.DataFrame:
    """Every row of the report (COLUMNS): values, then cells, then the summaries of those cells."""
    cells = pd.DataFrame(cell_rows(published, sources, config_label), columns=COLUMNS)
    rows = value_rows(published, sources, config_label)
    frames = [
        pd.DataFrame(rows, columns=COLUMNS),
        cells,
        pd.DataFrame(summary_rows(published, sources, cells, config_label), columns=COLUMNS),
    ]
    return pd.concat([frame for frame in frames if not frame.empty], ignore_index=True)[COLUMNS]


# ---------------------------------------------------------------- output


def paper_plus_minus(row) -> str:
    """The paper's side of a row; digitised values rounded to their reading error."""
    return plus_minus(row.paper_value, row.paper_sigma, row.paper_tolerance, read="digitised" in str(row.paper_source))


def _distance(row) -> str:
    """How far ours is from what it is judged against: |Δ|/σ against the paper's value; against a
    claim, in words (inside the interval, or how far outside it and, where ours has an error, in
    units of it), never an 'inf' or a 0.0 that reads as 'no difference'."""
    z = row.difference_in_sigma
    if not str(row.judged_against).startswith("claim"):
        return f"{z:.1f}" if finite(z) else "--"
    if not finite(row.difference):
        return "--"
    if row.difference == 0:
        return "inside the claim interval"
    outside = f"{row.difference:.2g} outside"
    return f"{outside} ({z:.1f}σ)" if finite(z) else outside


def _cell_label(row) -> str:
    parts = [f"{key} = {getattr(row, key):g}" for key in CELL_KEYS if finite(getattr(row, key))]
    return ", ".join(parts)


def counts(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Verdict counts per basis: rows judged in the paper's setting, and rows judged against its
    claims because the setting differs (cells and values apart; summaries are not counted)."""
    out = {}
    for kind in ("value", "cell"):
        for basis, matches in (("paper", True), ("claim", False)):
            rows = table[(table.kind == kind) & (table.setting_matches == matches)]
            out[f"{kind}_{basis}"] = {word: int(n) for word, n in rows.verdict.value_counts().items()}
    return out


def markdown(table: pd.DataFrame) -> str:
    """The comparison as Markdown tables (values, cells, summaries), with the counts."""
    lines = [f"# Reproduction report ({table.config.iloc[0]})", ""]
    sections = [
        ("value", "Headline values"),
        ("cell", "Cells (the same cell of the authors' figure)"),
        ("summary", "Region summaries (the same cells on both sides)"),
    ]
    for kind, title in sections:
        rows = table[table.kind == kind]
        if rows.empty:
            continue
        lines += [
            f"## {title}",
            "",
            "| quantity | paper | source, point | ours | Δ/σ or claim | setting | judged against | verdict | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows.itertuples():
            name = row.quantity + (f" ({_cell_label(row)})" if kind == "cell" else "")
            point = row.paper_point or "—"
            if finite(row.paper_neighbour_scatter):
                point += f"; their neighbours' trend {row.paper_neighbour_trend:.3g}, scatter {row.paper_neighbour_scatter:.2g}"
            lines.append(
                f"| {name} | {paper_plus_minus(row)} | "
                f"{row.paper_source}; {point} | {plus_minus(row.ours_value, row.ours_sigma)} | "
                f"{_distance(row)} | {row.setting} | {row.judged_against} | {row.verdict} | "
                f"{row.ours_note} |"
            )
        lines.append("")
    for key, tally in counts(table).items():
        kind, basis = key.split("_")
        where = (
            "in the paper's setting, against its values"
            if basis == "paper"
            else "in a different setting, against its claims"
        )
        if tally:
            lines.append(f"- {kind} rows {where}: " + ", ".join(f"{word}: {n}" for word, n in sorted(tally.items())))
    return "\n".join(lines) + "\n"


def _latex_rows(rows: pd.DataFrame, label) -> list[str]:
    lines = []
    for row in rows.itertuples():
        setting = "paper" if row.setting_matches else "differs"
        lines.append(
            " & ".join(
                [
                    escape(label(row)),
                    escape(paper_plus_minus(row)),
                    escape(plus_minus(row.ours_value, row.ours_sigma)),
                    setting,
                    escape(_distance(row)),
                    escape(row.verdict),
                ]
            )
            + r" \\"
        )
    return lines


def latex_tables(table: pd.DataFrame) -> dict[str, str]:
    """Two LaTeX tabulars (booktabs) for the paper: values with summaries, and the cells."""
    head = [r"\toprule", r"Quantity & Paper & Ours & Setting & $|\Delta|/\sigma$ or claim & Verdict \\", r"\midrule"]
    values = table[table.kind.isin(["value", "summary"])]
    cells = table[table.kind == "cell"]
    quantity = lambda row: f"{row.quantity} ({row.paper_source})"  # noqa: E731
    cell = lambda row: f"{row.quantity}: {_cell_label(row)} ({row.paper_point})"  # noqa: E731
    out = {}
    # every column that holds words or a value with its error wraps: 0.86 of the text width and the
    # narrow gaps between six columns fit the text width whatever the rows hold
    columns = "p{0.30\\textwidth}p{0.12\\textwidth}p{0.12\\textwidth}lp{0.12\\textwidth}p{0.14\\textwidth}"
    for name, rows, label in (("ReproTable", values, quantity), ("ReproCellTable", cells, cell)):
        lines = [
            NARROW_COLUMNS,
            rf"\begin{{tabular}}{{{columns}}}",
            *head,
            *_latex_rows(rows, label),
        ]
        if rows.empty:
            lines.append(r"\multicolumn{6}{l}{(none in this configuration)} \\")
        out[name] = "\n".join([*lines, r"\bottomrule", r"\end{tabular}"]) + "\n"
    return out


def neighbour_paragraph(table: pd.DataFrame, published: dict) -> str:
    """The methods' paragraph on the authors' single-seed noise: for each cell of the blocks marked
    `scatter_in_methods` in published.yaml, their cell, their neighbours' trend and its scatter."""
    blocks = [entry for entry in published.get("cells", []) if entry.get("scatter_in_methods")]
    sentences = [
        "The authors trained one seed per cell. To weigh a difference from one of their cells, a plane "
        f"fitted to their digitised neighbouring cells (within {NEIGHBOUR_REACH} grid steps on each axis, the "
        "cell left out) gives their local trend at the cell and the scatter of their cells about it: one "
        "seed's noise plus the reading error."
    ]
    for entry in blocks:
        rows = table[(table.id == entry["id"]) & table.paper_neighbour_scatter.notna()]
        if rows.empty:
            sentences.append(f"No {escape(entry['quantity'])} cell of this run is on the authors' grid.")
            continue
        items = [
            f"{escape(_cell_label(row).replace('gamma', 'γ').replace('alpha', 'α'))}: their cell "
            f"{escape(paper_plus_minus(row))}, their neighbours' trend "
            f"{row.paper_neighbour_trend:.2f} with scatter {row.paper_neighbour_scatter:.2f}, ours "
            f"{escape(plus_minus(row.ours_value, row.ours_sigma))}"
            for row in rows.itertuples()
        ]
        sentences.append(
            f"For the {escape(entry['quantity'])} cells of this run ({escape(entry['paper']['source'])}): "
            + "; ".join(items)
            + "."
        )
    sentences.append(
        "Where the scatter exceeds a row's combined $\\sigma$, the authors' single seed, not the reading "
        "error, limits what that row can decide."
    )
    return "\\paragraph{Single-seed noise of the authors' figures.}\n" + "\n".join(sentences) + "\n"


def paper_macros(table: pd.DataFrame) -> dict[str, object]:
    """Each published value and summary as maths-mode text, named Paper<Id> (id large_strong_power
    -> \\PaperLargeStrongPower), so the paper quotes the paper's numbers from published.yaml too."""
    macros = {}
    for row in table[table.kind != "cell"].itertuples():
        name = "Paper" + "".join(part.capitalize() for part in row.id.split("_"))
        if not finite(row.paper_value):
            macros[name] = r"\text{--}"
        elif finite(row.paper_sigma):
            macros[name] = paper_plus_minus(row).replace(" ± ", "\\pm")
        else:
            macros[name] = f"\\approx{row.paper_value:g}"
    return macros


def counts_macros(table: pd.DataFrame, agreement_sigma: float) -> dict[str, object]:
    """How many rows agree or disagree, per kind (values, cells) and basis (the paper's setting and
    value, or a different setting and the paper's claim), and how many could not be judged."""
    tallies = counts(table)
    judged = table[table.kind != "summary"]
    macros: dict[str, object] = {"ReproAgreementSigma": f"{agreement_sigma:g}", "ReproRows": len(judged)}
    for key, tally in tallies.items():
        kind, basis = key.split("_")
        stem = f"Repro{kind.capitalize()}{basis.capitalize()}"
        agree = tally.get("agrees", 0) + tally.get("agrees with claim", 0)
        disagree = tally.get("disagrees", 0) + tally.get("disagrees with claim", 0)
        macros[stem + "Agree"], macros[stem + "Disagree"] = agree, disagree
        macros[stem + "Total"] = sum(tally.values())
    verdicts = judged.verdict.value_counts()
    macros["ReproNotComparable"] = int(verdicts.get("not comparable", 0))
    macros["ReproNotMeasured"] = int(verdicts.get("not measured", 0))
    macros["ReproUndetermined"] = int(verdicts.get("undetermined", 0))
    return macros
