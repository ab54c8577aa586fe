"""Linear centred kernel alignment (Kornblith et al. 2019), the feature-similarity measure of the
shape sweep.

For representations X (n x p) and Y (n x q) of the same n examples, centred over the examples,
    CKA(X, Y) = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F),
which lies in [0, 1], is 1 for X = Y, and is invariant to orthogonal transforms and isotropic
scaling of either side (not to general invertible maps), so that models of different width p != q
can be compared. Computed in float64 from the p x q cross-covariance, O(n p q).
"""

from __future__ import annotations

import numpy as np


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA of two (examples x features) matrices with the same rows."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or len(x) != len(y):
        raise ValueError(f"CKA needs two 2-d matrices with the same number of rows, got {x.shape} and {y.shape}")
    x = x - x.mean(axis=0)
    y = y - y.mean(axis=0)
    cross = np.linalg.norm(y.T @ x) ** 2
    norms = np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)
    if norms == 0:
        raise ValueError("CKA is undefined for a representation that is constant over the examples")
    return float(cross / norms)
