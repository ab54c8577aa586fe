"""Rule toy_cell_metrics: per-model metrics, fresh-data loss and row norms of one job's cells."""

import torch

from superscale.cells import load_pack, pack_tables
from superscale.runlog import logged

with logged(snakemake):
    torch.set_num_threads(snakemake.threads)
    metrics, norms = pack_tables(
        load_pack(snakemake.input.weights),
        snakemake.params.eval_batches,
        snakemake.params.eval_batch_size,
        torch.device("cpu"),
    )
    metrics.to_csv(snakemake.output.metrics, index=False)
    norms.to_parquet(snakemake.output.norms, index=False)
    print(metrics.to_string())
