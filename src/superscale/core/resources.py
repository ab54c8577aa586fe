"""Job time limits from FLOP counts, shared by every stage's resource estimates (SLURM's --time)."""

from __future__ import annotations

# Sustained FP32 rate assumed per CPU thread when sizing job time limits (measured here: 55-90).
CPU_GFLOPS_PER_THREAD = 20


def cpu_minutes(flops: float, threads: int) -> int:
    """Minutes for `flops` on `threads` CPU threads with a 3x margin, at least 10 (small products run
    far below the assumed rate). A GPU job is faster, so the same limit holds there."""
    seconds = flops / (CPU_GFLOPS_PER_THREAD * 1e9 * threads)
    return max(10, int(3 * seconds / 60))
