"""Which figures each figure rule draws, named as in the paper (v4): the one list the rules' wildcards,
the scripts' dispatch and the report captions are checked against."""

FIGURES: dict[str, tuple[str, ...]] = {
    "figure_toy_small": ("fig03", "fig04", "fig05", "fig09b", "fig10", "fig11", "fig12", "fig13", "fig16", "fig17"),
    "figure_toy_large": ("fig01b", "fig01d", "fig07", "fig08", "fig09a"),
    "figure_esweep": ("fig14", "fig15"),
    "figure_fig18": ("fig18",),
    "figure_llm": ("fig06a", "fig06b", "fig19", "fig20", "fig21", "fig22", "fig23", "width_exponent"),
    "figure_shapes": ("shapes_loss", "shapes_overlap", "shapes_similarity"),
    "figure_features": ("features_frequencies", "features_controls", "features_toy"),
}
