"""Tests of superscale.toy.geometry on constructed matrices with known answers."""

import itertools
import math

import numpy as np
import pytest
import torch

from superscale.toy.geometry import (
    ambiguity,
    random_sq_overlap_variance,
    row_norms,
    squared_overlap_stats,
    weight_metrics,
    welch_bound_sq,
)


def _rows_with_norms(norms, m=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    directions = torch.randn(len(norms), m, generator=g, dtype=torch.float64)
    directions /= directions.norm(dim=1, keepdim=True)
    return directions * torch.tensor(norms, dtype=torch.float64).unsqueeze(1)


NORMS = [0.0, 0.2, 0.49, 0.51, 0.8, 0.99, 1.01, 1.5, 2.0, 3.0]


def test_row_norms():
    W = torch.tensor([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0], [-0.6, 0.8]])
    norms = row_norms(W)
    assert norms.dtype == torch.float64
    torch.testing.assert_close(norms, torch.tensor([5.0, 0.0, 1.0, 1.0], dtype=torch.float64))
    torch.testing.assert_close(row_norms(_rows_with_norms(NORMS)), torch.tensor(NORMS, dtype=torch.float64))


def test_fractions_represented():
    metrics = weight_metrics(_rows_with_norms(NORMS).float())
    # > 1/2: 0.51, 0.8, 0.99, 1.01, 1.5, 2, 3 -> 7 of 10; > 1: 1.01, 1.5, 2, 3 -> 4 of 10
    assert metrics["phi_half"] == pytest.approx(0.7)
    assert metrics["phi_one"] == pytest.approx(0.4)
    assert metrics["n_strong"] == 4
    assert metrics["norm_min"] == pytest.approx(0.0, abs=1e-7)
    assert metrics["norm_max"] == pytest.approx(3.0, rel=1e-6)
    assert metrics["norm_mean"] == pytest.approx(np.mean(NORMS), rel=1e-6)
    assert metrics["norm_std"] == pytest.approx(np.std(NORMS, ddof=1), rel=1e-5)


def test_thresholds_are_strict():
    W = torch.tensor([[0.5, 0.0], [1.0, 0.0], [0.0, 0.25]], dtype=torch.float64)
    metrics = weight_metrics(W)
    assert metrics["phi_half"] == 1 / 3  # only the norm-1 row is above 1/2; 0.5 is not
    assert metrics["phi_one"] == 0.0


# ---------------------------------------------------------------- squared overlaps


def _brute_force(W):
    rows = W.double() / (W.double().norm(dim=1, keepdim=True) + 1e-9)
    values = [float(rows[i] @ rows[j]) ** 2 for i, j in itertools.combinations(range(rows.shape[0]), 2)]
    return np.mean(values), np.var(values), len(values)


def test_overlap_orthonormal_rows_mean_zero():
    Q, _ = torch.linalg.qr(torch.randn(12, 12, generator=torch.Generator().manual_seed(0), dtype=torch.float64))
    W = Q[:, :7].T * torch.tensor([1, 2, 3, 0.5, 1, 1, 4.0], dtype=torch.float64).unsqueeze(1)  # scale does not matter
    mean, var, count = squared_overlap_stats(W)
    assert count == 21
    assert mean == pytest.approx(0.0, abs=1e-14) and var == pytest.approx(0.0, abs=1e-14)


def test_overlap_identical_and_opposite_rows_mean_one():
    row = torch.tensor([1.0, -2.0, 0.5])
    W = torch.stack([row, 3 * row, -row, row / 7])
    mean, var, count = squared_overlap_stats(W)
    assert count == 6
    assert mean == pytest.approx(1.0, rel=1e-7) and var == pytest.approx(0.0, abs=1e-7)


def test_overlap_by_hand():
    # directions e1, e1 + e2 (normalised), e2: squared overlaps 1/2, 0, 1/2 -> mean 1/3, var 1/18
    W = torch.tensor([[2.0, 0.0], [1.0, 1.0], [0.0, 5.0]])
    mean, var, count = squared_overlap_stats(W)
    assert count == 3
    assert mean == pytest.approx(1 / 3, rel=1e-7)
    assert var == pytest.approx(1 / 18, rel=1e-6)


@pytest.mark.parametrize("block", [4096, 7, 1, 5])
def test_overlap_matches_brute_force(block):
    g = torch.Generator().manual_seed(3)
    W = torch.randn(23, 4, generator=g) * torch.rand(23, 1, generator=g)
    mean, var, count = squared_overlap_stats(W, block=block)
    ref_mean, ref_var, ref_count = _brute_force(W)
    assert count == ref_count == 23 * 22 // 2
    assert mean == pytest.approx(ref_mean, rel=1e-10)
    assert var == pytest.approx(ref_var, rel=1e-8)


@pytest.mark.parametrize("rows", [0, 1])
def test_overlap_fewer_than_two_rows_is_nan(rows):
    mean, var, count = squared_overlap_stats(torch.ones(rows, 3))
    assert math.isnan(mean) and math.isnan(var) and count == 0


# ---------------------------------------------------------------- ambiguity


def _dense_ambiguity(W):
    n, m = W.shape
    target = torch.zeros(n, n, dtype=torch.float64)
    target[:m, :m] = torch.eye(m, dtype=torch.float64)
    return torch.linalg.matrix_norm(W.double() @ W.double().T - target, ord=2).item()


@pytest.mark.parametrize("n, m, seed", [(30, 5, 0), (8, 6, 1), (7, 3, 2), (5, 4, 3), (40, 10, 4), (12, 6, 5)])
def test_ambiguity_equals_dense_two_norm(n, m, seed):
    W = torch.randn(n, m, generator=torch.Generator().manual_seed(seed)) / math.sqrt(m)
    assert ambiguity(W) == pytest.approx(_dense_ambiguity(W), rel=1e-9, abs=1e-12)


def test_ambiguity_negative_eigenvalue_dominates():
    # W W^T - diag(I, 0) with W = [0.1 I; 0]: eigenvalues 0.01 - 1 -> the 2-norm is 0.99 (not 0.01)
    W = torch.zeros(6, 2)
    W[0, 0] = W[1, 1] = 0.1
    assert ambiguity(W) == pytest.approx(0.99, rel=1e-6)
    assert _dense_ambiguity(W) == pytest.approx(0.99, rel=1e-6)


def test_ambiguity_by_hand():
    # W = [I_2; (1, 1)]: W W^T - diag(I_2, 0) = [[0, 0, 1], [0, 0, 1], [1, 1, 2]]
    # eigenvalues 1 +- sqrt(3) and 0 -> 2-norm 1 + sqrt(3)
    W = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert ambiguity(W) == pytest.approx(1 + math.sqrt(3), rel=1e-9)


@pytest.mark.parametrize("n, m", [(10, 3), (4, 4), (100, 20)])
def test_ambiguity_zero_for_identity_block(n, m):
    W = torch.zeros(n, m)
    W[:m] = torch.eye(m)
    assert ambiguity(W) == pytest.approx(0.0, abs=1e-12)


def test_ambiguity_permuted_identity_is_not_zero():
    # the identity in rows 1..m instead of 0..m-1 is a different matrix: 2-norm 1
    W = torch.zeros(6, 3)
    W[1:4] = torch.eye(3)
    assert ambiguity(W) == pytest.approx(1.0, rel=1e-9)


# ---------------------------------------------------------------- weight_metrics and theory values


def test_weight_metrics_keys_and_values():
    # rows: 2 e1, 2 e2, 3 (e1 + e2)/sqrt2, 0.3 e1   (m = 2, n = 4)
    s = 3 / math.sqrt(2)
    W = torch.tensor([[2.0, 0.0], [0.0, 2.0], [s, s], [0.3, 0.0]])
    metrics = weight_metrics(W)
    assert set(metrics) == {
        "norm_mean", "norm_std", "norm_min", "norm_max", "phi_half", "phi_one", "n_strong",
        "mean_sq_overlap", "var_sq_overlap", "mean_sq_overlap_strong", "var_sq_overlap_strong", "ambiguity",
    }  # fmt: skip
    assert metrics["norm_mean"] == pytest.approx((2 + 2 + 3 + 0.3) / 4, rel=1e-6)
    assert metrics["phi_half"] == 0.75 and metrics["phi_one"] == 0.75 and metrics["n_strong"] == 3
    # all 6 pairs: (e1,e2) 0, (e1,d) 1/2, (e1,e1) 1, (e2,d) 1/2, (e2,e1) 0, (d,e1) 1/2
    all_sq = [0, 0.5, 1, 0.5, 0, 0.5]
    assert metrics["mean_sq_overlap"] == pytest.approx(np.mean(all_sq), rel=1e-6)
    assert metrics["var_sq_overlap"] == pytest.approx(np.var(all_sq), rel=1e-6)
    # strong rows only (norm > 1): e1, e2, d -> 0, 1/2, 1/2
    assert metrics["mean_sq_overlap_strong"] == pytest.approx(1 / 3, rel=1e-6)
    assert metrics["var_sq_overlap_strong"] == pytest.approx(np.var([0, 0.5, 0.5]), rel=1e-6)
    assert metrics["ambiguity"] == pytest.approx(_dense_ambiguity(W), rel=1e-9)
    assert all(isinstance(v, (int, float)) for v in metrics.values())


def test_weight_metrics_no_strong_rows_gives_nan():
    metrics = weight_metrics(torch.full((5, 2), 0.1))
    assert metrics["n_strong"] == 0
    assert math.isnan(metrics["mean_sq_overlap_strong"]) and math.isnan(metrics["var_sq_overlap_strong"])


@pytest.mark.parametrize("m", [3, 8, 32])
def test_random_sq_overlap_variance_monte_carlo(m):
    g = torch.Generator().manual_seed(m)
    a = torch.randn(200_000, m, generator=g, dtype=torch.float64)
    b = torch.randn(200_000, m, generator=g, dtype=torch.float64)
    sq = ((a * b).sum(1) ** 2 / (a.square().sum(1) * b.square().sum(1))).numpy()
    assert sq.mean() == pytest.approx(1 / m, rel=0.02)
    assert sq.var() == pytest.approx(random_sq_overlap_variance(m), rel=0.05)
    assert random_sq_overlap_variance(m) == pytest.approx(2 / m**2, rel=3.5 / m)


def test_random_sq_overlap_variance_values():
    assert random_sq_overlap_variance(1) == 0.0  # one dimension: overlaps are always +-1
    assert random_sq_overlap_variance(2) == pytest.approx(2 * 1 / (4 * 4))  # Beta(1/2, 1/2): var 1/8


def test_welch_bound_sq():
    assert welch_bound_sq(3, 2) == pytest.approx(1 / 4)  # Mercedes frame: |cos 120 deg| = 1/2
    assert welch_bound_sq(6, 3) == pytest.approx(1 / 5)  # 6 equiangular lines in R^3 (icosahedron)
    assert welch_bound_sq(4, 4) == 0.0 and welch_bound_sq(2, 4) == 0.0  # orthogonal vectors fit
    assert welch_bound_sq(10**6, 100) == pytest.approx(1 / 100, rel=1e-3)
