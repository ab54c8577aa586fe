"""Draw one figure of the activation-density sweep (wildcard `esweep_figure`) into a PDF; the science is
in superscale.figures.scaling."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style
import pandas as pd

from superscale.figures import scaling
from superscale.provenance.runlog import logged


def main(smk) -> None:
    matplotlib.style.use(smk.input.style)
    metrics = pd.read_csv(smk.input.metrics)
    fits = pd.read_csv(smk.input.fits)
    draw = {
        "fig14": lambda: scaling.fig14_density(metrics, fits),
        "fig15": lambda: scaling.fig15_exponent_vs_density(fits),
    }
    figure = smk.wildcards.esweep_figure
    draw[figure]().savefig(smk.output.pdf)
    print(f"{figure}: wrote {smk.output.pdf}")


smk = snakemake

with logged(smk):
    main(smk)
