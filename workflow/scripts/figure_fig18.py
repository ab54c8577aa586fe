"""Draw Fig. 18 (alpha_m of the wide small toys, m^2/2 > n) into a PDF; the science is in
superscale.figures.scaling."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style
import pandas as pd

from superscale.figures import scaling
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    matplotlib.style.use(smk.input.style)
    scaling.fig18_wide(pd.read_csv(smk.input.fits)).savefig(smk.output.pdf)
    print(f"fig18: wrote {smk.output.pdf}")
