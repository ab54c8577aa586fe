"""The figure registry is the one list of figure ids: every figure script draws exactly the ids of the
rules that run it, and every rule's report caption has a text for each of its figures."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from superscale.figures.registry import FIGURES

REPO = Path(__file__).resolve().parents[3]


def rule_scripts() -> dict[str, str]:
    """Rule name -> the script it runs, for every rule with a script."""
    rules = "".join(path.read_text() for path in (REPO / "rules").glob("*.smk"))
    scripts = {}
    for block in re.split(r"^rule ", rules, flags=re.M)[1:]:
        script = re.search(r'script:\n\s+"\.\./workflow/scripts/(\w+\.py)"', block)
        if script:
            scripts[block.split(":", 1)[0]] = script[1]
    return scripts


def dispatched(script: str) -> set[str]:
    """The string keys of the script's dispatch dict (figure id -> drawing)."""
    tree = ast.parse((REPO / "workflow/scripts" / script).read_text())
    return {
        key.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def test_scripts_draw_exactly_the_registered_figures():
    scripts = rule_scripts()
    by_script: dict[str, set[str]] = {}
    for rule, figures in FIGURES.items():
        by_script.setdefault(scripts[rule], set()).update(figures)
    for script, figures in by_script.items():
        if len(figures) == 1 and not dispatched(script):
            continue  # a one-figure rule draws it without a dispatch; its output path names it
        assert dispatched(script) == figures, script


def test_every_figure_has_a_caption():
    for rule, figures in FIGURES.items():
        caption = (REPO / "workflow/report" / f"{rule}.rst").read_text()
        for figure in figures:
            assert f'"{figure}"' in caption or len(figures) == 1, (rule, figure)
