# Toy models: train each grid cell (expensive, kept), then derive its cheap per-model tables.


rule train_toy_small:
    input:
        code=library("data", "toymodel", "trainer", "cells"),
    output:
        weights=f"results/toy/small/weights/{SMALL_CELL}.pt",
    log:
        f"logs/toy/small/train/{SMALL_CELL}.log",
    benchmark:
        f"results/benchmarks/toy/small/train/{SMALL_CELL}.tsv"
    conda:
        "../envs/environment.yaml"
    threads: SMALL["threads"]
    resources:
        gpu=1 if USES_GPU else 0,
        mem_mb=small_train_mem_mb,
        runtime=small_train_runtime,
    params:
        spec=small_cell_spec,
        device=config["device"],
    script:
        "../workflow/scripts/train_toy.py"


rule toy_small_cell_metrics:
    input:
        weights=f"results/toy/small/weights/{SMALL_CELL}.pt",
        code=library("data", "trainer", "metrics", "cells"),
    output:
        metrics=f"results/toy/small/cells/{SMALL_CELL}.csv",
        norms=f"results/toy/small/cells/{SMALL_CELL}_norms.parquet",
    log:
        f"logs/toy/small/metrics/{SMALL_CELL}.log",
    benchmark:
        f"results/benchmarks/toy/small/metrics/{SMALL_CELL}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=20,
    params:
        eval_batches=SMALL["eval_batches"],
    script:
        "../workflow/scripts/toy_cell_metrics.py"


rule toy_small_tables:
    input:
        metrics=small_cells(f"results/toy/small/cells/{SMALL_CELL}.csv"),
        norms=small_cells(f"results/toy/small/cells/{SMALL_CELL}_norms.parquet"),
    output:
        metrics="results/toy/small/metrics.csv",
        norms="results/toy/small/row_norms.parquet",
    log:
        "logs/toy/small/tables.log",
    benchmark:
        "results/benchmarks/toy/small/tables.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=10,
    script:
        "../workflow/scripts/concat_tables.py"
