"""Rule features_planted: planted power laws and lognormals through a dictionary at the reference
dictionary's own budget, several seeds each (superscale.features.planted) -> one row per (law,
seed), and the planted and recovered counts for the figure."""

import json

import pandas as pd
import torch

from superscale.features.planted import planted_case, reference_law
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    settings, law, dictionary = smk.params.settings, smk.params.law, dict(smk.params.dictionary)
    reference = json.load(open(smk.input.stats))
    measured = reference_law(pd.read_csv(smk.input.latents), reference["train_tokens"], law)
    dictionary.pop("dense_frequency")
    budget = {
        "width": reference["width"],
        "latents": reference["latents"],
        "features": reference["latents"] // settings["latents_per_feature"],
        "tokens": reference["train_tokens"],
        "k": reference["k"],
        "cap": measured["cap"],
        "noise": settings["noise"],
        "dictionary": dictionary,
    }
    print(f"budget {budget}; measured {measured}")
    planted = [(f"power, alpha = {alpha:g}", "power", alpha) for alpha in settings["power_exponents"]]
    planted += [
        (f"power, alpha = {measured['alpha']:.2f} (measured)", "power", measured["alpha"]),
        (f"lognormal, sigma = {measured['sigma']:.2f} (measured)", "lognormal", measured["sigma"]),
    ]
    rows, counts = [], []
    for label, name, parameter in planted:
        for seed in settings["seeds"]:
            case = {"label": label, "law": name, "parameter": parameter, "seed": seed}
            result, case_counts = planted_case(case, budget, law)
            rows.append(result | {"model": reference["model"], "depth": reference["depth"], "size": reference["size"]})
            print(json.dumps({key: result[key] for key in ("label", "seed", "alpha", "decades", "verdict")}))
            for kind, values in case_counts.items():
                counts.append(pd.DataFrame({"label": label, "law": name, "seed": seed, "kind": kind, "count": values}))
    pd.DataFrame(rows).to_csv(smk.output.table, index=False)
    pd.concat(counts, ignore_index=True).to_csv(smk.output.counts, index=False)
