"""What a toy cell is: its settings (CellSpec) and the models it trains (ToyRun), free of torch so
that planning the workflow, which builds every cell's spec when Snakemake parses it, loads none.

A cell is every width m at one (distribution, gamma, seed), the unit of a grid: adding a gamma or
alpha adds cells without touching the trained ones. Cells that differ only in gamma share their
stream of sampled batches (superscale.toy.cells trains them together).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from superscale.core.seeds import derive_seed

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class ToyRun:
    """One model to train: its width, decay, learning rates, init seed and a label for messages."""

    m: int
    gamma: float
    lr_W: float
    lr_b: float
    init_seed: int
    label: str


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
        from superscale.toy.features import feature_probabilities  # torch: loaded by the jobs, not the plan

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
