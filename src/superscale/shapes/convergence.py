"""The convergence gate: may a model's loss enter a width exponent?

A loss-against-width curve of models stopped early flattens whatever the mechanism, so every
family whose exponent is claimed passes each model through one stated test (config
`shapes.gate`):

- flat: the held-out loss fell by less than `max_drop_percent` % of its final value over the last
  `late_fraction` of training (from the curve point nearest (1 - late_fraction) x steps to the last);
- enough data, for models trained in one pass over fresh tokens (the ladder): at least
  `min_tokens_per_parameter` training tokens per trained parameter (embeddings included), because
  a cosine schedule flattens the end of any curve, converged or not. Heads trained for many epochs
  on cached states at a constant rate are judged by flatness alone (their distinct tokens per
  parameter are reported beside it).

A family is "converged" when every one of its models passes, else "under-trained": its alpha_m is
reported as that and not compared with the paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONVERGED, UNDER_TRAINED = "converged", "under-trained"


def late_drop_percent(steps, losses, late_fraction: float) -> tuple[int, float]:
    """(step the late window starts at, % fall of the held-out loss from there to the last point)."""
    steps, losses = np.asarray(steps), np.asarray(losses, float)
    order = np.argsort(steps)
    steps, losses = steps[order], losses[order]
    start = int(np.argmin(np.abs(steps - (1 - late_fraction) * steps[-1])))
    return int(steps[start]), float(100 * (losses[start] - losses[-1]) / losses[-1])


def gate(steps, losses, settings: dict, tokens_per_parameter: float | None = None) -> dict:
    """The gate's verdict on one model's held-out curve; `tokens_per_parameter` None: flatness only."""
    late_from, drop = late_drop_percent(steps, losses, settings["late_fraction"])
    flat = drop < settings["max_drop_percent"]
    enough = tokens_per_parameter is None or tokens_per_parameter >= settings["min_tokens_per_parameter"]
    return {
        "late_from_step": late_from,
        "late_drop_percent": drop,
        "flat": bool(flat),
        "tokens_per_parameter": float("nan") if tokens_per_parameter is None else float(tokens_per_parameter),
        "enough_tokens": bool(enough),
        "passes_gate": bool(flat and enough),
    }


def family_status(models: pd.DataFrame) -> str:
    """CONVERGED when every model of the family passes the gate, else UNDER_TRAINED."""
    return CONVERGED if bool(models.passes_gate.all()) else UNDER_TRAINED
