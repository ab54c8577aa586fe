"""Token frequencies and their Zipf exponent (paper C.3, D.7; Fig. 22).

Count the first `tokens` tokens of a text (add_special_tokens=False), sort the counts into a
rank-frequency curve, sample ranks uniformly in log10(rank) (1000 points by default) and fit a
line to log10(frequency) against log10(rank): the Zipf exponent is minus its slope. The log-rank
sampling keeps the long tail of rare tokens from dominating the fit.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import stats


def count_tokens(ids) -> np.ndarray:
    """Counts of the distinct tokens in `ids`, sorted from the most frequent (the rank curve)."""
    counts = np.fromiter(Counter(ids).values(), dtype=np.int64)
    return np.sort(counts)[::-1]


def fit_zipf(sorted_counts, points: int = 1000) -> dict[str, float]:
    """Zipf exponent of a rank-frequency curve by the paper's log-rank resampling."""
    counts = np.asarray(sorted_counts, dtype=float)
    if counts.size < 3:
        raise ValueError(f"a Zipf fit needs at least 3 distinct tokens, got {counts.size}")
    frequency = counts / counts.sum()
    # `points` ranks uniform in log10(rank), rounded to integers (low ranks repeat, as sampled)
    ranks = np.clip(np.round(10 ** np.linspace(0, np.log10(counts.size), points)).astype(int), 1, counts.size)
    fit = stats.linregress(np.log10(ranks), np.log10(frequency[ranks - 1]))
    return {
        "zipf_exponent": -fit.slope,
        "zipf_exponent_se": fit.stderr,
        "zipf_log10_prefactor": fit.intercept,
        "zipf_r2": fit.rvalue**2,
        "zipf_points": int(ranks.size),
        "distinct_tokens": int(counts.size),
        "counted_tokens": int(counts.sum()),
    }
