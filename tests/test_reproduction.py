"""The reproduction report: where our values come from, and the verdict rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from superscale import reproduction as rp
from workflow_copy import REPO


def fits() -> pd.DataFrame:
    return pd.DataFrame({
        "distribution": ["power", "power", "linear"], "gamma": [-1.0, 0.1, -1.0], "alpha_m": [1.0, 0.3, 0.8],
        "alpha_m_se": [0.05, 0.02, 0.1], "r2": [0.99, 0.9, 0.95], "seeds": [1, 1, 3], "alpha_m_seed_std": [math.nan, math.nan, 0.07],
    })


def test_filters_select_values_ranges_and_extremes():
    table = fits()
    assert rp._from_table(table, {"table": "t", "where": {"distribution": "power", "gamma": "min"}})[:2] == (1.0, 0.05)
    assert rp._from_table(table, {"table": "t", "where": {"gamma": [0.0, 1.0]}, "column": "r2"})[0] == 0.9
    value, sigma, note = rp._from_table(table, {"table": "t", "where": {"distribution": "linear"}})
    assert (value, sigma) == (0.8, 0.07) and "3 seeds" in note  # the spread over seeds, not the SE
    value, sigma, note = rp._from_table(table, {"table": "t", "where": {"gamma": -1.0}})
    assert value == pytest.approx(0.9) and sigma == pytest.approx(0.1414, abs=1e-3) and "2 cells" in note
    value, _, note = rp._from_table(table, {"table": "t", "where": {"distribution": "exponential"}})
    assert math.isnan(value) and note.startswith("not measured")
    with pytest.raises(KeyError, match="alpha"):
        rp._from_table(table, {"table": "t", "where": {"alpha": 1.0}})


@pytest.mark.parametrize("paper, value, sigma, expected", [
    ({"value": 1.0, "sigma": 0.1}, 1.15, 0.05, "agrees"),        # 0.15 / 0.112 = 1.3 sigma
    ({"value": 1.0, "sigma": 0.05}, 1.3, 0.05, "disagrees"),     # 4.2 sigma
    ({"value": 1.9, "tolerance": 0.4}, 1.32, 0.18, "agrees"),    # 0.18 beyond the tolerance = 1 sigma
    ({"value": 1.9, "tolerance": 0.4}, 1.0, 0.1, "disagrees"),   # 0.5 beyond = 5 sigma
    ({"value": 0.98, "tolerance": 0.01}, 0.975, math.nan, "agrees"),
    ({"value": 0.98, "tolerance": 0.01}, 0.9, math.nan, "disagrees"),
    ({"value": 2.5}, 1.9, math.nan, "undetermined"),              # no uncertainty on either side
])
def test_verdicts(paper, value, sigma, expected):
    assert rp.verdict(paper, value, sigma, "", 2.0)[2] == expected


def test_unmeasured_and_undetermined_are_never_agreement():
    sources = rp.Sources({"toy_large": fits()}, pd.DataFrame(), {"joint": {"alpha_m": 0.83, "alpha_m_se": math.nan,
                                                                            "identifiable": False}}, pd.DataFrame())
    published = {"agreement_sigma": 2, "quantities": [
        {"id": "exp", "quantity": "q", "paper": {"value": 1.01, "sigma": 0.05, "source": "Fig. 1d"},
         "ours": {"table": "toy_large", "where": {"distribution": "exponential"}}},
        {"id": "llm", "quantity": "q", "paper": {"value": 0.91, "sigma": 0.04, "source": "Fig. 6b"},
         "ours": {"llm": "joint.alpha_m", "llm_se": "joint.alpha_m_se", "require": "joint.identifiable"}},
    ]}
    table = rp.compare(published, sources, "tiny.yaml")
    assert list(table.verdict) == ["not measured", "undetermined"]
    assert rp.counts_macros(table, 2)["ReproAgree"] == 0
    assert rp.paper_macros(table) == {"PaperExp": r"1.01\pm0.05", "PaperLlm": r"0.91\pm0.04"}
    with pytest.raises(ValueError, match="lowercase"):
        rp.compare({"agreement_sigma": 2, "quantities": [published["quantities"][0] | {"id": "r2"}]}, sources, "")


def test_published_values_are_well_formed():
    published = yaml.safe_load((REPO / "config/published.yaml").read_text())
    assert published["agreement_sigma"] > 0
    for entry in published["quantities"]:
        paper = entry["paper"]
        assert paper["source"] and isinstance(paper["value"], (int, float)), entry["id"]
        assert paper.get("sigma") is None or paper["sigma"] > 0, entry["id"]
        assert len({"table", "summary", "llm", "zipf"} & entry["ours"].keys()) == 1, entry["id"]


def test_latex_table_typesets_the_symbols():
    table = pd.DataFrame([{"id": "a", "quantity": "α_m at γ < 0, φ_1/2 & 5%", "paper_value": 1.0, "paper_sigma": None,
                           "paper_tolerance": 0.1, "paper_source": "Fig. 3b", "ours_value": 1.02, "ours_sigma": 0.01,
                           "ours_note": "", "difference": 0.02, "difference_in_sigma": 0.0, "verdict": "agrees",
                           "config": "c"}])
    tex = rp.latex_table(table)
    assert r"$\alpha_m$ at $\gamma$ $<$ 0, $\phi_{1/2}$ \& 5\%" in tex
    assert "α" not in tex and r"$\approx$1" in tex
