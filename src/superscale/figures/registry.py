"""Every figure of the pipeline, declared once, named as in the paper (v4). The rules, the HTML report and
the paper read this list: a figure added here is drawn by its stage's figure rule, captioned in the report,
and placed in the paper (by paper/main.tex where it includes the figure itself, else in an appendix
generated from this caption).

An entry names its stage, which selects the figure rule and so the inputs and settings its drawing gets
(rules/helpers/figures.smk); its drawing as "module:function", a function taking the stage's inputs
(superscale.figures.stage.StageInputs) and settings and returning a matplotlib Figure; and its caption,
plain text, or a function of the config where it names settings. The drawing is named, not imported:
the workflow reads this list when it is parsed, and a caption edited here reruns no drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

STAGES = ("toy_small", "toy_large", "toy_esweep", "toy_fig18", "llm", "shapes", "features")


@dataclass(frozen=True)
class Figure:
    stage: str
    draw: str  # "module:function"
    caption: str | Callable[[dict], str]
    extra_inputs: tuple[str, ...] = ()  # inputs of the stage that only this figure reads


def _fig01b(config: dict) -> str:
    return (
        f"Large toys (n = {config['toy_large']['n']}) in weak superposition (gamma > 0): loss against width m for "
        "the linear, power-law and exponential frequency shapes (paper Fig. 1b)."
    )


def _fig01d(config: dict) -> str:
    window = (
        "over the paper's windows (App. D.1)" if config["toy_large"]["fit_window"] == "paper" else "over every width"
    )
    return (
        f"Large toys in strong superposition (gamma < 0): loss against width with the power laws fitted {window} "
        "(paper Fig. 1d); grey points are the language models' loss above their fitted offset (families with two "
        "or more widths; the legend says where the fit leaves the offsets undetermined), when that stage has run."
    )


_CHECKPOINTS = (
    " Offline default: quantised GGUF checkpoints (head 6-8 bit, blocks 4-5 bit); SmolLM2 and the Qwen pair are "
    "instruction-tuned, the Qwen pair code-specialised; only the Qwen pair is a within-family size ladder (the "
    "paper used 27 base models in 4 families)."
)
TOY, SCALING, LLM = "superscale.figures.toy", "superscale.figures.scaling", "superscale.figures.llm"
SHAPES, FEATURES = "superscale.figures.shapes", "superscale.figures.features"

FIGURES: dict[str, Figure] = {
    # small toy models: results/toy/small and results/fits/toy_small.csv
    "fig03": Figure(
        "toy_small",
        f"{TOY}:draw_fig03",
        "Representation at alpha~1 (paper Fig. 3): row norms at gamma=+1 and -1, and phi_1/2 against gamma per "
        "width with m/n dashed.",
    ),
    "fig04": Figure(
        "toy_small",
        f"{TOY}:draw_fig04",
        "Weak superposition (paper Fig. 4): loss against represented features with the Eq. 14 theory; alpha_m "
        "against alpha for the least ambiguous (gamma, alpha) cases (the nine whose largest ambiguity over m is "
        "smallest, or every case of a smaller grid).",
    ),
    "fig05": Figure(
        "toy_small",
        f"{TOY}:draw_fig05",
        "Strong superposition (paper Fig. 5): row norms, overlap variance and mean squared overlap of strongly "
        "represented rows, and alpha_m against alpha.",
    ),
    "fig09b": Figure(
        "toy_small",
        f"{TOY}:draw_fig09b",
        "Phase diagram of the model exponent alpha_m over (gamma, alpha) (paper Fig. 9b).",
    ),
    "fig10": Figure(
        "toy_small",
        f"{TOY}:draw_fig10",
        "R^2 of the log-log fits of loss against width over (gamma, alpha) (paper Fig. 10).",
    ),
    "fig11": Figure(
        "toy_small", f"{TOY}:draw_fig11", "Row-norm histograms at gamma~+0.556, rows alpha, columns m (paper Fig. 11)."
    ),
    "fig12": Figure(
        "toy_small", f"{TOY}:draw_fig12", "Row-norm histograms at gamma~-0.556, rows alpha, columns m (paper Fig. 12)."
    ),
    "fig13": Figure(
        "toy_small", f"{TOY}:draw_fig13", "phi_1/2 over (gamma, alpha), one panel per width (paper Fig. 13)."
    ),
    "fig16": Figure(
        "toy_small",
        f"{SCALING}:draw_fig16",
        "Fraction of strongly represented features phi_1 (norm > 1) against m at the strongest decay, per alpha, "
        "with min{1, m^2/2n} and m/n (paper Fig. 16).",
    ),
    "fig17": Figure(
        "toy_small",
        f"{SCALING}:draw_fig17",
        "Mean squared overlap of all normalised rows against m at the strongest decay, per alpha, with 1/m "
        "(paper Fig. 17).",
    ),
    # large toy models: results/toy/large and results/fits/toy_large.csv
    "fig01b": Figure("toy_large", f"{SCALING}:draw_fig01b", _fig01b),
    "fig01d": Figure("toy_large", f"{SCALING}:draw_fig01d", _fig01d, extra_inputs=("llm",)),
    "fig07": Figure(
        "toy_large",
        f"{SCALING}:draw_fig07",
        "Row-norm histograms (log density) of the large toys: rows are frequency shape and regime (strong, then "
        "weak), columns widths (paper Fig. 7).",
    ),
    "fig08": Figure(
        "toy_large",
        f"{SCALING}:draw_fig08",
        "Large toys against theory (paper Fig. 8): (a) phi_1/2 vs m with m/n; (b) loss vs (4/3) sum of p_i over "
        "unrepresented features, with y = x; (c) phi_1 vs m with m/n and min{1, m^2/2n}; (d) mean squared overlap "
        "of rows with norm > 1 vs the Welch bound kappa^2.",
    ),
    "fig09a": Figure(
        "toy_large",
        f"{SCALING}:draw_fig09a",
        "R^2 of the large toys' log-log fits of loss against width, per frequency shape and regime (paper Fig. 9a).",
    ),
    # activation-density sweep: results/toy/esweep and results/fits/toy_esweep.csv
    "fig14": Figure(
        "toy_esweep",
        f"{SCALING}:draw_fig14",
        "Activation-density sweep at alpha = 1 (paper Fig. 14): (a) loss against E at m nearest 63, one line per "
        "gamma; (b) loss against m per E at the strongest decay, with the fitted exponents.",
    ),
    "fig15": Figure(
        "toy_esweep",
        f"{SCALING}:draw_fig15",
        "Model exponent alpha_m against activation density E, one line per gamma (paper Fig. 15); error bars are "
        "the spread over seeds, or the fit's standard error for one seed.",
    ),
    # wide small toys: results/fits/toy_fig18.csv
    "fig18": Figure(
        "toy_fig18",
        f"{SCALING}:draw_fig18",
        "Model exponent alpha_m against alpha for widths where m^2/2 > n, in strong superposition, with the laws "
        "alpha_m = 1 and 2(alpha - 1) (paper Fig. 18).",
    ),
    # language models: results/llm, results/fits/llm.json and the width ladder of results/shapes
    "fig06a": Figure(
        "llm",
        f"{LLM}:draw_fig06a",
        "Mean squared overlap of the normalised LM-head rows, exact over all pairs (Gram identity), against 1/m, "
        "colour = family, with slope-1 and slope-2 guides (paper Fig. 6a)." + _CHECKPOINTS,
    ),
    "fig06b": Figure(
        "llm",
        f"{LLM}:draw_fig06b",
        "Evaluation loss minus the fitted offset of its (family, dataset) group against m, with the joint fit of "
        "Eq. 6 (paper Fig. 6b). Families with one model pin their offsets to their points and carry no "
        "information about alpha_m." + _CHECKPOINTS,
    ),
    "fig19": Figure(
        "llm",
        f"{LLM}:draw_fig19",
        "Histogram of the row norms of one model's LM head (log density; paper Fig. 19 shows OPT-125m)." + _CHECKPOINTS,
    ),
    "fig20": Figure(
        "llm",
        f"{LLM}:draw_fig20",
        "Row norms of the LM head per model: mean with one standard deviation, minimum and maximum, one panel per "
        "family (paper Fig. 20)." + _CHECKPOINTS,
    ),
    "fig21": Figure(
        "llm",
        f"{LLM}:draw_fig21",
        "Raw evaluation loss (nats per token, token-weighted) against 1/m, one panel per dataset, colour = family "
        "(paper Fig. 21). Losses are those of the quantised checkpoints on a small token budget." + _CHECKPOINTS,
    ),
    "fig22": Figure(
        "llm",
        f"{LLM}:draw_fig22",
        "Token frequency against rank per tokenizer (rows) and text (columns), with the Zipf exponent fitted on "
        "1000 ranks uniform in log10(rank) (paper Fig. 22). The texts are offline stand-ins for the paper's "
        "wikitext, C4, Pile and BookCorpus.",
    ),
    "fig23": Figure(
        "llm",
        f"{LLM}:draw_fig23",
        "Parameters N against m: (a) the models analysed here (N counted from the GGUF tensors, embeddings "
        "included), (b) the Chinchilla models of Hoffmann et al. (2022) Table A9 with the fitted exponent "
        "(paper Fig. 23).",
    ),
    "width_exponent": Figure(
        "llm",
        f"{LLM}:draw_width_exponent",
        "The width exponent, trained: (a) held-out loss against m for bottleneck heads on one trunk's final "
        "hidden states (L_inf measured: the full-width head, star and dotted line) and for the trained width "
        "ladder (L_inf profiled), seeds as points, open markers for models failing the convergence gate, the fits "
        "C m^-alpha + L_inf with their 95 % profile intervals; (b) mean squared overlap against 1/m for the raw "
        "rows, the centred rows (mean row removed) and the same rows at initialisation, with slope 1.",
    ),
    # shape sweep (Katta): results/shapes
    "shapes_loss": Figure(
        "shapes",
        f"{SHAPES}:draw_shapes_loss",
        "Shape sweep (Katta, arXiv 2407.01459): held-out loss (nats per token, on held-out documents of the "
        "sweep's corpus) against the aspect ratio d_model/n_layer, one colour per non-embedding parameter count N "
        "(the shapes of one colour have equal 12 n_layer d_model^2; the counted N is in results/shapes/models.csv), "
        "one point per init seed, the line through the shape means; labels give n_layer. Kaplan et al. found the "
        "loss nearly independent of shape at fixed N; paper/generated/shapes.tex states whether it is here, "
        "against the seed spread.",
    ),
    "shapes_overlap": Figure(
        "shapes",
        f"{SHAPES}:draw_shapes_overlap",
        "Shape sweep: mean squared overlap of the normalised unembedding rows (exact over all pairs, as for the "
        "LLM heads of Fig. 6a) against 1/d_model, for every trained shape (colour: N group, marker: n_layer) and "
        "the open LLMs of this run (stars), with the 1/d_model of random directions (dotted). If the degree of "
        "superposition follows d_model rather than N, models of one N but different width fall on one trend in "
        "1/d_model.",
    ),
    "shapes_similarity": Figure(
        "shapes",
        f"{SHAPES}:draw_shapes_similarity",
        "Shape sweep: linear CKA between every pair of models of one N group, on the residual stream at matched "
        "relative depth (block ceil(depth n_layer), over the same held-out tokens) and on the unembedding "
        "matrices (tokens as examples). Filled: two init seeds of one shape (the baseline); open: two different "
        "shapes. Features universal across shapes would put the open points among the filled ones.",
    ),
    # feature frequencies: results/features
    "features_frequencies": Figure(
        "features",
        f"{FEATURES}:draw_frequencies",
        "Firing frequencies of the live latents of each sparse dictionary (one column per model and layer, colour "
        "= dictionary size in latents per residual dimension): rank-frequency curves (top) and the density of the "
        "frequencies in logarithmic bins (bottom) with the power law fitted by maximum likelihood above the "
        "Kolmogorov-Smirnov x_min (the package powerlaw). The legend gives the rank-frequency exponent alpha = "
        "1/(tau - 1) and the verdict (bootstrap goodness of fit; likelihood ratios against lognormal, exponential "
        "and cutoff laws). Offline default: quantised GGUF models, a few thousand tokens per model, small "
        "dictionaries.",
    ),
    "features_controls": Figure(
        "features",
        f"{FEATURES}:draw_controls",
        "Rank-frequency curves on normalised axes (rank over the number of values, count over the largest count; "
        "top) and their local slope -d log f / d log r where counts are at least 5 (bottom), the paper's range of "
        "alpha shaded: the latents of every dictionary, the model's own tokens on the same positions, each text's "
        "largest LLM-stage token sample, planted power laws and a planted lognormal passed through a dictionary at "
        "the reference dictionary's budget (first seed), and the latents of dictionaries on the randomly "
        "initialised model of the same architecture.",
    ),
    "features_toy": Figure(
        "features",
        f"{FEATURES}:draw_toy",
        "Toy models trained on each dictionary's measured latent frequencies (sampled at evenly spaced ranks to "
        "the toy's n, normalised to the stated activation density): loss against width (left; solid strong, "
        "dashed weak superposition) and the fitted alpha_m against the paper's prediction, 1 in strong and "
        "alpha - 1 in weak superposition with alpha from the fitted law (right).",
    ),
}


def stage_figures(stage: str) -> list[str]:
    """The ids of the figures one stage's rule draws, in the order declared."""
    return [name for name, figure in FIGURES.items() if figure.stage == stage]


def caption(name: str, config: dict) -> str:
    """The figure's caption as this config makes it."""
    text = FIGURES[name].caption
    return text if isinstance(text, str) else text(config)


def drawing_module(name: str) -> str:
    """The dotted name of the module that draws the figure (its code, and what it imports, is the drawing's)."""
    return FIGURES[name].draw.partition(":")[0]
