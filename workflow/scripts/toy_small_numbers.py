"""Rule toy_*_numbers: the stage's headline numbers and run settings as LaTeX macros."""

import pandas as pd

from superscale.paper.numbers import latex_macros, small_toy_summary
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    values = small_toy_summary(pd.read_csv(smk.input.metrics), pd.read_csv(smk.input.fits))
    settings = smk.params.config
    values |= {
        "SmallN": settings["n"],
        "SmallSteps": settings["steps"],
        "SmallBatch": settings["batch_size"],
        "SmallLR": f"{settings['lr']:g}",
        "SmallWarmup": settings["warmup_steps"],
        "SmallSeeds": len(settings["seeds"]),
        "SmallWidths": ", ".join(str(m) for m in settings["m"]),
    }
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
