"""Fixtures shared by the integration modules."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock
from workflow_copy import copy_workflow


@pytest.fixture(scope="session")
def tiny_tree(tmp_path_factory, worker_id) -> Path:
    """The whole workflow built once on tests/config/tiny.yaml, for every module that reads a built
    tree. Under pytest-xdist the first worker to ask builds it where every worker of the session
    finds it, and the others wait for it (a lock), so it is built once, not once per worker. Tests
    read it; a test that edits or grows it works on a copy."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    workdir, built = shared / "tiny-tree", shared / "tiny-tree.built"
    with FileLock(f"{workdir}.lock"):
        if not built.exists():
            shutil.rmtree(workdir, ignore_errors=True)  # a build that failed in another worker
            workdir.mkdir()
            copy_workflow(workdir)
            result = subprocess.run(
                ["snakemake", "--cores", "2", "--configfile", "tiny.yaml"],
                cwd=workdir,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise AssertionError(f"the tiny build failed:\n{result.stdout}\n{result.stderr}")
            built.touch()
    return workdir
