"""One cell of a toy grid: every width m at one (distribution, gamma, seed), trained together.

A cell is the unit of training work: its models share one stream of sampled batches, and adding a
gamma or alpha to the grid adds cells without touching the trained ones. This module turns a cell
into trainer runs with their seeds, stores the trained weights with what made them, and derives
the cheap per-model table (metrics and fresh-data loss) from the stored weights.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass

import pandas as pd
import torch

from superscale.data import derive_seed, feature_probabilities
from superscale.metrics import row_norms, weight_metrics
from superscale.toymodel import Schedule
from superscale.trainer import TrainSettings, ToyRun, evaluate_losses, train_toys


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
    lr: float
    log_every: int = 100

    @classmethod
    def from_dict(cls, values: dict) -> "CellSpec":
        """From config params or a stored payload, where widths arrive as a list."""
        return cls(**{**values, "widths": tuple(values["widths"])})

    def probabilities(self) -> torch.Tensor:
        return feature_probabilities(self.distribution, self.n, self.alpha, density=self.density)

    def data_seed(self) -> int:
        """Cells that share a distribution and seed share their data stream, whatever gamma."""
        return derive_seed("data", self.distribution, self.n, self.alpha, self.density, self.seed)

    def runs(self) -> list[ToyRun]:
        return [
            ToyRun(
                m=m,
                gamma=self.gamma,
                lr_W=self.lr,
                lr_b=self.lr,
                init_seed=derive_seed("init", self.n, m, self.seed),
                label=f"{self.distribution} n={self.n} alpha={self.alpha:g} E={self.density:g} "
                f"gamma={self.gamma:g} m={m} seed={self.seed}",
            )
            for m in self.widths
        ]


def train_cell(spec: CellSpec, device: torch.device, progress=None) -> dict:
    """Train the cell and return the payload stored in its weights file."""
    settings = TrainSettings(
        spec.batch_size, Schedule(spec.steps, spec.warmup_steps, spec.min_lr_ratio), spec.log_every
    )
    trained = train_toys(spec.runs(), spec.probabilities(), settings, spec.data_seed(), device, progress)
    return {
        "spec": asdict(spec),
        "device": str(device),
        "torch": str(torch.__version__),
        "python": platform.python_version(),
        "models": [
            {"m": t.run.m, "W": t.W, "b": t.b, "log_steps": t.log_steps, "log_losses": t.log_losses}
            for t in trained
        ],
    }


def load_cell(path) -> dict:
    """A stored cell; an unreadable file is named with what to do about it."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(
            f"trained-weights file {path} cannot be read ({error}); it is truncated or corrupted: "
            "delete it and rerun snakemake to retrain that cell"
        ) from error


def cell_tables(payload: dict, eval_batches: int, device: torch.device) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-model metrics (one row per m) and row norms (one row per feature) of a trained cell.

    The loss is measured on eval_batches fresh batches of the training batch size (the paper's
    "100 times the batch size"), from a seed of its own.
    """
    spec = CellSpec.from_dict(payload["spec"])
    probs = spec.probabilities()
    eval_seed = derive_seed("eval", spec.distribution, spec.n, spec.alpha, spec.density, spec.seed)
    key = {"distribution": spec.distribution, "density": spec.density, "gamma": spec.gamma, "alpha": spec.alpha, "seed": spec.seed}
    models = payload["models"]
    losses = evaluate_losses([(model["W"], model["b"]) for model in models], probs, spec.batch_size, eval_batches, eval_seed, device)
    rows, norms = [], []
    for model, (loss, loss_std) in zip(models, losses):
        rows.append(
            {**key, "m": model["m"], "n": spec.n, "loss": loss, "loss_std": loss_std,
             "train_loss_final": model["log_losses"][-1], **weight_metrics(model["W"])}
        )
        norm = row_norms(model["W"]).numpy()
        norms.append(pd.DataFrame({**key, "m": model["m"], "feature": range(spec.n), "norm": norm}))
    return pd.DataFrame(rows), pd.concat(norms, ignore_index=True)
