"""SLURM: the tiny config through Snakemake's SLURM executor on a real one-node cluster.

tests/slurm/cluster.sh stands the cluster up on this machine (Debian's slurmctld, slurmd and munge;
`.ci/run` installs them through envs/setup.sh). Without sbatch, the plugin, or a cluster that
starts, the tests skip and say why. The cluster has no accounting database, so the plugin polls
squeue for job states (`--slurm-status-command squeue`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from workflow_copy import REPO, copy_workflow, planned_jobs

CLUSTER = REPO / "tests/slurm/cluster.sh"
# Two cells of the small grid of tests/config/tiny.yaml (one cell per job on CPU): two training jobs
# in flight at once, then their metrics jobs. Every SLURM job costs seconds of submission and polling
# here, so the rest of the tables stays out of this test (the local build makes them all).
CELLS = ["g-1.0000_a1.0000_s0", "g+0.5000_a1.5000_s0"]
TARGETS = [f"results/toy/small/cells/{cell}.csv" for cell in CELLS]
TRAINING_JOBS = len(CELLS)
# On this one-node test cluster: poll squeue, early and often; outputs appear at once.
SLURM_ARGS = [
    "--executor",
    "slurm",
    "--profile",
    "profiles/slurm",
    "--slurm-status-command",
    "squeue",
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--latency-wait",
    "5",
]

pytestmark = [pytest.mark.integration, pytest.mark.slurm]


def cluster(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CLUSTER), command], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def slurm():
    if shutil.which("sbatch") is None:
        pytest.skip("SLURM is not installed (no sbatch): run `bash tests/slurm/cluster.sh install` as root")
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.skip("snakemake-executor-plugin-slurm is not installed (envs/requirements.txt)")
    was_up = cluster("status").returncode == 0
    if not was_up:
        started = cluster("start")
        if started.returncode != 0:
            cluster("stop")
            pytest.skip(f"the one-node SLURM cluster did not start: {started.stderr.strip()[-500:]}")
    yield
    if not was_up:
        cluster("stop")


def snakemake(workdir: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "PYTHONPATH": str(workdir / "src")}
    # Options such as --set-resources and --configfile take several values: targets go first.
    result = subprocess.run(
        ["snakemake", *TARGETS, *args, "--configfile", "tiny.yaml"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    output = result.stdout + result.stderr
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{output}")
    return output


@pytest.fixture
def local_run(tiny_tree) -> Path:
    """The same config built locally (the whole tiny workflow, shared with the other modules)."""
    return tiny_tree


@pytest.fixture(scope="module")
def slurm_run(slurm, tmp_path_factory) -> dict:
    """One workflow copy through SLURM: a first run whose metrics jobs SLURM kills (60 MB, less than
    Python with torch needs), then the rerun that resumes it. One copy serves both tests, because
    each SLURM run costs minutes here."""
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm"))
    failed = snakemake(
        workdir,
        "--set-resources",
        "toy_cell_metrics:mem_mb=60",
        *SLURM_ARGS,
        "--retries",
        "0",
        "--keep-going",
        check=False,
    )
    weights = {p: p.stat().st_mtime_ns for p in (workdir / "results/toy/small/weights").glob("*.pt")}
    planned = planned_jobs(snakemake(workdir, *SLURM_ARGS, "--dry-run"))
    resumed = snakemake(workdir, *SLURM_ARGS)
    return {"workdir": workdir, "failed": failed, "weights": weights, "planned": planned, "resumed": resumed}


def test_failed_job_names_its_log_and_rerun_resumes(slurm_run):
    output = slurm_run["failed"]
    assert "Error in rule toy_cell_metrics" in output, output
    logs = re.findall(r"(/\S+/\.snakemake/slurm_logs/rule_toy_cell_metrics/\S+\.log)", output)
    assert logs, output
    assert "exceeded memory limit" in Path(logs[0]).read_text()
    weights = slurm_run["weights"]
    assert len(weights) == TRAINING_JOBS  # the training jobs finished before the metrics jobs failed
    assert "toy_train" not in slurm_run["planned"]
    assert slurm_run["planned"]["toy_cell_metrics"] == TRAINING_JOBS
    assert all(p.stat().st_mtime_ns == t for p, t in weights.items())  # the rerun trained nothing
    assert all(len(pd.read_csv(slurm_run["workdir"] / target)) == 3 for target in TARGETS)  # one row per width


def test_slurm_run_equals_local_run(slurm_run, local_run):
    workdir = slurm_run["workdir"]
    assert "submitted with SLURM jobid" in slurm_run["resumed"]  # the jobs really went through sbatch
    for target in TARGETS:
        pd.testing.assert_frame_equal(
            pd.read_csv(workdir / target), pd.read_csv(local_run / target), check_exact=False, rtol=1e-12
        )
    assert "Nothing to be done" in snakemake(workdir, *SLURM_ARGS, "--dry-run")
