"""The tied ReLU toy model, its initialisation, and the optimizer of paper Sec. 1.3.

y = ReLU(x W W^T + b), W in R^{n x m}, b in R^n. The optimizer is Adam with a decoupled, row-wise
weight decay applied before the Adam step and scaled by the current learning rate:
gamma >= 0 shrinks rows (weak superposition); gamma < 0 pulls row norms to 1 (strong superposition).
The functions broadcast over leading "model" dimensions so that one implementation serves the
one-model reference loop and the batched trainer.
"""

from __future__ import annotations

import math

import torch

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
ROW_NORM_EPS = 1e-8


def init_weights(n: int, m: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """W ~ N(0, 1/m) entrywise and b ~ N(0, 1), as in the authors' code (float32, CPU)."""
    W = torch.randn(n, m, generator=generator) / math.sqrt(m)
    b = torch.randn(n, generator=generator)
    return W, b


def forward(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """ReLU(x W W^T + b) for dense x of shape (B, n)."""
    return torch.relu(x @ W @ W.T + b)


def decay_rows_(W: torch.Tensor, lr: torch.Tensor, gamma: torch.Tensor, scratch: torch.Tensor | None = None) -> None:
    """Apply the paper's decoupled row-wise decay to W (..., n, m) in place.

    lr and gamma have W's leading shape (one value per model). gamma >= 0: W_i -= lr gamma W_i;
    gamma < 0: W_i -= lr gamma W_i (1 / (||W_i|| + eps) - 1), gradient descent on (||W_i|| - 1)^2.
    `scratch`, a tensor like W, holds the update (the trainer reuses one instead of allocating one
    per step; the arithmetic is the same).
    """
    lr = lr.reshape(*lr.shape, 1, 1)
    gamma = gamma.reshape(*gamma.shape, 1, 1)
    norms = torch.linalg.vector_norm(W, dim=-1, keepdim=True)
    pull = torch.where(gamma >= 0, torch.ones_like(norms), 1 / (norms + ROW_NORM_EPS) - 1)
    W.sub_(torch.mul(lr * gamma * pull, W, out=torch.empty_like(W) if scratch is None else scratch))


def adam_step_(
    param: torch.Tensor,
    grad: torch.Tensor,
    exp_avg: torch.Tensor,
    exp_avg_sq: torch.Tensor,
    step: int,
    lr: torch.Tensor,
    scratch: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> None:
    """One Adam update in place (torch's AdamW arithmetic, without its decay); lr per model.

    `scratch`, two tensors like param, holds the denominator and the update, so that the trainer
    allocates nothing per step (large temporaries cost a page fault per 4 KiB on every step).
    """
    beta1, beta2 = ADAM_BETAS
    denom, update = (torch.empty_like(param), torch.empty_like(param)) if scratch is None else scratch
    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    torch.sqrt(exp_avg_sq, out=denom).div_(math.sqrt(1 - beta2**step)).add_(ADAM_EPS)
    step_size = lr.reshape(*lr.shape, *([1] * (param.dim() - lr.dim()))) / (1 - beta1**step)
    param.sub_(torch.mul(step_size, exp_avg, out=update).div_(denom))
