# Figures: every figure of superscale.figures.registry, drawn by workflow/scripts/figure.py in one rule
# per stage (figure_<stage>); the stage selects the inputs and settings its drawings get. The report
# caption is the registry's (workflow/report/figure.rst prints params.caption).


include: "helpers/figures.smk"


for stage, spec in FIGURE_STAGES.items():

    rule:
        name:
            f"figure_{stage}"
        input:
            unpack(figure_extra_inputs(stage)),
            **spec["inputs"],
            style="workflow/matplotlibrc",
        output:
            pdf=report(
                "<results>/figures/{figure}.pdf",
                category=spec["category"],
                caption="../workflow/report/figure.rst",
            ),
        log:
            "<logs>/figures/{figure}.log",
        benchmark:
            "<results>/benchmarks/figures/{figure}.tsv"
        wildcard_constraints:
            figure="|".join(stage_figures(stage)),
        conda:
            "../envs/environment.yaml"
        resources:
            mem_mb=spec.get("mem_mb", 2048),
            runtime=10,
        params:
            code=figure_code,
            draw=lambda wildcards: FIGURES[wildcards.figure].draw,
            settings=canonical(spec.get("settings", {})),
            caption=figure_caption,
        script:
            "../workflow/scripts/figure.py"
