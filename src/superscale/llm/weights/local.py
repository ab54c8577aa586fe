"""Weights from a local path: a snapshot directory, a .safetensors or .bin file, or a .gguf file.

A local model can change in place, unlike a pinned download, so its files are hashed: the fetch
records each file's size and SHA-256 in the manifest (where every reader checks them again), and
`fingerprint` gives their hashes when the workflow is parsed, a params value of rule llm_fetch, so
that a changed file fetches the model again and reruns everything made from it. The parse-time
hashes are kept in the cache, keyed by each file's size and mtime, so a model is hashed again only
when a file was written, not at every `snakemake` call.
"""

from __future__ import annotations

import json
import os
import tempfile
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


def _located(name: str, entry: dict) -> tuple[Path, Path, str]:
    """(the configured path resolved, the head file, its format)."""
    path = Path(entry["source"]["path"]).expanduser().resolve()
    if not path.exists():
        raise WeightError(
            f"model {name}: local source {path} does not exist (a snapshot directory, .safetensors, .bin or .gguf file)"
        )
    head_file = _head_file_in(name, path, entry["head"]) if path.is_dir() else path
    fmt = FORMATS.get(head_file.suffix)
    if fmt is None:
        raise WeightError(f"model {name}: {head_file} is not a .gguf, .safetensors or .bin file")
    return path, head_file, fmt


def model_files(path: Path, head_file: Path, fmt: str) -> list[Path]:
    """The files a model is read from: a GGUF alone, else every visible top-level file of its
    snapshot directory (weights, config, tokenizer). Subdirectories are left out: the converted
    GGUF tokenizer kept beside a GGUF is one, written after the fetch."""
    if fmt == "gguf" or not path.is_dir():
        return [head_file]
    return sorted(file for file in path.iterdir() if file.is_file() and not file.name.startswith("."))


def fingerprint(entry: dict, cache_dir: str | Path) -> dict[str, str] | None:
    """SHA-256 of each file of a local model (None for other sources, or where the path is missing:
    the fetch then says what is wrong). Hashes are reused while a file's size and mtime hold."""
    if entry["source"]["kind"] != "local":
        return None
    try:
        path, head_file, fmt = _located("", entry)
    except WeightError:
        return None
    store = Path(cache_dir).expanduser() / "local-sha256.json"
    known = json.loads(store.read_text()) if store.is_file() else {}
    hashes, changed = {}, False
    for file in model_files(path, head_file, fmt):
        stat = file.stat()
        key = str(file)
        if known.get(key, {}).get("stat") != [stat.st_size, stat.st_mtime_ns]:
            known[key] = {"stat": [stat.st_size, stat.st_mtime_ns], "sha256": sha256_of(file)}
            changed = True
        hashes[file.name] = known[key]["sha256"]
    if changed:
        store.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=store.parent, delete=False, suffix=".partial") as out:
            json.dump(known, out, indent=0, sort_keys=True)
        os.replace(out.name, store)
    return hashes


def fetch(name: str, entry: dict, cache_dir: Path) -> dict:
    configured = entry["source"]["path"]
    path, head_file, fmt = _located(name, entry)
    files = {
        str(file): {"size": file.stat().st_size, "sha256": sha256_of(file)}
        for file in model_files(path, head_file, fmt)
    }
    expected = entry["source"].get("sha256")
    if expected and files[str(head_file)]["sha256"] != expected:
        raise WeightError(
            f"model {name}: {head_file} has sha256 {files[str(head_file)]['sha256']}, the registry expects {expected}"
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
        "sha256": files[str(head_file)]["sha256"],
        "size": files[str(head_file)]["size"],
        "files": files,
    }
