"""Two configs in one tree: each writes under its own roots, so switching between them reruns nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.integration

STUDY_ROOTS = {
    "results": "results/study",
    "logs": "logs/study",
    "resources": "resources/study",
    "paper": "results/study/paper",
}


def snakemake(workdir: Path, configfile: str, *args: str) -> str:
    result = subprocess.run(
        ["snakemake", *args, "--cores", "2", "--configfile", configfile], cwd=workdir, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


@pytest.fixture
def two_configs(tiny_tree, tmp_path) -> Path:
    """A copy of the built tiny tree with a second config: the tiny one with other steps and its own roots."""
    workdir = Path(shutil.copytree(tiny_tree, tmp_path / "copy", symlinks=True))
    study = yaml.safe_load((workdir / "tiny.yaml").read_text())
    study["pathvars"] = STUDY_ROOTS
    study["toy_small"]["steps"] += 20
    (workdir / "study.yaml").write_text(yaml.safe_dump(study, sort_keys=False))
    return workdir


def test_second_config_plans_only_under_its_roots_and_leaves_the_first_up_to_date(two_configs):
    summary = snakemake(two_configs, "study.yaml", "--summary").splitlines()
    outputs = [line.split("\t")[0] for line in summary if "\t" in line and not line.startswith("output_file")]
    assert outputs and all(path.startswith(tuple(root + "/" for root in STUDY_ROOTS.values())) for path in outputs)

    # train and fit the other config's small toys and fetch its models (what a shared path would clobber)
    snakemake(two_configs, "study.yaml", "results/study/fits/toy_small.csv", "results/study/llm/heads.csv")
    assert (two_configs / "results/study/fits/toy_small.csv").is_file()
    assert (two_configs / "resources/study/llm/tiny-8.json").is_file()
    assert "Nothing to be done" in snakemake(two_configs, "tiny.yaml", "--dry-run")


def test_paper_names_the_config_that_made_it(tiny_tree):
    first_page = subprocess.run(
        ["pdftotext", "-l", "1", "paper/main.pdf", "-"], cwd=tiny_tree, capture_output=True, text=True, check=True
    ).stdout
    assert "tiny.yaml" in first_page
