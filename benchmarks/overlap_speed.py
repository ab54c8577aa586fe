"""Speed of the exact mean squared overlap by the Gram identity against the blocked pairwise pass.

    python3 benchmarks/overlap_speed.py [--model qwen2.5-coder-1.5b] [--block 8192] [--block-pairs 3]

Reads the model's head from the cache (config llm.cache_dir; fetched there by the pipeline or by
this script), times superscale.llm.unembedding.mean_sq_overlap (O(V d^2), float64) on all of it, and
times the paper's method, float32 products of 8192-row blocks over all pairs i < j (O(V^2 d)), on
the first --block-pairs off-diagonal (block, block) products only, extrapolated to all of them
(diagonal blocks cost at least as much); it says so.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch

from superscale.llm import unembedding
from superscale.llm.registry import load_registry
from superscale.llm.weights import fetch, read_head

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/superscale"))
    parser.add_argument("--block", type=int, default=8192)
    parser.add_argument("--block-pairs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    models = load_registry(REPO / "config/models.yaml", REPO / "workflow/schemas/models.schema.yaml")
    entry = models[args.model]
    head = read_head(args.model, entry, fetch(args.model, entry, args.cache))
    vocab, width = head.matrix.shape
    print(f"{args.model}: head {head.tensor} {vocab} x {width} ({head.stored_dtype})")

    started = time.perf_counter()
    exact = unembedding.mean_sq_overlap(head.matrix, dtype=np.float32)
    gram_seconds = time.perf_counter() - started
    print(
        f"Gram identity (all {vocab * (vocab - 1) // 2:,} pairs; float32 blocks, float64 sums, as the pipeline): "
        f"{gram_seconds:.1f} s, E[cos^2] = {exact:.8g}"
    )
    started = time.perf_counter()
    exact64 = unembedding.mean_sq_overlap(head.matrix, dtype=np.float64)
    print(
        f"Gram identity in float64 throughout: {time.perf_counter() - started:.1f} s, E[cos^2] = {exact64:.8g} "
        f"(relative difference {abs(exact - exact64) / exact64:.1e})"
    )

    _, rows = unembedding.normalised_rows(head.matrix, dtype=np.float32)  # not timed for the pairwise pass
    blocks = -(-vocab // args.block)
    total_pairs = blocks * (blocks + 1) // 2
    started = time.perf_counter()
    sq, _, pairs = unembedding.pairwise_overlap_sums(
        rows, block=args.block, block_pairs=args.block_pairs, skip_diagonal=True
    )
    sample_seconds = time.perf_counter() - started
    measured = min(args.block_pairs, total_pairs)
    pairwise_seconds = sample_seconds / measured * total_pairs
    print(
        f"blocked pairwise ({args.block}-row blocks, float32): timed {measured} off-diagonal of {total_pairs} block "
        f"products in {sample_seconds:.1f} s; EXTRAPOLATED to all {total_pairs} at that rate (diagonal blocks cost "
        f"at least as much): {pairwise_seconds:.0f} s, without its normalisation"
    )
    print(f"(the timed blocks' E[cos^2] = {sq / pairs:.6g} over {pairs:,} pairs, a subset)")
    print(
        f"speed-up of the Gram identity (normalisation included): {pairwise_seconds / gram_seconds:.0f}x "
        f"(against the extrapolated pairwise time)"
    )


if __name__ == "__main__":
    main()
