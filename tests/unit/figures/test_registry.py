"""The figure registry declares each figure once: its stage, a drawing that exists and takes the stage's
inputs and settings, and a caption for every config; reading it (as the workflow does when parsed)
imports no plotting or training library."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from superscale.figures.registry import FIGURES, STAGES, caption, drawing_module, stage_figures
from superscale.figures.stage import drawing

REPO = Path(__file__).resolve().parents[3]
CONFIGS = {name: yaml.safe_load((REPO / path).read_text()) for name, path in
           {"default": "config/config.yaml", "paper": "config/paper.yaml", "tiny": "tests/config/tiny.yaml"}.items()}  # fmt: skip


def test_reading_the_registry_imports_no_heavy_library():
    code = (
        "import sys, superscale.figures.registry; "
        "print(sorted({'matplotlib', 'torch', 'pandas', 'numpy'} & {name.split('.')[0] for name in sys.modules}))"
    )
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", FIGURES)
def test_every_drawing_exists_in_its_module_and_takes_inputs_and_settings(name):
    draw = drawing(FIGURES[name].draw)
    assert draw.__module__ == drawing_module(name)
    assert list(inspect.signature(draw).parameters) == ["data", "settings"]


def test_the_stages_partition_the_registry():
    staged = [name for stage in STAGES for name in stage_figures(stage)]
    assert sorted(staged) == sorted(FIGURES) and all(stage_figures(stage) for stage in STAGES)


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_every_caption_is_plain_text_for_every_config(config):
    """A caption is one paragraph of plain text (the report prints it as reStructuredText, the paper
    escapes it for LaTeX), whether fixed or made from the config."""
    for name in FIGURES:
        text = caption(name, CONFIGS[config])
        assert text.endswith(".") and "\n" not in text and "{{" not in text and "\\" not in text, name


def test_a_caption_names_the_settings_of_its_config():
    config = CONFIGS["tiny"]
    assert f"(n = {config['toy_large']['n']})" in caption("fig01b", config)
    paper = {"toy_large": {**config["toy_large"], "fit_window": "paper"}}
    every = {"toy_large": {**config["toy_large"], "fit_window": "all"}}
    assert "paper's windows" in caption("fig01d", paper) and "over every width" in caption("fig01d", every)
