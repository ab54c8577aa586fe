# Helpers of rules/llm.smk: its config section and plan, wildcard constraints and input
# functions (kept apart from the rules, as snakemake --lint asks).
import re

from superscale.llm.registry import load_registry, select
from superscale.llm.texts import available as text_available
from superscale.llm.weights.local import fingerprint as local_fingerprint

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
