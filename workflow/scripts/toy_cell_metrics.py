"""Rule toy_cell_metrics: per-model metrics, fresh-data loss and row norms of one job's cells."""

import torch

from superscale.provenance.runlog import logged
from superscale.toy.cells import load_pack
from superscale.toy.evaluation import pack_tables

smk = snakemake

with logged(smk):
    torch.set_num_threads(smk.threads)
    metrics, norms = pack_tables(
        load_pack(smk.input.weights),
        smk.params.eval_batches,
        smk.params.eval_batch_size,
        torch.device("cpu"),
    )
    metrics.to_csv(smk.output.metrics, index=False)
    norms.to_parquet(smk.output.norms, index=False)
    print(metrics.to_string())
