"""Draw one shape-sweep figure (wildcard `shapes_figure`) into a PDF; the science is in superscale.figures.shapes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style
import pandas as pd

from superscale.figures import shapes as shape_figures
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    matplotlib.style.use(smk.input.style)
    models = pd.read_csv(smk.input.models)
    draw = {
        "shapes_loss": lambda: shape_figures.loss_by_aspect(models),
        "shapes_overlap": lambda: shape_figures.overlap_by_width(models, pd.read_csv(smk.input.llm_shapes)),
        "shapes_similarity": lambda: shape_figures.similarity_by_kind(pd.read_csv(smk.input.similarity)),
    }
    draw[smk.wildcards.shapes_figure]().savefig(smk.output.pdf)
    print(f"{smk.wildcards.shapes_figure}: wrote {smk.output.pdf}")
