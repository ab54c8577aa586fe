"""Weights from a local path: a snapshot directory, a .safetensors or .bin file, or a .gguf file."""

from __future__ import annotations

import json
from pathlib import Path

from superscale.llm.weights import WeightError
from superscale.llm.weights.pypi_gguf import sha256_of

FORMATS = {".gguf": "gguf", ".safetensors": "safetensors", ".bin": "bin", ".pt": "bin", ".pth": "bin"}


def _head_file_in(name: str, directory: Path, head: list[str]) -> Path:
    for index in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        if (directory / index).is_file():
            weight_map = json.loads((directory / index).read_text())["weight_map"]
            shard = next((weight_map[t] for t in head if t in weight_map), None)
            if shard is None:
                raise WeightError(f"model {name}: {directory / index} maps none of the head tensors {head}")
            return directory / shard
    for single in ("model.safetensors", "pytorch_model.bin"):
        if (directory / single).is_file():
            return directory / single
    ggufs = sorted(directory.glob("*.gguf"))
    if len(ggufs) == 1:
        return ggufs[0]
    raise WeightError(
        f"model {name}: snapshot directory {directory} has no model.safetensors(.index.json), "
        f"pytorch_model.bin(.index.json) or single .gguf file"
    )


def fetch(name: str, entry: dict, cache_dir: Path) -> dict:
    configured = entry["source"]["path"]
    path = Path(configured).expanduser().resolve()
    if not path.exists():
        raise WeightError(
            f"model {name}: local source {path} does not exist (a snapshot directory, .safetensors, .bin or .gguf file)"
        )
    head_file = _head_file_in(name, path, entry["head"]) if path.is_dir() else path
    fmt = FORMATS.get(head_file.suffix)
    if fmt is None:
        raise WeightError(f"model {name}: {head_file} is not a .gguf, .safetensors or .bin file")
    expected = entry["source"].get("sha256")
    if expected and sha256_of(head_file) != expected:
        raise WeightError(
            f"model {name}: {head_file} has sha256 {sha256_of(head_file)}, the registry expects {expected}"
        )
    model_dir = path if path.is_dir() else path.parent
    gguf_file = head_file.name if fmt == "gguf" else None
    if fmt != "gguf" and not (model_dir / "config.json").is_file():
        model_dir = None  # a bare weights file: the head can be analysed, a forward pass cannot
    head_ref = str(Path(configured) / head_file.relative_to(path)) if path.is_dir() else configured
    return {
        "head_file": str(head_file),
        "head_ref": head_ref,
        "head_format": fmt,
        "model_dir": None if model_dir is None else str(model_dir),
        "gguf_file": gguf_file,
        "sha256": expected,
    }
