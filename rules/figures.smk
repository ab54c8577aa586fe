# Figures of the small-toy stage; the shared style file is an input of every figure.


rule figure_toy_small:
    input:
        metrics="results/toy/small/metrics.csv",
        norms="results/toy/small/row_norms.parquet",
        fits="results/fits/toy_small.csv",
        style="workflow/matplotlibrc",
        code=library("plots", "data", "fits", "metrics", "grid"),
    output:
        pdf=report(
            "results/figures/{figure}.pdf",
            category="Small toy models",
            caption="../workflow/report/{figure}.rst",
        ),
    log:
        "logs/figures/{figure}.log",
    benchmark:
        "results/benchmarks/figures/{figure}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=10,
    params:
        n=SMALL["n"],
    script:
        "../workflow/scripts/plot_figure.py"
