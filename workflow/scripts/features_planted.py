"""Rule features_planted: the dictionary-and-fit method on planted power-law and exponential
frequencies, full size (superscale.features.planted) -> one row per planted law."""

import pandas as pd
import torch

from superscale.features.planted import planted_case
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    settings, level = smk.params.settings, smk.params.law["level"]
    cases = [
        {"distribution": "power", "alpha": settings["power_exponent"]},
        {"distribution": "exponential", "scale": settings["exponential_scale"]},
    ]
    table = pd.DataFrame([planted_case(case, settings, level) for case in cases])
    table.to_csv(smk.output.table, index=False)
    print(table.to_string())
