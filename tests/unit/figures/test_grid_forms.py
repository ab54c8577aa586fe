"""A figure draws the form its grid supports: a colour bar only over enough values to read a scale,
a line only through enough points to show a trend."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from superscale.figures import scaling  # noqa: E402
from superscale.figures.style import MIN_COLOURBAR_VALUES, colour_key, colour_scale, curve_format  # noqa: E402


def _keyed(values):
    fig = Figure()
    ax = fig.subplots()
    ax.plot([1, 2], [1, 2], label="guide")
    colour_key(fig, ax, colour_scale(values), values, r"$\gamma$", r"\gamma")
    return fig, ax


def test_few_values_get_legend_entries_not_a_degenerate_colour_bar():
    fig, ax = _keyed([-1.0, -1.0, 1.0])
    assert len(fig.axes) == 1  # no colour bar
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["guide", r"$\gamma=-1$", r"$\gamma=1$"]


def test_enough_values_get_a_colour_bar():
    fig, ax = _keyed(np.linspace(-1, 1, MIN_COLOURBAR_VALUES))
    assert len(fig.axes) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["guide"]


def test_two_points_are_not_joined_by_a_line():
    assert curve_format(2) == "o" and curve_format(3) == "o-"
    fits = pd.DataFrame(
        dict(gamma=-1.0, density=[1.0, 7.49], alpha_m=[1.0, 1.1], alpha_m_se=0.1, seeds=1, alpha_m_seed_std=np.nan)
    )
    fig = scaling.fig15_exponent_vs_density(fits)
    (ax,) = fig.axes
    assert all(line.get_linestyle() == "None" for line in ax.get_lines())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [r"$\gamma=-1$"]


def test_a_small_heatmap_carries_its_values():
    from superscale.figures.toy import fig10_r2

    fits = pd.DataFrame(dict(gamma=[-1.0, -1.0, 1.0, 1.0], alpha=[1.0, 2.0, 1.0, 2.0], r2=[0.99, 0.5, 0.8, np.nan]))
    (ax, _) = fig10_r2(fits).axes
    assert sorted(t.get_text() for t in ax.texts) == ["0.50", "0.80", "0.99"]  # the missing cell stays blank
