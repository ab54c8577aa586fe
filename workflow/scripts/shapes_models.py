"""Rule shapes_models: held-out loss and unembedding statistics of every trained model -> models.csv."""

import numpy as np
import pandas as pd
import torch

from superscale.core.device import resolve_device
from superscale.provenance.runlog import logged
from superscale.shapes.measures import load_trained, model_record
from superscale.shapes.token_stream import evaluation_starts, windows

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    device = resolve_device(smk.params.device)
    heldout = np.load(smk.input.tokens)["heldout"]
    rows = []
    for path in smk.input.weights:
        model, payload = load_trained(path)
        context = model.shape.context
        batches = windows(heldout, evaluation_starts(len(heldout), context, smk.params.eval_windows), context)
        rows.append(model_record(model, payload, batches, device))
        print(
            f"{rows[-1]['model']}: held-out loss {rows[-1]['heldout_loss']:.4f}, "
            f"mean squared overlap {rows[-1]['mean_sq_overlap']:.4g} (x d_model = {rows[-1]['overlap_ratio']:.3f})"
        )
    table = pd.DataFrame(rows).sort_values(["n_group", "n_layer", "seed"])
    table.to_csv(smk.output.models, index=False)
    print(table.to_string())
