"""Rule shapes_numbers: the shape sweep's analysis and verdicts -> summary JSON and LaTeX macros."""

import json

import pandas as pd

from superscale.paper.latex import latex_macros
from superscale.provenance.runlog import logged
from superscale.shapes.summary import shapes_summary

smk = snakemake

with logged(smk):
    summary, macros = shapes_summary(
        pd.read_csv(smk.input.models),
        pd.read_csv(smk.input.similarity),
        pd.read_csv(smk.input.llm_shapes),
        json.load(open(smk.input.corpus)),
        smk.params.settings,
    )
    with open(smk.output.summary, "w") as out:
        json.dump(summary, out, indent=1, default=float)
    text = latex_macros(macros, digits=3)
    open(smk.output.tex, "w").write(text)
    print(text)
