"""Weights from the Hugging Face hub: the shard index, then only the shard that holds the head.

Files land in the usual Hugging Face cache (HF_HOME), so `hf download` done beforehand on a machine
with the hub, and a copied cache, work offline. Whether the hub answers is asked once, with a short
timeout (or not at all under HF_HUB_OFFLINE=1); without it the files are looked up in the cache
only, since huggingface_hub would spend ~25 s retrying each file first. Without the hub and without
the files cached, the error names the model and the command that pre-fetches them.
"""

from __future__ import annotations

import json
from pathlib import Path

from superscale.llm.weights import WeightError

INDEXES = {"model.safetensors.index.json": "safetensors", "pytorch_model.bin.index.json": "bin"}
SINGLES = {"model.safetensors": "safetensors", "pytorch_model.bin": "bin"}
PROBE_TIMEOUT = 10  # seconds


def hub_reachable(endpoint: str | None) -> bool:
    """Whether the hub answers one request (any HTTP status); False under HF_HUB_OFFLINE."""
    from huggingface_hub import constants, get_session

    if constants.HF_HUB_OFFLINE:
        return False
    try:
        get_session().head(endpoint or constants.ENDPOINT, timeout=PROBE_TIMEOUT)
    except Exception:  # no DNS, connection refused, timeout, proxy error: no hub from here
        return False
    return True


def _offline_error(name: str, repo: str, reason: str) -> WeightError:
    return WeightError(
        f"model {name} ({repo}): the Hugging Face hub cannot be reached and the head shard is not in the local "
        f"Hugging Face cache ({reason}). Pre-fetch it where the hub is reachable, e.g. "
        f"`hf download {repo} --include '*.json' '<the shard named in its index that holds the head>'` "
        f"(or the whole snapshot), then copy the Hugging Face cache here; or point the model at a local copy "
        f"with source {{kind: local, path: ...}} in config llm.extra_models."
    )


def fetch(name: str, entry: dict, cache_dir: Path, endpoint: str | None = None, hf_cache: str | None = None) -> dict:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError, RemoteEntryNotFoundError

    repo = entry["hf_id"]
    revision = entry["source"].get("revision")
    online = hub_reachable(endpoint)
    # a file the repository does not have: the hub's 404, or offline, a file the cache lacks
    missing = RemoteEntryNotFoundError if online else LocalEntryNotFoundError

    def download(filename: str) -> str:
        return hf_hub_download(
            repo, filename, revision=revision, endpoint=endpoint, cache_dir=hf_cache, local_files_only=not online
        )

    try:
        for index, fmt in INDEXES.items():
            try:
                weight_map = json.loads(Path(download(index)).read_text())["weight_map"]
            except missing:
                continue
            shard = next((weight_map[t] for t in entry["head"] if t in weight_map), None)
            if shard is None:
                raise WeightError(f"model {name} ({repo}): its {index} maps none of the head tensors {entry['head']}")
            return _manifest(repo, revision, shard, download(shard), fmt)
        for single, fmt in SINGLES.items():
            try:
                return _manifest(repo, revision, single, download(single), fmt)
            except missing:
                continue
    except WeightError:
        raise
    except Exception as error:  # connection refused, offline mode, timeouts, gated repos, ...
        raise _offline_error(name, repo, f"{type(error).__name__}: {error}") from error
    if not online:
        raise _offline_error(name, repo, f"none of {sorted(INDEXES) + sorted(SINGLES)} is cached")
    raise WeightError(f"model {name} ({repo}): the hub repository has no {sorted(INDEXES) + sorted(SINGLES)}")


def _manifest(repo: str, revision: str | None, filename: str, path: str, fmt: str) -> dict:
    return {
        "head_file": path,
        "head_ref": f"{repo}@{revision or 'main'}/{filename}",
        "head_format": fmt,
        "model_dir": repo,
        "gguf_file": None,
    }
