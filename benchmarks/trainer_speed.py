"""Benchmark: the batched trainer against the paper's one-model loop, side by side in one run.

Both train the same slice of the paper's small-toy grid (n = 1000, batch 2048, alpha = 1, one gamma,
the six paper widths m = 10..100) for the same number of steps on the same device, and the script
prints models*steps per second for each and their ratio. It also prints the trainer's achieved
GFLOP/s (its three dense B x n x m products per model and step) against the measured peak of a
large square FP32 matrix product on the same device.

    python benchmarks/trainer_speed.py [--steps 30] [--device auto] [--gammas -0.556]
"""

from __future__ import annotations

import argparse
import time
import warnings

import torch

from superscale.core.device import configure_precision, resolve_device
from superscale.core.schedule import Schedule
from superscale.core.seeds import make_generator
from superscale.toy.features import feature_probabilities
from superscale.toy.model import init_weights
from superscale.toy.reference import dense_sample, train_reference
from superscale.toy.spec import ToyRun
from superscale.toy.trainer import TrainSettings, train_toys

PAPER_WIDTHS = (10, 15, 25, 39, 63, 100)


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_peak_gflops(device: torch.device, size: int = 2048, repeats: int = 10) -> float:
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    a @ b
    synchronize(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    synchronize(device)
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def time_reference(runs, probs, schedule, batch_size, device) -> float:
    generator = make_generator(1, device)
    start = time.perf_counter()
    for run in runs:
        W, b = init_weights(probs.numel(), run.m, make_generator(run.init_seed))
        train_reference(
            W.to(device),
            b.to(device),
            run.gamma,
            run.lr_W,
            run.lr_b,
            schedule,
            lambda step: dense_sample(probs, batch_size, generator),
        )
    synchronize(device)
    return time.perf_counter() - start


def time_batched(runs, probs, schedule, batch_size, device) -> float:
    settings = TrainSettings(batch_size, schedule, log_every=10)
    start = time.perf_counter()
    train_toys(runs, probs, settings, data_seed=1, device=device)
    synchronize(device)
    return time.perf_counter() - start


def step_flops(probs: torch.Tensor, batch_size: int, widths) -> float:
    """The trainer's useful work per step: three dense (B x n x m) products per model, over the
    samples with an active feature (the trainer drops empty ones)."""
    nonempty = 1 - torch.prod(1 - probs).item()
    return sum(6 * nonempty * batch_size * probs.numel() * m for m in widths)


def measure(
    runs, probs, batch_size: int, steps: int, repeats: int, device: torch.device, peak_size: int = 2048
) -> dict:
    """The reference loop and the batched trainer on the same runs, best of `repeats` interleaved runs."""
    time_batched(runs, probs, Schedule(2, 1), batch_size, device)  # warm-up
    schedule = Schedule(steps, warmup_steps=max(1, steps // 10))
    t_ref = t_batched = float("inf")
    for _ in range(repeats):
        t_ref = min(t_ref, time_reference(runs, probs, schedule, batch_size, device))
        t_batched = min(t_batched, time_batched(runs, probs, schedule, batch_size, device))
    model_steps = len(runs) * steps
    gflops = step_flops(probs, batch_size, [run.m for run in runs]) * steps / t_batched / 1e9
    peak = matmul_peak_gflops(device, peak_size)
    return {
        "models": len(runs),
        "steps": steps,
        "batch_size": batch_size,
        "repeats": repeats,
        "reference_models_steps_per_s": model_steps / t_ref,
        "batched_models_steps_per_s": model_steps / t_batched,
        "speedup": t_ref / t_batched,
        "trainer_gflops": gflops,
        "matmul_peak_gflops": peak,
        "share_of_peak": gflops / peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--device", default="auto")
    parser.add_argument("--gammas", type=float, nargs="+", default=[-0.556])
    parser.add_argument("--batch-size", type=int, default=2048)
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Sparse")
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    configure_precision(device)
    probs = feature_probabilities("power", args.n, 1.0)
    runs = [
        ToyRun(m, gamma, 1e-2, 1e-2, init_seed=m, label=f"m={m},gamma={gamma}")
        for gamma in args.gammas
        for m in PAPER_WIDTHS
    ]
    result = measure(runs, probs, args.batch_size, args.steps, args.repeats, device)
    print(
        f"device: {device} ({torch.get_num_threads()} CPU threads); slice: n={args.n}, "
        f"batch={args.batch_size}, m={list(PAPER_WIDTHS)}, gammas={args.gammas}, {args.steps} steps, "
        f"best of {args.repeats}"
    )
    print(f"reference loop : {result['reference_models_steps_per_s']:10.1f} models*steps/s")
    print(f"batched trainer: {result['batched_models_steps_per_s']:10.1f} models*steps/s")
    print(f"speed-up       : {result['speedup']:10.2f}x")
    print(
        f"trainer        : {result['trainer_gflops']:10.1f} GFLOP/s in its dense products; measured FP32 "
        f"matmul peak {result['matmul_peak_gflops']:.1f} GFLOP/s: {result['share_of_peak']:.0%} of peak"
    )


if __name__ == "__main__":
    main()
