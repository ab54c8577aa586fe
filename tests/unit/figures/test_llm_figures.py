"""The LLM figures draw at a width the paper prints their text readable at, with or without sizes."""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from superscale.figures import llm  # noqa: E402

CHINCHILLA = pd.DataFrame({"d_model": [512, 1024, 2048, 4096], "n_params": [4e7, 3e8, 2.4e9, 1.9e10]})
FITS = {"chinchilla": {"exponent": 3.0, "exponent_se": 0.1}, "size_exponent_models": {"exponent": math.nan}}


def _heads(families: int, sized: bool) -> pd.DataFrame:
    rows = [
        dict(model=f"f{f}-{m}", family=f"F{f}", d_model=m, width=m, norm_mean=1.0, norm_std=0.1, norm_min=0.5,
             norm_max=2.0, n_params=12 * m**2 * 10 if sized else np.nan)
        for f in range(families)
        for m in (256, 512)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_fig23_without_parameter_counts_says_so_and_saves(tmp_path):
    fig = llm.fig23_sizes(_heads(2, sized=False), CHINCHILLA, FITS)
    assert fig.axes[0].get_title() == "(a) models here: no exponent (too few counts)"
    fig.savefig(tmp_path / "fig23.pdf")


def test_fig23_with_counts_saves(tmp_path):
    fits = FITS | {"size_exponent_models": {"exponent": 2.0}}
    llm.fig23_sizes(_heads(2, sized=True), CHINCHILLA, fits).savefig(tmp_path / "fig23.pdf")


def test_many_families_wrap_at_three_panels_a_row():
    fig = llm.fig20_norms(_heads(5, sized=True))
    assert len(fig.axes) == 5 and tuple(fig.get_size_inches()) == (llm.TEXT_WIDTH, 2 * 2.2)
    assert tuple(llm.fig20_norms(_heads(1, sized=True)).get_size_inches()) == (llm.TEXT_WIDTH, 2.2)
