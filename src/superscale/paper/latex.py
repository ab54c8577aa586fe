"""Plain text for LaTeX: special characters escaped, and the Unicode symbols the pipeline's texts use
(config descriptions, model and file names) typeset; and booktabs tabulars from rows or a frame."""

from __future__ import annotations

import re

import pandas as pd

# Unicode in published.yaml's texts and what LaTeX typesets for it (maths in $...$).
_TEX_SYMBOLS = {
    "α_m": r"$\alpha_m$",
    "α_N": r"$\alpha_N$",
    "φ_1/2": r"$\phi_{1/2}$",
    "m²/2": r"$m^2/2$",
    "≈": r"$\approx$",
    "±": r"$\pm$",
    "γ": r"$\gamma$",
    "α": r"$\alpha$",
    "φ": r"$\phi$",
    "−": "-",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "≲": r"$\lesssim$",
    "Δ": r"$\Delta$",
    "σ": r"$\sigma$",
    "×": r"$\times$",
    "²": r"$^2$",
    "<": "$<$",
    ">": "$>$",
    "|": "$|$",
}
_TEX_PATTERN = re.compile("|".join(re.escape(symbol) for symbol in _TEX_SYMBOLS) + r"|[\\_%&#]")


def escape(text: object) -> str:
    """Plain text with the symbols above typeset and LaTeX's special characters escaped."""
    escape = {"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#"}
    return _TEX_PATTERN.sub(lambda match: _TEX_SYMBOLS.get(match.group(0)) or escape[match.group(0)], str(text))


# Half LaTeX's column gap, for the tables whose columns multiply with the config (models, texts,
# dictionaries) or hold long words: the table floats set it locally, so the text keeps its own.
NARROW_COLUMNS = r"\setlength{\tabcolsep}{3pt}"


def tabular(columns: str, header: str, rows: list[str]) -> str:
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


def frame_tabular(frame: pd.DataFrame, columns: list[tuple[str, str, object]]) -> str:
    """A tabular of a frame, one body line per row, from (alignment, header, row -> text) triples."""
    rows = [" & ".join(str(cell(row)) for _, _, cell in columns) for row in frame.itertuples()]
    return tabular("".join(align for align, _, _ in columns), " & ".join(head for _, head, _ in columns), rows)


_LOG_PROBLEMS = re.compile(
    r"^(Overfull \\[hv]box .*|.*(?:Reference|Citation) `[^']*' .*undefined.*|"
    r"LaTeX Warning: There were undefined (?:references|citations)\.)$",
    re.M,
)


def log_problems(log: str) -> list[str]:
    """The lines of a LaTeX log that a reader would see in the PDF: boxes running into the margin
    (Overfull), and references or citations printed as "??"."""
    return _LOG_PROBLEMS.findall(log)
