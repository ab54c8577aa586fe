"""Figures of the small toy model (paper Figs. 3, 4, 5, 9b, 10, 11, 12, 13).

Each function takes the pipeline's tables and returns a matplotlib Figure; the caller applies the
style and saves it. Tables:
- metrics: one row per (gamma, alpha, m, seed), as in results/toy/small/metrics.csv;
- norms: one row per row of W (gamma, alpha, m, seed, feature, norm);
- fits: one row per (gamma, alpha), as in results/fits/toy_small.csv.

Points taken from metrics are averaged over seeds. Plots of one trained matrix (histograms,
frequency-rank plots) show the lowest seed. Grids differ between configs, so a value the paper
names (gamma = -0.778, m = 15, ...) is replaced by the nearest value present in the data.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatter, NullFormatter

from superscale.core.grid import nearest
from superscale.figures.stage import StageInputs
from superscale.figures.style import (
    MIN_LINE_POINTS,
    NORM_LABEL,
    OVERLAP,
    TEXT_WIDTH,
    colour_key,
    colour_scale,
    curve_format,
    exponent_error,
    sparse_log_labels,
    theory_lines,
    width_axis,
)
from superscale.toy.features import feature_probabilities
from superscale.toy.fits import least_ambiguous_cases, weak_loss_integral
from superscale.toy.geometry import STRONGLY_REPRESENTED, random_sq_overlap_variance

GRID = ["gamma", "alpha", "m"]
ALPHA_M_MAX = 2.3  # top of the paper's alpha_m colour range (Fig. 9b)
MAX_ANNOTATED_CELLS = 25  # a heatmap with no more cells than this carries each cell's value

GRID_LABELS = {  # how a grid point is written: gamma as in the paper (-0.778), alpha exactly (1.125)
    "gamma": lambda value: rf"$\gamma={value:.3g}$",
    "alpha": lambda value: rf"$\alpha={value:.4g}$",
    "m": lambda value: f"$m={int(value)}$",
}

# name in superscale.toy.fits.THEORY_EXPONENTS -> (label, line style, smallest alpha where the law applies)


def _at(table: pd.DataFrame, **targets: float) -> pd.DataFrame:
    """Rows at the grid point nearest to the targets, chosen column by column so reduced grids work."""
    for column, target in targets.items():
        table = table[table[column] == nearest(table[column], target)]
    return table


def _seed_mean(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per (gamma, alpha, m): the mean over seeds, NaNs skipped."""
    return metrics.groupby(GRID, as_index=False).mean(numeric_only=True)


def _lowest_seed(norms: pd.DataFrame) -> pd.DataFrame:
    """The rows of one trained matrix, ordered by frequency rank."""
    return norms[norms["seed"] == norms["seed"].min()].sort_values("feature")


def _on_cases(fits: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """The fits of the given (gamma, alpha) cases; keys are rounded so CSV round-trips still match."""
    keys = ["gamma", "alpha"]

    def rounded(table: pd.DataFrame) -> pd.DataFrame:
        return table.assign(**{key: table[key].round(9) for key in keys})

    chosen = rounded(cases[keys]).drop_duplicates()
    return rounded(fits).merge(chosen, on=keys)


def _title(ax, panel: str, **values: float) -> None:
    """Panel letter (if any) plus the grid point shown, e.g. '(a) gamma = -0.778, m = 15'."""
    prefix = f"({panel}) " if panel else ""
    ax.set_title(prefix + ", ".join(GRID_LABELS[key](value) for key, value in values.items()), loc="left")


def _norm_histogram(ax, norms: np.ndarray, log: bool) -> None:
    ax.hist(norms, bins=40, density=True, log=log, color="C0")
    ax.set(xlabel=NORM_LABEL, ylabel="density")
    ax.yaxis.set_minor_formatter(NullFormatter())  # a log axis under a decade labels minor ticks, which collide


def _rank_bars(ax, n: int, alpha: float, colours) -> None:
    """Frequency p_i against rank i (p_i ~ i^-alpha), one bar per feature, coloured to show its norm."""
    if len(colours) != n:  # matplotlib would cycle the colours silently
        raise ValueError(f"{len(colours)} rows of W for n = {n} features")
    probs = feature_probabilities("power", n, alpha).numpy()
    ax.bar(np.arange(1, n + 1), probs, width=1.0, align="edge", color=colours, linewidth=0, log=True)
    ax.set(xscale="log", xlim=(1, n + 1), xlabel="frequency rank $i$", ylabel="$p_i$")


def _exponents(ax, points: pd.DataFrame, scale, marker: str) -> Line2D:
    """alpha_m against alpha with error bars (exponent_error), coloured by gamma; returns a neutral legend handle."""
    ax.errorbar(points["alpha"], points["alpha_m"], yerr=exponent_error(points), fmt="none", ecolor="0.6", lw=0.7)
    ax.scatter(
        points["alpha"],
        points["alpha_m"],
        c=scale.to_rgba(points["gamma"]),
        marker=marker,
        s=16,
        edgecolors="k",
        linewidths=0.3,
        zorder=3,
    )
    ax.set(xlabel=r"$\alpha$", ylabel=r"$\alpha_m$")
    return Line2D([], [], ls="none", marker=marker, mfc="0.8", mec="k", mew=0.3)


def _grid_ticks(values, most: int = 9) -> tuple[np.ndarray, list[str]]:
    """Tick positions at the centres of equal-width cells, one per grid value, and their labels
    (every k-th only, so that long axes such as the paper's 17 alphas stay readable)."""
    values = np.asarray(values, dtype=float)
    step = int(np.ceil(len(values) / most))
    labels = [f"{v:.3g}" if i % step == 0 else "" for i, v in enumerate(values)]
    return np.arange(len(values)) + 0.5, labels


def _heatmap(ax, table: pd.DataFrame, value: str, vmin: float, vmax: float):
    """`value` over (gamma on x, alpha on y), averaged over any repeats; missing cells stay blank.

    Cells have equal width and carry their grid values as labels: a reduced or irregular grid
    then shows what was run, without stretching cells over values that were not.
    """
    grid = table.pivot_table(index="alpha", columns="gamma", values=value, aggfunc="mean", dropna=False)
    mesh = ax.pcolormesh(np.ma.masked_invalid(grid.to_numpy()), vmin=vmin, vmax=vmax, cmap=mpl.rcParams["image.cmap"])
    ax.set(xlabel=r"$\gamma$", ylabel=r"$\alpha$")
    xticks, xlabels = _grid_ticks(grid.columns)
    yticks, ylabels = _grid_ticks(grid.index)
    ax.set_xticks(xticks, xlabels, rotation=45)
    ax.set_yticks(yticks, ylabels)
    ax.tick_params(length=0)
    if grid.size <= MAX_ANNOTATED_CELLS:  # few cells: their values written in, read as a small table
        for (i, j), cell in np.ndenumerate(grid.to_numpy()):
            if np.isfinite(cell):
                shade = mesh.cmap(mesh.norm(cell))
                ink = "k" if 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] > 0.5 else "w"
                ax.text(j + 0.5, i + 0.5, f"{cell:.2f}", ha="center", va="center", color=ink)
    return mesh


def _heatmap_figure(table: pd.DataFrame, value: str, vmin: float, vmax: float, label: str) -> Figure:
    fig = Figure(layout="constrained")
    ax = fig.subplots()
    fig.colorbar(_heatmap(ax, table, value, vmin, vmax), ax=ax, label=label)
    return fig


def fig3_representation(norms: pd.DataFrame, metrics: pd.DataFrame, n: int) -> Figure:
    """(a) Row norms at gamma = +1 and -1 (largest m, alpha = 1); (b) phi_1/2 against gamma per m."""
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    axes = fig.subplot_mosaic(
        [["hist_pos", "rank_pos", "phi"], ["hist_neg", "rank_neg", "phi"]], width_ratios=[1, 1, 1.25]
    )
    models = {
        sign: _lowest_seed(_at(norms, m=norms["m"].max(), alpha=1.0, gamma=target))
        for sign, target in (("pos", 1.0), ("neg", -1.0))
    }
    norm_scale = colour_scale(pd.concat(models.values())["norm"])
    for sign, model in models.items():
        first, norm = model.iloc[0], model["norm"].to_numpy()
        _title(axes[f"hist_{sign}"], "a" if sign == "pos" else "", gamma=first["gamma"], m=first["m"])
        _norm_histogram(axes[f"hist_{sign}"], norm, log=True)
        _rank_bars(axes[f"rank_{sign}"], n, first["alpha"], norm_scale.to_rgba(norm))
        _title(axes[f"rank_{sign}"], "", alpha=first["alpha"])
    fig.colorbar(norm_scale, ax=[axes["rank_pos"], axes["rank_neg"]], label=NORM_LABEL)

    ax = axes["phi"]
    table = _seed_mean(_at(metrics, alpha=1.0))
    m_scale = colour_scale(np.log10(table["m"]))
    gammas = table["gamma"].nunique()
    for m, rows in table.groupby("m"):
        colour = m_scale.to_rgba(np.log10(m))
        ax.plot(rows["gamma"], rows["phi_half"], curve_format(gammas), color=colour, ms=3)
        ax.axhline(m / n, ls="--", lw=0.8, color=colour)
    ax.set(yscale="log", xlabel=r"$\gamma$", ylabel=r"$\phi_{1/2}$")
    _title(ax, "b", alpha=table["alpha"].iloc[0])
    if gammas < MIN_LINE_POINTS:  # the transition between the regimes needs gammas between them
        ax.set_xlabel(f"$\\gamma$\n({gammas} values: transition not resolved)")
    ax.legend(handles=[Line2D([], [], ls="--", color="0.3", label="$m/n$")], loc="upper right")
    colour_key(fig, ax, m_scale, np.log10(table["m"]), r"$\log_{10} m$", lambda v: f"$m={10**v:.0f}$")
    return fig


def fig4_weak(metrics: pd.DataFrame, fits: pd.DataFrame, cases: pd.DataFrame, n: int) -> Figure:
    """(a) Loss against the number represented with the Eq. 14 theory; (b) alpha_m of the least ambiguous cases."""
    fig = Figure(figsize=(7.0, 2.8), layout="constrained")
    ax, bx = fig.subplots(1, 2)

    weak = _seed_mean(metrics[metrics["gamma"] > 0])
    weak = weak[weak["phi_half"] > 0]  # nothing to place on a log axis otherwise
    alpha_scale = colour_scale(weak["alpha"])
    represented = weak["phi_half"] * n
    ax.scatter(represented, weak["loss"], c=alpha_scale.to_rgba(weak["alpha"]), s=8, zorder=3)
    phi = np.geomspace(represented.min(), min(represented.max(), n - 1), 100) / n  # L = 0 at phi = 1
    for alpha in np.unique(weak["alpha"]):
        ax.plot(phi * n, weak_loss_integral(phi, alpha, n), "--", lw=0.8, color=alpha_scale.to_rgba(alpha))
    ax.set(xscale="log", yscale="log", xlabel=r"number represented $\phi_{1/2}\,n$", ylabel="loss $L$")
    ax.xaxis.set_major_formatter(LogFormatter())  # plain numbers: short enough for minor labels too
    ax.xaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False))
    ax.set_title(r"(a) $\gamma > 0$", loc="left")
    ax.plot([], [], "--", color="0.3", label="theory (Eq. 14)")
    colour_key(fig, ax, alpha_scale, weak["alpha"], r"$\alpha$", r"\alpha")

    gamma_scale = colour_scale(fits["gamma"])
    _exponents(bx, _on_cases(fits, cases), gamma_scale, "o")
    theory_lines(bx, fits["alpha"], ["weak"])
    bx.set_title("(b) least ambiguous cases", loc="left")
    colour_key(fig, bx, gamma_scale, fits["gamma"], r"$\gamma$", r"\gamma")
    return fig


def fig5_strong(norms: pd.DataFrame, metrics: pd.DataFrame, fits: pd.DataFrame, cases: pd.DataFrame, n: int) -> Figure:
    """Strong superposition: (a, b) one model's norms, (c, d) overlaps of rows with norm > 1, (e) alpha_m."""
    fig = Figure(figsize=(7.0, 4.6), layout="constrained")
    axes = fig.subplot_mosaic([["a", "b", "e"], ["c", "d", "e"]], width_ratios=[1, 1, 1.3])

    model = _lowest_seed(_at(norms, m=15, alpha=1.0, gamma=-0.778))
    first, norm = model.iloc[0], model["norm"].to_numpy()
    _norm_histogram(axes["a"], norm, log=False)
    axes["a"].axvline(STRONGLY_REPRESENTED, ls=":", color="0.3")
    _title(axes["a"], "a", gamma=first["gamma"], alpha=first["alpha"], m=first["m"])
    _rank_bars(axes["b"], n, first["alpha"], np.where(norm > STRONGLY_REPRESENTED, "C3", "C0"))
    axes["b"].set_title(r"(b) red: $\|W_i\|_2 > 1$", loc="left")  # a legend would cover the bars

    strong = _seed_mean(metrics[metrics["gamma"] < 0])
    alpha_scale = colour_scale(strong["alpha"])
    ax = axes["c"]
    table = _at(strong, gamma=-0.556)
    _title(ax, "c", gamma=table["gamma"].iloc[0])
    table = table.dropna(subset=["var_sq_overlap_strong"])  # NaN with fewer than 2 rows of norm > 1
    ratio = table["var_sq_overlap_strong"] / random_sq_overlap_variance(table["m"].to_numpy(dtype=float))
    for alpha, rows in table.assign(ratio=ratio).groupby("alpha"):
        ax.plot(rows["m"], rows["ratio"], "o-", ms=3, color=alpha_scale.to_rgba(alpha))
    ax.axhline(1.0, ls="--", color="0.3", lw=0.8, label="random")
    width_axis(ax, strong["m"])
    ax.set_ylabel(rf"Var$[{OVERLAP}]$ / random")

    ax = axes["d"]
    table = strong.dropna(subset=["mean_sq_overlap_strong"])
    ax.scatter(table["m"], table["mean_sq_overlap_strong"], c=alpha_scale.to_rgba(table["alpha"]), s=8, zorder=3)
    m = np.geomspace(strong["m"].min(), strong["m"].max(), 20)
    ax.plot(m, 1 / m, "--", color="0.3", lw=0.8, label="$1/m$")
    width_axis(ax, strong["m"])
    ax.set(yscale="log", ylabel=rf"$\langle {OVERLAP} \rangle$")
    sparse_log_labels(ax.yaxis)
    ax.set_title(r"(d) $\gamma < 0$", loc="left")
    # one key beside (d) for both panels: the curves of (c) cross its whole axes
    entries = [sum(pair, []) for pair in zip(axes["c"].get_legend_handles_labels(), ax.get_legend_handles_labels())]
    colour_key(fig, ax, alpha_scale, strong["alpha"], r"$\alpha$", r"\alpha", entries, bar_axes=[axes["c"], axes["d"]])

    ax = axes["e"]
    gamma_scale = colour_scale(fits["gamma"])
    negative = fits[fits["gamma"] < 0]
    chosen = {nearest(negative["gamma"], target) for target in (-0.778, -0.556, -0.333)}
    markers = [
        _exponents(ax, negative[negative["gamma"].isin(chosen)], gamma_scale, "o"),
        _exponents(ax, _on_cases(fits, cases), gamma_scale, "s"),
    ]
    theory_lines(ax, fits["alpha"], ["strong_flat", "strong_skewed", "weak"])
    lines, labels = ax.get_legend_handles_labels()
    ax.set_title("(e)", loc="left")
    entries = (markers + lines, [r"$\gamma < 0$", "Fig. 4b cases"] + labels)
    colour_key(fig, ax, gamma_scale, fits["gamma"], r"$\gamma$", r"\gamma", entries)
    return fig


def fig9b_phase(fits: pd.DataFrame) -> Figure:
    """Phase diagram: alpha_m over (gamma, alpha)."""
    top = max(ALPHA_M_MAX, float(np.nanmax(fits["alpha_m"])))
    return _heatmap_figure(fits, "alpha_m", 0.0, top, r"$\alpha_m$")


def fig10_r2(fits: pd.DataFrame) -> Figure:
    """R^2 of the log-log fits over (gamma, alpha): where loss against m is a power law."""
    return _heatmap_figure(fits, "r2", 0.0, 1.0, "$R^2$")


def fig11_12_norm_histograms(norms: pd.DataFrame, gamma: float) -> Figure:
    """Row-norm histograms (log density) at the gamma nearest the given one: rows alpha, columns m."""
    norms = _at(norms, gamma=gamma)
    alphas, widths = np.unique(norms["alpha"]), np.unique(norms["m"])
    fig = Figure(figsize=(TEXT_WIDTH, 0.5 * len(alphas) + 0.7), layout="constrained")
    axes = fig.subplots(len(alphas), len(widths), sharex=True, squeeze=False)
    bins = np.linspace(0.0, max(norms["norm"].max(), 1.0) * 1.02, 31)
    cells = {key: _lowest_seed(rows)["norm"] for key, rows in norms.groupby(["alpha", "m"])}
    for i, alpha in enumerate(alphas):
        for j, m in enumerate(widths):
            ax = axes[i, j]
            if (alpha, m) in cells:
                ax.hist(cells[alpha, m], bins=bins, density=True, log=True, color="C0")
            ax.tick_params(left=False, labelleft=False, which="both")
            if i == 0:
                ax.set_title(GRID_LABELS["m"](m))
            if j == 0:
                ax.set_ylabel(GRID_LABELS["alpha"](alpha), rotation=0, ha="right", va="center")
    fig.supxlabel(NORM_LABEL, fontsize=mpl.rcParams["axes.labelsize"])
    fig.suptitle(GRID_LABELS["gamma"](norms["gamma"].iloc[0]) + " (log density)")
    return fig


def fig13_phi_heatmaps(metrics: pd.DataFrame) -> Figure:
    """phi_1/2 over (gamma, alpha), one panel per m (seeds averaged)."""
    table = _seed_mean(metrics)
    widths = np.unique(table["m"])
    fig = Figure(figsize=(TEXT_WIDTH, 2.3), layout="constrained")
    axes = fig.subplots(1, len(widths), sharey=True, squeeze=False)[0]
    for ax, m in zip(axes, widths):
        mesh = _heatmap(ax, table[table["m"] == m], "phi_half", 0.0, 1.0)
        ax.set_title(GRID_LABELS["m"](m))
        if ax is not axes[0]:
            ax.set_ylabel("")
    fig.colorbar(mesh, ax=list(axes), label=r"$\phi_{1/2}$")
    return fig


# ---------------------------------------------------------------- drawings of the registered figures
# (superscale.figures.registry): the figure rule calls each with its stage's inputs and settings.


def draw_fig03(data: StageInputs, settings: dict) -> Figure:
    return fig3_representation(data.norms, data.metrics, int(settings["n"]))


def draw_fig04(data: StageInputs, settings: dict) -> Figure:
    return fig4_weak(data.metrics, data.fits, least_ambiguous_cases(data.metrics), int(settings["n"]))


def draw_fig05(data: StageInputs, settings: dict) -> Figure:
    return fig5_strong(data.norms, data.metrics, data.fits, least_ambiguous_cases(data.metrics), int(settings["n"]))


def draw_fig09b(data: StageInputs, settings: dict) -> Figure:
    return fig9b_phase(data.fits)


def draw_fig10(data: StageInputs, settings: dict) -> Figure:
    return fig10_r2(data.fits)


def draw_fig11(data: StageInputs, settings: dict) -> Figure:
    return fig11_12_norm_histograms(data.norms, gamma=0.556)


def draw_fig12(data: StageInputs, settings: dict) -> Figure:
    return fig11_12_norm_histograms(data.norms, gamma=-0.556)


def draw_fig13(data: StageInputs, settings: dict) -> Figure:
    return fig13_phi_heatmaps(data.metrics)
