"""Scoring trained toys on fresh data and tabulating their geometry.

Kept apart from training so that a change to how models are scored reruns the scoring, never the
training.
"""

from __future__ import annotations

import pandas as pd
import torch

from superscale.core.seeds import derive_seed, make_generator
from superscale.toy.features import FeatureSampler
from superscale.toy.fits import weak_loss_sum
from superscale.toy.geometry import row_norms, weight_metrics
from superscale.toy.spec import CellSpec
from superscale.toy.trainer import residual_, sparse_forward


@torch.no_grad()
def evaluate_losses(
    models: list[tuple[torch.Tensor, torch.Tensor]],
    probs: torch.Tensor,
    batch_size: int,
    n_batches: int,
    seed: int,
    device: torch.device,
) -> list[tuple[float, float]]:
    """Loss (MSE x n) of each (W, b) on the same n_batches fresh batches, each drawn once:
    the mean and the std over batches, per model."""
    sampler = FeatureSampler(probs, batch_size, make_generator(seed, device))
    stacked = [(W.to(device).unsqueeze(0), b.to(device).unsqueeze(0)) for W, b in models]
    losses = [[] for _ in models]
    for _ in range(n_batches):
        batch = sampler.sample().without_empty_rows()
        for (W, b), model_losses in zip(stacked, losses):
            model_losses.append(residual_(sparse_forward(W, b, batch.csr).out, batch, b, want_loss=True))
    results = []
    for model_losses in losses:
        values = torch.cat(model_losses).double()
        results.append((values.mean().item(), values.std().item()))
    return results


def pack_tables(
    payload: dict, eval_batches: int, eval_batch_size: int, device: torch.device
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-model metrics (one row per cell and m) and row norms (one row per feature) of a stored pack.

    The loss is measured on eval_batches fresh batches of eval_batch_size samples (the paper's
    "100 times the batch size" of 2048), whatever the training batch, from a seed of its own, so
    that losses of runs trained at different batch sizes carry the same sampling noise. The pack's cells share their distribution,
    so every model is scored on the same batches, drawn once.
    """
    cells = payload["cells"]
    spec = CellSpec.from_dict(cells[0]["spec"])
    probs = spec.probabilities()
    eval_seed = derive_seed("eval", spec.distribution, spec.n, spec.alpha, spec.density, spec.seed)
    models = [(cell, model) for cell in cells for model in cell["models"]]
    losses = evaluate_losses(
        [(model["W"], model["b"]) for _, model in models], probs, eval_batch_size, eval_batches, eval_seed, device
    )
    rows, norms = [], []
    for (cell, model), (loss, loss_std) in zip(models, losses):
        spec = CellSpec.from_dict(cell["spec"])
        key = {
            "distribution": spec.distribution,
            "density": spec.density,
            "gamma": spec.gamma,
            "alpha": spec.alpha,
            "seed": spec.seed,
        }
        geometry = weight_metrics(model["W"])
        # Eq. 4: the loss if exactly the phi_1/2 n most frequent features were represented.
        weak_theory = weak_loss_sum(probs.numpy(), round(geometry["phi_half"] * spec.n))
        rows.append(
            {
                **key,
                "m": model["m"],
                "n": spec.n,
                "loss": loss,
                "loss_std": loss_std,
                "train_loss_final": model["log_losses"][-1],
                "weak_loss_theory": weak_theory,
                **geometry,
            }
        )
        norm = row_norms(model["W"]).numpy()
        norms.append(pd.DataFrame({**key, "m": model["m"], "feature": range(spec.n), "norm": norm}))
    return pd.DataFrame(rows), pd.concat(norms, ignore_index=True)
