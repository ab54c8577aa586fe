"""Training and evaluation of the shape sweep's language models (superscale.shapes.gpt).

AdamW (betas 0.9, 0.95; weight decay on matrices only, not on LayerNorm gains) with the toy stage's
warmup + cosine schedule (superscale.toy.model.Schedule) and gradient-norm clipping, on the shared
windows of superscale.shapes.token_stream. One learning rate for every shape at a given config: Kaplan
et al. tune the rate by N only, and a shape-dependent rate would confound shape with optimisation.
Losses are mean cross-entropy in nats per predicted token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import IO

import numpy as np
import torch
import torch.nn.functional as F

from superscale.core.errors import DivergenceError
from superscale.core.schedule import Schedule
from superscale.shapes.gpt import GPT
from superscale.shapes.token_stream import windows


@dataclass(frozen=True)
class LMSettings:
    batch_size: int
    steps: int
    lr: float
    warmup_steps: int
    min_lr_ratio: float
    weight_decay: float
    grad_clip: float
    log_every: int = 50


def _optimizer(model: GPT, settings: LMSettings) -> torch.optim.AdamW:
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    gains = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": matrices, "weight_decay": settings.weight_decay}, {"params": gains, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=settings.lr, betas=(0.9, 0.95))


def _loss(model: GPT, batch: torch.Tensor) -> torch.Tensor:
    logits, _ = model(batch[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))


def train_language_model(
    model: GPT,
    tokens: np.ndarray,
    starts: np.ndarray,
    settings: LMSettings,
    device: torch.device,
    label: str,
    progress: IO | None = None,
    curve: tuple[torch.Tensor, int] | None = None,
) -> dict:
    """Train in place on the windows at `starts` (steps x batch); return the loss history.

    With `curve` = (held-out windows, every), the held-out loss is also taken every `every` steps
    and after the last, so that a run's distance from convergence can be read off. A non-finite loss
    raises DivergenceError naming `label` and the step, before the step is applied; the caller
    writes nothing then, so earlier outputs stay as they were."""
    if starts.shape != (settings.steps, settings.batch_size):
        raise ValueError(
            f"{label}: {starts.shape} window offsets for {settings.steps} steps x batch {settings.batch_size}"
        )
    model.to(device).train()
    optimizer = _optimizer(model, settings)
    schedule = Schedule(settings.steps, settings.warmup_steps, settings.min_lr_ratio)
    context = model.shape.context
    logged_steps, logged_losses, window_losses = [], [], []
    curve_steps, curve_losses = [], []
    started = time.perf_counter()
    for step in range(settings.steps):
        for group in optimizer.param_groups:
            group["lr"] = settings.lr * schedule.multiplier(step)
        loss = _loss(model, windows(tokens, starts[step], context).to(device))
        if not torch.isfinite(loss):
            raise DivergenceError(f"{label}: training loss became {loss.item()} at step {step} (lr {group['lr']:.3g})")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
        optimizer.step()
        window_losses.append(loss.item())
        if curve is not None and ((step + 1) % curve[1] == 0 or step + 1 == settings.steps):
            curve_steps.append(step + 1)
            curve_losses.append(heldout_loss(model, curve[0], device))
            model.train()
        if (step + 1) % settings.log_every == 0 or step + 1 == settings.steps:
            logged_steps.append(step + 1)
            logged_losses.append(float(np.mean(window_losses)))
            window_losses = []
            if progress is not None:
                print(
                    f"{label} step {step + 1}/{settings.steps} train loss {logged_losses[-1]:.4f} "
                    f"lr {group['lr']:.3g} {time.perf_counter() - started:.1f} s",
                    file=progress,
                    flush=True,
                )
    return {
        "steps": logged_steps,
        "train_losses": logged_losses,
        "final_train_loss": logged_losses[-1],
        "tokens_trained": settings.steps * settings.batch_size * context,
        "train_seconds": time.perf_counter() - started,
    } | ({"heldout_steps": curve_steps, "heldout_losses": curve_losses} if curve is not None else {})


@torch.no_grad()
def heldout_loss(model: GPT, batches: torch.Tensor, device: torch.device, batch_size: int = 32) -> float:
    """Mean cross-entropy (nats per token) over every target of the evaluation windows."""
    model.to(device).eval()
    total, count = 0.0, 0
    for start in range(0, len(batches), batch_size):
        chunk = batches[start : start + batch_size].to(device)
        total += float(_loss(model, chunk)) * chunk[:, 1:].numel()
        count += chunk[:, 1:].numel()
    return total / count


@torch.no_grad()
def residual_streams(
    model: GPT, batches: torch.Tensor, blocks: set[int], device: torch.device, batch_size: int = 32
) -> dict[int, np.ndarray]:
    """{block: (tokens, d_model) float64 residual stream after that block} over the windows' inputs."""
    model.to(device).eval()
    kept: dict[int, list[np.ndarray]] = {block: [] for block in blocks}
    for start in range(0, len(batches), batch_size):
        _, states = model(batches[start : start + batch_size, :-1].to(device), keep=blocks)
        for block, state in states.items():
            kept[block].append(state.reshape(-1, state.shape[-1]).double().cpu().numpy())
    return {block: np.concatenate(parts) for block, parts in kept.items()}
