"""Rule fit_toy_*: alpha_m from log-log fits of loss against m, one per (gamma, alpha)."""

import pandas as pd

from superscale.fits import fit_exponents
from superscale.runlog import logged

with logged(snakemake.log[0]):
    fits = fit_exponents(pd.read_csv(snakemake.input.metrics), by=["gamma", "alpha"])
    fits.to_csv(snakemake.output.fits, index=False)
    print(fits.to_string())
