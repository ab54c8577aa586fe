"""What made each pipeline output: rule, script, code version, params, inputs, machine and time.

Two records are joined per output. Snakemake's metadata (`.snakemake/metadata/`, one JSON file per
output, name = urlsafe base64 of the path) holds the rule, its script or shell command, the input
list, the log, start and end times and the SHA-256 of every input of at most 1 MB as it was when the
job ran. The header `job_header` writes as the first line of every script's log (superscale.provenance.runlog)
adds what Snakemake does not keep: named params and wildcards, the git commit and whether the tree
had uncommitted changes, package versions and the machine. Benchmark files follow the log's path
(<logs>/X.log -> <results>/benchmarks/X.tsv, superscale.core.roots), a convention every rule keeps.
"""

from __future__ import annotations

import base64
import csv
import datetime
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

from superscale.core.roots import DEFAULT_ROOTS, benchmark_of
from superscale.paper.latex import escape
from superscale.provenance.code import code_fingerprint
from superscale.provenance.header import git, read_header

# The metadata layout is Snakemake's own, undocumented; no public interface gives a job's input
# checksums and script. It is read as the tested release writes it, and only under that release.
TESTED_SNAKEMAKE = "9.27"


def check_snakemake(version: str | None = None) -> None:
    """Fail clearly where the installed Snakemake is not the release the reader was tested with."""
    version = version or importlib.metadata.version("snakemake")
    if version.split(".")[:2] != TESTED_SNAKEMAKE.split("."):
        raise RuntimeError(
            f"superscale reads Snakemake's records as Snakemake {TESTED_SNAKEMAKE}.x writes them, but "
            f"Snakemake {version} is installed: install the pinned release (envs/requirements.txt)"
        )


def metadata(workdir: str | Path, path: str) -> dict | None:
    """Snakemake's record of the job that made `path` (its file persistence layout), or None."""
    root = Path(workdir) / ".snakemake" / "metadata"
    key = base64.urlsafe_b64encode(path.encode()).decode()
    limit = os.pathconf(root, "PC_NAME_MAX") if root.exists() else 255
    parts = [key[i : i + limit - 1] for i in range(0, len(key), limit - 1)]
    record = root.joinpath(*["@" + part for part in parts[:-1]], parts[-1])
    if not record.is_file():
        return None
    record_json = json.loads(record.read_text())
    return None if record_json.get("incomplete") else record_json


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _script(code: str | None, shellcmd: str | None) -> str | None:
    """The script path from a script rule's recorded code ('"../workflow/scripts/x.py"', relative to
    rules/); None for shell rules."""
    if shellcmd is not None or not code:
        return None
    return os.path.normpath(os.path.join("rules", code.strip().strip("'\"")))


def _benchmark(workdir: Path, log: str | None, roots: dict[str, str]) -> dict | None:
    name = benchmark_of(log, roots)
    path = workdir / name if name else None
    if path is None or not path.is_file():
        return None
    with open(path) as handle:
        row = list(csv.DictReader(handle, delimiter="\t"))[-1]
    rss = row.get("max_rss", "NA")
    return {
        "file": str(path.relative_to(workdir)),
        "wall_s": float(row["s"]),
        "max_rss_mb": None if rss in ("NA", "-", "") else float(rss),
    }


def _time(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return datetime.datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds")


def _code_changed(workdir: Path, script: str | None, code: str | None, params) -> bool | None:
    """Whether the step's code means something else now (None where the step recorded no fingerprint).
    A figure's step names its drawing (param `draw`, "module:function"), which its script imports by
    that name: the module is part of the step's code."""
    if not code or not script:
        return None
    modules = [params["draw"].partition(":")[0]] if isinstance(params, dict) and "draw" in params else []
    return not (workdir / script).is_file() or code != code_fingerprint(workdir / script, workdir / "src", modules)


def record(workdir: str | Path, path: str, roots: dict[str, str] = DEFAULT_ROOTS) -> dict | None:
    """Everything known about how `path` was made; None for a file no rule made (a source file)."""
    workdir = Path(workdir)
    meta = metadata(workdir, path)
    if meta is None:
        return None
    log = (meta.get("log") or [None])[0]
    header = read_header(workdir / log) if log else None
    benchmark = _benchmark(workdir, log, roots)
    recorded = {name: value.split(":", 1)[-1] for name, value in (meta.get("input_checksums") or {}).items()}
    inputs = {}
    for name in meta.get("input") or []:
        file = workdir / name
        current = sha256(file) if file.is_file() else None
        inputs[name] = {
            "sha256": current,
            "made_by_rule": metadata(workdir, name) is not None,
            "changed_since": current != recorded[name] if name in recorded else None,
        }
    started, ended = meta.get("starttime"), meta.get("endtime")
    params = dict(header["params"]) if header else meta.get("params")
    code = params.pop("code", None) if isinstance(params, dict) else None
    script = _script(meta.get("code"), meta.get("shellcmd"))
    return {
        "rule": meta.get("rule"),
        "script": script,
        "shell": meta.get("shellcmd"),
        "sha256": sha256(workdir / path) if (workdir / path).is_file() else None,
        "log": log,
        "started": _time(started),
        "finished": _time(ended),
        "wall_s": benchmark["wall_s"] if benchmark else (ended - started if started and ended else None),
        "max_rss_mb": benchmark["max_rss_mb"] if benchmark else None,
        "benchmark": benchmark["file"] if benchmark else None,
        "params": params,
        "code": code,
        "code_changed_since": _code_changed(workdir, script, code, params),
        "wildcards": header["wildcards"] if header else None,
        "threads": header["threads"] if header else None,
        "commit": header["commit"] if header else None,
        "dirty": header["dirty"] if header else None,
        "machine": {key: header[key] for key in ("host", "cpu", "cpu_count", "gpus")} if header else None,
        "python": header["python"] if header else None,
        "packages": header["packages"] if header else None,
        "inputs": inputs,
    }


def chain(workdir: str | Path, targets: list[str], roots: dict[str, str] = DEFAULT_ROOTS) -> dict[str, dict]:
    """The records of `targets` and of every output upstream of them, keyed by path; source files
    (configs, data, the figure style) appear only as inputs, with their SHA-256."""
    check_snakemake()
    records: dict[str, dict] = {}
    pending = list(targets)
    while pending:
        path = pending.pop()
        if path in records:
            continue
        found = record(workdir, path, roots)
        if found is None:
            continue
        records[path] = found
        pending += [name for name, info in found["inputs"].items() if info["made_by_rule"]]
    return dict(sorted(records.items()))


def repository_url(workdir: str | Path = ".") -> str | None:
    """The web address of the origin remote (GitHub/GitLab style), for links to files at a commit."""
    remote = git(Path(workdir), "remote", "get-url", "origin")
    if not remote:
        return None
    remote = remote.strip().removesuffix(".git")
    if remote.startswith("git@") and ":" in remote:
        host, path = remote[len("git@") :].split(":", 1)
        remote = f"https://{host}/{path}"
    return remote if remote.startswith("https://") else None


def source_line(step: dict, config_sha256: str, url: str | None) -> str:
    """'Made by <script> (rule r) at commit c, config h.' for a figure's caption, linked where the
    repository has a web address."""
    made_by = step["script"] or "a shell command"
    shown = rf"\texttt{{{escape(made_by)}}}"
    if url and step["commit"] and step["script"]:
        shown = rf"\href{{{url}/blob/{step['commit']}/{step['script']}}}{{{shown}}}"
    if step["commit"]:
        code = rf"commit \texttt{{{step['commit'][:10]}}}" + (" with uncommitted changes" if step["dirty"] else "")
    else:
        code = "code outside git"
    return (
        rf"Made by {shown} (rule \texttt{{{escape(step['rule'])}}}) at {code}, "
        rf"config \texttt{{{config_sha256[:12]}}}."
    )


def machines(records: dict[str, dict]) -> list[str]:
    """The distinct machines that ran the recorded jobs, as 'CPU (cores)[, GPUs]'."""
    seen = []
    for step in records.values():
        machine = step["machine"]
        if machine is None:
            continue
        text = f"{machine['cpu']} ({machine['cpu_count']} cores)" + (
            ", " + ", ".join(machine["gpus"]) if machine["gpus"] else ", no GPU"
        )
        if text not in seen:
            seen.append(text)
    return seen
