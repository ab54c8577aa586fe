# Toy models: train each job's cells (expensive, kept), then derive its cheap per-model tables.
# {family} is small, esweep, fig18 or large; {job} names the cells a training job holds.


rule train_toy:
    output:
        weights="<results>/toy/{family}/weights/{job}.pt",
    log:
        "<logs>/toy/{family}/train/{job}.log",
    benchmark:
        "<results>/benchmarks/toy/{family}/train/{job}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: toy_train_threads
    resources:
        gpu=1 if USES_GPU else 0,
        mem_mb=toy_train_mem_mb,
        runtime=toy_train_runtime,
    params:
        code=code_fingerprint("workflow/scripts/train_toy.py"),
        cells=toy_job_specs,
        device=config["device"],
    script:
        "../workflow/scripts/train_toy.py"


rule toy_cell_metrics:
    input:
        weights="<results>/toy/{family}/weights/{job}.pt",
    output:
        metrics="<results>/toy/{family}/cells/{job}.csv",
        norms="<results>/toy/{family}/cells/{job}_norms.parquet",
    log:
        "<logs>/toy/{family}/metrics/{job}.log",
    benchmark:
        "<results>/benchmarks/toy/{family}/metrics/{job}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=4096,
        runtime=30,
    params:
        code=code_fingerprint("workflow/scripts/toy_cell_metrics.py"),
        eval_batches=lambda wildcards: TRAINING[wildcards.family]["eval_batches"],
        eval_batch_size=lambda wildcards: TRAINING[wildcards.family]["eval_batch_size"],
    script:
        "../workflow/scripts/toy_cell_metrics.py"


rule toy_tables:
    input:
        metrics=lambda wildcards: toy_job_files(
            wildcards.family, "<results>/toy/{family}/cells/{job}.csv"
        ),
        norms=lambda wildcards: toy_job_files(
            wildcards.family, "<results>/toy/{family}/cells/{job}_norms.parquet"
        ),
    output:
        metrics="<results>/toy/{family}/metrics.csv",
        norms="<results>/toy/{family}/row_norms.parquet",
    log:
        "<logs>/toy/{family}/tables.log",
    benchmark:
        "<results>/benchmarks/toy/{family}/tables.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=4096,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/toy_tables.py"),
        keep=lambda wildcards: TOY.keep[wildcards.family],
        rows=toy_job_rows,
    script:
        "../workflow/scripts/toy_tables.py"


rule toy:
    default_target: False
    input:
        expand("<results>/fits/{table}.csv", table=list(FIT_TABLES)),
        expand("<results>/toy/{family}/metrics.csv", family=FAMILIES),
    output:
        touch("<results>/toy/.done"),
    log:
        "<logs>/toy/done.log",
