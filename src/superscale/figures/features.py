"""Figures of the feature-frequency stage, drawn from results/features/*.csv.

Each function returns a matplotlib Figure; the caller applies the shared style and saves it.
One panel per (model, depth); colour is the dictionary size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from superscale.figures.stage import StageInputs


def _colours(sizes) -> dict:
    import matplotlib as mpl

    cycle = mpl.colormaps["viridis"]
    ordered = sorted(set(sizes))
    return {size: cycle(i / max(len(ordered) - 1, 1) * 0.85) for i, size in enumerate(ordered)}


def frequencies(latents: pd.DataFrame, laws: pd.DataFrame) -> Figure:
    """Rank-frequency of the live latents (top row) and the density of their frequencies (bottom
    row, log bins), with the fitted power law drawn from x_min up."""
    panels = list(latents.groupby(["model", "depth"], sort=True).groups)
    fig = Figure(figsize=(2.2 * len(panels), 4.2))
    axes = fig.subplots(2, len(panels), squeeze=False)
    colours = _colours(latents["size"])
    for column, (model, depth) in enumerate(panels):
        rank_ax, density_ax = axes[0, column], axes[1, column]
        chosen = latents[(latents.model == model) & (latents.depth == depth)]
        for size, group in chosen.groupby("size"):
            law = laws[(laws.model == model) & (laws.depth == depth) & (laws["size"] == size)].iloc[0]
            live = np.sort(group.frequency[group.frequency > 0].to_numpy())[::-1]
            label = f"{size}x: $\\alpha$ = {law.alpha:.2f} ({law.verdict})"
            rank_ax.loglog(np.arange(1, live.size + 1), live, color=colours[size], lw=1, label=label)
            bins = np.logspace(np.log10(live.min()), np.log10(live.max()) + 1e-9, 25)
            counts, edges = np.histogram(live, bins=bins)
            density = counts / np.diff(edges) / live.size
            centres = np.sqrt(edges[1:] * edges[:-1])
            density_ax.loglog(centres[counts > 0], density[counts > 0], "o", ms=2.5, color=colours[size])
            tail = np.logspace(np.log10(law.x_min), np.log10(live.max()), 20)
            share = law.latents_fitted / law.latents_live
            fitted = share * (law.tau - 1) / law.x_min * (tail / law.x_min) ** -law.tau
            density_ax.loglog(tail, fitted, "-", color=colours[size], lw=0.8)
        rank_ax.set_title(f"{model}, {depth}")
        rank_ax.set_xlabel("rank")
        rank_ax.legend(loc="lower left")
        density_ax.set_xlabel("firing frequency")
        if column == 0:
            rank_ax.set_ylabel("firing frequency")
            density_ax.set_ylabel("density of latents")
    return fig


def toy(toys: pd.DataFrame, fits: pd.DataFrame) -> Figure:
    """Toy loss against width on each measured distribution (left), and alpha_m against the paper's
    prediction (right: 1 in strong, alpha - 1 in weak superposition)."""
    fig = Figure(figsize=(6.8, 2.6))
    loss_ax, alpha_ax = fig.subplots(1, 2)
    styles = {"strong": "-", "weak": "--"}
    colours = _colours(toys["size"])
    for (model, depth, size, gamma), group in toys.groupby(["model", "depth", "size", "gamma"], sort=True):
        regime = "strong" if gamma < 0 else "weak"
        loss_ax.loglog(group.m, group.loss, styles[regime], marker="o", ms=2, lw=0.7, color=colours[size])
    loss_ax.set_xlabel("width $m$")
    loss_ax.set_ylabel("loss (summed over features)")
    loss_ax.set_title("solid: strong ($\\gamma<0$), dashed: weak")
    markers = {"strong": "o", "weak": "s"}
    for regime, group in fits.groupby("regime"):
        alpha_ax.errorbar(
            group.predicted, group.alpha_m, yerr=group.alpha_m_se, fmt=markers[regime], ms=3, label=regime, lw=0.7
        )
    low = float(min(fits.predicted.min(), fits.alpha_m.min(), 0.0))
    high = float(max(fits.predicted.max(), fits.alpha_m.max(), 1.2))
    alpha_ax.plot([low, high], [low, high], "k:", lw=0.7, label="$\\alpha_m$ = prediction")
    alpha_ax.set_xlabel("paper's prediction (1 strong; $\\alpha-1$ weak)")
    alpha_ax.set_ylabel("toy $\\alpha_m$")
    alpha_ax.legend(loc="upper left")
    return fig


def _rank_curve(counts) -> tuple[np.ndarray, np.ndarray]:
    """(rank / number of values, count / largest count) of the positive counts, most frequent first."""
    values = np.sort(np.asarray(counts, dtype=float)[np.asarray(counts) > 0])[::-1]
    return np.arange(1, values.size + 1) / values.size, values / values[0]


def local_slope(counts, points: int = 24, smallest: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(normalised rank, -d log count / d log rank) on `points` log-spaced ranks where the count is at
    least `smallest` (below it the counts' discreteness, not the law, sets the slope)."""
    values = np.sort(np.asarray(counts, dtype=float)[np.asarray(counts) > 0])[::-1]
    kept = values[values >= smallest]
    if kept.size < 4:
        return np.empty(0), np.empty(0)
    log_rank = np.log(np.arange(1, kept.size + 1))
    grid = np.linspace(0, log_rank[-1], points)
    slope = -np.gradient(np.interp(grid, log_rank, np.log(kept)), grid)
    return np.exp(grid) / values.size, slope


def _kind(control: str, kinds: dict) -> str:
    return "null" if control.startswith("null") else control if control in kinds else "thinned"


def controls(
    latents: pd.DataFrame,
    control_counts: pd.DataFrame,
    planted_counts: pd.DataFrame,
    alpha_range: list[float],
) -> Figure:
    """Rank-frequency curves on normalised axes (top) and their local slope against rank (bottom),
    the paper's range of alpha shaded: the latents beside the model's tokens on the same positions,
    the LLM stage's token counts, planted laws through a dictionary (seed of the first row) and the
    random-init null."""
    import matplotlib as mpl

    curves = []
    dictionaries = list(latents.groupby(["model", "depth", "size"], sort=True))
    blues = mpl.colormaps["Blues"]
    for index, ((model, depth, size), group) in enumerate(dictionaries):
        colour = blues(0.45 + 0.55 * index / max(len(dictionaries) - 1, 1))  # one shade per dictionary
        curves.append((f"latents {model} {depth} {size}x", group["count"], {"color": colour, "lw": 1.2}))
    kinds = {
        "null": (":", "Greys", 0.8),
        "tokens (same positions)": ("-", "Greys", 1.4),
        "thinned": ("--", "Oranges", 0.8),
    }
    groups = [(_kind(c, kinds), c, text, group) for (c, text), group in control_counts.groupby(["control", "text"])]
    seen: dict[str, int] = {}
    for kind, control, text, group in groups:
        if kind == "thinned":  # of the thinned token counts, each text's largest sample
            group = group[group.tokens == group.tokens.max()]
        ls, colours, lw = kinds[kind]
        # one shade per curve of a kind, dark to light, so that each legend entry names one curve
        shade = 0.95 - 0.6 * seen.get(kind, 0) / max(sum(k == kind for k, *_ in groups) - 1, 1)
        seen[kind] = seen.get(kind, 0) + 1
        style = {"color": mpl.colormaps[colours](shade), "lw": lw, "ls": ls}
        label = f"{control} {text}".replace(" (", ", ").replace(")", "")
        curves.append((f"{label} ({group.tokens.iloc[0]:,} tokens)", group["count"], style))
    first_seed = planted_counts.seed.min()
    colours = mpl.colormaps["autumn"]
    labels = list(dict.fromkeys(planted_counts.label))
    for index, label in enumerate(labels):
        chosen = planted_counts[
            (planted_counts.label == label) & (planted_counts.seed == first_seed) & (planted_counts.kind == "recovered")
        ]
        style = {"color": colours(index / max(len(labels), 1) * 0.8), "lw": 1.0, "ls": "-."}
        curves.append((f"planted {label}", chosen["count"], style))
    fig = Figure(figsize=(6.8, 6.4), layout="constrained")
    rank_ax, slope_ax = fig.subplots(2, 1, sharex=True)
    for label, counts, style in curves:
        rank_ax.loglog(*_rank_curve(counts), label=label, **style)
        slope_ax.semilogx(*local_slope(counts), **style)
    slope_ax.axhspan(*alpha_range, color="C2", alpha=0.12, lw=0, label="the paper's range of $\\alpha$")
    rank_ax.set_ylabel("count / largest count")
    slope_ax.set_xlabel("rank / number of values")
    slope_ax.set_ylabel("local $\\alpha = -d\\log f / d\\log r$")
    slope_ax.set_ylim(0, max(3.0, alpha_range[1] + 0.5))
    slope_ax.legend(loc="upper left")
    # the curves' legend below the panels, at the style's size, covering none of them
    fig.legend(*rank_ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


# ---------------------------------------------------------------- drawings of the registered figures
# (superscale.figures.registry): the figure rule calls each with its stage's inputs and settings.


def draw_frequencies(data: StageInputs, settings: dict) -> Figure:
    return frequencies(data.latents, data.laws)


def draw_controls(data: StageInputs, settings: dict) -> Figure:
    return controls(data.latents, data.control_counts, data.planted_counts, settings["alpha_range"])


def draw_toy(data: StageInputs, settings: dict) -> Figure:
    return toy(data.toy, data.fits)
