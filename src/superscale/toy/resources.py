"""Memory and time a toy training job declares (its `resources:`), from the cells it trains."""

from __future__ import annotations

from superscale.core.resources import cpu_minutes


def train_mem_mb(settings: dict, cells: int) -> int:
    """Peak memory of one job: torch itself and, under SLURM, the Snakemake process that runs the
    step (together 1.1-1.2 GB measured), plus a few (batch x n) float32 activations per model
    stacked together (all of a job's models when they share one chunk)."""
    return 1536 + 4 * 4 * cells * settings["batch_size"] * settings["n"] // 2**20


def train_minutes(specs: list[dict], threads: int) -> int:
    """Three (batch x n x m) products per model and step, over every cell of the job."""
    flops = sum(6 * spec["batch_size"] * spec["n"] * sum(spec["widths"]) * spec["steps"] for spec in specs)
    return cpu_minutes(flops, threads)
