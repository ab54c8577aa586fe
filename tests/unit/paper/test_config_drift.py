"""No setting-dependent string is typed by hand: the paper's settings text (methods section,
settings macros, figure legends that name a setting) rendered from two configs that differ in the
settings a reader checks (decay length, fit window, grid, step counts) carries each config's own
values and none of the other's.

Rendering the generators on the configs alone takes a second; a workflow-level variant would
retrain every toy whose settings differ (minutes), for the same strings.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from superscale.core.configfiles import load_yaml
from superscale.figures.scaling import shape_labels
from superscale.paper.latex import latex_macros
from superscale.paper.methods import deviations_paragraph, toy_paragraph
from superscale.toy.summary import FIT_WINDOWS, large_settings, small_settings

REPO = Path(__file__).resolve().parents[3]

# The variant's values are chosen to occur nowhere else in the texts (nor in config/paper.yaml).
VARIANT = {
    ("toy_large", "exponential_scale"): 33,
    ("toy_large", "fit_window"): "all",
    ("toy_large", "m"): [5, 7, 11, 13, 17],
    ("toy_large", "steps"): 437,
    ("toy_large", "n"): 97,
    ("toy_small", "steps"): 53,
    ("toy_small", "m"): [5, 7, 11],
    ("toy_small", "n"): 71,
}


def _variant(config: dict) -> dict:
    changed = copy.deepcopy(config)
    for (section, key), value in VARIANT.items():
        changed[section][key] = value
    return changed


def rendered(config: dict) -> str:
    """Every text the pipeline writes from the settings alone, as the paper receives it."""
    paper = load_yaml(REPO / "config/paper.yaml")
    metrics = pd.DataFrame({"gamma": [-1.0, 1.0], "alpha": [1.0, 1.0], "ambiguity": [0.1, 0.2]})
    macros = small_settings(config["toy_small"], metrics) | large_settings(config["toy_large"])
    return "\n".join(
        [
            toy_paragraph(config),
            deviations_paragraph(config, paper, {}),
            latex_macros(macros),
            *shape_labels(config["toy_large"]).values(),
        ]
    )


def setting_strings(config: dict) -> dict[str, str]:
    """How the text writes each varied setting (the reader's view of it)."""
    small, large = config["toy_small"], config["toy_large"]
    return {
        "decay length": f"decay length {large['exponential_scale']:g}",
        "decay in the legend": f"e^{{-i/{large['exponential_scale']:g}}}",
        "fit window": FIT_WINDOWS[large["fit_window"]],
        "large widths": ", ".join(str(m) for m in large["m"]),
        "large steps": f"{large['steps']} Adam steps",
        "large n": f"$n={large['n']}$",
        "small widths": ", ".join(str(m) for m in small["m"]),
        "small steps": f"{small['steps']} Adam steps",
        "small n": f"$n={small['n']}$",
    }


@pytest.fixture(scope="module")
def configs() -> dict[str, dict]:
    tiny = load_yaml(REPO / "tests/config/tiny.yaml")
    return {"tiny": tiny, "variant": _variant(tiny)}


def test_each_config_s_settings_appear_in_its_own_text_only(configs):
    texts = {name: rendered(config) for name, config in configs.items()}
    for name, other in (("tiny", "variant"), ("variant", "tiny")):
        for setting, string in setting_strings(configs[name]).items():
            assert string in texts[name], f"{setting} of the {name} config ({string!r}) is missing from its text"
            assert string not in texts[other], f"{setting} of the {name} config ({string!r}) drifts into the {other}'s"


def test_the_two_configs_differ_in_every_checked_setting(configs):
    """A guard on the test itself: a setting both configs share could not show drift."""
    ours, theirs = (setting_strings(config) for config in configs.values())
    assert all(ours[key] != theirs[key] for key in ours)


def test_the_hand_written_tex_types_no_setting(configs):
    """main.tex and its sections quote the settings through macros only: none of the strings the
    default or the tiny config would give a setting is typed there."""
    static = "\n".join(
        path.read_text() for path in [REPO / "paper/main.tex", *sorted(REPO.glob("paper/sections/*.tex"))]
    )
    for name, config in (configs | {"default": load_yaml(REPO / "config/config.yaml")}).items():
        for setting, string in setting_strings(config).items():
            assert string not in static, f"{setting} of the {name} config ({string!r}) is typed in the paper's tex"
