"""Geometry of trained weight matrices: row norms, fractions represented, overlaps, ambiguity.

Rows W_i are features' representations. Overlaps are always taken between directions
W_i / (||W_i|| + eps) and only over distinct pairs i < j. Sums run in float64.
"""

from __future__ import annotations

import torch

NORM_EPS = 1e-9
REPRESENTED = 0.5  # phi_1/2: ||W_i|| > 1/2 (paper Eq. 3)
STRONGLY_REPRESENTED = 1.0  # phi_1: ||W_i|| > 1 (paper Eq. 9)


def row_norms(W: torch.Tensor) -> torch.Tensor:
    return torch.linalg.vector_norm(W.double(), dim=1)


def squared_overlap_stats(W: torch.Tensor, block: int = 4096) -> tuple[float, float, int]:
    """Mean and variance of (w_i . w_j)^2 over distinct pairs of normalised rows, and the pair count.

    Works in row blocks so that n = 10^4 rows need no n x n matrix. NaN when fewer than 2 rows.
    """
    rows = W.double()
    rows = rows / (torch.linalg.vector_norm(rows, dim=1, keepdim=True) + NORM_EPS)
    count = rows.shape[0] * (rows.shape[0] - 1) // 2
    if count == 0:
        return float("nan"), float("nan"), 0
    total = total_sq = 0.0
    for start in range(0, rows.shape[0], block):
        left = rows[start : start + block]
        for other in range(start, rows.shape[0], block):
            squared = (left @ rows[other : other + block].T).square()
            if other == start:
                squared = squared.triu(diagonal=1)
            total += squared.sum().item()
            total_sq += squared.square().sum().item()
    mean = total / count
    return mean, total_sq / count - mean**2, count


def ambiguity(W: torch.Tensor) -> float:
    """||W W^T - diag(I_m, 0)||_2 (paper D.5), through the rank-2m factor instead of an n x n matrix.

    W W^T - E E^T = U J U^T with U = [W, E], J = diag(I, -I); with U = Q R its non-zero spectrum is
    that of the small symmetric R J R^T.
    """
    n, m = W.shape
    basis = torch.eye(n, m, dtype=torch.float64, device=W.device)
    _, R = torch.linalg.qr(torch.cat([W.double(), basis], dim=1))
    signs = torch.cat([torch.ones(m), -torch.ones(m)]).to(R)
    core = (R * signs) @ R.T
    return torch.linalg.eigvalsh(core).abs().max().item()


def weight_metrics(W: torch.Tensor) -> dict[str, float]:
    """Every per-model statistic the figures use, named as in results/toy/*/metrics.csv."""
    norms = row_norms(W)
    strong = norms > STRONGLY_REPRESENTED
    mean_sq, var_sq, _ = squared_overlap_stats(W)
    mean_sq_strong, var_sq_strong, _ = squared_overlap_stats(W[strong])
    return {
        "norm_mean": norms.mean().item(),
        "norm_std": norms.std().item(),
        "norm_min": norms.min().item(),
        "norm_max": norms.max().item(),
        "phi_half": (norms > REPRESENTED).double().mean().item(),
        "phi_one": strong.double().mean().item(),
        "n_strong": int(strong.sum().item()),
        "mean_sq_overlap": mean_sq,
        "var_sq_overlap": var_sq,
        "mean_sq_overlap_strong": mean_sq_strong,
        "var_sq_overlap_strong": var_sq_strong,
        "ambiguity": ambiguity(W),
    }


def random_sq_overlap_variance(m: int) -> float:
    """Var of (w_i . w_j)^2 for independent uniform unit vectors in R^m: 2(m-1) / (m^2 (m+2))."""
    return 2 * (m - 1) / (m**2 * (m + 2))


def welch_bound_sq(count: int, m: int) -> float:
    """kappa^2 = (nu - m) / (m (nu - 1)): the Welch bound on max squared overlap of nu unit vectors."""
    return (count - m) / (m * (count - 1)) if count > m else 0.0
