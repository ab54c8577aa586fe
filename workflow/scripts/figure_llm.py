"""Draw one LLM figure (wildcard `llm_figure`) into a PDF; the science is in superscale.figures.llm."""

import matplotlib

matplotlib.use("Agg")

import json
from pathlib import Path

import matplotlib.style
import pandas as pd

from superscale.figures import llm as llm_figures
from superscale.provenance.runlog import logged


def main(smk) -> None:
    matplotlib.style.use(smk.input.style)
    heads = pd.read_csv(smk.input.heads)
    ladder = pd.read_csv(smk.input.ladder)
    fits = json.load(open(smk.input.fits))
    chinchilla = pd.read_csv(smk.input.chinchilla, comment="#")
    chinchilla["n_params"] = chinchilla.params_million * 1e6

    def counts():
        return {(Path(p).parent.name, Path(p).stem): pd.read_csv(p)["count"].to_numpy() for p in smk.input.counts}

    draw = {
        "fig06a": lambda: llm_figures.fig6a_overlap(
            pd.concat([heads, ladder.assign(family="ladder (trained)", width=ladder.d_model)])
        ),
        "fig06b": lambda: llm_figures.fig6b_excess_loss(fits["joint"]),
        "fig19": lambda: llm_figures.fig19_norm_histogram(json.load(open(smk.input.histogram))),
        "fig20": lambda: llm_figures.fig20_norms(heads),
        "fig21": lambda: llm_figures.fig21_raw_loss(pd.read_csv(smk.input.losses)),
        "fig22": lambda: llm_figures.fig22_zipf(counts(), pd.read_csv(smk.input.zipf)),
        "fig23": lambda: llm_figures.fig23_sizes(heads, chinchilla, fits),
        "width_exponent": lambda: llm_figures.width_exponent(ladder, pd.read_csv(smk.input.bottleneck), fits),
    }
    figure = smk.wildcards.llm_figure
    draw[figure]().savefig(smk.output.pdf)
    print(f"{figure}: wrote {smk.output.pdf}")


smk = snakemake

with logged(smk):
    main(smk)
