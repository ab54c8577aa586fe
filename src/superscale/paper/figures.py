"""The figures the paper places itself: every registered figure that paper/main.tex (or a file it
inputs) does not include by hand gets a float of its own in generated/figures.tex, with the registry's
caption and its source line, so that a figure declared once in superscale.figures.registry appears in
the paper."""

from __future__ import annotations

import re
from pathlib import Path

from superscale.paper.latex import escape

INCLUDED = re.compile(r"\\includegraphics\s*(?:\[[^\]]*\])?\s*\{([^}]+)\}")
INPUT = re.compile(r"\\input\s*\{([^}]+)\}")
COMMENT = re.compile(r"(?<!\\)%.*")


def placed_by_hand(main: str | Path) -> set[str]:
    """The figures (file stems) that `main` and the paper's own files it inputs include; the generated
    ones (generated/...) are not the paper's text and are not followed."""
    main = Path(main)
    placed: set[str] = set()
    todo, seen = [main], set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        text = COMMENT.sub("", path.read_text())
        placed.update(Path(name).stem for name in INCLUDED.findall(text))
        for name in INPUT.findall(text):
            if not name.startswith("generated/"):
                todo.append(main.parent / (name if name.endswith(".tex") else f"{name}.tex"))
    return placed


def placement(captions: dict[str, str]) -> str:
    """generated/figures.tex: a section with one float per figure (id -> caption, plain text), or none."""
    if not captions:
        return "% Every registered figure is placed by paper/main.tex.\n"
    lines = [r"\section{Further figures}"]
    for figure, caption in captions.items():
        lines += [
            r"\begin{figure}[htbp]",
            r"  \centering",
            rf"  \includegraphics[width=\textwidth,height=0.5\textheight,keepaspectratio]{{{figure}.pdf}}",
            rf"  \caption{{{escape(caption)}}}",
            rf"  \figsource{{{figure}}}",
            r"\end{figure}",
        ]
    return "\n".join(lines) + "\n"
