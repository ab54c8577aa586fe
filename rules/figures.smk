# Figures, one rule per stage; the shared style file is an input of every figure.


rule figure_toy_small:
    input:
        metrics="<results>/toy/small/metrics.csv",
        norms="<results>/toy/small/row_norms.parquet",
        fits="<results>/fits/toy_small.csv",
        style="workflow/matplotlibrc",
    output:
        pdf=report(
            "<results>/figures/{small_figure}.pdf",
            category="Small toy models",
            caption="../workflow/report/figure_toy_small.rst",
        ),
    log:
        "<logs>/figures/{small_figure}.log",
    benchmark:
        "<results>/benchmarks/figures/{small_figure}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/figure_toy_small.py"),
        n=SMALL["n"],
    script:
        "../workflow/scripts/figure_toy_small.py"


rule figure_toy_large:
    input:
        unpack(llm_points_for_figure),
        metrics="<results>/toy/large/metrics.csv",
        norms="<results>/toy/large/row_norms.parquet",
        fits="<results>/fits/toy_large.csv",
        style="workflow/matplotlibrc",
    output:
        pdf=report(
            "<results>/figures/{large_figure}.pdf",
            category="Large toy models",
            caption="../workflow/report/figure_toy_large.rst",
        ),
    log:
        "<logs>/figures/{large_figure}.log",
    benchmark:
        "<results>/benchmarks/figures/{large_figure}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=4096,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/figure_toy_large.py"),
        shapes={key: LARGE[key] for key in ("power_exponent", "exponential_scale")},
    script:
        "../workflow/scripts/figure_toy_large.py"


rule figure_esweep:
    input:
        metrics="<results>/toy/esweep/metrics.csv",
        fits="<results>/fits/esweep.csv",
        style="workflow/matplotlibrc",
    output:
        pdf=report(
            "<results>/figures/{esweep_figure}.pdf",
            category="Activation density",
            caption="../workflow/report/figure_esweep.rst",
        ),
    log:
        "<logs>/figures/{esweep_figure}.log",
    benchmark:
        "<results>/benchmarks/figures/{esweep_figure}.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/figure_esweep.py"),
    script:
        "../workflow/scripts/figure_esweep.py"


rule figure_fig18:
    input:
        fits="<results>/fits/toy_fig18.csv",
        style="workflow/matplotlibrc",
    output:
        pdf=report(
            "<results>/figures/fig18.pdf",
            category="Small toy models",
            caption="../workflow/report/figure_fig18.rst",
        ),
    log:
        "<logs>/figures/fig18.log",
    benchmark:
        "<results>/benchmarks/figures/fig18.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=2048,
        runtime=10,
    params:
        code=code_fingerprint("workflow/scripts/figure_fig18.py"),
    script:
        "../workflow/scripts/figure_fig18.py"
