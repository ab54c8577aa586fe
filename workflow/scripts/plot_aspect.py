"""Draw one shape-sweep figure (wildcard `aspect_figure`) into a PDF; the science is in superscale.aspect_plots."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import pandas as pd  # noqa: E402

from superscale import aspect_plots  # noqa: E402
from superscale.runlog import logged  # noqa: E402

with logged(snakemake):  # noqa: F821
    smk = snakemake  # noqa: F821
    matplotlib.style.use(smk.input.style)
    models = pd.read_csv(smk.input.models)
    draw = {
        "aspect_loss": lambda: aspect_plots.loss_by_aspect(models),
        "aspect_overlap": lambda: aspect_plots.overlap_by_width(models, pd.read_csv(smk.input.llm_shapes)),
        "aspect_similarity": lambda: aspect_plots.similarity_by_kind(pd.read_csv(smk.input.similarity)),
    }
    draw[smk.wildcards.aspect_figure]().savefig(smk.output.pdf)
    print(f"{smk.wildcards.aspect_figure}: wrote {smk.output.pdf}")
