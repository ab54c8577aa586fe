"""Draw one feature-frequency figure (wildcard `features_figure`) into a PDF; the science is in
superscale.figures.features."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style
import pandas as pd

from superscale.figures import features as feature_figures
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    matplotlib.style.use(smk.input.style)
    draw = {
        "features_frequencies": lambda: feature_figures.frequencies(
            pd.read_csv(smk.input.latents), pd.read_csv(smk.input.laws)
        ),
        "features_controls": lambda: feature_figures.controls(
            pd.read_csv(smk.input.latents),
            pd.read_csv(smk.input.control_counts),
            pd.read_csv(smk.input.planted_counts),
            smk.params.alpha_range,
        ),
        "features_toy": lambda: feature_figures.toy(pd.read_csv(smk.input.toy), pd.read_csv(smk.input.fits)),
    }
    draw[smk.wildcards.features_figure]().savefig(smk.output.pdf)
    print(f"{smk.wildcards.features_figure}: wrote {smk.output.pdf}")
