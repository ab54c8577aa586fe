"""Draw one figure of the scaling checks (large toys, E sweep, Fig. 18) into a PDF.

The figure is named by the output file; the inputs a figure reads are those its rule names
(metrics, norms, fits; llm for Fig. 1d's language-model points once that stage exists).
The science is in superscale.plots_scaling; output and tracebacks go to the rule's log.
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import pandas as pd  # noqa: E402

from superscale import plots_scaling as plots  # noqa: E402
from superscale.runlog import logged  # noqa: E402


def table(smk, name: str):
    """The named input as a table (the LLM fit's points for 'llm'), or None where the rule has none."""
    path = getattr(smk.input, name, None)
    if path is None:
        return None
    if str(path).endswith(".json"):
        return pd.DataFrame(json.loads(Path(path).read_text())["points"])
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)


def main(smk) -> None:
    matplotlib.style.use(smk.input.style)
    figure = Path(smk.output.pdf).stem
    metrics, norms, fits, llm = (table(smk, name) for name in ("metrics", "norms", "fits", "llm"))
    draw = {
        "fig01b": lambda: plots.fig1b_weak(metrics),
        "fig01d": lambda: plots.fig1d_strong(metrics, fits, llm),
        "fig07": lambda: plots.fig7_norm_histograms(norms),
        "fig08": lambda: plots.fig8_theory(metrics),
        "fig09a": lambda: plots.fig9a_r2(fits),
        "fig14": lambda: plots.fig14_density(metrics, fits),
        "fig15": lambda: plots.fig15_exponent_vs_density(fits),
        "fig18": lambda: plots.fig18_wide(fits),
    }
    draw[figure]().savefig(smk.output.pdf)
    print(f"{figure}: wrote {smk.output.pdf}")


with logged(snakemake):  # noqa: F821
    main(snakemake)  # noqa: F821
