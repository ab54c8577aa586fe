"""Rules features_dictionary and features_null_dictionary: a sparse dictionary of one (model, depth)
at one size, of the model or of its randomly initialised null; its weights, its latents' firing
counts on the training tokens, and its held-out quality."""

import json

import pandas as pd
import torch

from superscale.core.device import resolve_device
from superscale.core.stored import load_payload
from superscale.features.dictionary import DictionarySettings, firing_counts, quality, save, train_dictionary
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    settings = dict(smk.params.settings)
    size, dense = int(smk.wildcards.size), settings.pop("dense_frequency")
    data = load_payload(smk.input.activations, "activations")
    train = data["train"]
    device = resolve_device(smk.params.device)
    model, record = train_dictionary(train, size * train.shape[1], DictionarySettings(**settings), device=device)
    counts = firing_counts(model, train)
    stats = {
        "model": data["model"],
        "source": data["source"],
        "depth": data["depth"],
        "layer": data["layer"],
        "n_layer": data["n_layer"],
        "size": size,
        "width": train.shape[1],
        **quality(model, data["heldout"], counts, train.shape[0], dense),
        "k": settings["k"],
        "steps": settings["steps"],
        "seed": settings["seed"],
        "final_train_mse_per_dim": record["mse"][-1],
    }
    save(model, record, smk.output.weights)
    json.dump(stats, open(smk.output.stats, "w"), indent=1)
    pd.DataFrame(
        {"latent": range(len(counts)), "count": counts.numpy(), "frequency": counts.numpy() / train.shape[0]}
    ).to_csv(smk.output.latents, index=False)
    print(json.dumps(stats, indent=1))
