"""What a figure rule hands the drawing of one registered figure: the stage's inputs, each read on first
use (a drawing reads only the files it draws from), and the drawing itself, named "module:function" in
superscale.figures.registry and imported only here, in the figure's job."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

READERS: dict[str, Callable[[str], object]] = {
    ".csv": pd.read_csv,
    ".parquet": pd.read_parquet,
    ".json": lambda path: json.loads(Path(path).read_text()),
}
# Inputs read otherwise than their suffix says: Hoffmann et al.'s table carries its source in comments.
NAMED_READERS: dict[str, Callable[[str], object]] = {"chinchilla": lambda path: pd.read_csv(path, comment="#")}


class StageInputs:
    """The rule's named inputs as attributes: a file's table or record, and for a name with several files
    a dict path -> table or record."""

    def __init__(self, files: Mapping[str, str | list[str]]):
        self._files = dict(files)
        self._read: dict[str, object] = {}

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._read:
            if name not in self._files:
                raise AttributeError(
                    f"the figure rule gives no input {name!r} (it gives {', '.join(self._files)}): add it to the "
                    "stage's inputs in rules/helpers/figures.smk, or to the figure's extra_inputs in the registry"
                )
            files = self._files[name]
            self._read[name] = (
                self._load(name, files) if isinstance(files, str) else {path: self._load(name, path) for path in files}
            )
        return self._read[name]

    @staticmethod
    def _load(name: str, path: str):
        return NAMED_READERS.get(name, READERS[Path(path).suffix])(path)


def drawing(name: str) -> Callable[[StageInputs, dict], object]:
    """The function a registry entry names as "module:function"."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)
