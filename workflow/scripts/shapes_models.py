"""Rule shapes_models: held-out loss and unembedding statistics of every trained model -> models.csv."""

import pandas as pd
import torch

from superscale.provenance.runlog import logged
from superscale.shapes.measures import measure_models

smk = snakemake

with logged(smk) as log:
    torch.set_num_threads(smk.threads)
    rows = measure_models(smk.input.weights, smk.input.tokens, smk.params.eval_windows, smk.params.device, log)
    table = pd.DataFrame(rows).sort_values(["n_group", "n_layer", "seed"])
    table.to_csv(smk.output.models, index=False)
    print(table.to_string())
