# Helpers of rules/features.smk: its config section and plan, wildcard constraints and input
# functions (kept apart from the rules, as snakemake --lint asks).
from superscale.figures.registry import stage_figures

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
