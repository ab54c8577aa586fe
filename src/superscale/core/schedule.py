"""The learning-rate schedule shared by the toy models and the shape sweep's transformers."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    """Linear warmup to the peak, then cosine decay to min_ratio * peak at the last step.

    Follows the authors' get_lr: the multiplier at 0-based step t uses t + 1; when warmup_steps is
    not below total_steps there is no warmup and the cosine runs over all steps.
    """

    total_steps: int
    warmup_steps: int
    min_ratio: float = 0.05

    def multiplier(self, step: int) -> float:
        s = step + 1
        low = self.min_ratio
        if self.warmup_steps < self.total_steps:
            if s < self.warmup_steps:
                return s / self.warmup_steps
            progress = (s - self.warmup_steps) / (self.total_steps - self.warmup_steps)
        else:
            progress = s / self.total_steps
        return (1 - low) * 0.5 * (1 + math.cos(math.pi * progress)) + low
