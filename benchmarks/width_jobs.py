"""Benchmark: one small-toy cell trained whole against its widths split over jobs (width_jobs),
side by side in one run.

The cell is one of a config's small-toy cells (default config/config.yaml, gamma = -1, alpha = 2, the
paper's setting), trained for a few steps whole and then as each part `split_widths` makes, one
after another on one thread. It prints each job's wall and CPU seconds and two ratios: the parts'
summed CPU over the whole cell's (what the split costs a machine with fewer cores than jobs) and the
longest part's wall over the whole cell's (what it saves the critical path).

    python benchmarks/width_jobs.py [--steps 1000] [--parts 2] [--config config/config.yaml]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import torch
import yaml

from superscale.toy.cells import train_pack
from superscale.toy.plan import split_widths, toy_cells


def timed(spec) -> tuple[float, float]:
    """Wall and CPU seconds of training the cell."""
    wall, cpu = time.perf_counter(), time.process_time()
    train_pack([spec], torch.device("cpu"))
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--parts", type=int, default=2)
    parser.add_argument("--gamma", type=float, default=-1.0)
    parser.add_argument("--alpha", type=float, default=2.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = yaml.safe_load(open(args.config))
    cell = next(
        cell
        for cell in toy_cells(config)["small"]
        if (cell.spec.gamma, cell.spec.alpha) == (args.gamma, args.alpha) and cell.spec.seed == 0
    )
    short = dataclasses.replace(
        cell, spec=dataclasses.replace(cell.spec, steps=args.steps, warmup_steps=args.steps // 10)
    )
    timed(dataclasses.replace(short.spec, steps=20, warmup_steps=2))  # imports and first-call costs
    whole = timed(short.spec)
    parts = [(part.name, timed(part.spec)) for part in split_widths(short, args.parts)]
    print(f"cell {cell.name}, {args.steps} steps, batch {cell.spec.batch_size}, one thread")
    print(f"  whole  widths {list(cell.spec.widths)}: wall {whole[0]:.1f} s, CPU {whole[1]:.1f} s")
    for name, (wall, cpu) in parts:
        print(f"  part   {name}: wall {wall:.1f} s, CPU {cpu:.1f} s")
    summed = sum(cpu for _, (_, cpu) in parts)
    longest = max(wall for _, (wall, _) in parts)
    print(f"parts' CPU / whole's: {summed / whole[1]:.2f}; longest part's wall / whole's: {longest / whole[0]:.2f}")


if __name__ == "__main__":
    main()
