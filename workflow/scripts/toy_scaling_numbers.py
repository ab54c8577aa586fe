"""Rule toy_scaling_numbers: the large-toy, E-sweep and Fig. 18 headline numbers as LaTeX macros."""

import pandas as pd

from superscale.runlog import logged
from superscale.summary import esweep_summary, fig18_summary, large_toy_summary, latex_macros

with logged(snakemake):
    values = large_toy_summary(pd.read_csv(snakemake.input.large))
    values |= esweep_summary(pd.read_csv(snakemake.input.esweep))
    values |= fig18_summary(pd.read_csv(snakemake.input.wide))
    settings = snakemake.params.large
    values |= {
        "LargeN": settings["n"],
        "LargeSteps": settings["steps"],
        "LargeBatch": settings["batch_size"],
        "LargeWidths": ", ".join(str(m) for m in settings["m"]),
        "LargeSeeds": len(settings["seeds"]),
    }
    text = latex_macros(values)
    open(snakemake.output.tex, "w").write(text)
    print(text)
