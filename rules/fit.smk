# Power-law fits of loss against width, and the numbers the paper quotes from them.


rule fit_toy_small:
    input:
        metrics="results/toy/small/metrics.csv",
        code=library("fits"),
    output:
        fits="results/fits/toy_small.csv",
    log:
        "logs/fits/toy_small.log",
    benchmark:
        "results/benchmarks/fits/toy_small.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    script:
        "../workflow/scripts/fit_toy.py"


rule toy_small_numbers:
    input:
        metrics="results/toy/small/metrics.csv",
        fits="results/fits/toy_small.csv",
        code=library("fits", "summary", "grid"),
    output:
        tex="paper/generated/toy_small.tex",
    log:
        "logs/paper/toy_small_numbers.log",
    benchmark:
        "results/benchmarks/paper/toy_small_numbers.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        config=SMALL,
    script:
        "../workflow/scripts/toy_numbers.py"
