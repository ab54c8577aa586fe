"""Rule toy_tables: one table of a family's cells' metrics (CSV) and one of their row norms (Parquet).

A job file may hold cells the family does not use (an esweep table borrows the E = 1 cells of the
small grid's jobs); params.keep lists the cells to keep by their key columns. Each job's files must
hold exactly the rows its plan asks for (params.rows: every cell at every width; each model's row
norms one per feature), so that a short file stops the run instead of shrinking a fit.
"""

import pandas as pd

from superscale.core.stored import check_rows, kept_rows, remake
from superscale.provenance.runlog import logged

KEY = ["distribution", "density", "gamma", "alpha", "seed"]


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{k: frame[k].round(9) for k in ["density", "gamma", "alpha"]})


def check_norms(metrics: pd.DataFrame, norms: pd.DataFrame, path: str) -> None:
    """One row per feature for every model of the job's (checked) metrics."""
    counts = rounded(norms).value_counts(KEY + ["m"]).rename("rows").reset_index()
    models = rounded(metrics)[KEY + ["m", "n"]].merge(counts, on=KEY + ["m"], how="left")
    short = models[models["rows"].fillna(0) != models["n"]]
    if len(short):
        raise ValueError(
            f"row norms {path}: the model(s) {short[KEY + ['m']].to_dict('records')} have "
            f"{short['rows'].fillna(0).astype(int).tolist()} rows, not one per feature ({short['n'].tolist()}); "
            f"it is truncated or was edited. {remake(path)}"
        )


smk = snakemake

with logged(smk):
    keep = pd.DataFrame(list(smk.params.keep))
    tables, norm_tables = [], []
    for path, norms_path in zip(smk.input.metrics, smk.input.norms):
        table, norms = pd.read_csv(path), pd.read_parquet(norms_path)
        check_rows(table, pd.DataFrame(smk.params.rows[path]), path, "cell metrics")
        check_norms(table, norms, norms_path)
        tables.append(table)
        norm_tables.append(norms)
    metrics = kept_rows(pd.concat(tables, ignore_index=True), keep[KEY])
    norms = kept_rows(pd.concat(norm_tables, ignore_index=True), keep[KEY])
    order = ["distribution", "gamma", "alpha", "density", "seed", "m"]
    metrics.sort_values(order).to_csv(smk.output.metrics, index=False)
    norms.sort_values(order + ["feature"]).to_parquet(smk.output.norms, index=False)
    print(f"{len(metrics)} models in {len(keep)} cells from {len(smk.input.metrics)} training jobs")
