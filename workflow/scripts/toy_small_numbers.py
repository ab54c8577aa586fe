"""Rule toy_*_numbers: the stage's headline numbers and run settings as LaTeX macros."""

import pandas as pd

from superscale.paper.numbers import count, latex_macros, small_toy_summary
from superscale.provenance.runlog import logged
from superscale.toy.fits import least_ambiguous_cases

smk = snakemake

with logged(smk):
    metrics = pd.read_csv(smk.input.metrics)
    values = small_toy_summary(metrics, pd.read_csv(smk.input.fits))
    settings = smk.params.config
    values |= {
        "SmallN": settings["n"],
        "SmallSteps": settings["steps"],
        "SmallBatch": settings["batch_size"],
        "SmallLR": f"{settings['lr']:g}",
        "SmallWarmup": settings["warmup_steps"],
        "SmallSeeds": len(settings["seeds"]),
        "SmallWidths": ", ".join(str(m) for m in settings["m"]),
        "SmallLeastAmbiguous": count(len(least_ambiguous_cases(metrics)), "least ambiguous case"),
    }
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
