"""Draw one small-toy figure (wildcard `figure`) into a PDF; the science is in superscale.figures.toy.

Every figure rule runs this script with the same inputs (metrics, norms, fits, style) and params.n.
stdout, stderr, warnings and tracebacks go to the rule's log.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style
import pandas as pd

from superscale.figures import scaling, toy
from superscale.provenance.runlog import logged
from superscale.toy.fits import least_ambiguous_cases


def main(smk) -> None:
    matplotlib.style.use(smk.input.style)
    metrics = pd.read_csv(smk.input.metrics)
    norms = pd.read_parquet(smk.input.norms)
    fits = pd.read_csv(smk.input.fits)
    n = int(smk.params.n)
    draw = {
        "fig03": lambda: toy.fig3_representation(norms, metrics, n),
        "fig04": lambda: toy.fig4_weak(metrics, fits, least_ambiguous_cases(metrics), n),
        "fig05": lambda: toy.fig5_strong(norms, metrics, fits, least_ambiguous_cases(metrics), n),
        "fig09b": lambda: toy.fig9b_phase(fits),
        "fig10": lambda: toy.fig10_r2(fits),
        "fig11": lambda: toy.fig11_12_norm_histograms(norms, gamma=0.556),
        "fig12": lambda: toy.fig11_12_norm_histograms(norms, gamma=-0.556),
        "fig13": lambda: toy.fig13_phi_heatmaps(metrics),
        "fig16": lambda: scaling.fig16_strongly_represented(metrics, n),
        "fig17": lambda: scaling.fig17_overlap_all_rows(metrics),
    }
    figure = smk.wildcards.small_figure
    draw[figure]().savefig(smk.output.pdf)
    print(f"{figure}: wrote {smk.output.pdf}")


smk = snakemake

with logged(smk):
    main(smk)
