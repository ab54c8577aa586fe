# Open-LLM analysis (paper Sec. 3.3, App. C): fetch each model's weights, measure its head, score
# its loss on each text, count its tokens; then tables, the joint fit and numbers (the figures: rules/figures.smk).
# Per-model outputs are separate files, so adding a model analyses only that model.


include: "helpers/llm.smk"


rule llm_fetch:
    output:
        manifest="<resources>/llm/{model}.json",
    log:
        "<logs>/llm/fetch/{model}.log",
    benchmark:
        "<results>/benchmarks/llm/fetch/{model}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=60,
    params:
        entry=llm_entry,
        files=llm_local_files,
        cache_dir=LLM["cache_dir"],
    script:
        "../workflow/scripts/llm_fetch.py"


rule llm_head:
    input:
        manifest="<resources>/llm/{model}.json",
    output:
        stats="<results>/llm/heads/{model}.json",
    log:
        "<logs>/llm/heads/{model}.log",
    benchmark:
        "<results>/benchmarks/llm/heads/{model}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=8192,
        runtime=30,
    params:
        entry=llm_entry,
        settings=LLM["heads"],
    script:
        "../workflow/scripts/llm_head.py"


rule llm_losses:
    input:
        manifest="<resources>/llm/{model}.json",
    output:
        losses=expand(
            "<results>/llm/losses/{{model}}/{dataset}.json", dataset=list(LLM_DATASETS)
        ),
    log:
        "<logs>/llm/losses/{model}.log",
    benchmark:
        "<results>/benchmarks/llm/losses/{model}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: LLM["loss"]["threads"]
    resources:
        mem_mb=llm_loss_mem_mb,
        runtime=60,
    params:
        datasets=llm_datasets_here(),
        settings=LLM["loss"],
        device=config["device"],
    script:
        "../workflow/scripts/llm_losses.py"


rule llm_token_counts:
    input:
        manifest="<resources>/llm/{model}.json",
    output:
        counts=expand(
            "<results>/llm/tokens/{{model}}/{dataset}.csv", dataset=list(LLM_DATASETS)
        ),
    log:
        "<logs>/llm/tokens/{model}.log",
    benchmark:
        "<results>/benchmarks/llm/tokens/{model}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=4096,
        runtime=30,
    params:
        datasets=llm_datasets_here(),
        settings=LLM["zipf"],
    script:
        "../workflow/scripts/llm_token_counts.py"


rule llm_tables:
    input:
        heads=per_model("<results>/llm/heads/{model}.json"),
        losses=per_model("<results>/llm/losses/{model}/{dataset}.json"),
        counts=per_model("<results>/llm/tokens/{model}/{dataset}.csv"),
    output:
        heads="<results>/llm/heads.csv",
        losses="<results>/llm/losses.csv",
        zipf="<results>/llm/zipf.csv",
    log:
        "<logs>/llm/tables.log",
    benchmark:
        "<results>/benchmarks/llm/tables.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        models=LLM_MODELS,
        points=LLM["zipf"]["points"],
    script:
        "../workflow/scripts/llm_tables.py"


rule llm_fit:
    input:
        heads="<results>/llm/heads.csv",
        losses="<results>/llm/losses.csv",
        ladder="<results>/shapes/ladder.csv",
        bottleneck="<results>/shapes/bottleneck.csv",
        trunk="<results>/shapes/bottleneck.json",
        chinchilla=LLM["chinchilla"],
    output:
        fits="<results>/fits/llm.json",
    log:
        "<logs>/fits/llm.log",
    benchmark:
        "<results>/benchmarks/fits/llm.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        offsets_by=LLM["fit"]["offsets_by"],
        ladder_dataset=f"{config['shapes']['corpus']['name']} (held out)",  # the shape stage's corpus
    script:
        "../workflow/scripts/llm_fit.py"


rule llm_numbers:
    input:
        heads="<results>/llm/heads.csv",
        losses="<results>/llm/losses.csv",
        zipf="<results>/llm/zipf.csv",
        fits="<results>/fits/llm.json",
        ladder="<results>/shapes/ladder.csv",
        bottleneck="<results>/shapes/bottleneck.csv",
        trunk="<results>/shapes/bottleneck.json",
    output:
        tex="<paper>/generated/llm.tex",
    log:
        "<logs>/paper/llm_numbers.log",
    benchmark:
        "<results>/benchmarks/paper/llm_numbers.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        loss=LLM["loss"],
        datasets=llm_datasets_here(),
        shapes=canonical(config["shapes"]),  # the width ladder and bottleneck settings (rules/shapes.smk)
    script:
        "../workflow/scripts/llm_numbers.py"
