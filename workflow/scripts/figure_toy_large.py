"""Draw one large-toy figure (wildcard `large_figure`) into a PDF; the science is in superscale.figures.scaling.

Fig. 1d also draws the language models' points (those of the LLM fit over the pretrained checkpoints,
not the trained width ladder, of the families with two or more widths), an input only its job has.
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style
import pandas as pd

from superscale.figures import scaling
from superscale.figures.llm import width_points
from superscale.provenance.runlog import logged


def main(smk) -> None:
    matplotlib.style.use(smk.input.style)
    metrics = pd.read_csv(smk.input.metrics)
    norms = pd.read_parquet(smk.input.norms)
    fits = pd.read_csv(smk.input.fits)
    llm_fit = getattr(smk.input, "llm", None)
    checkpoints = json.loads(Path(llm_fit).read_text())["joint_checkpoints"] if llm_fit else None
    llm = width_points(pd.DataFrame(checkpoints["points"])) if checkpoints else None
    determined = checkpoints is None or checkpoints["identifiable"]
    labels = scaling.shape_labels(smk.params.shapes)
    draw = {
        "fig01b": lambda: scaling.fig1b_weak(metrics, labels),
        "fig01d": lambda: scaling.fig1d_strong(metrics, fits, llm, labels, determined),
        "fig07": lambda: scaling.fig7_norm_histograms(norms),
        "fig08": lambda: scaling.fig8_theory(metrics),
        "fig09a": lambda: scaling.fig9a_r2(fits),
    }
    figure = smk.wildcards.large_figure
    draw[figure]().savefig(smk.output.pdf)
    print(f"{figure}: wrote {smk.output.pdf}")


smk = snakemake

with logged(smk):
    main(smk)
