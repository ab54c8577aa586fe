"""The method on planted truth at the dictionaries' own budget: activations built from a known
dictionary whose features fire with a known law, passed through the same dictionary training
(width, latents, k, steps, batch, learning rate, token count of a real dictionary) and the same law
test as the language models' activations; over several seeds, a confusion table of planted law
against verdict says what the test can tell at this budget.

Each input is x = sum_i u_i v_i d_i + noise, with u_i ~ Bernoulli(p_i), v_i ~ U(0, 2) (the toy
model's sampler, superscale.toy.features) and d_i random unit directions in `width` dimensions.
The planted laws, as rank-frequency curves over the features: a power law p_i ~ i^-alpha, and a
lognormal p_i ~ exp(sigma z_i) (z_i the standard normal quantiles of the ranks), with sigma the
spread of the real latents' log frequencies; both sum to k. A dictionary's frequencies sum to k,
and a rank law with alpha >= 1 from rank 1 cannot sum to k = 32 with p_1 <= 1, so the power law
takes a rank offset, p_i ~ (i + b)^-alpha, that keeps p_1 at most the real dictionary's largest
frequency (planted_probabilities). The planted features' own firing counts (what a perfect dictionary would see) are
tested as well.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import optimize, stats

from superscale.core.seeds import derive_seed, make_generator
from superscale.features.controls import fit
from superscale.features.dictionary import DictionarySettings, firing_counts, train_dictionary
from superscale.toy.features import FeatureSampler


def planted_probabilities(law: str, features: int, parameter: float, density: float, cap: float) -> np.ndarray:
    """Descending p_1..p_features summing to `density`, none above `cap`.

    power (parameter alpha): p_i = c (i + b)^-alpha, the rank offset b >= 0 the smallest that keeps
    p_1 <= cap. Its frequencies' density is f^-(1 + 1/alpha) over the whole range up to p_1 (the
    offset only truncates it there), so the head flattens as a TopK dictionary's must without
    piling features up at the cap. lognormal (parameter sigma): p_i ~ exp(sigma z_i), z_i the
    standard normal quantiles of the ranks, as it is (p_1 at most 1; the cap is the power law's)."""
    rank = np.arange(1, features + 1, dtype=float)
    if law == "power":

        def scaled(offset):
            weights = (rank + offset) ** -parameter
            return weights / weights.sum() * density

        offset = 0.0
        if scaled(0.0)[0] > cap:
            if cap * features <= density:
                raise ValueError(f"{features} features at most p = {cap:.3g} cannot sum to the density {density}")
            offset = optimize.brentq(lambda b: scaled(b)[0] - cap, 0.0, 1e12)
        return scaled(offset)
    if law == "lognormal":
        weights = np.exp(parameter * stats.norm.isf((rank - 0.5) / features))
        probs = weights / weights.sum() * density
        if probs[0] > 1:
            raise ValueError(f"a lognormal of sigma {parameter:.3g} summing to {density} has p_1 = {probs[0]:.3g} > 1")
        return probs
    raise ValueError(f"unknown planted law {law!r}; expected power or lognormal")


def planted_activations(
    probs: np.ndarray, width: int, tokens: int, noise: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """(tokens, width) activations of the planted dictionary, and the planted firing counts."""
    generator = make_generator(seed)
    directions = torch.randn(probs.size, width, generator=generator)
    directions /= directions.norm(dim=1, keepdim=True)
    batch = FeatureSampler(torch.tensor(probs, dtype=torch.float64), tokens, generator).sample()
    x = batch.to_dense() @ directions + noise * torch.randn(tokens, width, generator=generator)
    return x, torch.bincount(batch.cols, minlength=probs.size)


def reference_law(latents, tokens: int, law: dict) -> dict:
    """What the planted laws take from the reference dictionary: its fitted alpha (the fit of
    laws.csv; the bootstrap, left out here, does not move it), the spread (standard deviation) of its
    live latents' log frequencies, its largest frequency."""
    live = latents.frequency[latents["count"] > 0].to_numpy()
    alpha = fit(latents["count"].to_numpy(), tokens, law | {"bootstrap": 0}, 0)["alpha"]
    return {"alpha": float(alpha), "sigma": float(np.log(live).std()), "cap": float(live.max())}


def planted_case(case: dict, budget: dict, law: dict, progress=None) -> tuple[dict, dict]:
    """Plant one law at one seed and recover it: (row of the planted and recovered fits, {"recovered":
    counts, "planted": counts})."""
    probs = planted_probabilities(case["law"], budget["features"], case["parameter"], budget["k"], budget["cap"])
    seed = derive_seed("features-planted", case["law"], case["parameter"], case["seed"])
    x, planted_counts = planted_activations(probs, budget["width"], budget["tokens"], budget["noise"], seed)
    settings = DictionarySettings(**(budget["dictionary"] | {"k": budget["k"], "seed": case["seed"]}))
    model, _ = train_dictionary(x, budget["latents"], settings, progress)
    counts = firing_counts(model, x).numpy()
    recovered = fit(counts, budget["tokens"], law, derive_seed("features-law", seed, "recovered"))
    planted = fit(planted_counts.numpy(), budget["tokens"], law, derive_seed("features-law", seed, "planted"))
    row = {
        "law": case["law"],
        "label": case["label"],
        "parameter": case["parameter"],
        "seed": case["seed"],
        "features": budget["features"],
        "latents": budget["latents"],
        "width": budget["width"],
        "k": budget["k"],
        "steps": settings.steps,
        "cap": budget["cap"],
        "alpha_planted_counts": planted["alpha"],
        "p_gof_planted_counts": planted["p_gof"],
        "decades_planted_counts": planted["decades"],
        "verdict_planted_counts": planted["verdict"],
        **recovered,
    }
    return row, {"recovered": counts, "planted": planted_counts.numpy()}
