"""Draw one figure of the scaling checks (large toys, E sweep, Fig. 18) into a PDF.

The figure is named by the output file; the inputs a figure reads are those its rule names
(metrics, norms, fits; llm for Fig. 1d's language-model points once that stage exists).
The science is in superscale.figures.scaling; output and tracebacks go to the rule's log.
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style
import pandas as pd

from superscale.figures import scaling
from superscale.provenance.runlog import logged


def table(smk, name: str):
    """The named input as a table (for 'llm' the points of the LLM fit over the pretrained checkpoints,
    not the trained width ladder), or None where the rule has none."""
    path = getattr(smk.input, name, None)
    if path is None:
        return None
    if str(path).endswith(".json"):
        return pd.DataFrame(json.loads(Path(path).read_text())["joint_checkpoints"]["points"])
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)


def main(smk) -> None:
    matplotlib.style.use(smk.input.style)
    figure = Path(smk.output.pdf).stem
    metrics, norms, fits, llm = (table(smk, name) for name in ("metrics", "norms", "fits", "llm"))
    draw = {
        "fig01b": lambda: scaling.fig1b_weak(metrics),
        "fig01d": lambda: scaling.fig1d_strong(metrics, fits, llm),
        "fig07": lambda: scaling.fig7_norm_histograms(norms),
        "fig08": lambda: scaling.fig8_theory(metrics),
        "fig09a": lambda: scaling.fig9a_r2(fits),
        "fig14": lambda: scaling.fig14_density(metrics, fits),
        "fig15": lambda: scaling.fig15_exponent_vs_density(fits),
        "fig18": lambda: scaling.fig18_wide(fits),
    }
    draw[figure]().savefig(smk.output.pdf)
    print(f"{figure}: wrote {smk.output.pdf}")


smk = snakemake

with logged(smk):
    main(smk)
