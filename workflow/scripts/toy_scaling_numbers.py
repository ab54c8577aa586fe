"""Rule toy_scaling_numbers: the large-toy, E-sweep and Fig. 18 headline numbers as LaTeX macros."""

import pandas as pd

from superscale.paper.numbers import FIT_WINDOWS, count, esweep_summary, fig18_summary, large_toy_summary, latex_macros
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    values = large_toy_summary(pd.read_csv(smk.input.large))
    values |= esweep_summary(pd.read_csv(smk.input.esweep))
    values |= fig18_summary(pd.read_csv(smk.input.wide))
    settings = smk.params.large
    values |= {
        "LargeN": settings["n"],
        "LargeSteps": settings["steps"],
        "LargeBatch": settings["batch_size"],
        "LargeWidths": ", ".join(str(m) for m in settings["m"]),
        "LargeSeeds": count(len(settings["seeds"]), "seed"),
        "LargeFitWindow": FIT_WINDOWS[settings["fit_window"]],
    }
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
