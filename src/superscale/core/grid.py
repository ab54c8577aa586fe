"""Grid axes from the config, and the file-name tokens that stand for their values.

An axis is either an explicit list or {start, stop, num} (numpy linspace, as the paper's
torch.linspace grids). Tokens carry four decimals; the exact value travels to the rules through
their params, so a token never rounds what is trained.
"""

from __future__ import annotations

import numpy as np


def axis_values(spec) -> list[float]:
    if isinstance(spec, dict):
        return [float(v) for v in np.linspace(spec["start"], spec["stop"], spec["num"])]
    return [float(v) for v in spec]


def value_token(value: float, signed: bool = False) -> str:
    return f"{value:+.4f}" if signed else f"{value:.4f}"


def axis_tokens(spec, name: str, signed: bool = False) -> dict[str, float]:
    """Token -> exact value for one axis; two values that share a token are a config error."""
    tokens: dict[str, float] = {}
    for value in axis_values(spec):
        token = value_token(value, signed)
        if token in tokens and tokens[token] != value:
            raise ValueError(
                f"config axis {name!r}: values {tokens[token]!r} and {value!r} are closer than "
                "1e-4 and would share the file token {token!r}; keep grid values 1e-4 apart"
            )
        tokens[token] = value
    return tokens


def nearest(values, target: float) -> float:
    """The grid value closest to target (ties go to the lower): where the paper names a value
    (gamma = -0.778, m = 15, ...), a config whose grid lacks it uses its nearest neighbour."""
    values = np.unique(np.asarray(values, dtype=float))
    return float(values[np.argmin(np.abs(values - target))])
