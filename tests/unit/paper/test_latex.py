"""LaTeX from the pipeline: macros that say a missing number in words, and the log's problems that
show in the PDF (overfull boxes and undefined references)."""

from __future__ import annotations

import math

import pytest

from superscale.paper.latex import latex_macros, log_problems

LOG = r"""
(./generated/llm.tex)
Overfull \hbox (56.1234pt too wide) in paragraph at lines 250--260
[]\OT1/cmr/m/n/10 text
Underfull \hbox (badness 10000) in paragraph at lines 3--4
LaTeX Warning: Reference `fig:nothing' on page 3 undefined on input line 12.
LaTeX Warning: Citation `liu2025' on page 1 undefined on input line 40.
LaTeX Warning: There were undefined references.
Package hyperref Info: Link coloring OFF on input line 10.
"""


def test_log_problems_finds_overfull_boxes_and_undefined_references():
    problems = log_problems(LOG)
    assert problems[0].startswith("Overfull \\hbox (56.1234pt too wide)")
    assert any("fig:nothing" in p for p in problems) and any("liu2025" in p for p in problems)
    assert "LaTeX Warning: There were undefined references." in problems
    assert len(problems) == 4  # underfull boxes and info lines do not show


def test_clean_log_has_no_problems():
    assert log_problems("(./main.aux)\nOutput written on main.pdf (30 pages).\n") == []


def test_macros_need_letter_names_and_say_nan_in_words():
    assert r"\newcommand{\Foo}{\text{undetermined}}" in latex_macros({"Foo": math.nan})
    with pytest.raises(ValueError, match="letters only"):
        latex_macros({"Foo1": 1.0})
