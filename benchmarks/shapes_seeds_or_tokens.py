"""Which buys a smaller seed spread per CPU-second for the shape sweep: one more seed, or more steps?

    python3 benchmarks/shapes_seeds_or_tokens.py [--shapes 1x64 1x128] [--seeds 0 1 2 3] [--steps 800 1200]

Trains each shape of the default config (`config/config.yaml`, section shapes) with each seed
(its own initialisation and data order, as the pipeline does) for each step count, on the token
stream the pipeline wrote (results/shapes/tokens.npz), one thread, and prints per (shape, steps) the
held-out losses, their SD over seeds and the CPU seconds per model. For a group of three shapes the
smallest detectable difference of two shape means scales as (t_{0.975} + t_{0.8}) x SD x sqrt(2/n)
on 3 (n - 1) degrees of freedom: a third seed (n = 3 at the base step count) is compared with the
longer run at n = 2, each as a factor on the two-seed base; the smaller factor wins, and both cost
about the same CPU when the step counts are in the ratio 3:2.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import yaml

from superscale.shapes.gpt import GPT, GPTShape
from superscale.shapes.statistics import detectable_difference
from superscale.shapes.token_stream import evaluation_starts, training_starts, windows
from superscale.shapes.training import LMSettings, heldout_loss, train_language_model

REPO = Path(__file__).resolve().parents[1]


def run(settings: dict, tokens, heldout, n_layer: int, d_model: int, seed: int, steps: int) -> tuple[float, float]:
    """(held-out loss, CPU seconds) of one model trained as rule shapes_train would."""
    shape = GPTShape(settings["vocab_size"], settings["context"], n_layer, d_model, settings["head_dim"])
    keys = ("batch_size", "lr", "warmup_steps", "min_lr_ratio", "weight_decay", "grad_clip")
    training = LMSettings(steps=steps, **{key: settings[key] for key in keys})
    torch.manual_seed(seed)
    model = GPT(shape)
    starts = training_starts(len(tokens), shape.context, training.batch_size, steps, settings["data_seed"] + seed)
    started = time.process_time()
    train_language_model(model, tokens, starts, training, torch.device("cpu"), f"L{n_layer}_d{d_model}_s{seed}")
    seconds = time.process_time() - started
    return heldout_loss(model, heldout, torch.device("cpu")), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", nargs="+", default=["1x64", "1x128"], help="n_layer x d_model")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3])
    parser.add_argument("--steps", nargs=2, type=int, default=[800, 1200], help="base and longer")
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = yaml.safe_load((REPO / "config/config.yaml").read_text())["shapes"]
    stream = np.load(REPO / "results/shapes/tokens.npz")
    context = settings["context"]
    heldout = windows(
        stream["heldout"], evaluation_starts(len(stream["heldout"]), context, settings["eval_windows"]), context
    )
    sd = {}
    for shape in args.shapes:
        n_layer, d_model = (int(v) for v in shape.split("x"))
        for steps in args.steps:
            results = [run(settings, stream["train"], heldout, n_layer, d_model, s, steps) for s in args.seeds]
            losses, seconds = np.array([r[0] for r in results]), np.array([r[1] for r in results])
            sd[shape, steps] = losses.std(ddof=1)
            print(
                f"L{n_layer}_d{d_model} {steps} steps: held-out {np.round(losses, 4).tolist()}, SD {sd[shape, steps]:.4f}, "
                f"{seconds.mean():.1f} CPU s per model",
                flush=True,
            )
    base, longer = args.steps
    pooled = {steps: float(np.sqrt(np.mean([sd[shape, steps] ** 2 for shape in args.shapes]))) for steps in args.steps}
    two = detectable_difference(pooled[base], 3, 2, 0.05, 0.8)
    seed = detectable_difference(pooled[base], 6, 3, 0.05, 0.8) / two
    steps = detectable_difference(pooled[longer], 3, 2, 0.05, 0.8) / two
    print(
        f"pooled SD {pooled[base]:.4f} at {base} steps, {pooled[longer]:.4f} at {longer}; detectable difference "
        f"against two seeds at {base} steps: x{seed:.2f} with a third seed, x{steps:.2f} with {longer} steps "
        f"(CPU x{3 / 2:.2f} and x{longer / base:.2f}): {'a third seed' if seed < steps else 'more steps'}"
    )


if __name__ == "__main__":
    main()
