"""Rule toy_scaling_numbers: the large-toy, E-sweep and Fig. 18 headline numbers as LaTeX macros."""

import pandas as pd

from superscale.paper.latex import latex_macros
from superscale.provenance.runlog import logged
from superscale.toy.summary import esweep_summary, fig18_summary, large_settings, large_toy_summary

smk = snakemake

with logged(smk):
    values = large_toy_summary(pd.read_csv(smk.input.large))
    values |= esweep_summary(pd.read_csv(smk.input.esweep))
    values |= fig18_summary(pd.read_csv(smk.input.fig18))
    values |= large_settings(smk.params.large)
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
