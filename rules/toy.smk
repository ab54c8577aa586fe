# Toy models (paper Secs. 4-5, App. B, D): train each job's cells (expensive, kept), derive their
# cheap per-model tables, then the power-law fits of loss against width and the numbers the paper
# quotes from them. {family} is small, esweep, fig18 or large (config section and fit table
# toy_<family>); {job} names the cells, or the widths of a cell, a training job holds.


include: "helpers/toy.smk"


rule toy_train:
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
        cells=toy_job_specs,
        device=config["device"],
    script:
        "../workflow/scripts/toy_train.py"


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
        keep=lambda wildcards: TOY.keep[wildcards.family],
        rows=toy_job_rows,
    script:
        "../workflow/scripts/toy_tables.py"


rule toy_fit:
    input:
        metrics=lambda wildcards: f"<results>/toy/{FIT_TABLES[wildcards.table]}/metrics.csv",
    output:
        fits="<results>/fits/{table}.csv",
    log:
        "<logs>/fits/{table}.log",
    benchmark:
        "<results>/benchmarks/fits/{table}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        family=lambda wildcards: FIT_TABLES[wildcards.table],
        rows=lambda wildcards: TOY.rows[FIT_TABLES[wildcards.table]],
        large_window=LARGE["fit_window"],
    script:
        "../workflow/scripts/toy_fit.py"


# One cell's alpha_m on its own, so a reader can train and fit any single cell of a grid (e.g. of
# config/paper.yaml) without the rest of its family: {cell} as the family's cell names, whichever
# jobs train its widths.
rule toy_fit_cell:
    input:
        metrics=lambda wildcards: toy_cell_files(
            wildcards, "<results>/toy/{family}/cells/{job}.csv"
        ),
    output:
        fits="<results>/fits/cells/{family}/{cell}.csv",
    log:
        "<logs>/fits/cells/{family}/{cell}.log",
    benchmark:
        "<results>/benchmarks/fits/cells/{family}/{cell}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        family=lambda wildcards: wildcards.family,
        rows=lambda wildcards: TOY.cell_rows(wildcards.family, wildcards.cell),
        large_window=LARGE["fit_window"],
    script:
        "../workflow/scripts/toy_fit_cell.py"


rule toy_small_numbers:
    input:
        metrics="<results>/toy/small/metrics.csv",
        fits="<results>/fits/toy_small.csv",
    output:
        tex="<paper>/generated/toy_small.tex",
    log:
        "<logs>/paper/toy_small_numbers.log",
    benchmark:
        "<results>/benchmarks/paper/toy_small_numbers.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        config=SMALL,
    script:
        "../workflow/scripts/toy_small_numbers.py"


rule toy_scaling_numbers:
    input:
        large="<results>/fits/toy_large.csv",
        esweep="<results>/fits/toy_esweep.csv",
        fig18="<results>/fits/toy_fig18.csv",
    output:
        tex="<paper>/generated/toy_scaling.tex",
    log:
        "<logs>/paper/toy_scaling_numbers.log",
    benchmark:
        "<results>/benchmarks/paper/toy_scaling_numbers.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        large=LARGE,
    script:
        "../workflow/scripts/toy_scaling_numbers.py"


rule toy:
    default_target: False
    input:
        expand("<results>/fits/{table}.csv", table=list(FIT_TABLES)),
        expand("<results>/toy/{family}/metrics.csv", family=FAMILIES),
    output:
        touch("<results>/toy/.done"),
    log:
        "<logs>/toy/done.log",
