"""A figure rule's inputs reach its drawing as one object: each file read on first use by its kind."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from superscale.figures.stage import StageInputs, drawing


def test_inputs_are_read_by_kind_on_first_use_and_a_list_by_path(tmp_path):
    pd.DataFrame({"x": [1, 2]}).to_csv(tmp_path / "a.csv", index=False)
    (tmp_path / "b.json").write_text(json.dumps({"k": 1}))
    (tmp_path / "c.csv").write_text("# Hoffmann et al. Table A9\nparams_million\n44\n")
    files = [str(tmp_path / name) for name in ("a.csv", "c.csv")]
    data = StageInputs({"table": files[0], "record": str(tmp_path / "b.json"), "many": files,
                        "chinchilla": files[1], "absent": str(tmp_path / "absent.csv")})  # fmt: skip
    assert list(data.table.x) == [1, 2] and data.record == {"k": 1}
    assert list(data.many) == files and list(data.chinchilla.params_million) == [44]
    assert data.table is data.table  # read once


def test_an_input_the_rule_does_not_give_names_where_to_add_it():
    with pytest.raises(AttributeError, match="rules/helpers/figures.smk"):
        StageInputs({"metrics": "metrics.csv"}).norms


def test_a_drawing_is_found_by_module_and_function():
    assert drawing("superscale.figures.toy:draw_fig03").__name__ == "draw_fig03"
