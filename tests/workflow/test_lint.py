"""Style and workflow hygiene as checks: ruff (lint and format), snakemake --lint, snakefmt."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SNAKEFILES = ["Snakefile", *sorted(str(path.relative_to(REPO)) for path in (REPO / "rules").rglob("*.smk"))]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


@pytest.mark.parametrize("command", [("ruff", "check", "."), ("ruff", "format", "--check", ".")], ids=" ".join)
def test_ruff(command):
    result = run(*command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakefmt():
    result = run("snakefmt", "--check", *SNAKEFILES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakemake_lint():
    result = run("snakemake", "--lint", "--configfile", "tests/config/tiny.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
