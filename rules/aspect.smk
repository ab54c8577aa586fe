# Shape sweep (Katta, arXiv 2407.01459): one tokenizer and token stream, one training job
# per (shape, seed) so that a new seed or shape trains only its own model, then the cheap tables
# (losses and unembedding overlaps; CKA similarity; the registry LLMs' shapes), the analysis with
# its verdicts as LaTeX macros, and the figures.


rule aspect_tokens:
    output:
        tokenizer="results/aspect/tokenizer.json",
        tokens="results/aspect/tokens.npz",
        corpus="results/aspect/corpus.json",
    log:
        "logs/aspect/tokens.log",
    benchmark:
        "results/benchmarks/aspect/tokens.tsv"
    conda:
        "../envs/environment.yaml"
    threads: 2
    resources:
        mem_mb=2048,
        runtime=20,
    params:
        code=code_fingerprint("workflow/scripts/aspect_tokens.py"),
        corpus=ASPECT["corpus"],
        max_documents=ASPECT.get("max_documents"),
        heldout_every=ASPECT["heldout_every"],
        vocab_size=ASPECT["vocab_size"],
    script:
        "../workflow/scripts/aspect_tokens.py"


rule aspect_train:
    input:
        tokens="results/aspect/tokens.npz",
    output:
        weights="results/aspect/weights/{aspect_model}.pt",
    log:
        "logs/aspect/train/{aspect_model}.log",
    benchmark:
        "results/benchmarks/aspect/train/{aspect_model}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: ASPECT["threads"]
    resources:
        gpu=1 if USES_GPU else 0,
        mem_mb=aspect_train_mem_mb,
        runtime=aspect_train_runtime,
    params:
        code=code_fingerprint("workflow/scripts/aspect_train.py"),
        spec=aspect_spec,
        device=config["device"],
    script:
        "../workflow/scripts/aspect_train.py"


rule aspect_models:
    input:
        weights=aspect_weights(),
        tokens="results/aspect/tokens.npz",
    output:
        models="results/aspect/models.csv",
    log:
        "logs/aspect/models.log",
    benchmark:
        "results/benchmarks/aspect/models.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=20,
    params:
        code=code_fingerprint("workflow/scripts/aspect_models.py"),
        eval_windows=ASPECT["eval_windows"],
        device=config["device"],
    script:
        "../workflow/scripts/aspect_models.py"


rule aspect_similarity:
    input:
        weights=aspect_weights(),
        tokens="results/aspect/tokens.npz",
    output:
        similarity="results/aspect/similarity.csv",
    log:
        "logs/aspect/similarity.log",
    benchmark:
        "results/benchmarks/aspect/similarity.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=4096,
        runtime=20,
    params:
        code=code_fingerprint("workflow/scripts/aspect_similarity.py"),
        similarity=ASPECT["similarity"],
        device=config["device"],
    script:
        "../workflow/scripts/aspect_similarity.py"


rule aspect_llm_shapes:
    input:
        heads=expand("results/llm/heads/{model}.json", model=list(LLM_MODELS)),
        manifests=expand("resources/llm/{model}.json", model=list(LLM_MODELS)),
    output:
        shapes="results/aspect/llm_shapes.csv",
    log:
        "logs/aspect/llm_shapes.log",
    benchmark:
        "results/benchmarks/aspect/llm_shapes.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/aspect_llm_shapes.py"),
        models=LLM_MODELS,
    script:
        "../workflow/scripts/aspect_llm_shapes.py"


rule aspect_numbers:
    input:
        models="results/aspect/models.csv",
        similarity="results/aspect/similarity.csv",
        llm_shapes="results/aspect/llm_shapes.csv",
        corpus="results/aspect/corpus.json",
    output:
        summary="results/aspect/summary.json",
        tex="paper/generated/aspect.tex",
    log:
        "logs/paper/aspect_numbers.log",
    benchmark:
        "results/benchmarks/paper/aspect_numbers.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/aspect_numbers.py"),
        settings=ASPECT,
    script:
        "../workflow/scripts/aspect_numbers.py"


rule figure_aspect:
    input:
        models="results/aspect/models.csv",
        similarity="results/aspect/similarity.csv",
        llm_shapes="results/aspect/llm_shapes.csv",
        style="workflow/matplotlibrc",
    output:
        pdf=report(
            "results/figures/{aspect_figure}.pdf",
            category="Shape sweep (Katta)",
            caption="../workflow/report/figure_aspect.rst",
        ),
    log:
        "logs/figures/{aspect_figure}.log",
    benchmark:
        "results/benchmarks/figures/{aspect_figure}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/figure_aspect.py"),
    script:
        "../workflow/scripts/figure_aspect.py"


rule aspect:
    default_target: False
    input:
        "results/aspect/models.csv",
        "results/aspect/similarity.csv",
        "paper/generated/aspect.tex",
        expand("results/figures/{figure}.pdf", figure=ASPECT_FIGURES),
