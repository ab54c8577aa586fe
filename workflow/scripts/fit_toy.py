"""Rule fit_toy: alpha_m from log-log fits of loss against m for one toy family's cells."""

import pandas as pd

from superscale.fits import family_exponents
from superscale.runlog import logged

with logged(snakemake):
    fits = family_exponents(
        pd.read_csv(snakemake.input.metrics), snakemake.params.family, snakemake.params.large_window
    )
    fits.to_csv(snakemake.output.fits, index=False)
    print(fits.to_string())
