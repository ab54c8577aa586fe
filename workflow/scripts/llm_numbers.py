"""Rule llm_numbers: the LLM stage's headline numbers and settings as LaTeX macros."""

import json

import pandas as pd

from superscale.llm.summary import ladder_summary, llm_summary
from superscale.paper.latex import latex_macros
from superscale.provenance.runlog import logged
from superscale.shapes.width_summary import width_summary

smk = snakemake

with logged(smk):
    fits = json.load(open(smk.input.fits))
    values = llm_summary(
        pd.read_csv(smk.input.heads),
        pd.read_csv(smk.input.losses),
        pd.read_csv(smk.input.zipf),
        fits,
        smk.params.loss,
        smk.params.datasets,
    )
    ladder = pd.read_csv(smk.input.ladder)
    values |= ladder_summary(ladder, fits) | width_summary(
        fits, ladder, pd.read_csv(smk.input.bottleneck), json.load(open(smk.input.trunk)), smk.params.shapes
    )
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
