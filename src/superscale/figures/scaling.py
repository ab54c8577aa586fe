"""Figures of the scaling checks: large toys (paper Figs. 1b, 1d, 7, 8, 9a), the activation-density
sweep (Figs. 14, 15) and strong superposition against its theory (Figs. 16, 17, 18).

Tables are those of results/toy/<family>/metrics.csv, row_norms.parquet and results/fits/*.csv.
Points are averaged over seeds; an exponent's error bar is the spread (std) over seeds when there
are several, else the fit's standard error. Values the paper names (m = 63, gamma = -1, ...) are
replaced by the nearest value present, so reduced grids draw the same figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullFormatter

from superscale.core.grid import nearest
from superscale.figures.stage import StageInputs
from superscale.figures.style import (
    NORM_LABEL,
    OVERLAP,
    TEXT_WIDTH,
    colour_key,
    colour_scale,
    curve_format,
    exponent_error,
    theory_lines,
    width_axis,
    width_points,
)
from superscale.toy.geometry import welch_bound_sq

SHAPES = ["power", "exponential", "linear"]  # Fig. 7's row order
REGIMES = {"strong": r"strong ($\gamma<0$)", "weak": r"weak ($\gamma>0$)"}


def shape_labels(large: dict) -> dict[str, str]:
    """Legend names of the large toys' frequency shapes, with this run's power-law exponent and
    exponential decay length (config toy_large), so the legend names the frequencies trained."""
    return {
        "power": rf"power law $i^{{-{large['power_exponent']:g}}}$",
        "exponential": rf"exponential $e^{{-i/{large['exponential_scale']:g}}}$",
        "linear": "linear $n-i$",
    }


def _regime(gamma: float) -> str:
    return "strong" if gamma < 0 else "weak"


def _mean_over_seeds(metrics: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return metrics.groupby(keys + ["m"], as_index=False).mean(numeric_only=True)


def _shapes(table: pd.DataFrame) -> list[str]:
    return [shape for shape in SHAPES if shape in set(table["distribution"])]


def _loss_axes(ax, widths) -> None:
    width_axis(ax, widths)
    ax.set(yscale="log", ylabel="loss $L$")


def _fit_line(ax, fit: pd.Series, colour, style: str = "--") -> None:
    m = np.geomspace(fit["m_min"], fit["m_max"], 20)
    ax.plot(m, np.exp(fit["log_prefactor"]) * m ** -fit["alpha_m"], style, color=colour, lw=0.9)


def fig1b_weak(metrics: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Large toys in weak superposition: loss against m per frequency shape (`labels`: shape_labels)."""
    fig = Figure(figsize=(3.4, 2.8), layout="constrained")
    ax = fig.subplots()
    weak = metrics[metrics["gamma"] > 0]
    table = _mean_over_seeds(weak, ["distribution", "gamma"])
    for i, shape in enumerate(_shapes(table)):
        rows = table[table["distribution"] == shape]
        ax.plot(rows["m"], rows["loss"], "o-", ms=3, color=f"C{i}", label=labels[shape])
    _loss_axes(ax, table["m"])
    ax.set_title(rf"(b) weak, $\gamma={weak['gamma'].min():.3g}$", loc="left")
    ax.legend()
    return fig


def fig1d_strong(
    metrics: pd.DataFrame,
    fits: pd.DataFrame,
    llm_points: pd.DataFrame | None,
    labels: dict[str, str],
    llm_determined: bool = True,
) -> Figure:
    """Large toys in strong superposition with their fitted power laws; LLM points (loss above the
    fitted offset against d_model) when the LLM stage has run, labelled as undetermined where their
    fit cannot fix the offsets (`llm_determined` False: then L - offset is where the optimiser stopped)."""
    fig = Figure(figsize=(3.6, 2.9), layout="constrained")
    ax = fig.subplots()
    strong = metrics[metrics["gamma"] < 0]
    gamma = strong["gamma"].min()
    table = _mean_over_seeds(strong[strong["gamma"] == gamma], ["distribution"])
    for i, shape in enumerate(_shapes(table)):
        rows = table[table["distribution"] == shape]
        fit = fits[(fits["distribution"] == shape) & (fits["gamma"] == gamma)].iloc[0]
        ax.plot(
            rows["m"],
            rows["loss"],
            "o",
            ms=3,
            color=f"C{i}",
            label=rf"{labels[shape]}: $\alpha_m={fit['alpha_m']:.2f}$",
        )
        _fit_line(ax, fit, f"C{i}")
    widths = list(table["m"])
    if llm_points is not None and len(llm_points):
        ax.plot(
            llm_points["d_model"],
            llm_points["excess_loss"],
            "s",
            ms=3,
            color="0.5",
            label=r"LLMs, $L - L_{\backslash m}$" + ("" if llm_determined else " (offsets undetermined)"),
        )
        widths += list(llm_points["d_model"])
    _loss_axes(ax, table["m"])
    if llm_points is not None and len(llm_points):  # widths span decades: plain log ticks
        ax.xaxis.set_major_locator(LogLocator())
        ax.xaxis.set_major_formatter(LogFormatterSciNotation())
        ax.set_xlim(min(widths) / 1.5, max(widths) * 1.5)
    ax.set_title(rf"(d) strong, $\gamma={gamma:.3g}$", loc="left")
    ax.legend()
    return fig


def fig7_norm_histograms(norms: pd.DataFrame) -> Figure:
    """Row-norm histograms of the large toys: rows shape x regime (strong, then weak), columns m."""
    norms = norms[norms["seed"] == norms["seed"].min()]
    rows = [
        (shape, gamma)
        for regime in ("strong", "weak")
        for shape in _shapes(norms)
        for gamma in sorted(set(norms[norms["distribution"] == shape]["gamma"]))
        if _regime(gamma) == regime
    ]
    widths = np.unique(norms["m"])
    fig = Figure(figsize=(TEXT_WIDTH, 0.6 * len(rows) + 0.8), layout="constrained")
    axes = fig.subplots(len(rows), len(widths), sharex=True, squeeze=False)
    bins = np.linspace(0.0, max(norms["norm"].max(), 1.0) * 1.02, 31)
    groups = dict(list(norms.groupby(["distribution", "gamma", "m"])))
    for i, (shape, gamma) in enumerate(rows):
        for j, m in enumerate(widths):
            ax = axes[i, j]
            if (shape, gamma, m) in groups:
                ax.hist(
                    groups[shape, gamma, m]["norm"], bins=bins, density=True, log=True, color=f"C{SHAPES.index(shape)}"
                )
            ax.tick_params(left=False, labelleft=False, which="both")
            if i == 0:
                ax.set_title(f"$m={m}$")
            if j == 0:
                ax.set_ylabel(f"{shape}\n$\\gamma={gamma:.3g}$", rotation=0, ha="right", va="center")
    fig.supxlabel(NORM_LABEL)
    return fig


def fig8_theory(metrics: pd.DataFrame) -> Figure:
    """Large toys against theory: (a) phi_1/2 vs m/n; (b) loss vs Eq. 4; (c) phi_1 vs m^2/2n;
    (d) mean squared overlap of strongly represented rows vs the Welch bound."""
    fig = Figure(figsize=(7.0, 5.2), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    table = _mean_over_seeds(metrics, ["distribution", "gamma"])
    n = int(metrics["n"].iloc[0])
    m = np.geomspace(table["m"].min(), table["m"].max(), 40)
    handles = []
    for i, shape in enumerate(_shapes(table)):
        for gamma, rows in table[table["distribution"] == shape].groupby("gamma"):
            style = dict(color=f"C{i}", marker="o" if gamma < 0 else "^", ms=3.5, ls="none")
            axes[0].plot(rows["m"], rows["phi_half"], **style)
            axes[1].plot(rows["weak_loss_theory"], rows["loss"], **style)
            axes[2].plot(rows["m"], rows["phi_one"], **style)
            kappa = [welch_bound_sq(int(c), int(w)) for c, w in zip(rows["n_strong"], rows["m"])]
            axes[3].plot(kappa, rows["mean_sq_overlap_strong"], **style)
            handles.append(Line2D([], [], **style, label=f"{shape}, {REGIMES[_regime(gamma)]}"))
    axes[0].plot(m, m / n, "--", color="0.3", lw=0.8, label="$m/n$")
    axes[0].set(xscale="log", yscale="log", xlabel="$m$", ylabel=r"$\phi_{1/2}$")
    low, high = (
        np.nanmin(table[["loss", "weak_loss_theory"]].to_numpy()),
        np.nanmax(table[["loss", "weak_loss_theory"]].to_numpy()),
    )
    axes[1].plot([low, high], [low, high], "--", color="0.3", lw=0.8, label="$y=x$")
    axes[1].set(
        xscale="log", yscale="log", xlabel=r"$\sum\,(\frac{4}{3} p_i - p_i^2)$ over $i>\phi_{1/2}n$", ylabel="loss $L$"
    )
    axes[2].plot(m, m / n, "--", color="0.3", lw=0.8, label="$m/n$")
    axes[2].plot(m, np.minimum(1, m**2 / (2 * n)), ":", color="0.3", lw=0.9, label=r"$\min\{1, m^2/2n\}$")
    axes[2].set(xscale="log", yscale="log", xlabel="$m$", ylabel=r"$\phi_1$")
    strong = table.dropna(subset=["mean_sq_overlap_strong"])
    kappa = np.array([welch_bound_sq(int(c), int(w)) for c, w in zip(strong["n_strong"], strong["m"])])
    if len(kappa):
        span = [kappa[kappa > 0].min(), max(kappa.max(), strong["mean_sq_overlap_strong"].max())]
        axes[3].plot(span, span, "--", color="0.3", lw=0.8, label="$y=x$")
    axes[3].set(
        xscale="log", yscale="log", xlabel=r"Welch bound $\kappa^2$", ylabel=rf"$\langle {OVERLAP}\rangle$, $\|W_i\|>1$"
    )
    for ax, panel in zip(axes, "abcd"):
        ax.set_title(f"({panel})", loc="left")
        ax.legend(loc="best")
    axes[3].xaxis.set_minor_formatter(NullFormatter())  # a span under a decade labels its minor ticks, which collide
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    return fig


def fig9a_r2(fits: pd.DataFrame) -> Figure:
    """R^2 of the large toys' log-log fits, per shape and regime."""
    fig = Figure(figsize=(3.4, 2.6), layout="constrained")
    ax = fig.subplots()
    shapes = _shapes(fits)
    for k, regime in enumerate(("strong", "weak")):
        values = [
            fits[(fits["distribution"] == s) & (fits["gamma"].map(_regime) == regime)]["r2"].mean() for s in shapes
        ]
        ax.bar(np.arange(len(shapes)) + 0.4 * k - 0.2, values, width=0.4, label=REGIMES[regime], color=f"C{k}")
    ax.set_xticks(range(len(shapes)), shapes)
    ax.set(ylabel="$R^2$", ylim=(0, 1.05))
    fig.legend(loc="outside upper center", ncols=2)  # above the axes: no bar is covered
    return fig


def fig14_density(metrics: pd.DataFrame, fits: pd.DataFrame) -> Figure:
    """(a) Loss against E at m nearest 63, per gamma; (b) loss against m per E at the strongest
    decay, with each E's fitted alpha_m."""
    fig = Figure(figsize=(7.0, 2.9), layout="constrained")
    axes = fig.subplots(1, 2)
    table = _mean_over_seeds(metrics, ["gamma", "density"])
    gamma_scale = colour_scale(table["gamma"])
    width = nearest(table["m"], 63)
    for gamma, rows in table[table["m"] == width].groupby("gamma"):
        axes[0].plot(rows["density"], rows["loss"], curve_format(len(rows)), ms=3, color=gamma_scale.to_rgba(gamma))
    axes[0].set(xlabel="activation density $E$", ylabel="loss $L$")
    axes[0].set_title(f"(a) $m={int(width)}$", loc="left")
    colour_key(fig, axes[0], gamma_scale, table["gamma"], r"$\gamma$", r"\gamma")
    gamma = table["gamma"].min()
    rows = table[table["gamma"] == gamma]
    density_scale = colour_scale(rows["density"])
    for density, curve in rows.groupby("density"):
        fit = fits[(fits["gamma"] == gamma) & np.isclose(fits["density"], density)].iloc[0]
        colour = density_scale.to_rgba(density)
        axes[1].plot(
            curve["m"],
            curve["loss"],
            "o",
            ms=3,
            color=colour,
            label=rf"$E={density:.2f}$: {fit['alpha_m']:.2f} $\pm$ {exponent_error(fit.to_frame().T).iloc[0]:.2f}",
        )
        _fit_line(axes[1], fit, colour)
    _loss_axes(axes[1], rows["m"])
    axes[1].set_title(rf"(b) $\gamma={gamma:.3g}$", loc="left")
    axes[1].legend(title=r"$\alpha_m$")
    return fig


def fig15_exponent_vs_density(fits: pd.DataFrame) -> Figure:
    """alpha_m against E for every gamma: the exponent does not depend on the density."""
    fig = Figure(figsize=(3.6, 2.8), layout="constrained")
    ax = fig.subplots()
    gamma_scale = colour_scale(fits["gamma"])
    for gamma, rows in fits.groupby("gamma"):
        colour = gamma_scale.to_rgba(gamma)
        fmt = curve_format(len(rows))
        ax.errorbar(rows["density"], rows["alpha_m"], yerr=exponent_error(rows), fmt=fmt, ms=3, color=colour, lw=0.8)
    ax.set(xlabel="activation density $E$", ylabel=r"$\alpha_m$")
    colour_key(fig, ax, gamma_scale, fits["gamma"], r"$\gamma$", r"\gamma")
    return fig


def _strongest(metrics: pd.DataFrame) -> pd.DataFrame:
    table = metrics.groupby(["gamma", "alpha", "m"], as_index=False).mean(numeric_only=True)
    return table[table["gamma"] == table["gamma"].min()]


def _strongest_by_alpha(metrics: pd.DataFrame, column: str, ylabel: str, guides) -> Figure:
    """`column` against m at the strongest decay, one line per alpha, with guides [(f(m), style, label)]."""
    fig = Figure(figsize=(3.6, 2.8), layout="constrained")
    ax = fig.subplots()
    table = _strongest(metrics)
    alpha_scale = colour_scale(table["alpha"])
    for alpha, rows in table.groupby("alpha"):
        ax.plot(rows["m"], rows[column], curve_format(len(rows)), ms=3, color=alpha_scale.to_rgba(alpha))
    m = np.geomspace(table["m"].min(), table["m"].max(), 40)
    for guide, style, label in guides:
        ax.plot(m, guide(m), style, color="0.3", lw=0.9, label=label)
    width_axis(ax, table["m"])
    ax.set(yscale="log", ylabel=ylabel)
    ax.set_title(rf"$\gamma={table['gamma'].iloc[0]:.3g}$", loc="left")
    colour_key(fig, ax, alpha_scale, table["alpha"], r"$\alpha$", r"\alpha")
    return fig


def fig16_strongly_represented(metrics: pd.DataFrame, n: int) -> Figure:
    """phi_1 against m at the strongest decay, per alpha, against min{1, m^2/2n} and m/n."""
    guides = [(lambda m: np.minimum(1, m**2 / (2 * n)), ":", r"$\min\{1, m^2/2n\}$"), (lambda m: m / n, "--", "$m/n$")]
    return _strongest_by_alpha(metrics, "phi_one", r"$\phi_1$", guides)


def fig17_overlap_all_rows(metrics: pd.DataFrame) -> Figure:
    """Mean squared overlap over all rows at the strongest decay, per alpha, against 1/m."""
    return _strongest_by_alpha(
        metrics, "mean_sq_overlap", rf"$\langle {OVERLAP}\rangle$, all rows", [(lambda m: 1 / m, "--", "$1/m$")]
    )


def fig18_exponent_vs_alpha(fits: pd.DataFrame) -> Figure:
    """alpha_m against alpha for widths with m^2/2 > n, strong decay, against 1 and 2(alpha - 1)."""
    fig = Figure(figsize=(3.6, 2.8), layout="constrained")
    ax = fig.subplots()
    gamma_scale = colour_scale(fits["gamma"])
    for gamma, rows in fits.groupby("gamma"):
        ax.errorbar(
            rows["alpha"],
            rows["alpha_m"],
            yerr=exponent_error(rows),
            fmt="o",
            ms=3.5,
            color=gamma_scale.to_rgba(gamma),
            label=rf"$\gamma={gamma:.3g}$",
        )
    theory_lines(ax, fits["alpha"], ["strong_flat", "strong_skewed"])
    ax.set(xlabel=r"$\alpha$", ylabel=r"$\alpha_m$")
    ax.set_title(rf"$m = {int(fits['m_min'].min())}\ldots{int(fits['m_max'].max())}$", loc="left")
    fig.legend(loc="outside right upper")  # beside the axes: long error bars run under no legend
    return fig


# ---------------------------------------------------------------- drawings of the registered figures
# (superscale.figures.registry): the figure rule calls each with its stage's inputs and settings.


def draw_fig01b(data: StageInputs, settings: dict) -> Figure:
    return fig1b_weak(data.metrics, shape_labels(settings["shapes"]))


def draw_fig01d(data: StageInputs, settings: dict) -> Figure:
    """With the language models' points of the LLM fit over the pretrained checkpoints (not the trained
    width ladder), of the families with two or more widths."""
    checkpoints = data.llm["joint_checkpoints"]
    points = width_points(pd.DataFrame(checkpoints["points"])) if checkpoints else None
    determined = checkpoints is None or checkpoints["identifiable"]
    return fig1d_strong(data.metrics, data.fits, points, shape_labels(settings["shapes"]), determined)


def draw_fig07(data: StageInputs, settings: dict) -> Figure:
    return fig7_norm_histograms(data.norms)


def draw_fig08(data: StageInputs, settings: dict) -> Figure:
    return fig8_theory(data.metrics)


def draw_fig09a(data: StageInputs, settings: dict) -> Figure:
    return fig9a_r2(data.fits)


def draw_fig14(data: StageInputs, settings: dict) -> Figure:
    return fig14_density(data.metrics, data.fits)


def draw_fig15(data: StageInputs, settings: dict) -> Figure:
    return fig15_exponent_vs_density(data.fits)


def draw_fig16(data: StageInputs, settings: dict) -> Figure:
    return fig16_strongly_represented(data.metrics, int(settings["n"]))


def draw_fig17(data: StageInputs, settings: dict) -> Figure:
    return fig17_overlap_all_rows(data.metrics)


def draw_fig18(data: StageInputs, settings: dict) -> Figure:
    return fig18_exponent_vs_alpha(data.fits)
