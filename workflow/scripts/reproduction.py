"""Rule reproduction: the paper's results against ours, like with like (CSV, Markdown, LaTeX tables),
and the abstract's and conclusion's sentences that name them."""

import json

import pandas as pd
import yaml

from superscale.authors.reproduction import (
    Sources,
    compare,
    counts_macros,
    latex_tables,
    markdown,
    neighbour_paragraph,
    paper_macros,
)
from superscale.paper.abstract import abstract_macros
from superscale.paper.latex import latex_macros
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    sources = Sources(
        fits={table: pd.read_csv(path) for table, path in zip(smk.params.fit_tables, smk.input.fits)},
        small_metrics=pd.read_csv(smk.input.small_metrics),
        llm=json.load(open(smk.input.llm)),
        zipf=pd.read_csv(smk.input.zipf),
        figure_values=pd.read_csv(smk.input.figure_values),
        config=dict(smk.params.config),
        paper_config=yaml.safe_load(open(smk.input.paper_config)),
    )
    published = yaml.safe_load(open(smk.input.published))
    table = compare(published, sources, smk.params.config_label)
    table.to_csv(smk.output.csv, index=False)
    open(smk.output.md, "w").write(markdown(table))
    macros = counts_macros(table, published["agreement_sigma"]) | paper_macros(table)
    texts = (
        latex_tables(table)
        | {"ReproNeighbourNoise": neighbour_paragraph(table, published)}
        | abstract_macros(table, sources.config, dict(smk.params.models), sources.paper_config)
    )
    tables = "".join(f"\\newcommand{{\\{name}}}{{%\n{body}}}\n" for name, body in texts.items())
    open(smk.output.tex, "w").write(latex_macros(macros) + tables)
    print(markdown(table))
