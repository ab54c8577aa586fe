"""Helpers every figure family shares: axis labels, the colour scale, the paper's exponent laws and
error bars, the log width axis and the language models' points it can show. The visual style itself is
workflow/matplotlibrc."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullFormatter

from superscale.toy.fits import THEORY_EXPONENTS

NORM_LABEL = r"$\|W_i\|_2$"


OVERLAP = r"(\hat W_i\cdot\hat W_j)^2"


THEORY_LINES = {
    "strong_flat": (r"$\alpha_m = 1$", "-", None),
    "strong_skewed": (r"$\alpha_m = 2(\alpha-1)$", "-.", 1.0),
    "weak": (r"$\alpha_m = \alpha-1$", ":", 1.0),
}


def colour_scale(values) -> ScalarMappable:
    """A colour scale over the range of `values` in the style's colormap (one for points and colourbar)."""
    values = np.asarray(values, dtype=float)
    cmap = mpl.colormaps[mpl.rcParams["image.cmap"]]
    return ScalarMappable(Normalize(np.nanmin(values), np.nanmax(values)), cmap)


# The width of a figure the paper prints at the text's width (6.5 in): drawn at it whatever its
# grid, its 7 pt text prints at about 7 pt (a grid-sized figure would shrink or blow it up).
TEXT_WIDTH = 6.8

# The smallest grids a figure's forms need: a colour bar reads a scale from at least three values
# (with fewer, each value gets its own legend entry), a line shows a trend through at least three
# points (through two it draws a shape, such as a transition, that the grid did not measure).
MIN_COLOURBAR_VALUES = 3
MIN_LINE_POINTS = 3


def curve_format(points: int) -> str:
    """Markers joined by a line where there are enough points for a trend, markers alone otherwise."""
    return "o-" if points >= MIN_LINE_POINTS else "o"


def colour_key(fig, ax, scale: ScalarMappable, values, label: str, name, entries=None, bar_axes=None) -> None:
    """The key to a colour: a colour bar over `values` (labelled `label`, beside `bar_axes` or ax)
    where they are enough to read a scale, else a legend entry per value ("name = value", or
    name(value) where name is a function). The legend on ax also holds `entries` (handles,
    labels), by default ax's labelled artists."""
    handles, labels = entries if entries is not None else ax.get_legend_handles_labels()
    handles, labels = list(handles), list(labels)
    values = np.unique(np.asarray(values, dtype=float))
    if len(values) >= MIN_COLOURBAR_VALUES:
        fig.colorbar(scale, ax=bar_axes if bar_axes is not None else ax, label=label)
        if handles:
            ax.legend(handles, labels)
        return
    handles += [Line2D([], [], ls="none", marker="o", ms=3.5, color=scale.to_rgba(v)) for v in values]
    labels += [name(v) if callable(name) else f"${name}={v:.3g}$" for v in values]
    # where the colour bar would be, beside the axes: no point or error bar runs under it
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)


def theory_lines(ax, alphas, names) -> None:
    """The paper's alpha_m laws over the alpha range shown (the alpha - 1 laws only where alpha >= 1)."""
    low, high = float(np.min(alphas)), float(np.max(alphas))
    for name in names:
        label, style, start = THEORY_LINES[name]
        x = np.linspace(low if start is None else max(low, start), high, 50)
        if x[0] < high:
            y = np.broadcast_to(THEORY_EXPONENTS[name](x), x.shape)
            ax.plot(x, y, style, color="0.3", lw=0.9, label=label)


def exponent_error(fits: pd.DataFrame) -> pd.Series:
    """An exponent's error bar: the spread (std) over seeds where there are several, else the fit's SE."""
    return fits["alpha_m_seed_std"].where(fits["seeds"] > 1, fits["alpha_m_se"])


def sparse_log_labels(axis) -> None:
    """Label a log axis at 1, 2 and 5 x 10^k only: under a decade matplotlib labels every minor
    tick, and they collide."""
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False))
    axis.set_minor_formatter(NullFormatter())


def width_axis(ax, widths) -> None:
    """Log axis for m with the widths of the grid as its ticks (a decade or less is common)."""
    widths = np.unique(widths)
    ax.set_xscale("log")
    ax.set_xticks(widths, [f"{m:g}" for m in widths])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("$m$")


def width_points(points: pd.DataFrame) -> pd.DataFrame:
    """The points of families with two or more widths: a family with one width has its offset on
    its point (L - L_offset = 0), so it says nothing about alpha_m and has no place on log axes."""
    return points[points.groupby("family").d_model.transform("nunique") >= 2]
