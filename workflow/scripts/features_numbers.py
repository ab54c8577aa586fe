"""Rule features_numbers: the toy alpha_m on the measured frequencies beside the paper's
predictions, the planted-truth confusion table, and the section's LaTeX macros
(superscale.features.summary)."""

import pandas as pd

from superscale.features.summary import confusion, macros, toy_fits
from superscale.paper.latex import latex_macros
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    laws = pd.read_csv(smk.input.laws)
    planted = pd.read_csv(smk.input.planted)
    toy = pd.concat([pd.read_csv(path) for path in smk.input.toys], ignore_index=True)
    toy = toy.sort_values(["model", "depth", "size", "gamma", "m"], kind="stable").reset_index(drop=True)
    fits = toy_fits(toy, laws)
    toy.to_csv(smk.output.toy, index=False)
    fits.to_csv(smk.output.fits, index=False)
    confusion(planted).to_csv(smk.output.confusion, index=False)
    values = macros(
        laws,
        pd.read_csv(smk.input.dictionaries),
        planted,
        pd.read_csv(smk.input.controls),
        fits,
        smk.params.settings,
    )
    text = latex_macros(values, digits=2)
    open(smk.output.tex, "w").write(text)
    print(confusion(planted).to_string())
    print(fits.to_string())
    print(text)
