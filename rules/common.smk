# Config access, path helpers and wildcard constraints; no science here.
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import yaml

from snakemake.utils import validate

from superscale.core.configfiles import check_config, load_yaml
from superscale.core.roots import output_roots
from superscale.figures.registry import FIGURES, STAGES, drawing_module, stage_figures
from superscale.figures.registry import caption as registry_caption
from superscale.llm.registry import load_registry, select
from superscale.llm.texts import available as text_available
from superscale.llm.weights.local import fingerprint as local_fingerprint
from superscale.paper.figures import placed_by_hand
from superscale.paper.methods import PAPER_SECTIONS
from superscale.provenance.code import code_fingerprint as fingerprint
from superscale.provenance.code import keep_between_runs
from superscale.shapes.plan import ladder_plan, shape_plan
from superscale.shapes.plan import train_mem_mb as shape_train_mem_mb
from superscale.shapes.plan import train_minutes as shape_train_minutes
from superscale.toy import resources as toy_resources
from superscale.toy.plan import FAMILIES, check_widths, family_batch, toy_plan


def missing_sections(config):
    """The schema's required top-level sections that the config lacks. Under --configfile the
    Snakefile reads no default, so a section the user left out is missing, not borrowed.
    """
    schema = Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    return [
        key
        for key in yaml.safe_load(schema.read_text())["required"]
        if key not in config
    ]


if workflow.overwrite_configfiles and (missing := missing_sections(config)):
    raise ValueError(
        f"config files {', '.join(map(os.path.relpath, workflow.overwrite_configfiles))} lack the "
        f"section(s) {', '.join(missing)}: a run with --configfile uses only the files given, so "
        "every required section must be in one of them; copy the section from config/config.yaml"
    )
# Snakemake's reader keeps the last of two equal keys without a word; read them strictly.
for path in workflow.overwrite_configfiles:
    load_yaml(os.path.relpath(path))
validate(config, "../workflow/schemas/config.schema.yaml")
check_config(config)
# This config's output roots: <results>, <logs>, <resources> and <paper> in every rule's paths.
ROOTS = output_roots(config)
workflow.register_pathvars(**ROOTS)
# The batch toy_esweep and toy_fig18 train at, written in where it is toy_small's by default, so
# that the methods and the reproduction report name each family's own.
for section in ("toy_esweep", "toy_fig18"):
    config[section]["batch_size"] = family_batch(config, section)


def canonical(value):
    """Dicts with sorted keys, recursively: params compare by their text, so a config rewritten
    with its keys in another order must not rerun anything."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


SMALL = canonical(config["toy_small"])
LARGE = canonical(config["toy_large"])
check_widths(config)

# Training jobs claim the GPU only where there is one, so CPU runs keep their parallelism.
USES_GPU = config["device"] == "cuda" or (
    config["device"] == "auto" and shutil.which("nvidia-smi") is not None
)

# Training jobs of every toy family (small, esweep, fig18, large) and the cells their tables hold.
TOY = toy_plan(config, USES_GPU)
TRAINING = {"small": SMALL, "esweep": SMALL, "fig18": SMALL, "large": LARGE}
FIT_TABLES = {
    "toy_small": "small",
    "esweep": "esweep",
    "toy_fig18": "fig18",
    "toy_large": "large",
}


wildcard_constraints:
    family="|".join(FAMILIES),
    job=r"[^/]+",
    table="|".join(FIT_TABLES),


# Each module's meaning is kept between workflow parses, keyed by its text (a no-op run's largest cost)
keep_between_runs(".snakemake/superscale/code-meanings.json")


def code_fingerprint(script, modules=()):
    """The meaning of a rule's script and of the library code it imports (a params value, so that
    Snakemake reruns a rule exactly when its code changes in meaning, not on comments or layout);
    `modules` are those the script imports by name.
    """
    base = Path(workflow.basedir)
    return fingerprint(base / script, base / "src", modules)


def toy_job_files(family, pattern):
    """pattern (with {family} and {job}) for every training job whose cells the family's tables hold."""
    return [pattern.format(family=owner, job=job) for owner, job in TOY.members[family]]


def toy_cell_files(wildcards, pattern):
    """pattern (with {family} and {job}) for every training job that holds widths of the cell."""
    if wildcards.cell not in TOY.parts[wildcards.family]:
        raise ValueError(
            f"no {wildcards.family} cell {wildcards.cell} in this config; its cells are "
            f"{', '.join(TOY.parts[wildcards.family])}"
        )
    return [
        pattern.format(family=wildcards.family, job=job)
        for job in TOY.cell_jobs(wildcards.family, wildcards.cell)
    ]


def toy_job_rows(wildcards):
    """Metrics file -> the rows (cell and width) it must hold, for every job of the family's table."""
    return {
        workflow.pathvars.apply(f"<results>/toy/{owner}/cells/{job}.csv"): TOY.job_rows(
            owner, job
        )
        for owner, job in TOY.members[wildcards.family]
    }


def toy_job_specs(wildcards):
    """Everything that decides a job's trained weights (its params trigger)."""
    return TOY.job_specs(wildcards.family, wildcards.job)


def toy_train_threads(wildcards):
    return TRAINING[wildcards.family]["threads"]


def toy_train_mem_mb(wildcards):
    cells = len(TOY.jobs[wildcards.family][wildcards.job])
    return toy_resources.train_mem_mb(TRAINING[wildcards.family], cells)


def toy_train_runtime(wildcards):
    return toy_resources.train_minutes(
        toy_job_specs(wildcards), toy_train_threads(wildcards)
    )


# ---------------------------------------------------------------- LLM stage (rules/llm.smk)


LLM = canonical(config["llm"])
LLM_MODELS = {
    name: canonical(entry)
    for name, entry in select(
        load_registry(
            LLM["registry"],
            Path(workflow.basedir) / "workflow/schemas/models.schema.yaml",
            LLM.get("extra_models"),
        ),
        LLM["models"],
    ).items()
}
if LLM["histogram_model"] not in LLM_MODELS:
    raise ValueError(
        f"config llm.histogram_model: {LLM['histogram_model']!r} is not among llm.models "
        f"({', '.join(LLM_MODELS)}); Fig. 19 draws the row-norm histogram of one of the models analysed"
    )
LLM_DATASETS = {spec["name"]: spec for spec in LLM["datasets"]}
# The run's identity for the paper's source lines and the audit: the config files given on the
# command line (none: the Snakefile's default) and the content of the config they made.
CONFIG_FILES = [os.path.relpath(path) for path in workflow.overwrite_configfiles]
CONFIG_SHA256 = hashlib.sha256(
    json.dumps(canonical(config), default=str).encode()
).hexdigest()


wildcard_constraints:
    model="|".join(re.escape(name) for name in LLM_MODELS),


# Registry keys that only the shape analysis (rules/shapes.smk) reads: left out of the LLM rules'
# params, so that adding or correcting them reruns none of the LLM stage.
SHAPE_ONLY_KEYS = ("n_layer",)


def llm_entry(wildcards):
    return {
        key: value
        for key, value in LLM_MODELS[wildcards.model].items()
        if key not in SHAPE_ONLY_KEYS
    }


def llm_local_files(wildcards):
    """SHA-256 of each file of a local model (None for other sources): a file changed in place
    fetches the model again, and so reruns everything made from it."""
    return local_fingerprint(LLM_MODELS[wildcards.model], LLM["cache_dir"])


def llm_loss_mem_mb(wildcards):
    """float32 weights twice over (the GGUF is dequantised into a state dict first) plus 2 GB."""
    return 2048 + int(8 * LLM_MODELS[wildcards.model].get("n_params", 2e9) / 2**20)


def llm_datasets_here():
    """Dataset specs with whether each is installed here (so installing one reruns its jobs)."""
    return {
        name: spec | {"available": text_available(spec)}
        for name, spec in LLM_DATASETS.items()
    }


def per_model(pattern):
    return expand(pattern, model=list(LLM_MODELS), dataset=list(LLM_DATASETS))


# ---------------------------------------------------------------- shape sweep (rules/shapes.smk)

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


# ---------------------------------------------------------------- feature frequencies (rules/features.smk)

FEATURES = canonical(config["features"])
if missing := [model for model in FEATURES["models"] if model not in LLM_MODELS]:
    raise ValueError(
        f"config features.models: {', '.join(missing)} not among llm.models ({', '.join(LLM_MODELS)}); "
        "the feature stage reads the LLM stage's fetched weights, so add them to llm.models"
    )
# The depths at 1 are the last layer, where the unembedding reads the residual stream directly.
FEATURES_LAST = [name for name, depth in FEATURES["layers"].items() if depth == 1.0]


wildcard_constraints:
    depth="|".join(re.escape(name) for name in FEATURES["layers"]),
    size=r"\d+",


def features_activation_settings():
    """What decides a model's stored activations: texts, their windows, the budget, the depths, the null."""
    return {
        key: FEATURES[key]
        for key in ("texts", "sample_words", "context", "tokens", "layers", "null_seed")
    }


def features_dictionary_settings():
    """Everything that decides a dictionary but its size (a wildcard): adding a size trains only it."""
    return {
        key: value for key, value in FEATURES["dictionary"].items() if key != "sizes"
    }


def features_files(pattern):
    """pattern for every (model, depth, size) of the stage."""
    return expand(
        pattern,
        model=FEATURES["models"],
        depth=list(FEATURES["layers"]),
        size=FEATURES["dictionary"]["sizes"],
    )


def features_last_layer_files(pattern):
    """pattern (with {{model}}) for every last-layer depth and dictionary size."""
    return expand(pattern, depth=FEATURES_LAST, size=FEATURES["dictionary"]["sizes"])


def features_llm_counts():
    """The LLM stage's token counts of each feature text, model-major (the thinned token control)."""
    if missing := [
        text["name"] for text in FEATURES["texts"] if text["name"] not in LLM_DATASETS
    ]:
        raise ValueError(
            f"config features.texts: {', '.join(missing)} not among llm.datasets ({', '.join(LLM_DATASETS)}); "
            "the token control thins the LLM stage's counts of the same texts, so add them to llm.datasets"
        )
    return expand(
        "<results>/llm/tokens/{model}/{text}.csv",
        model=FEATURES["models"],
        text=[text["name"] for text in FEATURES["texts"]],
    )


def features_reference(pattern):
    """pattern at the planted truth's reference dictionary (first model, configured depth and size)."""
    reference = FEATURES["planted"]["reference"]
    if (
        reference["depth"] not in FEATURES["layers"]
        or reference["size"] not in FEATURES["dictionary"]["sizes"]
    ):
        raise ValueError(
            f"config features.planted.reference {reference}: depth must be one of features.layers "
            f"({', '.join(FEATURES['layers'])}) and size one of features.dictionary.sizes"
        )
    return pattern.format(
        model=FEATURES["models"][0], depth=reference["depth"], size=reference["size"]
    )


def features_splices():
    return (
        expand("<results>/features/splice/{model}.json", model=FEATURES["models"])
        if FEATURES_LAST
        else []
    )
