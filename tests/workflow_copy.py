"""Helpers for the integration tests: a private copy of the workflow, and dry-run job counts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tiny_llm import write_tiny_models

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_PARTS = ["Snakefile", "rules", "workflow", "src", "config", "data", "envs", "paper", "profiles"]


def copy_workflow(workdir: Path) -> Path:
    """Copy the workflow's sources (not its outputs) and the tiny config (as tiny.yaml) into workdir,
    committed to a fresh git repository."""
    for part in WORKFLOW_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(
                source, workdir / part, ignore=shutil.ignore_patterns("generated", "main.pdf", "__pycache__")
            )
        else:
            shutil.copy(source, workdir / part)
    shutil.copy(REPO / "tests/config/tiny.yaml", workdir / "tiny.yaml")
    write_tiny_models(workdir / "tiny_models")  # the LLM stage's models in tiny.yaml
    (workdir / ".gitignore").write_text((REPO / ".gitignore").read_text())
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(git + command, cwd=workdir, check=True)  # provenance records this commit
    return workdir


def planned_jobs(output: str) -> dict[str, int]:
    """Rule -> job count from the job-stats table of a dry run."""
    table = output.split("Job stats:")[-1]
    return {rule: int(count) for rule, count in re.findall(r"^(\w+)\s+(\d+)\s*$", table, re.M) if rule != "total"}
