"""Rule toy_*_numbers: the stage's headline numbers and run settings as LaTeX macros."""

import pandas as pd

from superscale.paper.latex import latex_macros
from superscale.provenance.runlog import logged
from superscale.toy.summary import small_settings, small_toy_summary

smk = snakemake

with logged(smk):
    metrics = pd.read_csv(smk.input.metrics)
    values = small_toy_summary(metrics, pd.read_csv(smk.input.fits))
    values |= small_settings(smk.params.config, metrics)
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
