"""Statistics of an LLM head matrix W (vocab V x width d), the matrix of paper Sec. 3.3.

- Row norms ||W_i||: mean, std, min, max, a histogram, phi_1/2 and phi_1 (fractions of rows with
  norm > 1/2 and > 1, paper Eqs. 3 and 9; for an LLM they depend on the head's overall scale).
- Mean squared overlap E[cos^2] of the normalised rows u_i = W_i/(||W_i|| + eps) over ALL pairs
  i < j, exactly, by the Gram identity
      sum_{i != j} (u_i . u_j)^2 = ||U^T U||_F^2 - sum_i ||u_i||^4,
  which costs O(V d^2) instead of the O(V^2 d) of the pairwise blocks; block Gram matrices in
  float32 for the pipeline's float32 rows, accumulated in float64 (float64 throughout on request).
  This is what the paper's Fig. 6a plots against 1/m.
- Mean |cos| from uniformly sampled pairs i != j, with a 95 % normal confidence interval (the
  paper's exact pairwise mean |cos| needs the O(V^2 d) pass).
"""

from __future__ import annotations

import math

import numpy as np

EPS = 1e-9  # paper C.1: W_i / (||W_i|| + eps)


def normalised_rows(matrix: np.ndarray, dtype=np.float64, block: int = 16384) -> tuple[np.ndarray, np.ndarray]:
    """(row norms in float64, row-normalised matrix in `dtype`), block by block so that a large
    head is never copied whole into float64."""
    matrix = np.asarray(matrix)
    norms = np.empty(len(matrix))
    rows = np.empty(matrix.shape, dtype=dtype)
    for start in range(0, len(matrix), block):
        part = matrix[start : start + block].astype(np.float64)
        norms[start : start + block] = np.sqrt(np.einsum("ij,ij->i", part, part))
        rows[start : start + block] = part / (norms[start : start + block] + EPS)[:, None]
    return norms, rows


def gram_sq_overlap_sum(rows: np.ndarray, block: int = 16384) -> float:
    """sum over ordered pairs i != j of (u_i . u_j)^2, by the Gram identity.

    Each block of rows contributes its d x d Gram matrix in the rows' own precision (float32 rows:
    float32 products, half the memory; float64 rows: exact to rounding); the blocks are summed,
    and the Frobenius norm and the diagonal taken, in float64."""
    gram = np.zeros((rows.shape[1], rows.shape[1]), dtype=np.float64)
    diagonal = 0.0
    for start in range(0, len(rows), block):
        part = rows[start : start + block]
        gram += part.T @ part
        lengths = np.square(part).sum(axis=1, dtype=np.float64)
        diagonal += float(np.sum(lengths**2))
    return float(np.sum(gram * gram)) - diagonal


def mean_sq_overlap(matrix: np.ndarray, block: int = 16384, dtype=np.float64) -> float:
    """E[cos^2] over all pairs i < j of rows of `matrix` (exact, Gram identity)."""
    _, rows = normalised_rows(matrix, dtype=dtype)
    count = len(rows)
    return gram_sq_overlap_sum(rows, block) / (count * (count - 1))


def pairwise_overlap_sums(
    rows: np.ndarray, block: int = 8192, block_pairs: int | None = None, skip_diagonal: bool = False
):
    """(sum of cos^2, sum of |cos|, pairs) over pairs i < j, by blocks of rows, as in the paper's
    code: the O(V^2 d) reference. With `block_pairs`, stop after that many (row-block, row-block)
    products (for timing; `skip_diagonal` times only off-diagonal ones, the cheaper kind); the sums
    then cover only those pairs."""
    rows = np.asarray(rows, dtype=np.float32)
    sq = absolute = 0.0
    pairs = done = 0
    starts = range(0, len(rows), block)
    for a in starts:
        for b in starts:
            if b < a or (skip_diagonal and a == b):
                continue
            if block_pairs is not None and done >= block_pairs:
                return sq, absolute, pairs
            cos = rows[a : a + block] @ rows[b : b + block].T
            if a == b:
                cos = cos[np.triu_indices(len(cos), k=1)]
            sq += float(np.sum(np.square(cos, dtype=np.float64)))
            absolute += float(np.sum(np.abs(cos), dtype=np.float64))
            pairs += cos.size
            done += 1
    return sq, absolute, pairs


def sampled_abs_overlap(rows: np.ndarray, pairs: int, seed: int = 0, chunk: int = 65536) -> dict[str, float]:
    """Mean |cos| (and E[cos^2]) over `pairs` uniformly sampled pairs i != j, with 95 % intervals."""
    rng = np.random.default_rng(seed)
    count = len(rows)
    total = np.zeros(3)  # sum |c|, sum c^2 (= sum |c|^2), sum c^4
    for start in range(0, pairs, chunk):
        size = min(chunk, pairs - start)
        i = rng.integers(0, count, size)
        j = (i + rng.integers(1, count, size)) % count  # uniform over j != i
        cos = np.einsum("ij,ij->i", rows[i].astype(np.float64), rows[j].astype(np.float64))
        squared = cos * cos
        total += [np.abs(cos).sum(), squared.sum(), (squared * squared).sum()]
    mean_abs, mean_sq = total[0] / pairs, total[1] / pairs
    sd_abs = math.sqrt(max(mean_sq - mean_abs**2, 0.0))
    sd_sq = math.sqrt(max(total[2] / pairs - mean_sq**2, 0.0))
    z = 1.959963984540054
    return {
        "mean_abs_overlap": mean_abs,
        "mean_abs_overlap_ci95": z * sd_abs / math.sqrt(pairs),
        "mean_sq_overlap_sampled": mean_sq,
        "mean_sq_overlap_sampled_ci95": z * sd_sq / math.sqrt(pairs),
        "sampled_pairs": pairs,
    }


def head_statistics(
    matrix: np.ndarray, bins: int = 100, pairs: int = 1_000_000, seed: int = 0, block: int = 16384
) -> dict[str, object]:
    """Every statistic of the head that the figures and tables use, as a JSON-able dict."""
    norms, rows = normalised_rows(matrix, dtype=np.float32)
    count = len(rows)
    if count < 2:
        raise ValueError(f"a head needs at least 2 rows for overlaps, got {count}")
    counts, edges = np.histogram(norms, bins=bins, range=(0.0, float(norms.max()) * 1.0001 or 1.0))
    stats = {
        "vocab": count,
        "width": int(matrix.shape[1]),
        "mean_sq_overlap": gram_sq_overlap_sum(rows, block) / (count * (count - 1)),
        "norm_mean": float(norms.mean()),
        "norm_std": float(norms.std()),
        "norm_min": float(norms.min()),
        "norm_max": float(norms.max()),
        "norm_median": float(np.median(norms)),
        "phi_half": float(np.mean(norms > 0.5)),
        "phi_one": float(np.mean(norms > 1.0)),
        "zero_rows": int(np.sum(norms == 0)),
        "random_baseline": 1.0 / matrix.shape[1],  # E[cos^2] of random directions in R^d
    }
    stats |= sampled_abs_overlap(rows, pairs, seed)
    stats["std_overlap"] = math.sqrt(max(stats["mean_sq_overlap"] - stats["mean_abs_overlap"] ** 2, 0.0))
    stats["histogram"] = {"edges": edges.tolist(), "counts": counts.tolist()}
    return stats
