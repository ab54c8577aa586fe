# Helpers of rules/shapes.smk: its config section and plan, wildcard constraints and input
# functions (kept apart from the rules, as snakemake --lint asks).
from superscale.figures.registry import stage_figures
from superscale.shapes.plan import (
    bottleneck_mem_mb,
    bottleneck_trunk,
    ladder_plan,
    shape_plan,
)
from superscale.shapes.plan import train_mem_mb as shape_train_mem_mb
from superscale.shapes.plan import train_minutes as shape_train_minutes

SHAPES = canonical(config["shapes"])
SHAPES_SWEEP = shape_plan(SHAPES)
SHAPES_LADDER = ladder_plan(SHAPES)
SHAPES_MODELS = SHAPES_SWEEP | SHAPES_LADDER  # every model rule shapes_train trains


wildcard_constraints:
    shapes_model="|".join(SHAPES_MODELS),


def shapes_spec(wildcards):
    return SHAPES_MODELS[wildcards.shapes_model]


def shapes_train_runtime(wildcards):
    return shape_train_minutes(SHAPES_MODELS[wildcards.shapes_model], SHAPES["threads"])


def shapes_train_mem_mb(wildcards):
    return shape_train_mem_mb(SHAPES_MODELS[wildcards.shapes_model])


def shapes_weights(models=SHAPES_SWEEP):
    return expand("<results>/shapes/weights/{model}.pt", model=list(models))


SHAPES_TRUNK = f"<results>/shapes/weights/{bottleneck_trunk(SHAPES)}.pt"
