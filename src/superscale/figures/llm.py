"""Figures of the LLM stage (paper Figs 6, 19-23), drawn from the stage's tables and fits.

Each function returns a matplotlib Figure; the caller applies the shared style and saves it.
Colour is the model family throughout, marker the dataset.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullFormatter

from superscale.figures.stage import StageInputs
from superscale.figures.style import TEXT_WIDTH, width_axis, width_points

MARKERS = "osD^v<>pP*X"
COLUMNS = 3  # panels per row of a figure of one panel per family or text, drawn at TEXT_WIDTH


def _panels(count: int, height: float) -> tuple[Figure, list]:
    """`count` panels `height` inches high filling TEXT_WIDTH, at most COLUMNS to a row."""
    columns = min(count, COLUMNS)
    rows = -(-count // columns)
    fig = Figure(figsize=(TEXT_WIDTH, height * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[count:]:
        ax.remove()
    return fig, list(axes[:count])


def _colours(families) -> dict[str, object]:
    import matplotlib as mpl

    cycle = mpl.colormaps["tab10"]
    return {family: cycle(i % 10) for i, family in enumerate(sorted(set(families)))}


def _markers(datasets) -> dict[str, str]:
    return {dataset: MARKERS[i % len(MARKERS)] for i, dataset in enumerate(sorted(set(datasets)))}


def _se(value) -> str:
    return "?" if value is None or not np.isfinite(value) else f"{value:.2f}"


def _exponent_label(fit: dict) -> str:
    """alpha_m for a legend: with its error, 'at bound' (no error) or 'undetermined'."""
    if fit["alpha_m_at_bound"]:
        return rf"$\alpha_m={fit['alpha_m']:.0f}$ (at bound)"
    if not np.isfinite(fit["alpha_m_se"]):
        return rf"$\alpha_m={fit['alpha_m']:.2f}$ (undetermined)"
    return rf"$\alpha_m={fit['alpha_m']:.2f}\pm{fit['alpha_m_se']:.2f}$"


def _guide(ax, x, y, slope, label, style):
    x = np.asarray(x, float)
    if len(x) == 0:
        return
    x0, y0 = np.exp(np.mean(np.log(x))), np.exp(np.mean(np.log(y)))
    xs = np.array([x.min() / 1.5, x.max() * 1.5])
    ax.plot(xs, y0 * (xs / x0) ** slope, style, color="grey", lw=0.8, label=label)


def fig6a_overlap(heads: pd.DataFrame) -> Figure:
    """Mean squared overlap of the normalised head rows against 1/m, with slope-1 and -2 guides."""
    fig = Figure()
    ax = fig.add_subplot()
    colours = _colours(heads.family)
    for family, group in heads.groupby("family"):
        ax.scatter(1 / group.width, group.mean_sq_overlap, color=colours[family], label=family, zorder=3)
    x = 1 / heads.width.to_numpy(float)
    _guide(ax, x, heads.mean_sq_overlap, 1.0, "slope 1", "--")
    _guide(ax, x, heads.mean_sq_overlap, 2.0, "slope 2", ":")
    ax.set(xscale="log", yscale="log", xlabel="$1/m$", ylabel=r"mean $(\hat W_i\cdot\hat W_j)^2$")
    ax.legend()
    return fig


def fig6b_excess_loss(fit: dict) -> Figure:
    """L - L_offset against m with the joint fit C_m m^-alpha_m (paper Fig. 6b); families with one
    width are named in the legend's title, not drawn (width_points)."""
    every = pd.DataFrame(fit["points"])
    points = width_points(every)
    fig = Figure()
    ax = fig.add_subplot()
    colours, markers = _colours(points.family), _markers(points.dataset)
    for (family, dataset), group in points.groupby(["family", "dataset"]):
        ax.scatter(group.d_model, group.excess_loss, color=colours[family], marker=markers[dataset], zorder=3)
    label = _exponent_label(fit)
    # one line per C_m: the fit's own per family where it has them, else the one shared
    for prefactor in fit.get("prefactors", [{"C_m": fit["C_m"]}]):
        family = points[points.family == prefactor["family"]] if "family" in prefactor else points
        m = np.geomspace(family.d_model.min() / 1.3, family.d_model.max() * 1.3, 50)
        colour = colours.get(prefactor.get("family"), "black")
        ax.plot(m, prefactor["C_m"] * m ** -fit["alpha_m"], color=colour, lw=0.8, label=label)
        label = None
    handles = [ax.scatter([], [], color=c, label=f) for f, c in colours.items()]
    handles += [ax.scatter([], [], color="grey", marker=mk, label=d) for d, mk in markers.items()]
    ax.set(xscale="log", yscale="log", xlabel="$m$ (d_model)", ylabel=r"$L - L_{\backslash m}$ (nats/token)")
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    alone = sorted(set(every.family) - set(points.family))
    title = f"one width, not drawn: {', '.join(alone)}" if alone else None
    ax.legend(handles=handles + lines, title=title)
    return fig


def fig19_norm_histogram(record: dict) -> Figure:
    """Histogram of the row norms of one model's head (paper Fig. 19: OPT-125m)."""
    edges = np.asarray(record["histogram"]["edges"])
    counts = np.asarray(record["histogram"]["counts"], float)
    fig = Figure(figsize=(2.7, 2.1))  # its print width (0.4 of the text): the style's 7 pt stay 7 pt
    ax = fig.add_subplot()
    density = counts / (counts.sum() * np.diff(edges))
    ax.stairs(density, edges, fill=True, alpha=0.7)
    ax.set(yscale="log", xlabel=r"$\|W_i\|_2$", ylabel="density", title=f"{record['model']} ({record['tensor']})")
    ax.yaxis.set_minor_formatter(NullFormatter())  # a log axis under a decade labels minor ticks, which collide
    return fig


def fig20_norms(heads: pd.DataFrame) -> Figure:
    """Mean +- std, min and max row norm per model against m, one panel per family."""
    families = sorted(heads.family.unique())
    fig, axes = _panels(len(families), 2.2)
    for ax, family in zip(axes, families):
        group = heads[heads.family == family].sort_values("width")
        ax.errorbar(group.width, group.norm_mean, group.norm_std, fmt="o-", label="mean ± std")
        ax.plot(group.width, group.norm_min, "v--", label="min")
        ax.plot(group.width, group.norm_max, "^--", label="max")
        width_axis(ax, group.width)  # ticked at the family's widths: minor labels would collide
        ax.set_title(family)
    for ax in axes[:: min(len(families), COLUMNS)]:
        ax.set_ylabel(r"$\|W_i\|_2$")
    axes[0].legend()
    return fig


def fig21_raw_loss(losses: pd.DataFrame) -> Figure:
    """Raw evaluation loss against 1/m, one panel per dataset, colour = family."""
    losses = losses.dropna(subset=["loss_nats"])
    datasets = sorted(losses.dataset.unique())
    fig, axes = _panels(max(len(datasets), 1), 2.3)
    colours = _colours(losses.family)
    for ax, dataset in zip(axes, datasets):
        for family, group in losses[losses.dataset == dataset].groupby("family"):
            group = group.sort_values("d_model")
            ax.plot(1 / group.d_model, group.loss_nats, "o-", color=colours[family], label=family)
        ax.set(xscale="log", xlabel="$1/m$", title=dataset)
    for ax in axes[:: min(len(datasets), COLUMNS)]:
        ax.set_ylabel("loss (nats/token)")
    axes[0].legend()
    return fig


def fig22_zipf(counts: dict[tuple[str, str], np.ndarray], zipf: pd.DataFrame) -> Figure:
    """Token frequency against rank, one row per tokenizer (model) and one column per dataset."""
    models = sorted({m for m, _ in counts})
    datasets = sorted({d for _, d in counts})
    # at the text width, and no taller than a page leaves under its caption
    fig = Figure(figsize=(TEXT_WIDTH, min(1.6 * len(models), 8.0)), layout="constrained")
    axes = fig.subplots(len(models), len(datasets), squeeze=False)
    for (i, model), (j, dataset) in ((a, b) for a in enumerate(models) for b in enumerate(datasets)):
        ax = axes[i, j]
        values = counts[(model, dataset)]
        if i == 0:
            ax.set_title(dataset)
        if j == 0:
            ax.set_ylabel(f"{model}\nfrequency")
        if len(values) < 3:
            ax.text(0.5, 0.5, "not available", ha="center", va="center", transform=ax.transAxes)
            continue
        frequency = values / values.sum()
        ranks = np.arange(1, len(values) + 1)
        ax.loglog(ranks, frequency, lw=0.8)
        row = zipf[(zipf.model == model) & (zipf.dataset == dataset)].iloc[0]
        ax.loglog(ranks, 10**row.zipf_log10_prefactor * ranks**-row.zipf_exponent, "--", color="grey", lw=0.7)
        ax.text(0.95, 0.9, rf"$\alpha={row.zipf_exponent:.2f}$", ha="right", va="top", transform=ax.transAxes)
    for ax in axes[-1]:
        ax.set_xlabel("rank")
    return fig


def fig23_sizes(heads: pd.DataFrame, chinchilla: pd.DataFrame, fits: dict) -> Figure:
    """Parameters N against m: (a) the models analysed here, (b) Chinchilla (Hoffmann et al. A9)."""
    fig = Figure(figsize=(6.8, 2.6))
    left, right = fig.subplots(1, 2)
    colours = _colours(heads.family)
    sized = heads.dropna(subset=["n_params"])
    for family, group in sized.groupby("family"):
        left.scatter(group.d_model, group.n_params, color=colours[family], label=family, zorder=3)
    if len(sized):
        _guide(left, sized.d_model, sized.n_params, 3.0, "slope 3", "--")
        left.set(xscale="log", yscale="log")
        left.legend()
    else:
        left.text(0.5, 0.5, "no parameter counts", ha="center", va="center", transform=left.transAxes)
    models = fits["size_exponent_models"]
    exponent = (
        f"exponent {models['exponent']:.2f}" if np.isfinite(models["exponent"]) else "no exponent (too few counts)"
    )
    left.set(xlabel="$m$", ylabel="$N$ (parameters)", title=f"(a) models here: {exponent}")
    chin = fits["chinchilla"]
    right.scatter(chinchilla.d_model, chinchilla.n_params, s=8, zorder=3)
    m = np.geomspace(chinchilla.d_model.min(), chinchilla.d_model.max(), 20)
    x0, y0 = np.exp(np.mean(np.log(chinchilla.d_model))), np.exp(np.mean(np.log(chinchilla.n_params)))
    right.plot(
        m,
        y0 * (m / x0) ** chin["exponent"],
        color="black",
        lw=0.8,
        label=rf"$N\propto m^{{{chin['exponent']:.2f}\pm{_se(chin['exponent_se'])}}}$",
    )
    right.set(xscale="log", yscale="log", xlabel="$m$", title="(b) Chinchilla (Hoffmann et al. Table A9)")
    for ax in (left, right) if len(sized) else (right,):  # labels at 1, 2, 5 x 10^k, none between to collide
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False))
        ax.xaxis.set_minor_formatter(NullFormatter())
    right.legend()
    return fig


def width_exponent(ladder: pd.DataFrame, heads: pd.DataFrame, fits: dict) -> Figure:
    """(a) Held-out loss against m for the bottleneck heads (L_inf measured: the full-width head,
    dotted) and the trained ladder (L_inf profiled), open markers for models failing the
    convergence gate, the fits C m^-alpha + L_inf as lines;
    (b) mean squared overlap against 1/m for raw rows, centred rows and rows at initialisation."""
    fig = Figure(figsize=(7.0, 3.0))
    loss_ax, overlap_ax = fig.subplots(1, 2)
    narrow = heads[~heads.full_width]
    families = {
        "bottleneck heads": (narrow.width, narrow.heldout_loss, narrow.passes_gate, fits["bottleneck"], "C0"),
        "width ladder": (ladder.d_model, ladder.heldout_loss, ladder.passes_gate, fits["ladder"], "C1"),
    }
    for label, (m, loss, passes, fit, colour) in families.items():
        m, loss, passes = m.to_numpy(float), loss.to_numpy(float), passes.to_numpy(bool)
        for ok, face in ((True, colour), (False, "none")):
            loss_ax.scatter(m[passes == ok], loss[passes == ok], edgecolor=colour, facecolor=face, s=16, zorder=3)
        if not fit["fitted"]:
            continue
        xs = np.geomspace(m.min(), m.max(), 50)
        interval = f"[{fit['alpha_m_low']:.2f}, {fit['alpha_m_high']:.2f}]"
        loss_ax.plot(
            xs,
            fit["C_m"] * xs ** -fit["alpha_m"] + fit["L_inf"],
            "-",
            color=colour,
            label=f"{label} ({fit['gate']}): $\\alpha_m$={fit['alpha_m']:.2f} {interval}",
        )
    full = heads[heads.full_width]
    loss_ax.scatter(
        full.width, full.heldout_loss, marker="*", color="C0", s=40, zorder=4, label="full-width head: $L_\\infty$"
    )
    loss_ax.axhline(fits["bottleneck"]["L_inf"], color="C0", ls=":", lw=0.8)
    width_axis(loss_ax, np.concatenate([narrow.width.to_numpy(), ladder.d_model.to_numpy(), full.width.to_numpy()]))
    loss_ax.set(ylabel="held-out loss (nats)")
    loss_ax.legend()
    styles = {
        "mean_sq_overlap": ("o", "raw"),
        "mean_sq_overlap_centred": ("s", "centred"),
        "mean_sq_overlap_init": ("x", "init"),
    }
    for (label, table, width), colour in zip((("ladder", ladder, "d_model"), ("heads", narrow, "width")), ("C1", "C0")):
        for column, (marker, name) in styles.items():
            overlap_ax.scatter(
                1 / table[width], table[column], marker=marker, color=colour, s=14, label=f"{label}, {name}"
            )
    x = np.concatenate([1 / ladder.d_model.to_numpy(float), 1 / narrow.width.to_numpy(float)])
    _guide(overlap_ax, x, x, 1.0, "slope 1 ($1/m$)", "--")
    overlap_ax.set(xscale="log", yscale="log", xlabel="$1/m$", ylabel=r"mean $(\hat W_i\cdot\hat W_j)^2$")
    overlap_ax.xaxis.set_minor_formatter(NullFormatter())  # under a decade minor labels collide
    overlap_ax.legend(ncol=2)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- drawings of the registered figures
# (superscale.figures.registry): the figure rule calls each with its stage's inputs and settings.


def draw_fig06a(data: StageInputs, settings: dict) -> Figure:
    """The pretrained heads and the trained width ladder on one plot."""
    ladder = data.ladder.assign(family="ladder (trained)", width=data.ladder.d_model)
    return fig6a_overlap(pd.concat([data.heads, ladder]))


def draw_fig06b(data: StageInputs, settings: dict) -> Figure:
    return fig6b_excess_loss(data.fits["joint"])


def draw_fig19(data: StageInputs, settings: dict) -> Figure:
    return fig19_norm_histogram(data.histogram)


def draw_fig20(data: StageInputs, settings: dict) -> Figure:
    return fig20_norms(data.heads)


def draw_fig21(data: StageInputs, settings: dict) -> Figure:
    return fig21_raw_loss(data.losses)


def draw_fig22(data: StageInputs, settings: dict) -> Figure:
    """Token counts keyed by (tokenizer, text), the directory and stem of each count file."""
    counts = {
        (Path(path).parent.name, Path(path).stem): table["count"].to_numpy() for path, table in data.counts.items()
    }
    return fig22_zipf(counts, data.zipf)


def draw_fig23(data: StageInputs, settings: dict) -> Figure:
    chinchilla = data.chinchilla.assign(n_params=data.chinchilla.params_million * 1e6)
    return fig23_sizes(data.heads, chinchilla, data.fits)


def draw_width_exponent(data: StageInputs, settings: dict) -> Figure:
    return width_exponent(data.ladder, data.bottleneck, data.fits)
