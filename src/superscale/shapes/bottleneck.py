"""Bottleneck heads: the paper's width question asked of one trained trunk, with L_inf measured.

The trunk (the width ladder's widest model) is trained once; its final hidden states (after the
final LayerNorm: what its unembedding reads) are cached on training and held-out tokens. A head
h -> m -> vocabulary (two bias-free linear maps; the second, V x m, is the m-wide unembedding whose
rows the paper analyses) is then trained on the cached states for each width m, from its own
random initialisation (N(0, 0.02), as the trunk's) and data order. Only the head changes with m,
so the loss above the full-width head's is the loss of squeezing V tokens into m dimensions, the
paper's mechanism with nothing else varying; L_inf is the full-width head's held-out loss,
measured, not fitted. Heads train with Adam at a constant rate after a linear warmup, so that a
flat end of the held-out curve at that rate means convergence rather than a decayed rate, then
cool down linearly to zero, which removes the constant rate's noise floor (at the default, the
full-width head's held-out loss fell from 1.0 % above the trunk's own readout to within 0.01 %).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import IO

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from superscale.core.errors import DivergenceError
from superscale.shapes.gpt import GPT

INIT_STD = 0.02  # the trunk's init scale (superscale.shapes.gpt)


@dataclass(frozen=True)
class HeadSettings:
    steps: int
    batch_size: int  # tokens per step
    lr: float
    warmup_steps: int
    curve_every: int
    cooldown_steps: int = 0

    def multiplier(self, step: int) -> float:
        """Linear warmup, constant, then a linear cooldown to zero over the last `cooldown_steps`:
        the constant phase lets a flat curve mean convergence, the cooldown removes the rate's noise
        floor (the gate still reads the last part of the curve, cooldown included)."""
        warm = min(1.0, (step + 1) / max(1, self.warmup_steps))
        cool = min(1.0, (self.steps - step) / self.cooldown_steps) if self.cooldown_steps else 1.0
        return min(warm, cool)


@torch.no_grad()
def final_states(model: GPT, batches: torch.Tensor, batch_size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """(float32 (tokens, d_model) final-norm hidden states, int64 (tokens,) next-token targets) of
    every position of the windows `batches` (context + 1 tokens each)."""
    model.eval()
    states, targets = [], []
    for start in range(0, len(batches), batch_size):
        chunk = batches[start : start + batch_size]
        hidden = _hidden(model, chunk[:, :-1])
        states.append(hidden.reshape(-1, hidden.shape[-1]).float())
        targets.append(chunk[:, 1:].reshape(-1))
    return torch.cat(states), torch.cat(targets)


def _hidden(model: GPT, tokens: torch.Tensor) -> torch.Tensor:
    """The trunk's final-norm states: the forward pass of superscale.shapes.gpt.GPT up to its unembedding."""
    positions = torch.arange(tokens.shape[1], device=tokens.device)
    x = model.token_embedding(tokens) + model.position_embedding(positions)
    for block in model.blocks:
        x = block(x)
    return model.final_norm(x)


class BottleneckHead(nn.Module):
    """hidden -> m -> vocabulary, no biases (the trunk's unembedding has none)."""

    def __init__(self, hidden: int, width: int, vocab: int):
        super().__init__()
        self.down = nn.Linear(hidden, width, bias=False)
        self.up = nn.Linear(width, vocab, bias=False)
        for parameter in self.parameters():
            nn.init.normal_(parameter, 0.0, INIT_STD)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.up(self.down(states))

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


@torch.no_grad()
def cross_entropy(logits_of, states: torch.Tensor, targets: torch.Tensor, batch_size: int = 8192) -> float:
    """Mean cross-entropy (nats per token) of `logits_of(states)` against `targets`, in chunks."""
    total = 0.0
    for start in range(0, len(states), batch_size):
        logits = logits_of(states[start : start + batch_size])
        total += float(F.cross_entropy(logits, targets[start : start + batch_size], reduction="sum"))
    return total / len(states)


def plateau(record: dict, end: int) -> tuple[list[int], list[float]]:
    """The held-out curve of a head's constant-rate phase (steps up to `end`), which the gate reads."""
    kept = [(step, loss) for step, loss in zip(record["curve_steps"], record["curve_losses"]) if step <= end]
    return [step for step, _ in kept], [loss for _, loss in kept]


def cooldown_drop(record: dict, end: int) -> float:
    """% by which the held-out loss fell from the last constant-rate point to the end of training."""
    steps, losses = plateau(record, end)
    return 100 * (losses[-1] - record["heldout_loss"]) / record["heldout_loss"]


def presentation_order(positions: int, steps: int, batch_size: int, seed: int) -> torch.Tensor:
    """(steps, batch_size) cached positions: whole permutations one after another, so that no
    position repeats before every other has been seen (a head sees as many distinct tokens as it
    can, and overfits only once the cache runs out)."""
    rng = np.random.default_rng(seed)
    epochs = -(-steps * batch_size // positions)
    order = np.concatenate([rng.permutation(positions) for _ in range(epochs)])
    return torch.from_numpy(order[: steps * batch_size].reshape(steps, batch_size))


def train_head(
    train: tuple[torch.Tensor, torch.Tensor],
    heldout: tuple[torch.Tensor, torch.Tensor],
    width: int,
    vocab: int,
    seed: int,
    settings: HeadSettings,
    label: str,
    progress: IO | None = None,
) -> tuple[BottleneckHead, dict]:
    """Train one head of width `width` (init seed and data order from `seed`); return it and its
    record: held-out loss every `curve_every` steps and after the last, final held-out and
    training loss, the up-projection's rows at initialisation (for the overlap baseline)."""
    states, targets = train
    torch.manual_seed(seed)
    head = BottleneckHead(states.shape[1], width, vocab)
    initial_rows = head.up.weight.detach().clone().numpy()
    optimizer = torch.optim.Adam(head.parameters(), lr=settings.lr, betas=(0.9, 0.95))
    order = presentation_order(len(states), settings.steps, settings.batch_size, seed)
    curve_steps, curve_losses = [], []
    started = time.perf_counter()
    for step in range(settings.steps):
        for group in optimizer.param_groups:
            group["lr"] = settings.lr * settings.multiplier(step)
        batch = order[step]
        loss = F.cross_entropy(head(states[batch]), targets[batch])
        if not torch.isfinite(loss):
            raise DivergenceError(f"{label}: head loss became {loss.item()} at step {step} (lr {settings.lr:.3g})")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if (step + 1) % settings.curve_every == 0 or step + 1 == settings.steps:
            curve_steps.append(step + 1)
            curve_losses.append(cross_entropy(head, *heldout))
            if progress is not None:
                print(
                    f"{label} step {step + 1}/{settings.steps} held-out loss {curve_losses[-1]:.4f} "
                    f"{time.perf_counter() - started:.1f} s",
                    file=progress,
                    flush=True,
                )
    return head, {
        "heldout_loss": curve_losses[-1],
        "train_loss": cross_entropy(head, states, targets),
        "curve_steps": curve_steps,
        "curve_losses": curve_losses,
        "n_parameters": head.n_parameters(),
        "presentations": settings.steps * settings.batch_size,
        "initial_rows": initial_rows,
        "train_seconds": time.perf_counter() - started,
    }
