"""The paper's training loop for one toy model, step for step, kept as the trainer's yardstick.

It mirrors the authors' exp-10.py: dense sampling of x each step, autograd through
ReLU(x W W^T + b), the MSE loss, then decay and Adam on W and Adam on b. Tests compare the batched
trainer against it on identical data, and the benchmark measures the trainer's speed-up over it.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from superscale.core.schedule import Schedule
from superscale.toy.model import adam_step_, decay_rows_, forward


def dense_sample(probs: torch.Tensor, batch_size: int, generator: torch.Generator) -> torch.Tensor:
    """The authors' sampler: (rand(B, n) < p) * rand(B, n) * 2."""
    shape = (batch_size, probs.numel())
    device = generator.device
    active = torch.rand(shape, generator=generator, device=device) < probs.to(device, torch.float32)
    return active.float() * torch.rand(shape, generator=generator, device=device) * 2


def train_reference(
    W: torch.Tensor,
    b: torch.Tensor,
    gamma: float,
    lr_W: float,
    lr_b: float,
    schedule: Schedule,
    next_batch: Callable[[int], torch.Tensor],
    loss_scale: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    """Train one model from (W, b); next_batch(step) returns the dense (B, n) input of that step.

    Back-propagates MSE x loss_scale, as the authors' large-toy script does with 100. Returns the
    trained W, b and the per-step training loss (MSE times n, as the paper reports).
    """
    W = W.clone().requires_grad_(True)
    b = b.clone().requires_grad_(True)
    states = {name: (torch.zeros_like(p), torch.zeros_like(p)) for name, p in (("W", W), ("b", b))}
    gamma_t = torch.tensor(gamma)
    losses = []
    for step in range(schedule.total_steps):
        x = next_batch(step)
        factor = schedule.multiplier(step)
        W.grad = b.grad = None
        loss = torch.nn.functional.mse_loss(forward(x, W, b), x)
        (loss * loss_scale).backward()
        with torch.no_grad():
            decay_rows_(W, torch.tensor(lr_W * factor), gamma_t)
            adam_step_(W, W.grad, *states["W"], step + 1, torch.tensor(lr_W * factor))
            adam_step_(b, b.grad, *states["b"], step + 1, torch.tensor(lr_b * factor))
        losses.append(loss.item() * x.shape[1])
    return W.detach(), b.detach(), losses
