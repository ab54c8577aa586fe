"""Write generated/figures.tex: a float for every registered figure paper/main.tex does not place by hand
(params.captions: id -> the registry's caption)."""

from pathlib import Path

from superscale.paper.figures import placement
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    text = placement(dict(smk.params.captions))
    Path(smk.output.tex).write_text(text)
    print(text)
