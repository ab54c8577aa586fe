"""Rule toy_fit: alpha_m from log-log fits of loss against m for one toy family's cells, after
checking that the table holds every cell at every width of the plan (params.rows), no more."""

import pandas as pd

from superscale.core.stored import check_rows
from superscale.provenance.runlog import logged
from superscale.toy.fits import family_exponents

smk = snakemake

with logged(smk):
    metrics = pd.read_csv(smk.input.metrics)
    check_rows(metrics, pd.DataFrame(list(smk.params.rows)), smk.input.metrics, "toy metrics table")
    fits = family_exponents(metrics, smk.params.family, smk.params.large_window)
    fits.to_csv(smk.output.fits, index=False)
    print(fits.to_string())
