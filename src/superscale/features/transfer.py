"""The toy model fed the frequencies a real model's dictionary measured: its alpha_m there.

The live latents' firing frequencies, sorted, become the toy's feature frequencies. Where there are
more live latents (L) than `n` (the toy's cost grows with n), the toy takes the latents of ranks
s, 2s, ..., n s with s = L / n (rounded): a rank-frequency curve f(r) ~ r^-alpha sampled at
multiples of a step keeps its exponent (f(s j) ~ j^-alpha) and its shape, at the price of the s - 1
most frequent latents. The frequencies are normalised to sum to the
stated activation density E (the paper's alpha_m does not depend on E, its Fig. 15). Toys of every
width are trained at each decay gamma (strong superposition gamma < 0, weak gamma > 0) by the toy
stage's trainer on one shared stream of batches, scored on fresh batches, and alpha_m fitted.
The toy gets the whole measured curve (every s-th rank), not the fitted law over its fitted range.

A toy counts as trained where its loss has stopped falling: the mean of its logged training losses
over the last quarter of the steps is less than `converged_fall` (a fraction) below the mean over
the quarter before. An alpha_m from any toy that has not is marked under-trained.
"""

from __future__ import annotations

import sys

import numpy as np
import torch

from superscale.core.schedule import Schedule
from superscale.core.seeds import derive_seed
from superscale.toy.evaluation import evaluate_losses
from superscale.toy.fits import fit_power_law
from superscale.toy.spec import ToyRun
from superscale.toy.trainer import TrainSettings, train_toys


def toy_probabilities(frequencies, n: int, density: float) -> torch.Tensor:
    """Sorted live frequencies, those of ranks s, 2s, ..., n s (s = live / n) where there are more
    than n, scaled to sum(p) = density (float64, descending)."""
    live = np.sort(np.asarray(frequencies, dtype=float)[np.asarray(frequencies) > 0])[::-1]
    if live.size < 2:
        raise ValueError(f"a toy needs at least 2 live latents; the dictionary has {live.size}")
    if live.size > n:
        live = live[np.round(np.arange(1, n + 1) * live.size / n).astype(int) - 1]
    probs = torch.tensor(live / live.sum() * density, dtype=torch.float64)
    if probs[0] > 1:
        raise ValueError(
            f"features.toy.density = {density} gives the most frequent latent p_1 = {float(probs[0]):.3g} > 1; "
            f"lower it below {density / float(probs[0]):.3g}"
        )
    return probs


def train_on_frequencies(probs: torch.Tensor, settings: dict, label: str, progress=sys.stderr) -> list[dict]:
    """Loss of the toy of every width and gamma in `settings` on the probabilities (one row each)."""
    n = probs.numel()
    runs = [
        ToyRun(
            m,
            gamma,
            settings["lr"],
            settings["lr"],
            init_seed=derive_seed("features-toy-init", label, n, m, settings["seed"]),
            label=f"{label} gamma={gamma:g} m={m}",
        )
        for gamma in settings["gamma"]
        for m in settings["m"]
    ]
    train_settings = TrainSettings(
        settings["batch_size"],
        Schedule(settings["steps"], settings["warmup_steps"], settings["min_lr_ratio"]),
        log_every=max(1, settings["steps"] // 20),  # 20 logged losses for the convergence criterion
    )
    device = torch.device("cpu")
    data_seed = derive_seed("features-toy-data", label, settings["seed"])
    trained = train_toys(runs, probs, train_settings, data_seed, device, progress)
    eval_seed = derive_seed("features-toy-eval", label, settings["seed"])
    losses = evaluate_losses(
        [(t.W, t.b) for t in trained], probs, settings["eval_batch_size"], settings["eval_batches"], eval_seed, device
    )
    return [
        {"gamma": run.gamma, "m": run.m, "n": n, "loss": loss, "loss_std": std, "fall": late_fall(toy.log_losses)}
        | {"converged": late_fall(toy.log_losses) < settings["converged_fall"]}
        for run, toy, (loss, std) in zip(runs, trained, losses)
    ]


def late_fall(losses: list[float]) -> float:
    """How far the mean logged loss of the last quarter lies below that of the quarter before,
    as a fraction of the latter (nan with fewer than 8 logged losses)."""
    quarter = len(losses) // 4
    if quarter < 2:
        return float("nan")
    before, last = np.mean(losses[-2 * quarter : -quarter]), np.mean(losses[-quarter:])
    return float((before - last) / before)


def alpha_m_by_gamma(rows: list[dict]) -> list[dict]:
    """alpha_m (least squares of log loss on log m, as the toy stage) per gamma; trained: whether
    every toy of that gamma had stopped improving (see the module docstring)."""
    out = []
    for gamma in sorted({row["gamma"] for row in rows}):
        chosen = [row for row in rows if row["gamma"] == gamma]
        fit = fit_power_law([row["m"] for row in chosen], [row["loss"] for row in chosen])
        trained = all(row["converged"] for row in chosen)
        out.append(
            {"gamma": gamma, "alpha_m": fit.alpha_m, "alpha_m_se": fit.alpha_m_se, "r2": fit.r2, "trained": trained}
        )
    return out
