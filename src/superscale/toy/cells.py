"""One cell of a toy grid: every width m at one (distribution, gamma, seed), trained together.

A cell is the unit of the grid: adding a gamma or alpha adds cells without touching the trained
ones. Cells that differ only in gamma share their stream of sampled batches, so a training job may
hold several of them (a "pack") and step them in the same stacked products, which is what keeps a
GPU busy. This module turns cells into trainer runs with their seeds and stores the trained weights
with what made them; superscale.toy.evaluation derives the cheap per-model tables from them.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass

import torch

from superscale.core.schedule import Schedule
from superscale.core.seeds import derive_seed
from superscale.core.stored import load_payload
from superscale.toy.features import feature_probabilities
from superscale.toy.trainer import ToyRun, TrainSettings, train_toys

LR_REFERENCE_WIDTH = 8  # the large toy's learning rate is quoted at m = 8


@dataclass(frozen=True)
class CellSpec:
    distribution: str  # "power", "exponential" or "linear"
    n: int
    alpha: float  # the paper's exponent for the power law (ignored by the other shapes)
    density: float  # E = sum of p_i
    gamma: float
    seed: int
    widths: tuple[int, ...]
    batch_size: int
    steps: int
    warmup_steps: int
    min_lr_ratio: float
    lr: float  # peak learning rate of W, and of b unless lr_bias is set
    log_every: int = 100
    scale: float = 400.0  # decay length of the exponential distribution
    lr_width_exponent: float = 0.0  # large toy: lr(W) = lr * (8 / m) ** 0.25
    lr_bias: float | None = None  # large toy: lr(b) = lr_bias / m
    loss_scale: float = 1.0  # back-propagated loss = MSE x loss_scale (authors' large toys: 100)

    def learning_rates(self, m: int) -> tuple[float, float]:
        """Peak learning rates (W, b) of the width-m model (paper Sec. 4 and B.1)."""
        lr_W = self.lr * (LR_REFERENCE_WIDTH / m) ** self.lr_width_exponent
        return lr_W, (self.lr if self.lr_bias is None else self.lr_bias / m)

    @classmethod
    def from_dict(cls, values: dict) -> CellSpec:
        """From config params or a stored payload, where widths arrive as a list."""
        return cls(**{**values, "widths": tuple(values["widths"])})

    def probabilities(self) -> torch.Tensor:
        return feature_probabilities(self.distribution, self.n, self.alpha, self.scale, self.density)

    def data_seed(self) -> int:
        """Cells that share a distribution and seed share their data stream, whatever gamma."""
        return derive_seed("data", self.distribution, self.n, self.alpha, self.density, self.seed)

    def stream(self) -> tuple:
        """What cells trained in one pack must share: everything but gamma."""
        return tuple(value for key, value in asdict(self).items() if key != "gamma")

    def runs(self) -> list[ToyRun]:
        return [
            ToyRun(
                m,
                self.gamma,
                *self.learning_rates(m),
                init_seed=derive_seed("init", self.n, m, self.seed),
                label=f"{self.distribution} n={self.n} alpha={self.alpha:g} E={self.density:g} "
                f"gamma={self.gamma:g} m={m} seed={self.seed}",
            )
            for m in self.widths
        ]


def train_pack(specs: list[CellSpec], device: torch.device, progress=None, batches=None) -> dict:
    """Train cells that differ only in gamma on their shared batches; return the stored payload.

    The payload holds one entry per cell, each with its spec and its models' weights and logs.
    `batches`, if given, replaces the sampler as in train_toys (a benchmark times steps with it).
    """
    first = specs[0]
    if any(spec.stream() != first.stream() for spec in specs):
        raise ValueError(f"cells trained together must differ only in gamma; got {specs}")
    runs = [spec.runs() for spec in specs]
    settings = TrainSettings(
        first.batch_size,
        Schedule(first.steps, first.warmup_steps, first.min_lr_ratio),
        first.log_every,
        loss_scale=first.loss_scale,
    )
    flat = [run for cell_runs in runs for run in cell_runs]
    trained = iter(train_toys(flat, first.probabilities(), settings, first.data_seed(), device, progress, batches))
    cells = []
    for spec, cell_runs in zip(specs, runs):
        models = [next(trained) for _ in cell_runs]
        cells.append(
            {
                "spec": asdict(spec),
                "models": [
                    {"m": t.run.m, "W": t.W, "b": t.b, "log_steps": t.log_steps, "log_losses": t.log_losses}
                    for t in models
                ],
            }
        )
    return {"device": str(device), "torch": str(torch.__version__), "python": platform.python_version(), "cells": cells}


def load_pack(path) -> dict:
    """A stored pack of trained cells; an unreadable file is named with the command that retrains it."""
    return load_payload(path, "trained-weights")
