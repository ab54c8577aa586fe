# Helpers of rules/figures.smk: each figure stage's inputs and settings, checked against the figure
# registry, and the input and param functions of its figure rules (apart from the rules, as snakemake
# --lint asks).
from superscale.figures.registry import FIGURES, STAGES, drawing_module, stage_figures
from superscale.figures.registry import caption as registry_caption

ALL_FIGURES = list(FIGURES)

# stage -> its report category, the inputs every figure of it reads, those only the figures naming
# them in the registry's extra_inputs read, its settings (params) and memory
FIGURE_STAGES = {
    "toy_small": dict(
        category="Small toy models",
        inputs=dict(
            metrics="<results>/toy/small/metrics.csv",
            norms="<results>/toy/small/row_norms.parquet",
            fits="<results>/fits/toy_small.csv",
        ),
        settings=dict(n=SMALL["n"]),
    ),
    "toy_large": dict(
        category="Large toy models",
        inputs=dict(
            metrics="<results>/toy/large/metrics.csv",
            norms="<results>/toy/large/row_norms.parquet",
            fits="<results>/fits/toy_large.csv",
        ),
        extra_inputs=dict(llm="<results>/fits/llm.json"),
        settings=dict(
            shapes={key: LARGE[key] for key in ("power_exponent", "exponential_scale")}
        ),
        mem_mb=4096,
    ),
    "toy_esweep": dict(
        category="Activation density",
        inputs=dict(
            metrics="<results>/toy/esweep/metrics.csv",
            fits="<results>/fits/toy_esweep.csv",
        ),
    ),
    "toy_fig18": dict(
        category="Small toy models",
        inputs=dict(fits="<results>/fits/toy_fig18.csv"),
    ),
    "llm": dict(
        category="Language models",
        inputs=dict(
            heads="<results>/llm/heads.csv",
            losses="<results>/llm/losses.csv",
            zipf="<results>/llm/zipf.csv",
            fits="<results>/fits/llm.json",
            ladder="<results>/shapes/ladder.csv",
            bottleneck="<results>/shapes/bottleneck.csv",
            histogram=f"<results>/llm/heads/{LLM['histogram_model']}.json",
            counts=per_model("<results>/llm/tokens/{model}/{dataset}.csv"),
            chinchilla=LLM["chinchilla"],
        ),
        settings=dict(histogram_model=LLM["histogram_model"]),
    ),
    "shapes": dict(
        category="Shape sweep (Katta)",
        inputs=dict(
            models="<results>/shapes/models.csv",
            similarity="<results>/shapes/similarity.csv",
            llm_shapes="<results>/shapes/llm_shapes.csv",
        ),
    ),
    "features": dict(
        category="Feature frequencies",
        inputs=dict(
            latents="<results>/features/latents.csv",
            laws="<results>/features/laws.csv",
            fits="<results>/features/toy_fits.csv",
            toy="<results>/features/toy.csv",
            controls="<results>/features/controls.csv",
            control_counts="<results>/features/control_counts.csv",
            planted="<results>/features/planted.csv",
            planted_counts="<results>/features/planted_counts.csv",
        ),
        settings=dict(
            reference=FEATURES["planted"]["reference"],
            alpha_range=FEATURES["paper_alpha"],
        ),
    ),
}
if set(FIGURE_STAGES) != set(STAGES):
    raise ValueError(
        f"rules/helpers/figures.smk gives inputs for the stages {sorted(FIGURE_STAGES)}, but "
        f"superscale.figures.registry.STAGES are {sorted(STAGES)}: give each its inputs"
    )
for name, entry in FIGURES.items():
    if entry.stage not in STAGES:
        raise ValueError(
            f"figure {name} in superscale.figures.registry: stage {entry.stage!r} is not one of {', '.join(STAGES)}"
        )
    if unknown := set(entry.extra_inputs) - set(
        FIGURE_STAGES[entry.stage].get("extra_inputs", {})
    ):
        raise ValueError(
            f"figure {name} in superscale.figures.registry: extra_inputs {sorted(unknown)} are not among "
            f"the extra inputs of stage {entry.stage} in rules/helpers/figures.smk"
        )


def figure_extra_inputs(stage):
    """The stage's extra inputs the figure names in the registry (Fig. 1d: the LLM fit's points)."""
    extra = FIGURE_STAGES[stage].get("extra_inputs", {})
    return lambda wildcards: {
        name: extra[name] for name in FIGURES[wildcards.figure].extra_inputs
    }


def figure_code(wildcards):
    """The figure script and the module that draws this figure, with what they import: a plot edit
    redraws that module's figures, and the registry (a caption) none."""
    return code_fingerprint(
        "workflow/scripts/figure.py", [drawing_module(wildcards.figure)]
    )


def figure_caption(wildcards, output):
    """The registry's caption, for the report. A function of the output, so Snakemake keeps it out of
    the params that rerun a job: a caption edit redraws nothing."""
    return registry_caption(wildcards.figure, config)
