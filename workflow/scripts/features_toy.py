"""Rule features_toy: toy models trained on one dictionary's measured latent frequencies
(superscale.features.transfer) -> loss per (gamma, m)."""

import pandas as pd
import torch

from superscale.features.transfer import toy_probabilities, train_on_frequencies
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    settings = smk.params.settings
    latents = pd.read_csv(smk.input.latents)
    label = f"{smk.wildcards.model}/{smk.wildcards.depth}/x{smk.wildcards.size}"
    probs = toy_probabilities(latents.frequency.to_numpy(), settings["n"], settings["density"])
    rows = train_on_frequencies(probs, settings, label)
    table = pd.DataFrame(rows).assign(
        model=smk.wildcards.model,
        depth=smk.wildcards.depth,
        size=int(smk.wildcards.size),
        live=int((latents["count"] > 0).sum()),
        density=settings["density"],
        steps=settings["steps"],
        seed=settings["seed"],
    )
    table.to_csv(smk.output.table, index=False)
    print(table.to_string())
