"""The generated methods section: settings from the config, deviations from the paper's."""

from __future__ import annotations

import yaml
from workflow_copy import REPO

from superscale.paper.methods import deviations, deviations_paragraph, toy_paragraph


def configs() -> tuple[dict, dict]:
    return (yaml.safe_load((REPO / f"config/{name}.yaml").read_text()) for name in ("config", "paper"))


def test_deviations_list_changed_science_settings_only():
    default, paper = configs()
    changed = {key: (ours, theirs) for key, ours, theirs in deviations(default, paper)}
    assert changed["toy_large.n"] == (default["toy_large"]["n"], 10240)
    assert len(changed["toy_small.gamma"][1]) == 10  # the paper's linspace, expanded to its values
    assert not any(key.endswith(("threads", "cache_dir", "log_every")) for key in changed)
    assert deviations(paper, paper) == []
    assert "None: this run used the paper's settings" in deviations_paragraph(paper, paper, {})


def test_deviation_paragraph_names_quantised_models_and_absent_keys():
    default, paper = configs()
    del default["toy_large"]["power_exponent"]
    models = {"smollm2-135m": {"source": {"kind": "pypi_gguf"}}}
    text = deviations_paragraph(default, paper, models)
    assert r"\texttt{toy\_large.power\_exponent}: absent (paper: 1.2)" in text
    assert "1 of the 1 language models are quantised GGUF" in text


def test_toy_paragraph_counts_the_models_trained():
    default, _ = configs()
    text = toy_paragraph(default)
    small = len(default["toy_small"]["m"]) * len(default["toy_small"]["gamma"]) * len(default["toy_small"]["alpha"])
    assert f"{small} models in" in text
    assert f"$n={default['toy_large']['n']}$" in text
