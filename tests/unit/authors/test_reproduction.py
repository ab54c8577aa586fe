"""The reproduction report: where our values come from, and the verdict rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml
from workflow_copy import REPO

from superscale.authors import reproduction as rp


def fits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "distribution": ["power", "power", "linear"],
            "gamma": [-1.0, 0.1, -1.0],
            "alpha_m": [1.0, 0.3, 0.8],
            "alpha_m_se": [0.05, 0.02, 0.1],
            "r2": [0.99, 0.9, 0.95],
            "seeds": [1, 1, 3],
            "alpha_m_seed_std": [math.nan, math.nan, 0.07],
        }
    )


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


@pytest.mark.parametrize(
    "paper, value, sigma, expected",
    [
        ({"value": 1.0, "sigma": 0.1}, 1.15, 0.05, "agrees"),  # 0.15 / 0.112 = 1.3 sigma
        ({"value": 1.0, "sigma": 0.05}, 1.3, 0.05, "disagrees"),  # 4.2 sigma
        ({"value": 1.9, "tolerance": 0.4}, 1.32, 0.18, "agrees"),  # 0.18 beyond the tolerance = 1 sigma
        ({"value": 1.9, "tolerance": 0.4}, 1.0, 0.1, "disagrees"),  # 0.5 beyond = 5 sigma
        ({"value": 0.98, "tolerance": 0.01}, 0.975, math.nan, "agrees"),
        ({"value": 0.98, "tolerance": 0.01}, 0.9, math.nan, "disagrees"),
        ({"value": 2.5}, 1.9, math.nan, "undetermined"),  # no uncertainty on either side
    ],
)
def test_verdicts(paper, value, sigma, expected):
    assert rp.verdict(paper, value, sigma, "", 2.0)[2] == expected


def figure_values() -> pd.DataFrame:
    """A digitised 3 x 2 heatmap (gamma -1, 0, 1 x alpha 1, 2) as data/authors_figures.csv holds it."""
    cells = [(-1.0, 1.0, 1.2), (-1.0, 2.0, 1.5), (0.0, 1.0, 0.6), (0.0, 2.0, 0.9), (1.0, 1.0, 0.1), (1.0, 2.0, 0.2)]
    rows = [
        {
            "figure": "Fig-4-3",
            "panel": "b",
            "quantity": "alpha_m",
            "gamma": g,
            "alpha": a,
            "m": math.nan,
            "value": v,
            "reading_error": 0.05,
        }
        for g, a, v in cells
    ]
    rows.append(
        {
            "figure": "Fig-4-3",
            "panel": "a",
            "quantity": "r2",
            "gamma": math.nan,
            "alpha": math.nan,
            "m": math.nan,
            "regime": "strong",
            "distribution": "power",
            "value": 0.965,
            "reading_error": 0.003,
        }
    )
    return pd.DataFrame(rows)


def small_fits() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gamma": [-1.0, -1.0, 0.9],
            "alpha": [1.0, 2.0, 1.0],
            "alpha_m": [1.25, 1.1, 0.15],
            "alpha_m_se": [0.05, 0.05, 0.05],
            "r2": [0.99] * 3,
            "seeds": [1] * 3,
            "alpha_m_seed_std": [math.nan] * 3,
        }
    )


SETTINGS = {"small": {"toy_small": ["n", "batch_size"]}, "large": {"toy_large": ["n", "m"]}}
PAPER_CONFIG = {"toy_small": {"n": 1000, "batch_size": 2048}, "toy_large": {"n": 10240, "m": [8, 16, 32, 64, 128]}}
CLAIMS = {
    "flat": {"text": "α_m ≈ 1", "low": 0.8, "high": 1.2, "where": {"gamma": [-1.0, -0.001], "alpha": [0.0, 1.25]}},
    "skewed": {
        "text": "α_m 1.5-2.3",
        "low": 1.5,
        "high": 2.3,
        "where": {"gamma": [-1.0, -0.001], "alpha": [1.75, 2.0]},
    },
    "power_law": {"text": "R² ≥ 0.95", "low": 0.95, "high": 1.0},
}


def published() -> dict:
    return {
        "agreement_sigma": 2,
        "settings": SETTINGS,
        "claims": CLAIMS,
        "quantities": [
            {
                "id": "strong_power_rsq",
                "quantity": "R²",
                "setting": "large",
                "claim": "power_law",
                "paper": {
                    "digitised": {
                        "figure": "Fig-4-3",
                        "panel": "a",
                        "quantity": "r2",
                        "where": {"regime": "strong", "distribution": "power"},
                    },
                    "source": "Fig. 9a",
                },
                "ours": {"table": "toy_large", "where": {"distribution": "power", "gamma": "min"}, "column": "r2"},
            },
            {
                "id": "strong_linear",
                "quantity": "α_m",
                "setting": "large",
                "paper": {"value": 0.89, "sigma": 0.05, "source": "Fig. 1d"},
                "ours": {"table": "toy_large", "where": {"distribution": "linear", "gamma": "min"}},
            },
        ],
        "cells": [
            {
                "id": "small_alpha_m",
                "quantity": "α_m",
                "keys": ["gamma", "alpha"],
                "ours": {"table": "toy_small"},
                "paper": {"figure": "Fig-4-3", "panel": "b", "quantity": "alpha_m", "source": "Fig. 9b"},
                "setting": "small",
                "claims": ["flat", "skewed"],
            }
        ],
        "summaries": [
            {
                "id": "strong_mean",
                "quantity": "mean",
                "of": "small_alpha_m",
                "source": "Fig. 9b",
                "where": {"gamma": [-1.0, -0.001]},
                "claim": "flat",
            }
        ],
    }


def sources(small_batch: int, large_n: int) -> rp.Sources:
    config = {
        "toy_small": {"n": 1000, "batch_size": small_batch},
        "toy_large": {"n": large_n, "m": [8, 16, 32, 64, 128]},
    }
    return rp.Sources(
        {"toy_large": fits(), "toy_small": small_fits()},
        pd.DataFrame(),
        {},
        pd.DataFrame(),
        figure_values(),
        config,
        PAPER_CONFIG,
    )


def test_same_setting_is_judged_against_the_same_cell_of_the_figure():
    table = rp.compare(published(), sources(2048, 10240), "c").set_index(["id", "gamma", "alpha"], drop=False)
    assert table.setting_matches.all() and (table.judged_against[table.kind != "summary"] == "paper value").all()
    # our gamma = 0.9 cell sits nearest the figure's gamma = 1 column, and the row says so
    weak = table.loc[("small_alpha_m", 0.9, 1.0)]
    assert weak.paper_value == 0.1 and weak.paper_point == "nearest grid point: gamma = 1"
    strong = table.loc[("small_alpha_m", -1.0, 1.0)]
    assert strong.paper_value == 1.2 and strong.paper_point == "same cell" and strong.verdict == "agrees"
    skewed = table.loc[("small_alpha_m", -1.0, 2.0)]  # 1.1 against the cell's 1.5 +- 0.05: disagrees
    assert skewed.verdict == "disagrees" and skewed.difference_in_sigma == pytest.approx(0.4 / math.hypot(0.05, 0.05))
    rsq = table[table.id == "strong_power_rsq"].iloc[0]
    assert (rsq.paper_value, rsq.paper_sigma) == (0.965, 0.003)


def test_summaries_average_the_same_cells_on_both_sides():
    table = rp.compare(published(), sources(2048, 10240), "c")
    summary = table[table.kind == "summary"].iloc[0]
    assert summary.ours_value == pytest.approx((1.25 + 1.1) / 2) and summary.paper_value == pytest.approx(
        (1.2 + 1.5) / 2
    )
    assert summary.ours_sigma == pytest.approx(math.sqrt(2 * 0.05**2) / 2)


def test_a_different_setting_is_judged_against_the_claim_or_not_at_all():
    table = rp.compare(published(), sources(256, 2048), "c").set_index(["id", "gamma", "alpha"], drop=False)
    assert not table.setting_matches.any()
    cell = table.loc[("small_alpha_m", -1.0, 1.0)]
    assert cell.setting == "differs: batch_size = 256 (paper 2048)"
    # 1.25 +- 0.05 lies 1 sigma above the claimed 0.8-1.2: agrees with the claim
    assert cell.judged_against == "claim: α_m ≈ 1" and cell.verdict == "agrees with claim"
    assert cell.difference_in_sigma == pytest.approx(1.0)
    assert cell.ours_value == 1.25 and cell.paper_value == 1.2  # the figure's cell is still shown
    skewed = table.loc[("small_alpha_m", -1.0, 2.0)]
    assert skewed.verdict == "disagrees with claim" and skewed.difference == pytest.approx(0.4)
    assert table.loc[("small_alpha_m", 0.9, 1.0)].verdict == "not comparable"  # no claim covers it here
    large = table[table.id == "strong_linear"].iloc[0]
    assert large.setting.startswith("differs: n = 2048 (paper 10240)") and large.verdict == "not comparable"
    rsq = table[table.id == "strong_power_rsq"].iloc[0]
    assert rsq.judged_against == "claim: R² ≥ 0.95" and rsq.verdict == "agrees with claim"


@pytest.mark.parametrize(
    "value, sigma, expected",
    [
        (1.0, 0.1, "agrees with claim"),
        (1.3, 0.1, "agrees with claim"),
        (1.5, 0.1, "disagrees with claim"),
        (0.7, math.nan, "disagrees with claim"),
        (math.nan, 0.1, "not measured"),
    ],
)
def test_claim_verdicts(value, sigma, expected):
    assert rp.claim_verdict({"low": 0.8, "high": 1.2}, value, sigma, "", 2.0)[2] == expected


def test_setting_differences_expand_grids_and_name_each_key():
    paper = {"toy_small": {"gamma": {"start": -1, "stop": 1, "num": 3}, "n": 1000, "m": [10, 15, 25, 39, 63, 100]}}
    same = {"toy_small": {"gamma": [-1.0, 0.0, 1.0], "n": 1000, "m": [10, 15, 25, 39, 63, 100]}}
    assert rp.setting_differences({"toy_small": ["gamma", "n", "m"]}, same, paper) == []
    other = {"toy_small": {"gamma": [-1.0, 1.0], "n": 1000, "m": [10, 15, 25, 39, 63, 100, 150]}}
    assert rp.setting_differences({"toy_small": ["gamma", "n", "m"]}, other, paper) == [
        "gamma = -1, 1 (paper -1, 0, 1)",
        "m = 10–150 (7 values) (paper 10–100 (6 values))",
    ]


def test_a_cell_far_from_every_grid_point_is_not_measured():
    row, note = rp.match_cell(
        figure_values()[figure_values().panel == "b"], {"gamma": 2.0, "alpha": 1.0}, ["gamma", "alpha"]
    )
    assert row is None and "no gamma near 2" in note


def test_unmeasured_and_undetermined_are_never_agreement():
    llm = {"joint": {"alpha_m": 0.83, "alpha_m_se": math.nan, "identifiable": False}}
    source = rp.Sources({"toy_large": fits()}, pd.DataFrame(), llm, pd.DataFrame())
    spec = {
        "agreement_sigma": 2,
        "quantities": [
            {
                "id": "exp",
                "quantity": "q",
                "paper": {"value": 1.01, "sigma": 0.05, "source": "Fig. 1d"},
                "ours": {"table": "toy_large", "where": {"distribution": "exponential"}},
            },
            {
                "id": "llm",
                "quantity": "q",
                "paper": {"value": 0.91, "sigma": 0.04, "source": "Fig. 6b"},
                "ours": {"llm": "joint.alpha_m", "llm_se": "joint.alpha_m_se", "require": "joint.identifiable"},
            },
        ],
    }
    table = rp.compare(spec, source, "tiny.yaml")
    assert list(table.verdict) == ["not measured", "undetermined"]
    macros = rp.counts_macros(table, 2)
    assert macros["ReproValuePaperAgree"] == 0 and macros["ReproNotMeasured"] == 1 and macros["ReproUndetermined"] == 1
    assert rp.paper_macros(table) == {"PaperExp": r"1.01\pm0.05", "PaperLlm": r"0.91\pm0.04"}
    with pytest.raises(ValueError, match="lowercase"):
        rp.compare({"agreement_sigma": 2, "quantities": [spec["quantities"][0] | {"id": "r2"}]}, source, "")


def test_published_yaml_is_well_formed_and_resolves():
    """Every setting key is written out in config/paper.yaml, every claim and digitised value a row
    names exists, and every cell block finds its figure in data/authors_figures.csv."""
    spec = yaml.safe_load((REPO / "config/published.yaml").read_text())
    paper = yaml.safe_load((REPO / "config/paper.yaml").read_text())
    digitised = pd.read_csv(REPO / "data/authors_figures.csv")
    assert spec["agreement_sigma"] > 0
    for name, sections in spec["settings"].items():
        for section, keys in sections.items():
            assert set(keys) <= paper[section].keys(), (name, section, set(keys) - paper[section].keys())
    for claim in spec["claims"].values():
        assert claim["low"] < claim["high"] and claim["text"]
    for entry in spec["quantities"]:
        assert entry.get("setting") in spec["settings"], entry["id"]
        assert entry.get("claim") is None or entry["claim"] in spec["claims"], entry["id"]
        assert len({"table", "summary", "llm", "zipf"} & entry["ours"].keys()) == 1, entry["id"]
        source = rp.Sources({}, pd.DataFrame(), {}, pd.DataFrame(), digitised)
        assert math.isfinite(rp._paper_value(entry["paper"], source)["value"]), entry["id"]
    for entry in spec["cells"]:
        assert len(rp.figure_rows(digitised, entry["paper"])) > 1, entry["id"]
        assert all(name in spec["claims"] for name in entry.get("claims", [])), entry["id"]
    assert {entry["of"] for entry in spec["summaries"]} <= {entry["id"] for entry in spec["cells"]}


def test_latex_tables_typeset_the_symbols():
    row = {
        "id": "a",
        "kind": "value",
        "quantity": "α_m at γ < 0, φ_1/2 & 5%",
        "paper_value": 1.0,
        "paper_sigma": None,
        "paper_tolerance": 0.1,
        "paper_source": "Fig. 3b",
        "paper_point": "",
        "setting_matches": True,
        "setting": "paper's",
        "ours_value": 1.02,
        "ours_sigma": 0.01,
        "ours_note": "",
        "difference": 0.02,
        "difference_in_sigma": 0.0,
        "verdict": "agrees",
        "config": "c",
    }
    tex = rp.latex_tables(pd.DataFrame([row], columns=rp.COLUMNS))["ReproTable"]
    assert r"$\alpha_m$ at $\gamma$ $<$ 0, $\phi_{1/2}$ \& 5\%" in tex
    assert "α" not in tex and r"$\approx$1" in tex


def test_neighbour_trend_is_the_plane_through_the_neighbours_and_their_scatter():
    """On a plane the trend at a cell is the plane's value whatever the cell holds, with no scatter;
    noise on the neighbours shows as scatter; a corner has 8 neighbours, a 2 x 2 grid too few."""
    grid = [(g, a) for g in range(5) for a in range(5)]
    plane = lambda g, a: 1.0 + 0.1 * g + 0.2 * a  # noqa: E731
    figure = pd.DataFrame(
        {
            "gamma": [-1 + 0.5 * g for g, _ in grid],
            "alpha": [0.25 * a for _, a in grid],
            "value": [plane(*c) for c in grid],
        }
    )
    figure.loc[12, "value"] = 9.0  # the centre (2, 2): its own value must not count
    trend, scatter, count = rp.neighbour_trend(figure, figure.loc[12], ["gamma", "alpha"])
    assert trend == pytest.approx(plane(2, 2)) and scatter == pytest.approx(0.0, abs=1e-12) and count == 24
    assert rp.neighbour_trend(figure, figure.loc[0], ["gamma", "alpha"])[2] == 8
    noisy = figure.copy()
    noisy["value"] += [0.1 if (g + a) % 2 else -0.1 for g, a in grid]
    assert 0.05 < rp.neighbour_trend(noisy, noisy.loc[12], ["gamma", "alpha"])[1] < 0.2
    corner = figure[(figure.gamma <= -0.5) & (figure.alpha <= 0.25)]
    assert math.isnan(rp.neighbour_trend(corner, corner.iloc[0], ["gamma", "alpha"])[1])


PUBLISHED = yaml.safe_load((REPO / "config/published.yaml").read_text())
PAPER = yaml.safe_load((REPO / "config/paper.yaml").read_text())
DIGITISED = pd.read_csv(REPO / "data/authors_figures.csv")


def paper_setting_cell(alpha_m: float, phi_half: list[float]) -> rp.Sources:
    """One cell (gamma = -1, alpha = 1) of a run in config/paper.yaml's small-toy setting, as its
    fits and metrics tables would hold it."""
    config = {section: PAPER[section] for section in ("toy_small", "toy_esweep", "toy_fig18", "toy_large")}
    config["toy_small"] = PAPER["toy_small"] | {"gamma": [-1.0], "alpha": [1.0]}
    fits = pd.DataFrame(
        {"gamma": [-1.0], "alpha": [1.0], "alpha_m": [alpha_m], "alpha_m_se": [0.03], "r2": [0.99], "seeds": [1]}
    )
    widths = PAPER["toy_small"]["m"]
    metrics = pd.DataFrame({"gamma": -1.0, "alpha": 1.0, "n": 1000, "m": widths, "phi_half": phi_half})
    return rp.Sources({"toy_small": fits}, metrics, {}, pd.DataFrame(), DIGITISED, config, PAPER)


def test_a_cell_in_the_papers_setting_is_judged_against_the_digitised_cell():
    """The paper's small-toy setting: every small-toy cell row says so and is judged against the
    authors' digitised cell with its reading error; the abstract's counts take them."""
    cell = DIGITISED[(DIGITISED.figure == "Fig-4-3") & (DIGITISED.panel == "b")]
    cell = cell[(cell.gamma == -1) & (cell.alpha == 1)].iloc[0]
    close, far = cell.value + 0.05, cell.value + 0.4
    for ours, word in ((close, "agrees"), (far, "disagrees")):
        table = pd.DataFrame(rp.cell_rows(PUBLISHED, paper_setting_cell(ours, [1.0] * 6), "paper.yaml"))
        small = table[table.id.str.startswith("small_")]
        assert len(small) == 1 + 6 + 1  # alpha_m, phi_1/2 at each width, phi_1/2 at m = 39
        assert small.setting_matches.all() and (small.setting == "paper's").all()
        assert (small.judged_against == "paper value").all()
        row = small[small.id == "small_alpha_m"].iloc[0]
        assert (row.paper_value, row.paper_sigma, row.paper_point) == (cell.value, cell.reading_error, "same cell")
        assert row.difference_in_sigma == pytest.approx(abs(ours - cell.value) / math.hypot(cell.reading_error, 0.03))
        assert row.verdict == word
        assert math.isfinite(row.paper_neighbour_trend) and row.paper_neighbour_scatter > 0
        macros = rp.counts_macros(table.reindex(columns=rp.COLUMNS), 2)
        assert macros["ReproCellPaperTotal"] == 8 and macros["ReproCellClaimTotal"] == 0
        assert macros["ReproCellPaperDisagree"] == (word == "disagrees")
    paragraph = rp.neighbour_paragraph(table.reindex(columns=rp.COLUMNS), PUBLISHED)
    assert r"$\gamma$ = -1, $\alpha$ = 1: their cell" in paragraph and "scatter" in paragraph


def test_default_small_toys_are_in_the_papers_setting_and_its_sweeps_say_where_not():
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    settings = PUBLISHED["settings"]
    assert rp.setting_differences(settings["small_toys"], default, PAPER) == []
    for name in ("esweep", "wide_toys"):
        assert "batch_size = 256 (paper 2048)" in rp.setting_differences(settings[name], default, PAPER)


def claim_row(value: float, sigma: float) -> dict:
    """A row of a run in a different setting, judged against the claim 0.8 <= alpha_m <= 1.2."""
    published = {"agreement_sigma": 2.0}
    claim = {"low": 0.8, "high": 1.2, "text": "alpha_m in [0.8, 1.2]"}
    judged = rp._judge(published, False, {"value": 1.0, "sigma": 0.05}, claim, value, sigma, "")
    return {
        "id": "a",
        "kind": "value",
        "quantity": "alpha_m",
        "paper_value": 1.0,
        "paper_sigma": 0.05,
        "paper_source": "Fig. 9b",
        "paper_point": "",
        "setting_matches": False,
        "setting": "differs",
        "ours_value": value,
        "ours_sigma": sigma,
        "ours_note": "",
        "config": "c",
    } | judged


@pytest.mark.parametrize(
    "value, sigma, expected",
    [
        (1.0, math.nan, "inside the claim interval"),  # was "0.0": read as 'no difference'
        (1.0, 0.1, "inside the claim interval"),
        (1.34, math.nan, "0.14 outside"),  # was "inf"
        (1.34, 0.07, "0.14 outside (2.0σ)"),
    ],
)
def test_claim_rows_say_in_words_where_ours_lies_against_the_interval(value, sigma, expected):
    table = pd.DataFrame([claim_row(value, sigma)], columns=rp.COLUMNS)
    assert rp._distance(table.iloc[0]) == expected
    tex, text = rp.latex_tables(table)["ReproTable"], rp.markdown(table)
    assert rp.escape(expected) in tex and expected in text
    assert "inf" not in tex.replace("interval", "") and "| 0.0 |" not in text
