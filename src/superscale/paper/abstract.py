"""The abstract's and the conclusion's sentences, written from the config and the reproduction
report: the setting this run measured in, and every row of the report by its verdict, each named by
what it measures, so that no disagreement or undetermined quantity hides behind a count."""

from __future__ import annotations

import pandas as pd

from superscale.authors.reproduction import CELL_KEYS, paper_plus_minus
from superscale.core.grid import axis_values
from superscale.llm.summary import SOURCES
from superscale.paper.latex import escape
from superscale.paper.uncertainty import finite, plus_minus

# Report verdicts, gathered into the outcomes the text names (a claim counts like a value).
OUTCOMES = {
    "agrees": "agree",
    "agrees with claim": "agree",
    "disagrees": "disagree",
    "disagrees with claim": "disagree",
    "undetermined": "undetermined",
    "not comparable": "not comparable",
    "not measured": "not measured",
}
_SYMBOLS = {"gamma": "γ", "alpha": "α", "m": "m"}


def _values(axis) -> list[float]:
    return [float(v) for v in (axis_values(axis) if isinstance(axis, dict) else axis)]


def _set(values) -> str:
    """A config grid as maths: {-1, 1}, or its ends where long: {10, ..., 100}."""
    values = _values(values)
    if len(values) > 4:
        return f"\\{{{min(values):g}, \\ldots, {max(values):g}\\}}"
    return r"\{" + ", ".join(f"{v:g}" for v in values) + r"\}"


def _sources(models: dict) -> str:
    """Where the models' weights came from, in the LLM section's words (what was loaded decides
    whether they are quantised, and that section says so)."""
    kinds = sorted({entry.get("source", {}).get("kind", "") for entry in models.values()})
    return ", ".join(SOURCES.get(kind, kind) for kind in kinds)


def _seeds(small: dict) -> str:
    """The small toys' seeds: '1 seed', or '1 seed, 2 on 4 cells' where replicates add seeds to some."""
    count = len(small["seeds"])
    text = f"{count} seed{'s' if count > 1 else ''}"
    if replicates := small.get("replicates"):
        text += f", {count + len(replicates['seeds'])} on {len(replicates['cells'])} cells"
    return text


def setting_sentence(config: dict, models: dict) -> str:
    """What this run trained and measured, in one sentence from its config."""
    small, large = config["toy_small"], config["toy_large"]
    *others, last = large["distributions"]
    shapes = f"{', '.join(others)} and {last}" if others else last
    return (
        f"This run trains the small toys with $n={small['n']}$ features, widths $m\\in{_set(small['m'])}$, "
        f"weight decay $\\gamma\\in{_set(small['gamma'])}$ and frequency exponents "
        f"$\\alpha\\in{_set(small['alpha'])}$ ({_seeds(small)}), and the large toys with "
        f"$n={large['n']}$ features, {shapes} frequencies, $m\\in{_set(large['m'])}$ and "
        f"$\\gamma\\in{_set(large['gamma'])}$; it reads the heads and losses of {len(models)} open language "
        f"models ({escape(', '.join(models))}; {_sources(models)})."
    )


def quantity_name(row) -> str:
    """What a row measures: 'α_m (large toy, strong, linear frequencies)' for 'large toy, strong,
    linear frequencies: α_m'; a cell adds its coordinates."""
    head, _, tail = str(row.quantity).rpartition(": ")
    name = f"{tail} ({head})" if head else tail
    if row.kind == "cell":
        at = [f"{_SYMBOLS[key]} = {getattr(row, key):g}" for key in CELL_KEYS if finite(getattr(row, key))]
        name += ", cell " + ", ".join(at)
    return escape(name)


def _outside_claim(row) -> bool:
    """A row that agrees with a claim although ours lies outside its interval: within our errors of
    it, an agreement only as strong as our error is small."""
    return row.verdict == "agrees with claim" and float(row.difference) > 0


def _with_values(row) -> str:
    if str(row.judged_against).startswith("claim"):
        paper = f"the paper's claim [{row.claim_low:g}, {row.claim_high:g}]"
        if _outside_claim(row):
            paper += f", outside it by {float(row.difference):.2g} but within our errors"
    else:
        paper = f"paper {paper_plus_minus(row)}"
    ours = plus_minus(row.ours_value, row.ours_sigma) if finite(row.ours_value) else f"none ({row.ours_note})"
    return f"{quantity_name(row)}: ours {escape(ours)}, {escape(paper)}"


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "; ".join(items[:-1]) + "; and " + items[-1]


def outcomes(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The report's rows (values, summaries and cells) by outcome, in report order."""
    unknown = set(table.verdict) - set(OUTCOMES)
    if unknown:
        raise ValueError(f"reproduction report: verdicts {sorted(unknown)} have no outcome in OUTCOMES")
    outcome = table.verdict.map(OUTCOMES)
    return {word: table[outcome == word] for word in dict.fromkeys(OUTCOMES.values())}


def findings_sentences(table: pd.DataFrame, values: bool) -> str:
    """Each outcome with its count; disagreements and undetermined quantities named row by row
    (with ours against the paper's where `values`), agreements named too where `values`."""
    groups = outcomes(table)
    total = len(table)
    judged = {word: len(rows) for word, rows in groups.items()}
    by_value, by_claim = int((table.verdict == "agrees").sum()), int((table.verdict == "agrees with claim").sum())
    sentences = [
        f"Of the {total} rows of the reproduction report (headline values, region means and grid cells), "
        f"{judged['agree']} agree with the paper: {by_value} with its value, where this run is in the setting "
        f"the value was made in, and {by_claim} with its stated claim, where this run's setting differs"
        + (
            f" ({outside} of them outside the claimed interval but within our errors of it)."
            if (outside := sum(_outside_claim(row) for row in table.itertuples()))
            else "."
        )
    ]
    name = _with_values if values else quantity_name
    if values and judged["agree"]:
        agree = groups["agree"]
        headline = [name(row) for row in agree[agree.kind != "cell"].itertuples()]
        cells = int((agree.kind == "cell").sum())
        if cells:
            headline.append(f"{cells} grid cell{'s' if cells != 1 else ''} of Table~\\ref{{tab:repro-cells}}")
        sentences.append("They are: " + _list(headline) + ".")
    for word, verb in (("disagree", "disagree"), ("undetermined", "cannot be determined from this run's data")):
        rows = groups[word]
        if rows.empty:
            sentences.append("None disagrees." if word == "disagree" else "None is undetermined.")
            continue
        count = f"{len(rows)} {'row' if len(rows) == 1 else 'rows'}"
        verb_here = verb if word != "disagree" else ("disagrees" if len(rows) == 1 else "disagree")
        sentences.append(f"{count} {verb_here}: " + _list([name(row) for row in rows.itertuples()]) + ".")
    why = {"not comparable": "a different setting and no claim", "not measured": "not computed by this configuration"}
    rest = [
        f"{judged[word]} {'is' if judged[word] == 1 else 'are'} {word} ({why[word]})" for word in why if judged[word]
    ]
    if rest:
        sentences.append("Of the rest, " + " and ".join(rest) + ".")
    return " ".join(sentences)


def abstract_macros(table: pd.DataFrame, config: dict, models: dict, paper_config: dict) -> dict[str, str]:
    """The generated sentences as LaTeX macro bodies for the abstract and the conclusion, and the
    paper's small-toy step count, which other sections set their shorter training against."""
    if table.empty:
        raise ValueError("reproduction report is empty: config/published.yaml lists no quantity")
    return {
        "PaperSmallSteps": f"{paper_config['toy_small']['steps']:,}",
        "AbstractSetting": setting_sentence(config, models),
        "AbstractFindings": findings_sentences(table, values=False),
        "ConclusionFindings": findings_sentences(table, values=True),
    }
