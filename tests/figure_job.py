"""Helper for the figure tests: run workflow/scripts/figure.py as the figure rule's job would, outside Snakemake."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

from snakemake.iocontainers import Namedlist

from superscale.figures.registry import FIGURES

REPO = Path(__file__).resolve().parents[1]


def run_figure_script(figure: str, files: dict[str, str], settings: dict, workdir: Path) -> Path:
    """Draw a registered figure from `files` (the stage's named inputs) with the stage's `settings`; the
    PDF, whose path is returned, and the log go into workdir."""
    smk = SimpleNamespace(
        input=Namedlist(fromdict=files | {"style": str(REPO / "workflow/matplotlibrc")}),
        output=SimpleNamespace(pdf=str(workdir / f"{figure}.pdf")),
        params=SimpleNamespace(draw=FIGURES[figure].draw, settings=settings),
        wildcards=SimpleNamespace(figure=figure),
        log=[str(workdir / f"{figure}.log")],
    )
    runpy.run_path(str(REPO / "workflow/scripts/figure.py"), init_globals={"snakemake": smk})
    return workdir / f"{figure}.pdf"
