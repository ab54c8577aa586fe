"""Fixtures shared by the integration modules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from workflow_copy import copy_workflow


@pytest.fixture(scope="session")
def tiny_tree(tmp_path_factory) -> Path:
    """The whole workflow built once on tests/config/tiny.yaml (two minutes here), for every module
    that reads a built tree. Tests read it; a test that edits or grows it works on a copy."""
    workdir = copy_workflow(tmp_path_factory.mktemp("workflow"))
    result = subprocess.run(
        ["snakemake", "--cores", "2", "--configfile", "tiny.yaml"], cwd=workdir, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise AssertionError(f"the tiny build failed:\n{result.stdout}\n{result.stderr}")
    return workdir
