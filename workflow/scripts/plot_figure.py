"""Draw one small-toy figure (wildcard `figure`) into a PDF; the science is in superscale.plots.

Every figure rule runs this script with the same inputs (metrics, norms, fits, style) and params.n.
stdout, stderr, warnings and tracebacks go to the rule's log.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import pandas as pd  # noqa: E402

from superscale import plots, plots_scaling  # noqa: E402
from superscale.fits import least_ambiguous_cases  # noqa: E402
from superscale.runlog import logged  # noqa: E402


def main(smk) -> None:
    matplotlib.style.use(smk.input.style)
    metrics = pd.read_csv(smk.input.metrics)
    norms = pd.read_parquet(smk.input.norms)
    fits = pd.read_csv(smk.input.fits)
    n = int(smk.params.n)
    draw = {
        "fig03": lambda: plots.fig3_representation(norms, metrics, n),
        "fig04": lambda: plots.fig4_weak(metrics, fits, least_ambiguous_cases(metrics), n),
        "fig05": lambda: plots.fig5_strong(norms, metrics, fits, least_ambiguous_cases(metrics), n),
        "fig09b": lambda: plots.fig9b_phase(fits),
        "fig10": lambda: plots.fig10_r2(fits),
        "fig11": lambda: plots.fig11_12_norm_histograms(norms, gamma=0.556),
        "fig12": lambda: plots.fig11_12_norm_histograms(norms, gamma=-0.556),
        "fig13": lambda: plots.fig13_phi_heatmaps(metrics),
        "fig16": lambda: plots_scaling.fig16_strongly_represented(metrics, n),
        "fig17": lambda: plots_scaling.fig17_overlap_all_rows(metrics),
    }
    figure = smk.wildcards.small_figure
    draw[figure]().savefig(smk.output.pdf)
    print(f"{figure}: wrote {smk.output.pdf}")


with logged(snakemake):  # noqa: F821
    main(snakemake)  # noqa: F821
