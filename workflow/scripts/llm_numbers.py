"""Rule llm_numbers: the LLM stage's headline numbers and settings as LaTeX macros."""

import json

import pandas as pd

from superscale.llm_summary import llm_summary
from superscale.runlog import logged
from superscale.summary import latex_macros

with logged(snakemake):  # noqa: F821
    smk = snakemake  # noqa: F821
    values = llm_summary(
        pd.read_csv(smk.input.heads), pd.read_csv(smk.input.losses), pd.read_csv(smk.input.zipf),
        json.load(open(smk.input.fits)), smk.params.loss, smk.params.datasets,
    )
    text = latex_macros(values)
    open(smk.output.tex, "w").write(text)
    print(text)
