"""Rule llm_numbers: the LLM stage's headline numbers and settings as LaTeX macros."""

import json

import pandas as pd

from superscale.paper.llm_numbers import llm_summary
from superscale.paper.numbers import latex_macros
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    values = llm_summary(
        pd.read_csv(smk.input.heads),
        pd.read_csv(smk.input.losses),
        pd.read_csv(smk.input.zipf),
        json.load(open(smk.input.fits)),
        smk.params.loss,
        smk.params.datasets,
    )
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
