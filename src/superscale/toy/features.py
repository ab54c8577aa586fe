"""Feature-frequency distributions and a sampler of the sparse inputs x = u * v (paper Eq. 1).

x_i = u_i v_i with u_i ~ Bernoulli(p_i) and v_i ~ U(0, 2), all independent. With activation
density E = sum(p) of order one, a batch of B samples holds about E * B non-zeros out of B * n
entries, so the sampler draws the positions of the non-zeros directly (geometric gaps between
successes, per feature) instead of a dense B x n Bernoulli matrix.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import torch

# torch flags its CSR tensors as beta on every construction; the products used here are stable.
warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
warnings.filterwarnings("ignore", message="Sparse invariant checks are implicitly disabled")

DISTRIBUTIONS = ("power", "exponential", "linear")


def feature_probabilities(
    kind: str, n: int, exponent: float = 1.0, scale: float = 400.0, density: float = 1.0
) -> torch.Tensor:
    """Activation probabilities p_1 >= ... >= p_n (float64) with sum(p) = density.

    power: p_i ~ i**-exponent; exponential: p_i ~ exp(-i / scale); linear: p_i ~ n + 1 - i,
    for ranks i = 1..n. Raises ValueError when density would push some p_i above 1.
    """
    rank = torch.arange(1, n + 1, dtype=torch.float64)
    if kind == "power":
        weights = rank.pow(-exponent)
    elif kind == "exponential":
        weights = torch.exp(-(rank - 1) / scale)
    elif kind == "linear":
        weights = n + 1 - rank
    else:
        raise ValueError(f"unknown distribution {kind!r}; expected one of {DISTRIBUTIONS}")
    probs = weights / weights.sum() * density
    if probs.max() > 1 + 1e-12:
        raise ValueError(
            f"density {density} is too large for the {kind} distribution with n={n}: "
            f"the most frequent feature would have p_1 = {probs.max():.4g} > 1 "
            f"(the largest density allowed is {density / probs.max():.4g})"
        )
    return probs.clamp(max=1.0)


@dataclass(frozen=True)
class SparseBatch:
    """A batch of inputs in coordinate form, sorted by (row, column); entries are unique.

    `empty_rows` counts further all-zero samples that are part of the batch but not stored (see
    without_empty_rows); the batch holds batch_size + empty_rows samples in all.
    """

    rows: torch.Tensor  # int64 sample index in [0, batch_size)
    cols: torch.Tensor  # int64 feature index in [0, n)
    values: torch.Tensor  # float32 v ~ U(0, 2)
    batch_size: int
    n: int
    empty_rows: int = 0

    @property
    def samples(self) -> int:
        return self.batch_size + self.empty_rows

    def without_empty_rows(self) -> SparseBatch:
        """The same batch with its all-zero samples counted instead of stored.

        An all-zero sample has hidden state 0 and output ReLU(b) whatever W is, so models can
        account for it in closed form; with E = 1 about 1/e of all samples are empty.
        """
        kept, rows = torch.unique_consecutive(self.rows, return_inverse=True)
        return SparseBatch(rows, self.cols, self.values, kept.numel(), self.n, self.samples - kept.numel())

    def to_dense(self) -> torch.Tensor:
        """All samples as a (samples, n) matrix, empty ones last."""
        dense = torch.zeros(self.samples, self.n, device=self.values.device)
        dense[self.rows, self.cols] = self.values
        return dense

    @cached_property
    def csr(self) -> torch.Tensor:
        """x as a (B, n) CSR matrix, for products x @ W (built once per batch)."""
        return _csr(self.rows, self.cols, self.values, (self.batch_size, self.n))

    @cached_property
    def active_transpose(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The features active anywhere in the batch, J (sorted), and the rows J of x^T as a
        (|J|, B) CSR matrix: x^T @ G needs only these rows, and |J| is often far below B."""
        order = torch.argsort(self.cols * self.batch_size + self.rows)
        features, rows = torch.unique_consecutive(self.cols[order], return_inverse=True)
        return features, _csr(rows, self.rows[order], self.values[order], (features.numel(), self.batch_size))


def _csr(rows: torch.Tensor, cols: torch.Tensor, values: torch.Tensor, shape) -> torch.Tensor:
    counts = torch.bincount(rows, minlength=shape[0])
    crow = torch.zeros(shape[0] + 1, dtype=torch.int64, device=rows.device)
    crow[1:] = torch.cumsum(counts, 0)
    return torch.sparse_csr_tensor(crow, cols, values, size=shape)


class FeatureSampler:
    """Draws batches of x = u * v for fixed probabilities, exactly, without a dense Bernoulli matrix.

    For feature i the rows where u_i = 1 are the partial sums of i.i.d. Geometric(p_i) gaps. Each
    feature gets enough gaps to pass the end of the batch with overwhelming probability (mean plus
    `sigmas` standard deviations); the rare feature that falls short gets more gaps, so the draw is
    exact, not truncated.
    """

    def __init__(
        self,
        probs: torch.Tensor,
        batch_size: int,
        generator: torch.Generator,
        sigmas: float = 6.0,
    ):
        self.device = generator.device
        self.generator = generator
        self.batch_size = batch_size
        self.n = probs.numel()
        probs = probs.to(device=self.device, dtype=torch.float64)
        self.features = torch.nonzero(probs > 0).flatten()
        p = probs[self.features]
        self.log_fail = torch.log1p(-p)  # -inf where p = 1: every gap is then 1
        mean = batch_size * p
        spread = torch.sqrt(batch_size * p * (1 - p))
        self.gaps_per_feature = torch.ceil(mean + sigmas * spread + 4).long().clamp(max=batch_size)

    def sample(self) -> SparseBatch:
        features, counts, log_fail = self.features, self.gaps_per_feature, self.log_fail
        start = torch.zeros_like(features)  # first row not yet decided, per feature
        rows_parts, cols_parts = [], []
        while features.numel():
            feature_of_gap = torch.repeat_interleave(torch.arange(features.numel(), device=self.device), counts)
            uniform = torch.rand(
                feature_of_gap.numel(), generator=self.generator, device=self.device, dtype=torch.float64
            )
            gaps = torch.floor(torch.log1p(-uniform) / log_fail[feature_of_gap]) + 1
            gaps = gaps.clamp(max=self.batch_size + 1).long()
            offsets = torch.cumsum(counts, 0) - counts
            within = torch.cumsum(gaps, 0)
            within = within - (within[offsets] - gaps[offsets])[feature_of_gap]
            rows = start[feature_of_gap] + within - 1
            keep = rows < self.batch_size
            rows_parts.append(rows[keep])
            cols_parts.append(features[feature_of_gap[keep]])
            reached = start + within[offsets + counts - 1]
            short = reached < self.batch_size  # every gap landed inside the batch: draw more
            features, log_fail, start = features[short], log_fail[short], reached[short]
            counts = torch.full_like(features, 16)
        rows = torch.cat(rows_parts)
        cols = torch.cat(cols_parts)
        order = torch.argsort(rows * self.n + cols)
        rows, cols = rows[order], cols[order]
        values = 2 * torch.rand(rows.numel(), generator=self.generator, device=self.device)
        return SparseBatch(rows, cols, values, self.batch_size, self.n)


__all__ = [
    "DISTRIBUTIONS",
    "FeatureSampler",
    "SparseBatch",
    "feature_probabilities",
]
