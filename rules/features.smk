# Feature frequencies in the offline language models: residual-stream activations once per model
# and of its randomly initialised null (every configured depth, training and held-out windows
# apart), a sparse dictionary per (model, depth, size) and null, the loss with the last layer's
# reconstructions spliced in, the law of the latents' firing frequencies beside the same test on
# the controls (the model's tokens, the null, planted truth at the dictionaries' budget), and toys
# trained on the measured frequencies.


include: "helpers/features.smk"


rule features_activations:
    input:
        manifest="<resources>/llm/{model}.json",
    output:
        activations=expand(
            "<results>/features/activations/{{model}}/{depth}.pt",
            depth=list(FEATURES["layers"]),
        ),
        null=expand(
            "<results>/features/null/activations/{{model}}/{depth}.pt",
            depth=list(FEATURES["layers"]),
        ),
        tokens="<results>/features/tokens/{model}.csv",
    log:
        "<logs>/features/activations/{model}.log",
    benchmark:
        "<results>/benchmarks/features/activations/{model}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: FEATURES["threads"]
    resources:
        gpu=1 if USES_GPU else 0,
        mem_mb=llm_loss_mem_mb,
        runtime=60,
    params:
        settings=features_activation_settings(),
        device=config["device"],
    script:
        "../workflow/scripts/features_activations.py"


rule features_dictionary:
    input:
        activations="<results>/features/activations/{model}/{depth}.pt",
    output:
        weights="<results>/features/dictionaries/{model}/{depth}_x{size}.pt",
        stats="<results>/features/dictionaries/{model}/{depth}_x{size}.json",
        latents="<results>/features/dictionaries/{model}/{depth}_x{size}.csv",
    log:
        "<logs>/features/dictionaries/{model}/{depth}_x{size}.log",
    benchmark:
        "<results>/benchmarks/features/dictionaries/{model}/{depth}_x{size}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: FEATURES["threads"]
    resources:
        gpu=1 if USES_GPU else 0,
        mem_mb=4096,
        runtime=60,
    params:
        settings=features_dictionary_settings(),
        device=config["device"],
    script:
        "../workflow/scripts/features_dictionary.py"


use rule features_dictionary as features_null_dictionary with:
    input:
        activations="<results>/features/null/activations/{model}/{depth}.pt",
    output:
        weights="<results>/features/null/dictionaries/{model}/{depth}_x{size}.pt",
        stats="<results>/features/null/dictionaries/{model}/{depth}_x{size}.json",
        latents="<results>/features/null/dictionaries/{model}/{depth}_x{size}.csv",
    log:
        "<logs>/features/null/dictionaries/{model}/{depth}_x{size}.log",
    benchmark:
        "<results>/benchmarks/features/null/dictionaries/{model}/{depth}_x{size}.tsv"


rule features_splice:
    input:
        manifest="<resources>/llm/{model}.json",
        activations=expand(
            "<results>/features/activations/{{model}}/{depth}.pt", depth=FEATURES_LAST
        ),
        dictionaries=features_last_layer_files(
            "<results>/features/dictionaries/{{model}}/{depth}_x{size}.pt"
        ),
    output:
        losses="<results>/features/splice/{model}.json",
    log:
        "<logs>/features/splice/{model}.log",
    benchmark:
        "<results>/benchmarks/features/splice/{model}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: FEATURES["threads"]
    resources:
        mem_mb=llm_loss_mem_mb,
        runtime=30,
    params:
        entry=llm_entry,
    script:
        "../workflow/scripts/features_splice.py"


rule features_laws:
    input:
        stats=features_files(
            "<results>/features/dictionaries/{model}/{depth}_x{size}.json"
        ),
        latents=features_files(
            "<results>/features/dictionaries/{model}/{depth}_x{size}.csv"
        ),
        splices=features_splices(),
        null_stats=features_files(
            "<results>/features/null/dictionaries/{model}/{depth}_x{size}.json"
        ),
        null_latents=features_files(
            "<results>/features/null/dictionaries/{model}/{depth}_x{size}.csv"
        ),
        tokens=expand("<results>/features/tokens/{model}.csv", model=FEATURES["models"]),
        llm_counts=features_llm_counts(),
    output:
        latents="<results>/features/latents.csv",
        dictionaries="<results>/features/dictionaries.csv",
        laws="<results>/features/laws.csv",
        controls="<results>/features/controls.csv",
        counts="<results>/features/control_counts.csv",
    log:
        "<logs>/features/laws.log",
    benchmark:
        "<results>/benchmarks/features/laws.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=20,
    params:
        law=FEATURES["law"],
        controls=FEATURES["controls"],
        models=FEATURES["models"],
        texts=[text["name"] for text in FEATURES["texts"]],
    script:
        "../workflow/scripts/features_laws.py"


rule features_planted:
    input:
        stats=features_reference(
            "<results>/features/dictionaries/{model}/{depth}_x{size}.json"
        ),
        latents=features_reference(
            "<results>/features/dictionaries/{model}/{depth}_x{size}.csv"
        ),
    output:
        table="<results>/features/planted.csv",
        counts="<results>/features/planted_counts.csv",
    log:
        "<logs>/features/planted.log",
    benchmark:
        "<results>/benchmarks/features/planted.tsv"
    conda:
        "../envs/environment.yaml"
    threads: FEATURES["threads"]
    resources:
        mem_mb=2048,
        runtime=60,
    params:
        settings=FEATURES["planted"],
        law=FEATURES["law"],
        dictionary=features_dictionary_settings(),
    script:
        "../workflow/scripts/features_planted.py"


rule features_toy:
    input:
        latents="<results>/features/dictionaries/{model}/{depth}_x{size}.csv",
    output:
        table="<results>/features/toy/{model}/{depth}_x{size}.csv",
    log:
        "<logs>/features/toy/{model}/{depth}_x{size}.log",
    benchmark:
        "<results>/benchmarks/features/toy/{model}/{depth}_x{size}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: 1
    resources:
        mem_mb=2048,
        runtime=30,
    params:
        settings=FEATURES["toy"],
    script:
        "../workflow/scripts/features_toy.py"


rule features_numbers:
    input:
        laws="<results>/features/laws.csv",
        dictionaries="<results>/features/dictionaries.csv",
        planted="<results>/features/planted.csv",
        controls="<results>/features/controls.csv",
        toys=features_files("<results>/features/toy/{model}/{depth}_x{size}.csv"),
    output:
        toy="<results>/features/toy.csv",
        fits="<results>/features/toy_fits.csv",
        confusion="<results>/features/confusion.csv",
        tex="<paper>/generated/features.tex",
    log:
        "<logs>/paper/features_numbers.log",
    benchmark:
        "<results>/benchmarks/paper/features_numbers.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        settings=FEATURES,
    script:
        "../workflow/scripts/features_numbers.py"


rule features:
    default_target: False
    input:
        "<results>/features/latents.csv",
        "<results>/features/dictionaries.csv",
        "<results>/features/laws.csv",
        "<results>/features/planted.csv",
        "<results>/features/controls.csv",
        "<results>/features/confusion.csv",
        "<results>/features/toy_fits.csv",
        "<paper>/generated/features.tex",
        expand("<results>/figures/{figure}.pdf", figure=stage_figures("features")),
