"""Rule fit_toy: alpha_m from log-log fits of loss against m for one toy family's cells."""

import pandas as pd

from superscale.provenance.runlog import logged
from superscale.toy.fits import family_exponents

smk = snakemake

with logged(smk):
    fits = family_exponents(pd.read_csv(smk.input.metrics), smk.params.family, smk.params.large_window)
    fits.to_csv(smk.output.fits, index=False)
    print(fits.to_string())
