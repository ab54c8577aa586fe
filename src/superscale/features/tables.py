"""The stage's tables, one row per latent, per dictionary and per frequency law.

Keys: model, depth (the configured name of the layer), layer (its hidden-state index), size (latents
per residual dimension). Rows are sorted by these keys, so that the same config gives the same bytes.
"""

from __future__ import annotations

import pandas as pd

from superscale.core.seeds import derive_seed
from superscale.features.controls import fit

KEYS = ["model", "depth", "layer", "size"]


def latent_table(stats: list[dict], latents: list[pd.DataFrame]) -> pd.DataFrame:
    """Every latent of every dictionary with its firing count and frequency on the training tokens."""
    frames = [frame.assign(**{key: row[key] for key in KEYS}) for row, frame in zip(stats, latents)]
    table = pd.concat(frames, ignore_index=True)[[*KEYS, "latent", "count", "frequency"]]
    return table.sort_values([*KEYS, "latent"], kind="stable").reset_index(drop=True)


def dictionary_table(stats: list[dict], splices: list[dict]) -> pd.DataFrame:
    """Quality per dictionary; the loss columns where the dictionary sits at the last layer (else empty)."""
    table = pd.DataFrame(stats)
    if splices:
        losses = pd.DataFrame(splices).drop(columns=["layer"])
        table = table.merge(losses, on=["model", "depth", "latents"], how="left")
    return table.sort_values(KEYS, kind="stable").reset_index(drop=True)


def law_table(latents: pd.DataFrame, law: dict) -> pd.DataFrame:
    """The power-law fit and its tests (superscale.features.laws.fit_law) per dictionary, on the
    counts over all its training tokens (the tokens it was trained on), and how
    alpha moves with the dictionary size: alpha minus that of the smallest size at the same layer."""
    rows = []
    for key, group in latents.groupby(KEYS, sort=True):
        tokens = round(group["count"].sum() / group.frequency.sum())  # frequency = count / training tokens
        seed = derive_seed("features-law", *key, law["seed"])
        rows.append(dict(zip(KEYS, key)) | fit(group["count"].to_numpy(), tokens, law, seed))
    table = pd.DataFrame(rows)
    smallest = table.groupby(["model", "depth"]).alpha.transform("first")  # sorted by size within a layer
    return table.assign(alpha_shift_from_smallest_size=table.alpha - smallest)
