"""Katta's compressed-sensing bound, read backwards: what feature sparsity lets n features fit in
m neurons.

Katta (arXiv 2407.01459), after Toy Models of Superposition: n features that are each nonzero with
probability p = 1 - S need m = Omega(-n p log p) neurons, i.e. n/m ~ 1/(-p ln p) with the constant
taken as 1. Given n and m, the largest density that fits is the root of -p ln p = m/n on the
sparse branch 0 < p < 1/e (where -p ln p rises with p); -p ln p never exceeds 1/e, so for
m/n >= 1/e every density fits and the bound asks for no sparsity (returned as p = 1).
"""

from __future__ import annotations

import math

from scipy.optimize import brentq

BRANCH_TOP = 1 / math.e  # -p ln p peaks here at 1/e


def features_per_neuron(density: float) -> float:
    """n/m = 1 / (-p ln p): how many features of density p one neuron holds under the bound."""
    if not 0 < density < 1:
        raise ValueError(f"density must lie in (0, 1), got {density}")
    return 1 / (-density * math.log(density))


def implied_density(features: float, neurons: float) -> float:
    """The largest feature density p = 1 - S at which `features` fit in `neurons` (sparse branch)."""
    if features <= 0 or neurons <= 0:
        raise ValueError(f"features and neurons must be positive, got {features} and {neurons}")
    target = neurons / features
    if target >= BRANCH_TOP:
        return 1.0
    return brentq(lambda p: -p * math.log(p) - target, 1e-300, BRANCH_TOP, xtol=1e-15, rtol=1e-12)
