"""The method checked on planted truth: activations built from a known dictionary whose features
fire with known frequencies, passed through the same dictionary training and law fit as the
language models' activations.

Each input is x = sum_i u_i v_i d_i + noise, with u_i ~ Bernoulli(p_i), v_i ~ U(0, 2) (the toy
model's sampler, superscale.toy.features) and d_i random unit directions in `width` dimensions.
The frequencies p_i follow the toy's power law p_i ~ i^-alpha or its exponential exp(-i / scale),
scaled so that sum(p) = density. A dictionary of `latents_per_feature` latents per planted feature
is trained with k = density; its latents' firing frequencies are fitted as the real ones are, and
so are the planted features' own firing counts (what a perfect dictionary would see).
"""

from __future__ import annotations

import torch

from superscale.core.seeds import derive_seed, make_generator
from superscale.features.dictionary import DictionarySettings, firing_counts, train_dictionary
from superscale.features.laws import fit_law
from superscale.toy.features import FeatureSampler, feature_probabilities


def planted_activations(
    probs: torch.Tensor, width: int, tokens: int, noise: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """(tokens, width) activations of the planted dictionary, and the planted firing counts."""
    generator = make_generator(seed)
    directions = torch.randn(probs.numel(), width, generator=generator)
    directions /= directions.norm(dim=1, keepdim=True)
    batch = FeatureSampler(probs, tokens, generator).sample()
    codes = batch.to_dense()
    x = codes @ directions + noise * torch.randn(tokens, width, generator=generator)
    return x, torch.bincount(batch.cols, minlength=probs.numel())


def planted_case(case: dict, settings: dict, level: float, progress=None) -> dict:
    """Plant one frequency law, recover it; the row holds the planted and the recovered law."""
    probs = feature_probabilities(
        case["distribution"], settings["features"], case.get("alpha", 1.0), case.get("scale", 1.0), settings["density"]
    )
    seed = derive_seed("planted", case["distribution"], case.get("alpha"), case.get("scale"), settings["seed"])
    x, planted_counts = planted_activations(probs, settings["width"], settings["tokens"], settings["noise"], seed)
    dictionary_settings = DictionarySettings(
        k=round(settings["density"]), seed=settings["seed"], **settings["dictionary"]
    )
    latents = settings["latents_per_feature"] * settings["features"]
    model, _ = train_dictionary(x, latents, dictionary_settings, progress)
    counts = firing_counts(model, x)
    recovered = fit_law(counts.numpy(), settings["tokens"], level, settings["min_tail"])
    planted = fit_law(planted_counts.numpy(), settings["tokens"], level, settings["min_tail"])
    alpha = case.get("alpha", float("nan"))
    return {
        "distribution": case["distribution"],
        "alpha_planted": alpha,
        "scale_planted": case.get("scale", float("nan")),
        "features": settings["features"],
        "latents": latents,
        "width": settings["width"],
        "tokens": settings["tokens"],
        "density": settings["density"],
        "seed": settings["seed"],
        "alpha_planted_counts": planted["alpha"],
        "verdict_planted_counts": planted["verdict"],
        "latents_live": recovered["latents_live"],
        **{key: value for key, value in recovered.items() if key != "latents_live"},
        "alpha_error": recovered["alpha"] - alpha,
    }
