"""Rule toy_fit_cell: alpha_m of one toy cell, from the metrics of the jobs that train its widths (a
job that trains other cells with it, a GPU pack, gives only the cell's rows), after checking that
they hold the cell at every width of the plan (params.rows)."""

import pandas as pd

from superscale.core.stored import check_rows, kept_rows
from superscale.provenance.runlog import logged
from superscale.toy.fits import family_exponents

smk = snakemake

with logged(smk):
    rows = pd.DataFrame(list(smk.params.rows))
    tables = pd.concat([pd.read_csv(path) for path in smk.input.metrics], ignore_index=True)
    metrics = kept_rows(tables, rows.drop(columns="m"))
    check_rows(metrics, rows, ", ".join(smk.input.metrics), "toy cell metrics")
    fits = family_exponents(metrics, smk.params.family, smk.params.large_window)
    fits.to_csv(smk.output.fits, index=False)
    print(fits.to_string())
