"""Controls with a known answer, passed through the same law test as the latents (laws.fit_law).

- Tokens (positive control): Zipf's law of tokens is the premise everyone accepts. The model's own
  token counts on exactly the training positions the latents were counted on, and the LLM stage's
  larger token counts of the same texts (its rule llm_token_counts) thinned without replacement to
  several sample sizes (a multivariate hypergeometric draw: the counts a random subset of that many
  of the counted tokens would give), so the verdict can be read against the sample size.
- Null: the latents of dictionaries trained on a randomly initialised model of the same
  architecture, read on the same windows (superscale.features.activations.random_model).

Planted truth at the dictionaries' own budget is superscale.features.planted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from superscale.core.seeds import derive_seed
from superscale.features.laws import fit_law


def token_counts(ids) -> np.ndarray:
    """Counts of the distinct token ids, most frequent first."""
    counts = np.bincount(np.asarray(ids, dtype=np.int64))
    return np.sort(counts[counts > 0])[::-1]


def thin(counts, size: int, seed: int) -> np.ndarray:
    """The counts of a uniformly random subset of `size` of the sum(counts) tokens (without
    replacement), zeros dropped; all of them where size is 0 or at least their sum."""
    counts = np.asarray(counts, dtype=np.int64)
    if size <= 0 or size >= counts.sum():
        return counts[counts > 0]
    drawn = np.random.default_rng(seed).multivariate_hypergeometric(counts, size, method="marginals")
    return np.sort(drawn[drawn > 0])[::-1]


def same_tokens(ids, stats: list[dict], model: str) -> None:
    """Raise unless every dictionary of `model` counted its latents on as many tokens as `ids` holds
    (the token control and the latents must read the same positions)."""
    for row in stats:
        if row["model"] == model and row["train_tokens"] != len(ids):
            raise ValueError(
                f"{model} {row['depth']} x{row['size']}: latents counted on {row['train_tokens']} tokens, the token "
                f"control on {len(ids)}; rebuild both: snakemake --forcerun features_activations features"
            )


def token_rows(model: str, ids, llm_counts: dict[str, np.ndarray], sizes: list[int], law: dict) -> tuple[list, list]:
    """(law rows, count rows) of one model's token controls: its own tokens on the latents'
    positions, and each text's LLM-stage counts thinned to every size (0: all of them)."""
    own = token_counts(ids)
    cases = [("tokens (same positions)", "features", len(ids), own)]
    for text, counts in llm_counts.items():
        drawn = set()  # sizes at or above a text's count all give the whole count: once
        for size in sizes:
            sample = thin(counts, size, derive_seed("features-thin", model, text, size, law["seed"]))
            if int(sample.sum()) not in drawn:
                drawn.add(int(sample.sum()))
                cases.append(("tokens (LLM stage, thinned)", text, int(sample.sum()), sample))
    rows, count_rows = [], []
    for control, text, tokens, counts in cases:
        seed = derive_seed("features-law", model, control, text, tokens, law["seed"])
        rows.append({"model": model, "control": control, "text": text} | fit(counts, tokens, law, seed))
        count_rows.append(
            pd.DataFrame({"model": model, "control": control, "text": text, "tokens": tokens, "count": counts})
        )
    return rows, count_rows


def fit(counts, tokens: int, law: dict, seed: int) -> dict:
    """fit_law with the stage's law settings."""
    return fit_law(counts, tokens, law["level"], law["min_tail"], law["bootstrap"], law["scan"], seed)
