"""Draw one registered figure (wildcard `figure`) into a PDF: params.draw names its drawing in
superscale.figures.registry, which gets the stage's inputs and params.settings; the science is in
superscale.figures. stdout, stderr, warnings and tracebacks go to the rule's log."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.style

from superscale.figures.stage import StageInputs, drawing
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    matplotlib.style.use(smk.input.style)
    files = {name: value for name, value in smk.input.items() if name != "style"}
    drawing(smk.params.draw)(StageInputs(files), smk.params.settings).savefig(smk.output.pdf)
    print(f"{smk.wildcards.figure}: wrote {smk.output.pdf}")
