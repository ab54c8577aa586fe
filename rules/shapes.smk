# Shape sweep (Katta, arXiv 2407.01459): one tokenizer and token stream, one training job
# per (shape, seed) so that a new seed or shape trains only its own model, then the cheap tables
# (losses and unembedding overlaps; CKA similarity; the registry LLMs' shapes), the analysis with
# its verdicts as LaTeX macros (the figures: rules/figures.smk). The width ladder trains through
# the same rule on the same stream; its widest model is the trunk of the bottleneck heads (one job
# for every head width and seed); both tables feed the LLM stage's loss-against-width fits
# (rules/llm.smk).


include: "helpers/shapes.smk"


rule shapes_tokens:
    output:
        tokenizer="<results>/shapes/tokenizer.json",
        tokens="<results>/shapes/tokens.npz",
        corpus="<results>/shapes/corpus.json",
    log:
        "<logs>/shapes/tokens.log",
    benchmark:
        "<results>/benchmarks/shapes/tokens.tsv"
    conda:
        "../envs/environment.yaml"
    # One core: a job that needs every core of a 2-core machine waits behind the one-core jobs
    # (Snakemake's scheduler fills each freed core at once) and would hold the shape stage back.
    threads: 1
    resources:
        mem_mb=2048,
        runtime=20,
    params:
        corpus=SHAPES["corpus"],
        max_documents=SHAPES.get("max_documents"),
        heldout_every=SHAPES["heldout_every"],
        vocab_size=SHAPES["vocab_size"],
    script:
        "../workflow/scripts/shapes_tokens.py"


rule shapes_train:
    input:
        tokens="<results>/shapes/tokens.npz",
    output:
        weights="<results>/shapes/weights/{shapes_model}.pt",
    log:
        "<logs>/shapes/train/{shapes_model}.log",
    benchmark:
        "<results>/benchmarks/shapes/train/{shapes_model}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: SHAPES["threads"]
    resources:
        gpu=1 if USES_GPU else 0,
        mem_mb=shapes_train_mem_mb,
        runtime=shapes_train_runtime,
    params:
        spec=shapes_spec,
        device=config["device"],
    script:
        "../workflow/scripts/shapes_train.py"


rule shapes_models:
    input:
        weights=shapes_weights(),
        tokens="<results>/shapes/tokens.npz",
    output:
        models="<results>/shapes/models.csv",
    log:
        "<logs>/shapes/models.log",
    benchmark:
        "<results>/benchmarks/shapes/models.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=20,
    params:
        eval_windows=SHAPES["eval_windows"],
        device=config["device"],
    script:
        "../workflow/scripts/shapes_models.py"


rule shapes_ladder:
    input:
        weights=shapes_weights(SHAPES_LADDER),
        tokens="<results>/shapes/tokens.npz",
    output:
        ladder="<results>/shapes/ladder.csv",
        curves="<results>/shapes/ladder_curves.csv",
    log:
        "<logs>/shapes/ladder.log",
    benchmark:
        "<results>/benchmarks/shapes/ladder.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=20,
    params:
        eval_windows=SHAPES["eval_windows"],
        gate=SHAPES["gate"],
        device=config["device"],
    script:
        "../workflow/scripts/shapes_ladder.py"


rule shapes_bottleneck:
    input:
        trunk=SHAPES_TRUNK,
        tokens="<results>/shapes/tokens.npz",
    output:
        heads="<results>/shapes/bottleneck.csv",
        curves="<results>/shapes/bottleneck_curves.csv",
        summary="<results>/shapes/bottleneck.json",
    log:
        "<logs>/shapes/bottleneck.log",
    benchmark:
        "<results>/benchmarks/shapes/bottleneck.tsv"
    conda:
        "../envs/environment.yaml"
    threads: SHAPES["threads"]
    resources:
        mem_mb=bottleneck_mem_mb(SHAPES),
        runtime=20,
    params:
        settings=SHAPES["bottleneck"],
        gate=SHAPES["gate"],
        eval_windows=SHAPES["eval_windows"],
    script:
        "../workflow/scripts/shapes_bottleneck.py"


rule shapes_similarity:
    input:
        weights=shapes_weights(),
        tokens="<results>/shapes/tokens.npz",
    output:
        similarity="<results>/shapes/similarity.csv",
    log:
        "<logs>/shapes/similarity.log",
    benchmark:
        "<results>/benchmarks/shapes/similarity.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=4096,
        runtime=20,
    params:
        similarity=SHAPES["similarity"],
        device=config["device"],
    script:
        "../workflow/scripts/shapes_similarity.py"


rule shapes_llms:
    input:
        heads=expand("<results>/llm/heads/{model}.json", model=list(LLM_MODELS)),
        manifests=expand("<resources>/llm/{model}.json", model=list(LLM_MODELS)),
    output:
        shapes="<results>/shapes/llm_shapes.csv",
    log:
        "<logs>/shapes/llm_shapes.log",
    benchmark:
        "<results>/benchmarks/shapes/llm_shapes.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        models=LLM_MODELS,
    script:
        "../workflow/scripts/shapes_llms.py"


rule shapes_numbers:
    input:
        models="<results>/shapes/models.csv",
        similarity="<results>/shapes/similarity.csv",
        llm_shapes="<results>/shapes/llm_shapes.csv",
        corpus="<results>/shapes/corpus.json",
    output:
        summary="<results>/shapes/summary.json",
        tex="<paper>/generated/shapes.tex",
    log:
        "<logs>/paper/shapes_numbers.log",
    benchmark:
        "<results>/benchmarks/paper/shapes_numbers.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        settings=SHAPES,
    script:
        "../workflow/scripts/shapes_numbers.py"


rule shapes:
    default_target: False
    input:
        "<results>/shapes/models.csv",
        "<results>/shapes/similarity.csv",
        "<results>/shapes/ladder.csv",
        "<results>/shapes/bottleneck.csv",
        "<paper>/generated/shapes.tex",
        expand("<results>/figures/{figure}.pdf", figure=stage_figures("shapes")),
