"""Where a config's outputs go, so that two configs never write (or invalidate) each other's files.

Every rule writes under four roots, Snakemake path variables (`<results>/...` in the rules): the
results (tables, figures, benchmarks), the logs, the resources (model manifests) and the paper's
generated text and PDF. The default config keeps the repository's own folders; another config
names its own under `pathvars` (config/study.yaml: results/study, ...), so a run of one config
plans nothing of the other's and finds its own outputs as it left them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

DEFAULT_ROOTS = {"results": "results", "logs": "logs", "resources": "resources", "paper": "paper"}
_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")


def output_roots(config: dict) -> dict[str, str]:
    """The config's roots (its `pathvars` over the defaults), each checked: a relative path inside
    the workflow directory of plain names, since it becomes part of every output path."""
    given = config.get("pathvars") or {}
    unknown = sorted(set(given) - set(DEFAULT_ROOTS))
    if unknown:
        raise ValueError(f"config pathvars: unknown root(s) {unknown}; the roots are {sorted(DEFAULT_ROOTS)}")
    roots = {**DEFAULT_ROOTS, **given}
    for name, root in roots.items():
        if not isinstance(root, str) or not _SAFE.fullmatch(root) or ".." in root.split("/"):
            raise ValueError(
                f"config pathvars.{name}: {root!r} is not a relative folder of plain names (letters, digits, "
                "'_', '.', '-', separated by '/'); write e.g. 'results/study'"
            )
    if len(set(roots.values())) < len(roots):
        raise ValueError(f"config pathvars: two roots share a folder ({roots}); give each its own")
    return roots


def benchmark_of(log: str | None, roots: dict[str, str]) -> str | None:
    """The benchmark file every rule keeps beside its log: <logs>/X.log -> <results>/benchmarks/X.tsv."""
    prefix = roots["logs"] + "/"
    if not log or not log.startswith(prefix):
        return None
    return f"{roots['results']}/benchmarks/{os.path.splitext(log[len(prefix) :])[0]}.tsv"


def recorded_run(path: str, workdir: str | Path = ".") -> dict:
    """What the run that made `path` recorded of itself (config files, roots) in the provenance.json
    of the nearest folder above it (its results root; a paper root inside it finds it too), or of
    the default results root; {} where there is none."""
    folder = os.path.dirname(os.path.normpath(path))
    candidates = []
    while folder:
        candidates.append(os.path.join(folder, "provenance.json"))
        folder = os.path.dirname(folder)
    candidates.append(f"{DEFAULT_ROOTS['results']}/provenance.json")
    for candidate in candidates:
        file = Path(workdir) / candidate
        if file.is_file():
            return json.loads(file.read_text())["run"]
    return {}
