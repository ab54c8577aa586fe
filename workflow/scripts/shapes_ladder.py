"""Rule shapes_ladder: held-out loss, unembedding statistics (with the overlap baselines) and the
convergence gate of every model of the width ladder -> ladder.csv; their held-out loss curves ->
ladder_curves.csv."""

import pandas as pd
import torch

from superscale.provenance.runlog import logged
from superscale.shapes.convergence import gate
from superscale.shapes.measures import load_trained, loss_curve, measure_models

smk = snakemake

with logged(smk) as log:
    torch.set_num_threads(smk.threads)
    rows = measure_models(
        smk.input.weights, smk.input.tokens, smk.params.eval_windows, smk.params.device, log, baselines=True
    )
    curves = pd.DataFrame([point for path in smk.input.weights for point in loss_curve(load_trained(path)[1])])
    for row in rows:
        curve = curves[curves.model == row["model"]]
        row |= gate(
            curve.step, curve.heldout_loss, smk.params.gate, row["tokens_trained"] / row["n_trained_parameters"]
        )
    table = pd.DataFrame(rows).sort_values(["d_model", "seed"])
    table.to_csv(smk.output.ladder, index=False)
    curves.sort_values(["d_model", "seed", "step"]).to_csv(smk.output.curves, index=False)
    print(table.to_string())
