"""benchmarks/gpu_check.py --quick runs here, on whatever device there is, so that the one command
prepared for a first GPU session cannot rot: every field is written and holds what it says."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
JOB_FIELDS = {"time_per_step_s", "peak_memory_bytes", "memory_estimate_bytes", "peak_over_estimate", "chunks", "widths"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpu_check") / "check.json"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    command = [
        sys.executable,
        "benchmarks/gpu_check.py",
        "--device",
        "cpu",
        "--quick",
        "--threads",
        "1",
        "--out",
        str(out),
    ]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(out.read_text()), out.with_suffix(".txt").read_text()


def test_every_section_ran_on_the_named_device(report):
    results, text = report
    assert list(results) == ["environment", "tests", "determinism", "speed", "jobs", "prediction"]
    assert not [name for name, section in results.items() if "error" in section]
    assert results["environment"]["device"] == "cpu" and results["environment"]["quick"] is True
    assert results["prediction"]["device"] == "cpu"
    assert "device: cpu" in text and "prediction:" in text


def test_cuda_tests_are_collected_and_reported(report):
    tests = report[0]["tests"]
    names = set(tests["tests"])
    assert any("test_trainer_on_gpu_matches_reference" in name for name in names)
    assert all(name.endswith("cuda]") for name in names)  # only the CUDA variants were selected
    expected = "passed" if torch.cuda.is_available() else "skipped"
    assert tests["counts"] == {expected: len(names)}


def test_training_repeats_bit_for_bit_on_cpu(report):
    determinism = report[0]["determinism"]
    assert determinism["models"] == 6 and determinism["steps"] >= 2
    assert determinism["repeat_bitwise_equal"] and determinism["deterministic_mode_bitwise_equal"]
    assert determinism["repeat_max_abs_difference"] == 0.0
    assert all(determinism["ops_repeatable"].values()) and len(determinism["ops_repeatable"]) == 6


def test_speed_fields(report):
    speed = report[0]["speed"]
    assert speed["models"] == 6  # one paper cell: its six widths (on CPU a job holds one gamma)
    for key in ("reference_models_steps_per_s", "batched_models_steps_per_s", "trainer_gflops", "matmul_peak_gflops"):
        assert speed[key] > 0
    assert speed["speedup"] == pytest.approx(
        speed["batched_models_steps_per_s"] / speed["reference_models_steps_per_s"]
    )
    assert speed["share_of_peak"] == pytest.approx(speed["trainer_gflops"] / speed["matmul_peak_gflops"])
    assert speed["meets_target"] == (speed["speedup"] >= speed["speedup_target"])


def test_large_toy_job_is_the_paper_cells_costlier_half(report):
    """On the CPU a cell's widths train in two jobs (width_jobs auto): the measured job is the one
    with the costlier half of the paper's large-toy widths."""
    jobs = report[0]["jobs"]
    assert set(jobs) - {"wall_s"} == {"small", "esweep", "fig18", "large"}
    large = jobs["large"]
    assert JOB_FIELDS <= set(large)
    assert large["n"] == 10240 and 1024 in large["widths"]
    assert set(large["widths"]) < {8, 16, 32, 64, 128, 256, 512, 1024}
    assert large["job_batch_size"] == 8192 and large["batch_size"] == 64  # --quick caps the batch
    assert sorted(m for m, _ in large["chunks"]) == large["widths"]
    assert large["time_per_step_s"] > 0 and large["setup_s"] > 0 and large["memory_estimate_bytes"] > 0
    assert large["peak_over_estimate"] == pytest.approx(large["peak_memory_bytes"] / large["memory_estimate_bytes"])


def test_prediction_adds_up(report):
    results = report[0]
    prediction = results["prediction"]
    families = prediction["families"]
    assert prediction["command"] == "snakemake --cores all toy --configfile config/paper.yaml"
    # the paper config's jobs on CPU: half a cell each (170 small, 80 E-sweep, 17 Fig. 18, 6 large cells)
    assert {family: f["jobs"] for family, f in families.items()} == {
        "small": 2 * 170,
        "esweep": 2 * 80,
        "fig18": 2 * 17,
        "large": 2 * 6,
    }
    assert prediction["train_s"] == pytest.approx(sum(f["train_s"] for f in families.values()))
    for family, f in families.items():
        measured = results["jobs"][family]
        assert f["batch_factor"] == measured["job_batch_size"] / measured["batch_size"]
        assert 0 < f["mean_work_ratio"] <= 1  # the measured job is the family's costliest
        per_job = f["steps"] * measured["time_per_step_s"] * f["batch_factor"] * f["mean_work_ratio"] + f["job_start_s"]
        assert f["train_s"] == pytest.approx(f["jobs"] * per_job)
        assert f"= {f['train_s']:.0f} s" in f["arithmetic"]
    assert math.isfinite(prediction["predicted_s"]) and prediction["predicted_s"] > 0
    assert f"= {prediction['predicted_s']:.0f} s" in prediction["arithmetic"]
