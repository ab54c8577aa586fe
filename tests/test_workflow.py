"""Integration: the whole DAG on a tiny config, its no-op rerun, and incremental grid growth."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workflow_copy import copy_workflow, planned_jobs

pytestmark = pytest.mark.integration


def snakemake(workdir: Path, *args: str) -> str:
    result = subprocess.run(
        ["snakemake", "--cores", "2", "--configfile", "tiny.yaml", *args],
        cwd=workdir, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    workdir = copy_workflow(tmp_path_factory.mktemp("workflow"))
    snakemake(workdir)
    return workdir


def test_full_run_builds_paper_and_tables(built):
    assert (built / "paper/main.pdf").stat().st_size > 10_000
    metrics = pd.read_csv(built / "results/toy/small/metrics.csv")
    assert len(metrics) == 2 * 2 * 3  # gamma x alpha x m, one seed
    assert {"loss", "phi_half", "phi_one", "mean_sq_overlap", "ambiguity"} <= set(metrics.columns)
    assert (metrics.loss > 0).all()
    fits = pd.read_csv(built / "results/fits/toy_small.csv")
    assert list(fits.columns[:6]) == ["gamma", "alpha", "alpha_m", "alpha_m_se", "r2", "n_points"]
    assert (fits.n_points == 3).all()
    assert (built / "logs/toy/small/train/g-1.0000_a1.0000_s0.log").read_text().count("train")


def test_llm_stage_runs_end_to_end_on_tiny_models(built):
    heads = pd.read_csv(built / "results/llm/heads.csv")
    assert list(heads.model) == ["tiny-8", "tiny-16", "tiny-32"]
    assert {"family", "d_model", "vocab", "mean_sq_overlap", "norm_mean", "norm_std", "norm_min", "norm_max",
            "phi_half"} <= set(heads.columns)
    losses = pd.read_csv(built / "results/llm/losses.csv")
    assert len(losses) == 3 * 3
    absent = losses[losses.dataset == "absent"]
    assert (absent.tokens == 0).all() and absent.status.str.contains("apt-get install fortunes").all()
    assert (losses[losses.status == "ok"].tokens > 0).all()
    fits = json.loads((built / "results/fits/llm.json").read_text())
    assert {"alpha_m", "alpha_m_se", "C_m", "offsets", "points"} <= set(fits)
    assert len(fits["points"]) == 3 * 2  # the absent text has no loss, so no point
    assert "skipped" in (built / "logs/llm/losses/tiny-8.log").read_text()
    assert "\\LlmAlphaM" in (built / "paper/generated/llm.tex").read_text()


def test_shape_sweep_runs_end_to_end(built):
    models = pd.read_csv(built / "results/aspect/models.csv")
    assert len(models) == 2 * 2  # two shapes x two seeds
    assert {"n_nonembedding", "d_model", "n_layer", "seed", "heldout_loss", "mean_sq_overlap", "overlap_ratio",
            "phi_half", "implied_density_vocab", "train_seconds", "device"} <= set(models.columns)
    assert (models.heldout_loss > 0).all() and (models.tokens_trained == 30 * 4 * 32).all()
    assert models.n_nonembedding.max() / models.n_nonembedding.min() < 1.05
    similarity = pd.read_csv(built / "results/aspect/similarity.csv")
    assert len(similarity) == 6 * 3  # pairs of 4 models x (2 depths + unembedding)
    assert (similarity.kind == "same shape").sum() == 2 * 3
    assert similarity.cka.between(0, 1 + 1e-9).all()
    assert len(pd.read_csv(built / "results/aspect/llm_shapes.csv")) == 3
    assert "\\AspectConclusion" in (built / "paper/generated/aspect.tex").read_text()
    assert "step 30/30" in (built / "logs/aspect/train/L4_d8_s1.log").read_text()


def test_adding_a_model_or_a_seed_analyses_or_trains_only_those(built):
    config = yaml.safe_load((built / "tiny.yaml").read_text())
    extra = dict(config["llm"]["extra_models"]["tiny-16"], hf_id="none/again")
    config["llm"]["extra_models"]["tiny-again"] = extra
    config["llm"]["models"].append("tiny-again")
    config["aspect"]["seeds"].append(2)  # one dry run for both changes: each DAG costs seconds
    (built / "more.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        ["snakemake", "--cores", "1", "--dry-run", "--configfile", "more.yaml"],
        cwd=built, capture_output=True, text=True,
    )
    jobs = planned_jobs(result.stdout + result.stderr)
    for rule in ("llm_fetch", "llm_head", "llm_losses", "llm_token_counts"):
        assert jobs[rule] == 1, (rule, jobs)
    assert jobs["aspect_train"] == 2, jobs  # the new seed x two shapes
    assert "train_toy" not in jobs and "aspect_tokens" not in jobs


def test_second_run_has_nothing_to_do(built):
    assert "Nothing to be done" in snakemake(built, "--dry-run")


def test_adding_a_gamma_trains_only_the_new_cells(built):
    config = yaml.safe_load((built / "tiny.yaml").read_text())
    config["toy_small"]["gamma"].append(-0.25)
    (built / "tiny.yaml").write_text(yaml.safe_dump(config))
    old = {p: p.stat().st_mtime_ns for p in (built / "results/toy/small/weights").glob("*.pt")}
    jobs = planned_jobs(snakemake(built, "--dry-run"))
    assert jobs["train_toy"] == 2  # one new gamma x two alphas
    assert jobs["toy_cell_metrics"] == 2
    snakemake(built)
    assert all(p.stat().st_mtime_ns == t for p, t in old.items())
    assert len(pd.read_csv(built / "results/toy/small/metrics.csv")) == 3 * 2 * 3


def test_bad_config_names_the_key(tmp_path, built):
    config = yaml.safe_load((built / "tiny.yaml").read_text())
    config["toy_small"]["stpes"] = 10
    (built / "bad.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        ["snakemake", "--cores", "1", "--dry-run", "--configfile", "bad.yaml"],
        cwd=built, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "stpes" in result.stdout + result.stderr
