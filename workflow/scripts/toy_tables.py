"""Rule toy_tables: one table of a family's cells' metrics (CSV) and one of their row norms (Parquet).

A job file may hold cells the family does not use (an esweep table borrows the E = 1 cells of the
small grid's jobs); params.keep lists the cells to keep by their key columns.
"""

import pandas as pd

from superscale.provenance.runlog import logged

KEY = ["distribution", "density", "gamma", "alpha", "seed"]


def kept(table: pd.DataFrame, keep: pd.DataFrame) -> pd.DataFrame:
    """Rows of table whose cell is in keep (floats matched to 1e-9)."""
    rounded = lambda frame: frame.assign(**{k: frame[k].round(9) for k in ["density", "gamma", "alpha"]})  # noqa: E731
    marks = rounded(keep)[KEY].drop_duplicates().assign(_keep=True)
    merged = rounded(table).merge(marks, on=KEY, how="left")
    return table[merged["_keep"].fillna(False).to_numpy()]


smk = snakemake

with logged(smk):
    keep = pd.DataFrame(list(smk.params.keep))
    metrics = kept(pd.concat([pd.read_csv(path) for path in smk.input.metrics], ignore_index=True), keep)
    norms = kept(pd.concat([pd.read_parquet(path) for path in smk.input.norms], ignore_index=True), keep)
    order = ["distribution", "gamma", "alpha", "density", "seed", "m"]
    metrics.sort_values(order).to_csv(smk.output.metrics, index=False)
    norms.sort_values(order + ["feature"]).to_parquet(smk.output.norms, index=False)
    print(f"{len(metrics)} models in {len(keep)} cells from {len(smk.input.metrics)} training jobs")
