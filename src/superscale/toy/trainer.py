"""Batched training of many toy models at once, on CPU or GPU, with one code path.

Models that share a feature distribution share each step's sampled batch. Models of equal width m
are stacked into (K, n, m) tensors and stepped together with batched matrix products; gradients are
written out by hand so that the sparse input x enters only through sparse products. How many
models go into one stacked chunk follows from a memory estimate: the chunk's (K, B, n) activation
must fit the budget (a cache-sized one on CPU, a share of free memory on a GPU).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, NamedTuple

import torch
from tqdm import tqdm

from superscale.core.device import configure_precision
from superscale.core.errors import DivergenceError
from superscale.core.schedule import Schedule
from superscale.core.seeds import make_generator
from superscale.toy.features import FeatureSampler, SparseBatch
from superscale.toy.model import adam_step_, decay_rows_, init_weights
from superscale.toy.spec import ToyRun

CPU_CHUNK_BYTES = 16 * 2**20
GPU_MEMORY_SHARE = 0.5
BLOCKED_TRANSPOSE_MIN = 2**20  # elements per model from which copy_transposed_ goes model by model


@dataclass(frozen=True)
class TrainSettings:
    batch_size: int
    schedule: Schedule
    log_every: int = 100
    chunk_bytes: int | None = None  # None: chosen from the device
    # The back-propagated loss is MSE x loss_scale (the authors' large-toy runs used 100). Adam is
    # invariant to it except through eps, which it shrinks relative to rarely active rows' gradients.
    loss_scale: float = 1.0


@dataclass
class TrainedToy:
    run: ToyRun
    W: torch.Tensor
    b: torch.Tensor
    log_steps: list[int] = field(default_factory=list)
    log_losses: list[float] = field(default_factory=list)


def model_bytes(n: int, m: int, batch_size: int) -> int:
    """Estimated bytes one width-m model takes in a stacked step: the (B, n) activation dominates."""
    return 4 * (batch_size * n + 3 * batch_size * m + 8 * n * m)


def models_per_chunk(n: int, m: int, batch_size: int, device: torch.device, budget: int | None) -> int:
    """How many width-m models fit in one stacked step within the budget (None: the device's)."""
    if budget is None:
        if device.type == "cuda":
            free, _ = torch.cuda.mem_get_info(device)
            budget = int(free * GPU_MEMORY_SHARE)
        else:
            budget = CPU_CHUNK_BYTES
    return max(1, budget // model_bytes(n, m, batch_size))


class Forward(NamedTuple):
    hidden: torch.Tensor  # (K, B, m + 1): h = x W with a column of ones appended
    weights: torch.Tensor  # (K, m + 1, n): W^T with b appended as the last row, contiguous
    out: torch.Tensor  # (K, B, n): ReLU(h W^T + b)


def sparse_forward(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, weights: torch.Tensor | None = None) -> Forward:
    """The model on a sparse batch x (B, n) for stacked W (K, n, m) and b (K, n).

    The bias rides in the product as a row of W^T against a column of ones in h: the output takes
    one pass instead of three, the backward product with the same operand yields the bias gradient
    as its last row, and a contiguous W^T makes these skinny products 2-3x faster on CPU.
    `weights`, if given, is the (K, m + 1, n) buffer to build W^T and b in.
    """
    K, n, m = W.shape
    h = (x @ W.permute(1, 0, 2).reshape(n, K * m)).reshape(-1, K, m).transpose(0, 1)
    hidden = torch.cat([h, torch.ones(K, h.shape[1], 1, device=h.device, dtype=h.dtype)], dim=2)
    if weights is None:
        weights = torch.empty(K, m + 1, n, device=W.device, dtype=W.dtype)
    copy_transposed_(weights[:, :m], W)
    weights[:, m].copy_(b)
    return Forward(hidden, weights, torch.bmm(hidden, weights).relu_())


def copy_transposed_(dst: torch.Tensor, src: torch.Tensor) -> torch.Tensor:
    """dst (K, a, b) = src (K, b, a) transposed. A large matrix goes model by model: torch copies a
    2-D transpose in cache-sized blocks, 4-8x faster on CPU than the strided 3-D copy."""
    if src[0].numel() < BLOCKED_TRANSPOSE_MIN:
        return dst.copy_(src.transpose(1, 2))
    for target, source in zip(dst, src):
        target.copy_(source.T)
    return dst


def residual_(out: torch.Tensor, batch: SparseBatch, b: torch.Tensor, want_loss: bool) -> torch.Tensor | None:
    """Turn ReLU outputs into the loss's residual in place; if asked, return the loss (MSE x n).

    d(MSE)/d(pre) is proportional to (ReLU(pre) - x) 1[pre > 0], and ReLU(pre) is 0 where pre <= 0,
    so only the entries at the non-zeros of x need changing. Each empty sample adds |ReLU(b)|^2.
    """
    at_x = out[:, batch.rows, batch.cols]
    loss = None
    if want_loss:
        squared = out.square().sum((1, 2)) - at_x.square().sum(1) + (at_x - batch.values).square().sum(1)
        loss = (squared + batch.empty_rows * b.relu().square().sum(1)) / batch.samples
    out[:, batch.rows, batch.cols] = torch.where(at_x > 0, at_x - batch.values, 0.0)
    return loss


class _Chunk:
    """K stacked models of one width with their Adam state, and buffers that every step reuses:
    a step allocates no parameter-sized tensor (on CPU each fresh one costs page faults)."""

    def __init__(self, runs: list[ToyRun], n: int, device: torch.device):
        self.runs = runs
        weights = [init_weights(n, run.m, make_generator(run.init_seed)) for run in runs]
        self.W = torch.stack([w for w, _ in weights]).to(device)
        self.b = torch.stack([b for _, b in weights]).to(device)
        self.state = [torch.zeros_like(t) for t in (self.W, self.W, self.b, self.b)]
        K, _, m = self.W.shape
        self.weights = torch.empty(K, m + 1, n, device=device)
        self.grad_W, self.scratch_W = torch.empty_like(self.W), (torch.empty_like(self.W), torch.empty_like(self.W))
        self.scratch_b = (torch.empty_like(self.b), torch.empty_like(self.b))
        self.gamma = torch.tensor([r.gamma for r in runs], device=device)
        self.lr_W = torch.tensor([r.lr_W for r in runs], device=device)
        self.lr_b = torch.tensor([r.lr_b for r in runs], device=device)

    def step(
        self, batch: SparseBatch, step: int, factor: float, want_loss: bool, loss_scale: float = 1.0
    ) -> torch.Tensor | None:
        """One optimizer step on a batch stored without its empty samples (see without_empty_rows).

        Gradients are those of MSE x loss_scale; returns the loss (MSE x n) per model if asked.
        An empty sample's output is ReLU(b) and its hidden state 0, so it reaches only the bias
        gradient and the loss, in closed form.
        """
        W, b = self.W, self.b
        K, n, m = W.shape
        hidden, weights, out = sparse_forward(W, b, batch.csr, self.weights)
        loss = residual_(out, batch, b, want_loss)
        scale = 2.0 * loss_scale / (batch.samples * n)
        grads = torch.bmm(hidden.transpose(1, 2), out)  # (K, m + 1, n): G^T h and, last, sum of G
        grad_b = (grads[:, m] + batch.empty_rows * b.relu()).mul_(scale)
        back = torch.bmm(out, weights[:, :m].transpose(1, 2))  # dL/dh up to scale
        features, x_active_T = batch.active_transpose  # x^T back is non-zero only on active rows
        x_back = (x_active_T @ back.transpose(0, 1).reshape(batch.batch_size, K * m)).reshape(-1, K, m)
        grad_W = copy_transposed_(self.grad_W, grads[:, :m])  # W's layout: Adam's passes run contiguous
        grad_W[:, features] += x_back.transpose(0, 1)
        grad_W.mul_(scale)
        lr_W, lr_b = self.lr_W * factor, self.lr_b * factor
        decay_rows_(W, lr_W, self.gamma, self.scratch_W[0])
        adam_step_(W, grad_W, self.state[0], self.state[1], step + 1, lr_W, self.scratch_W)
        adam_step_(b, grad_b, self.state[2], self.state[3], step + 1, lr_b, self.scratch_b)
        return loss


def plan_chunks(runs: list[ToyRun], n: int, settings: TrainSettings, device: torch.device) -> list[list[ToyRun]]:
    """Group runs by width, then split each group into chunks that fit the memory budget."""
    chunks = []
    for m in sorted({r.m for r in runs}):
        group = [r for r in runs if r.m == m]
        size = models_per_chunk(n, m, settings.batch_size, device, settings.chunk_bytes)
        chunks += [group[i : i + size] for i in range(0, len(group), size)]
    return chunks


def train_toys(
    runs: list[ToyRun],
    probs: torch.Tensor,
    settings: TrainSettings,
    data_seed: int,
    device: torch.device,
    progress: IO[str] | None = None,
    batches: Iterator[SparseBatch] | None = None,
) -> list[TrainedToy]:
    """Train all runs on one shared stream of batches drawn from probs; return them in order.

    `batches`, if given, replaces the sampler (an iterator of SparseBatch), so that tests can feed
    the trainer and the reference loop identical data. Raises DivergenceError naming the run whose
    loss stops being finite (checked every log_every steps and at the end). Labels must be unique.
    """
    labels = [run.label for run in runs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"run labels must be unique, since errors and results name runs by label: {labels}")
    configure_precision(device)
    n = probs.numel()
    if batches is None:
        sampler = FeatureSampler(probs, settings.batch_size, make_generator(data_seed, device))
        batches = iter(sampler.sample, None)
    chunks = [_Chunk(c, n, device) for c in plan_chunks(runs, n, settings, device)]
    logs = {run.label: ([], []) for run in runs}
    total = settings.schedule.total_steps
    with subnormals_flushed():
        for step in tqdm(range(total), file=progress, mininterval=10, desc="train", unit="step"):
            batch = next(batches).without_empty_rows()
            factor = settings.schedule.multiplier(step)
            want_loss = (step + 1) % settings.log_every == 0 or step + 1 == total
            for chunk in chunks:
                loss = chunk.step(batch, step, factor, want_loss, settings.loss_scale)
                if want_loss:
                    _record(chunk.runs, loss, step, logs, runs)
    trained = {}
    for chunk in chunks:
        for k, run in enumerate(chunk.runs):
            trained[run.label] = TrainedToy(run, chunk.W[k].cpu(), chunk.b[k].cpu(), *logs[run.label])
    return [trained[run.label] for run in runs]


@contextmanager
def subnormals_flushed():
    """CPU arithmetic with subnormal floats flushed to zero, for the duration of the block.

    Under gamma > 0 the rows of rarely active features decay geometrically and, after ~10,000 steps
    at lr 0.01, enter the subnormal range (< 1.2e-38), where every CPU operation on them is many
    times slower: the small toy at gamma = +1, alpha = 2 stepped at 95 steps/s until step ~9,000 and
    at 16-26 after. Such values are zero to every measurement made of the models.
    """
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


def _record(runs: list[ToyRun], loss: torch.Tensor, step: int, logs: dict, job: list[ToyRun]) -> None:
    values = loss.tolist()
    diverged = [(run, value) for run, value in zip(runs, values) if not math.isfinite(value)]
    if diverged:
        raise DivergenceError(_divergence_message(diverged, step, job))
    for run, value in zip(runs, values):
        logs[run.label][0].append(step + 1)
        logs[run.label][1].append(value)


def _divergence_message(diverged: list[tuple[ToyRun, float]], step: int, job: list[ToyRun]) -> str:
    """Which models diverged and, where the job trains other gammas with them (a GPU pack), that
    those fail with them: they are unharmed (every model's weights are its own), but a job's
    cells are stored together, so nothing of the job is kept."""
    names = "; ".join(f"{run.label} (training loss {value})" for run, value in diverged)
    message = (
        f"toy model(s) diverged at step {step + 1}: {names}. Lower the learning rate or check the decay "
        "gamma for this configuration."
    )
    others = sorted({run.gamma for run in job} - {run.gamma for run, _ in diverged})
    if others:
        message += (
            f" This job also trains gamma {', '.join(f'{gamma:g}' for gamma in others)} on the same batches: "
            "they had not diverged, but the job stores its cells together, so none of them is kept; with the "
            "diverging gamma dropped from the config they retrain in a job of their own."
        )
    return message
