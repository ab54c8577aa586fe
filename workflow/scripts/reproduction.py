"""Rule reproduction: each published headline value against ours (CSV, Markdown, LaTeX table)."""

import json

import pandas as pd
import yaml

from superscale.reproduction import Sources, compare, counts_macros, latex_table, markdown, paper_macros
from superscale.runlog import logged
from superscale.summary import latex_macros

with logged(snakemake):  # noqa: F821
    smk = snakemake  # noqa: F821
    sources = Sources(
        fits={table: pd.read_csv(path) for table, path in zip(smk.params.fit_tables, smk.input.fits)},
        small_metrics=pd.read_csv(smk.input.small_metrics),
        llm=json.load(open(smk.input.llm)),
        zipf=pd.read_csv(smk.input.zipf),
    )
    published = yaml.safe_load(open(smk.input.published))
    table = compare(published, sources, smk.params.config_label)
    table.to_csv(smk.output.csv, index=False)
    open(smk.output.md, "w").write(markdown(table))
    open(smk.output.tex, "w").write(latex_macros(counts_macros(table, published["agreement_sigma"]) | paper_macros(table))
                                   + "\\newcommand{\\ReproTable}{%\n" + latex_table(table) + "}\n")
    print(markdown(table))
