"""Is a set of firing frequencies power-law distributed? Clauset-Shalizi-Newman, via `powerlaw`.

The fit is of the density of the frequencies, p(f) ~ f^-tau for f >= x_min, by maximum likelihood,
with x_min the value that minimises the Kolmogorov-Smirnov distance between the data above it and
the fitted law. A frequency is a firing count over a fixed number of tokens, so the fit is the
discrete one, of the counts: on planted counts of 128-256 features firing with alpha = 1.2 the
continuous fit gave 1.13-1.14 and the discrete one 1.16-1.17. x_min is reported as a frequency.

How sure (Clauset, Shalizi & Newman 2009, SIAM Review 51:661):
- goodness of fit: their semi-parametric bootstrap p-value, written here because `powerlaw` has
  none: each of `bootstrap` synthetic sets keeps the data's size, draws its values below x_min from
  the data there and its tail from the fitted discrete law (their Eq. D.6), and is fitted by the
  same x_min scan; p is the share whose KS distance is at least the data's. p < level rejects the
  power law (with 100 draws p is known to about +-0.05 near 0.1);
- likelihood ratios over the same tail against a lognormal and an exponential (Vuong's normalised
  ratio R and its two-sided p-value; R > 0 favours the power law), and against a power law with an
  exponential cutoff (`powerlaw`'s truncated_power_law, which nests the power law: the raw
  log-likelihood ratio R <= 0 and its chi-squared p-value);
- decades: log10 of the largest count over x_min, the range the fitted tail covers (CSN want >= 2).

The paper's alpha is the exponent of the rank-frequency curve, p_i ~ i^-alpha, the feature
frequencies of its toy model. A rank-frequency curve f(r) ~ r^-alpha has f^-(1 + 1/alpha) as its
density, so alpha = 1 / (tau - 1) and se(alpha) = se(tau) / (tau - 1)^2; both are reported.

Verdict per frequency set, at significance level `level`: "rejected" where the bootstrap rejects
the power law, else "disfavoured" where any alternative beats it, "favoured" where it beats the
lognormal and the exponential and the cutoff does not beat it, "undecided" otherwise. alpha is
quoted (`alpha_quoted`) only where the verdict is favoured or undecided.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

ALTERNATIVES = ("lognormal", "exponential", "truncated_power_law")
NESTED = {"truncated_power_law"}  # alternatives that contain the power law as a special case
QUOTED = ("favoured", "undecided")  # verdicts under which alpha is quoted
# powerlaw bounds tau (its `alpha`) to [0, 3] by default: a steeper tail (alpha < 0.5) would be
# pinned at 3, and x_min chosen for the pinned fit; [1, 10] holds every normalisable power law with
# alpha >= 0.11 (and bounds the cutoff law's exponent the same way)
EXPONENTS = {"alpha": [1, 10]}


def _fit(values: np.ndarray, min_tail: int, scan: int):
    """powerlaw's discrete fit at the x_min, among at most `scan` candidates log-spaced over the
    distinct values that leave at least min_tail values above them, with the smallest KS distance.

    Why our own scan: powerlaw's tries every distinct value (~2.5 ms each), which makes CSN's
    bootstrap (one scan per draw) cost minutes on the thousands of distinct counts of a token sample;
    a log-spaced grid costs the same for every sample size."""
    import powerlaw

    ordered = np.unique(values)
    candidates = ordered[: max(ordered.size - min_tail + 1, 1)]
    if candidates.size > scan:
        targets = np.geomspace(candidates[0], candidates[-1], scan)
        candidates = np.unique(candidates[np.minimum(np.searchsorted(candidates, targets), candidates.size - 1)])
    fits = [
        powerlaw.Fit(values, discrete=True, xmin=float(x_min), parameter_ranges=EXPONENTS, verbose=0)
        for x_min in candidates
    ]
    return min(fits, key=lambda fit: (np.nan_to_num(fit.power_law.D, nan=np.inf), fit.xmin))


def bootstrap_p(values: np.ndarray, fit, draws: int, min_tail: int, scan: int, seed: int) -> float:
    """CSN's semi-parametric bootstrap p-value of the power law (see the module docstring)."""
    rng = np.random.default_rng(seed)
    x_min, tau, distance = float(fit.xmin), float(fit.power_law.alpha), float(fit.power_law.D)
    body = values[values < x_min]
    tail_share = float((values >= x_min).mean())
    exceed = 0
    for _ in range(draws):
        tail = rng.binomial(values.size, tail_share) if body.size else values.size
        synthetic = np.concatenate(
            [
                rng.choice(body, values.size - tail) if body.size else np.empty(0),
                # discrete power law by the continuous approximation (CSN Eq. D.6)
                np.floor((x_min - 0.5) * (1 - rng.random(tail)) ** (-1 / (tau - 1)) + 0.5),
            ]
        )
        exceed += float(_fit(synthetic, min_tail, scan).power_law.D) >= distance
    return exceed / draws


def fit_law(
    counts, tokens: int, level: float = 0.1, min_tail: int = 10, bootstrap: int = 0, scan: int = 60, seed: int = 0
) -> dict:
    """The power-law fit of the positive firing counts (out of `tokens`), its bootstrap p-value
    (`bootstrap` draws; 0 leaves it out) and its tests against the ALTERNATIVES.

    min_tail: the fewest values above x_min that a candidate x_min may leave (without it the KS
    criterion can settle on a handful of the largest values); scan: the most x_min candidates."""
    values = np.asarray(counts, dtype=float)
    values = values[values > 0]
    if values.size < 2 * min_tail:
        raise ValueError(
            f"a power-law fit needs at least {2 * min_tail} latents that fire; got {values.size} "
            "(raise the text budget or the dictionary size)"
        )
    if np.any(values != np.round(values)):
        raise ValueError("fit_law takes firing counts (whole numbers), not frequencies")
    with warnings.catch_warnings():
        # powerlaw's warnings come from its own internals (its deprecated `sigma`, lognormal trial
        # fits its optimiser discards), not from anything the caller can change
        warnings.simplefilter("ignore")
        fit = _fit(values, min_tail, scan)
        tests = {
            name: fit.distribution_compare(
                "power_law", name, nested=name in NESTED, normalized_ratio=name not in NESTED
            )
            for name in ALTERNATIVES
        }
        p_gof = bootstrap_p(values, fit, bootstrap, min_tail, scan, seed) if bootstrap else math.nan
    tau = float(fit.power_law.alpha)
    tau_se = float(fit.power_law.standard_err)
    row = {
        "latents_fitted": int((values >= fit.xmin).sum()),
        "latents_live": int(values.size),
        "tokens": int(tokens),
        "tau": tau,
        "tau_se": tau_se,
        "alpha": 1.0 / (tau - 1.0) if tau > 1 else math.inf,
        "alpha_se": tau_se / (tau - 1.0) ** 2 if tau > 1 else math.inf,
        "x_min": float(fit.xmin) / tokens,
        "x_min_count": int(fit.xmin),
        "max_count": int(values.max()),
        "decades": math.log10(values.max() / fit.xmin),
        "ks_distance": float(fit.power_law.D),
        "p_gof": p_gof,
        "bootstrap": int(bootstrap),
    }
    for alternative, (ratio, p_value) in tests.items():
        row[f"lr_{alternative}"] = float(ratio)
        row[f"p_{alternative}"] = float(p_value)
    row["verdict"] = verdict(row, level)
    row["alpha_quoted"] = row["alpha"] if row["verdict"] in QUOTED else math.nan
    return row


def verdict(row: dict, level: float) -> str:
    """rejected / disfavoured / favoured / undecided (see the module docstring)."""
    if row.get("p_gof", math.nan) < level:
        return "rejected"
    tests = {name: (row[f"lr_{name}"], row[f"p_{name}"]) for name in ALTERNATIVES}
    if any(ratio < 0 and p < level for ratio, p in tests.values()):
        return "disfavoured"
    if all(ratio > 0 and p < level for name, (ratio, p) in tests.items() if name not in NESTED):
        return "favoured"
    return "undecided"
