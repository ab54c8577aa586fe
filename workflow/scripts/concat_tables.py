"""Rule toy_*_tables: one table of all cells' metrics (CSV) and one of their row norms (Parquet)."""

import pandas as pd

from superscale.runlog import logged

with logged(snakemake.log[0]):
    metrics = pd.concat([pd.read_csv(path) for path in snakemake.input.metrics], ignore_index=True)
    norms = pd.concat([pd.read_parquet(path) for path in snakemake.input.norms], ignore_index=True)
    order = ["gamma", "alpha", "seed", "m"]
    metrics.sort_values(order).to_csv(snakemake.output.metrics, index=False)
    norms.sort_values(order + ["feature"]).to_parquet(snakemake.output.norms, index=False)
    print(f"{len(metrics)} models from {len(snakemake.input.metrics)} cells")
