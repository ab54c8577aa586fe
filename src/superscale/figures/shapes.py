"""Figures of the shape sweep (Katta), drawn from results/shapes/*.csv.

Each function returns a matplotlib Figure; the caller applies the shared style and saves it.
Colour is the N group throughout (and black for the open LLMs).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from superscale.figures.stage import StageInputs
from superscale.shapes.statistics import representation_name
from superscale.shapes.verdicts import group_label


def _colours(groups) -> dict:
    import matplotlib as mpl

    cycle = mpl.colormaps["tab10"]
    return {group: cycle(i % 10) for i, group in enumerate(sorted(set(groups)))}


def loss_by_aspect(models: pd.DataFrame) -> Figure:
    """Held-out loss against d_model/n_layer at each N: seeds as points, shape means joined."""
    fig = Figure()
    ax = fig.add_subplot()
    colours = _colours(models.n_group)
    for group, rows in models.groupby("n_group"):
        means = rows.groupby("aspect").heldout_loss.mean()
        ax.plot(means.index, means.values, "-", color=colours[group], label=f"$N\\approx$ {group_label(group)}")
        ax.scatter(rows.aspect, rows.heldout_loss, color=colours[group], s=12, zorder=3)
        for aspect, shape in rows.groupby("aspect"):
            ax.annotate(
                f"{shape.n_layer.iloc[0]}L",
                (aspect, shape.heldout_loss.max()),
                textcoords="offset points",
                xytext=(0, 4),
                ha="center",
                color=colours[group],
            )
    ax.set(
        xscale="log", xlabel=r"aspect ratio $d_\mathrm{model}/n_\mathrm{layer}$", ylabel="held-out loss (nats/token)"
    )
    ax.legend()
    return fig


def overlap_by_width(models: pd.DataFrame, llms: pd.DataFrame) -> Figure:
    """Mean squared overlap of the normalised unembedding rows against 1/d_model, toy shapes and
    open LLMs, with the 1/d_model of random directions."""
    fig = Figure()
    ax = fig.add_subplot()
    colours = _colours(models.n_group)
    markers = dict(zip(sorted(models.n_layer.unique()), "osD^v<>p"))
    for (group, layers), rows in models.groupby(["n_group", "n_layer"]):
        ax.scatter(
            1 / rows.d_model,
            rows.mean_sq_overlap,
            color=colours[group],
            marker=markers[layers],
            s=14,
            label=f"$N\\approx$ {group_label(group)}, {layers} layer{'s' if layers > 1 else ''}",
            zorder=3,
        )
    if len(llms):
        ax.scatter(1 / llms.width, llms.mean_sq_overlap, color="black", marker="*", s=30, label="open LLMs", zorder=3)
    widths = np.concatenate([models.d_model.to_numpy(float), llms.width.to_numpy(float) if len(llms) else []])
    x = np.array([1 / widths.max() / 1.5, 1.5 / widths.min()])
    ax.plot(x, x, ":", color="grey", label=r"random: $1/d_\mathrm{model}$")
    ax.set(xscale="log", yscale="log", xlabel=r"$1/d_\mathrm{model}$", ylabel=r"mean $(\hat W_i\cdot\hat W_j)^2$")
    ax.legend()
    return fig


def similarity_by_kind(similarity: pd.DataFrame) -> Figure:
    """Linear CKA of every pair within an N group, per representation: seed pairs (filled) against
    different-shape pairs (open)."""
    fig = Figure()
    ax = fig.add_subplot()
    table = similarity.assign(name=[representation_name(row) for row in similarity.to_dict("records")])
    names = list(dict.fromkeys(table.sort_values(["representation", "depth"]).name))
    groups = sorted(table.n_group.unique())
    colours = _colours(groups)
    for g, group in enumerate(groups):
        for k, (kind, filled) in enumerate((("same shape", True), ("different shape", False))):
            rows = table[(table.n_group == group) & (table.kind == kind)]
            x = rows.name.map(names.index) + 0.18 * (2 * g + k - len(groups) + 0.5) / len(groups)
            ax.scatter(
                x,
                rows.cka,
                s=12,
                zorder=3,
                edgecolors=colours[group],
                facecolors=colours[group] if filled else "none",
                label=f"$N\\approx$ {group_label(group)}, {'seeds of one shape' if filled else 'different shapes'}",
            )
    ax.set_xticks(range(len(names)), names)
    ax.set(ylabel="linear CKA", ylim=(min(0.0, table.cka.min() - 0.05), 1.02))
    ax.legend()
    return fig


# ---------------------------------------------------------------- drawings of the registered figures
# (superscale.figures.registry): the figure rule calls each with its stage's inputs and settings.


def draw_shapes_loss(data: StageInputs, settings: dict) -> Figure:
    return loss_by_aspect(data.models)


def draw_shapes_overlap(data: StageInputs, settings: dict) -> Figure:
    return overlap_by_width(data.models, data.llm_shapes)


def draw_shapes_similarity(data: StageInputs, settings: dict) -> Figure:
    return similarity_by_kind(data.similarity)
