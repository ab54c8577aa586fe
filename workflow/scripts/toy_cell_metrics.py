"""Rule toy_*_cell_metrics: per-model metrics, fresh-data loss and row norms of one trained cell."""

import torch

from superscale.cells import cell_tables, load_cell
from superscale.runlog import logged

with logged(snakemake.log[0]):
    torch.set_num_threads(snakemake.threads)
    metrics, norms = cell_tables(
        load_cell(snakemake.input.weights), snakemake.params.eval_batches, torch.device("cpu")
    )
    metrics.to_csv(snakemake.output.metrics, index=False)
    norms.to_parquet(snakemake.output.norms, index=False)
    print(metrics.to_string())
