"""The first line of every job's log: what Snakemake does not keep about a job (named inputs, outputs,
params and wildcards, the code fingerprint among them, the git commit and dirty flag, package versions and the
machine). Kept small, because every script imports it through superscale.provenance.runlog."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

HEADER = "# superscale job "


PACKAGES = [
    "snakemake",
    "torch",
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "pyarrow",
    "transformers",
    "tokenizers",
    "gguf",
    "safetensors",
    "huggingface_hub",
    "superscale",
]


def git(workdir: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(workdir), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def code_version(workdir: str | Path = ".") -> dict:
    """The commit checked out in workdir and whether tracked files differ from it (None outside git)."""
    commit = git(Path(workdir), "rev-parse", "HEAD")
    status = git(Path(workdir), "status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit.strip() if commit else None, "dirty": None if status is None else bool(status.strip())}


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpus() -> list[str]:
    """GPU names: from torch when the job has loaded it, else nvidia-smi where installed."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=30
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return []
        return [line.strip() for line in out.splitlines() if line.strip()]
    return []


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment() -> dict:
    """The machine and software a job runs on."""
    return {
        "host": platform.node(),
        "cpu": _cpu(),
        "cpu_count": os.cpu_count(),
        "gpus": _gpus(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _named(values) -> dict:
    """Snakemake's named lists, or the plain namespaces a script is run with for debugging."""
    return dict(values.items()) if hasattr(values, "items") else dict(vars(values))


def _files(values) -> dict:
    """A job's files by position and by name, enough to run its script again (superscale rerun)."""
    names = _named(values)
    return {"files": list(values) if isinstance(values, list) else list(names.values()), "names": names}


def job_header(smk) -> dict:
    """What a script's log records about its job before the job starts its work."""
    return {
        "rule": getattr(smk, "rule", None),
        "input": _files(smk.input) if hasattr(smk, "input") else None,
        "output": _files(smk.output) if hasattr(smk, "output") else None,
        "wildcards": _named(smk.wildcards) if hasattr(smk, "wildcards") else {},
        "params": _named(smk.params) if hasattr(smk, "params") else {},
        "threads": getattr(smk, "threads", 1),
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        **code_version(),
        **environment(),
    }


def read_header(log: str | Path) -> dict | None:
    """The job header at the top of a log, or None (shell rules, or a log from before headers)."""
    try:
        with open(log) as handle:
            first = handle.readline()
    except OSError:
        return None
    return json.loads(first[len(HEADER) :]) if first.startswith(HEADER) else None
