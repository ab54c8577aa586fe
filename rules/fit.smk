# Power-law fits of loss against width, and the numbers the paper quotes from them.


rule fit_toy:
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
        code=code_fingerprint("workflow/scripts/fit_toy.py"),
        family=lambda wildcards: FIT_TABLES[wildcards.table],
        rows=lambda wildcards: TOY.rows[FIT_TABLES[wildcards.table]],
        large_window=LARGE["fit_window"],
    script:
        "../workflow/scripts/fit_toy.py"


# One cell's alpha_m on its own, so a reader can train and fit any single cell of a grid (e.g. of
# config/paper.yaml) without the rest of its family: {cell} as the family's cell names, whichever
# jobs train its widths.
rule fit_toy_cell:
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
        code=code_fingerprint("workflow/scripts/fit_toy_cell.py"),
        family=lambda wildcards: wildcards.family,
        rows=lambda wildcards: TOY.cell_rows(wildcards.family, wildcards.cell),
        large_window=LARGE["fit_window"],
    script:
        "../workflow/scripts/fit_toy_cell.py"


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
        code=code_fingerprint("workflow/scripts/toy_small_numbers.py"),
        config=SMALL,
    script:
        "../workflow/scripts/toy_small_numbers.py"


rule toy_scaling_numbers:
    input:
        large="<results>/fits/toy_large.csv",
        esweep="<results>/fits/esweep.csv",
        wide="<results>/fits/toy_fig18.csv",
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
        code=code_fingerprint("workflow/scripts/toy_scaling_numbers.py"),
        large=LARGE,
    script:
        "../workflow/scripts/toy_scaling_numbers.py"
