"""Reading config files strictly, and the checks of a config that its schema cannot express.

PyYAML keeps the last of two equal keys without a word, and its syntax errors (through
Snakemake) name neither the file nor the line; `load_yaml` names both. The schema's `number`
admits `.nan` and `.inf`, and it cannot compare two keys (warm-up against training steps) or
require the names in a list of objects to differ; `check_config` does, naming each key.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml


class ConfigError(ValueError):
    """A config file that cannot be read as written, or a value the run cannot use."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key given twice."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConfigError(
                    f"line {key_node.start_mark.line + 1}: key {key!r} given twice (first at line {seen[key]}); "
                    "YAML would silently keep the last one, so delete one of them"
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_mapping)


def load_yaml(path: str | Path):
    """The document of a YAML file; a syntax error or a duplicated key names the file and line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_StrictLoader)
    except ConfigError as error:
        raise ConfigError(f"{path}, {error}") from None
    except yaml.MarkedYAMLError as error:
        mark, context = error.problem_mark or error.context_mark, error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        if context is not None and mark is not None and context.line != mark.line:
            where += f" ({error.context} at line {context.line + 1})"
        raise ConfigError(
            f"{path}, {where}: not valid YAML ({error.problem or error.context}); "
            "check the indentation (spaces, not tabs) and the brackets and quotes there"
        ) from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error})") from None


def nonfinite_keys(value, key: str = "") -> list[str]:
    """Dotted keys (list items as [i]) of every NaN or infinite number inside `value`."""
    if isinstance(value, float):
        return [] if math.isfinite(value) else [key]
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in nonfinite_keys(v, f"{key}.{k}" if key else str(k))]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in nonfinite_keys(v, f"{key}[{i}]")]
    return []


def _duplicates(names: list[str]) -> list[str]:
    return sorted({name for name in names if names.count(name) > 1})


def check_config(config: dict) -> None:
    """What the schema cannot say: finite numbers, names unique within their list, and warm-ups
    shorter than the training they start (a warm-up as long as training leaves no decay, and the
    schedule then silently drops it)."""
    if bad := nonfinite_keys(config):
        raise ConfigError(f"config {', '.join(bad)}: not a finite number; every number of the config must be finite")
    lists = {"llm.datasets": config["llm"]["datasets"], "features.texts": config["features"]["texts"]}
    for key, entries in lists.items():
        if twice := _duplicates([entry["name"] for entry in entries]):
            raise ConfigError(
                f"config {key}: the name(s) {', '.join(twice)} are given to more than one entry; "
                "names become file names and table keys, so each must be unique"
            )
    small, shapes, toy, large = config["toy_small"], config["shapes"], config["features"]["toy"], config["toy_large"]
    warmups = [
        ("toy_small.warmup_steps", small["warmup_steps"], "toy_small.steps", small["steps"]),
        (
            "toy_large.warmup_fraction x steps",
            round(large["warmup_fraction"] * large["steps"]),
            "toy_large.steps",
            large["steps"],
        ),
        ("shapes.warmup_steps", shapes["warmup_steps"], "shapes.steps", shapes["steps"]),
        ("shapes.warmup_steps", shapes["warmup_steps"], "shapes.ladder.steps", shapes["ladder"]["steps"]),
        ("features.toy.warmup_steps", toy.get("warmup_steps", 0), "features.toy.steps", toy["steps"]),
    ]
    for warmup_key, warmup, steps_key, steps in warmups:
        if warmup >= steps:
            raise ConfigError(
                f"config {warmup_key} = {warmup} is not below {steps_key} = {steps}: the warm-up must be "
                "shorter than the training it starts"
            )
