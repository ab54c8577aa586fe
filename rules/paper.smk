# The paper: the methods section from the config, the reproduction report (with the abstract's and
# conclusion's sentences), the provenance record, a float for each registered figure main.tex does not
# place by hand, then latexmk (and bibtex) over the generated numbers, figures and references.
from superscale.paper.figures import placed_by_hand
from superscale.paper.methods import PAPER_SECTIONS

NUMBERS = [
    "<paper>/generated/toy_small.tex",
    "<paper>/generated/toy_scaling.tex",
    "<paper>/generated/llm.tex",
    "<paper>/generated/methods.tex",
    "<paper>/generated/reproduction.tex",
    "<paper>/generated/shapes.tex",
    "<paper>/generated/features.tex",
    "<paper>/generated/figures.tex",
]


rule methods:
    input:
        paper_config="config/paper.yaml",
    output:
        tex="<paper>/generated/methods.tex",
    log:
        "<logs>/paper/methods.log",
    benchmark:
        "<results>/benchmarks/paper/methods.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        config={key: canonical(config[key]) for key in ["device", *PAPER_SECTIONS]},
        models=LLM_MODELS,
        datasets=LLM_DATASETS,
    script:
        "../workflow/scripts/methods.py"


rule reproduction:
    input:
        published="config/published.yaml",
        paper_config="config/paper.yaml",
        figure_values="data/authors_figures.csv",
        fits=expand("<results>/fits/{table}.csv", table=list(FIT_TABLES)),
        small_metrics="<results>/toy/small/metrics.csv",
        llm="<results>/fits/llm.json",
        zipf="<results>/llm/zipf.csv",
    output:
        csv=report(
            "<results>/reproduction.csv",
            caption="../workflow/report/reproduction.rst",
            category="Reproduction report",
        ),
        md="<results>/reproduction.md",
        tex="<paper>/generated/reproduction.tex",
    log:
        "<logs>/paper/reproduction.log",
    benchmark:
        "<results>/benchmarks/paper/reproduction.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        fit_tables=list(FIT_TABLES),
        config={section: canonical(config[section]) for section in PAPER_SECTIONS},
        models=LLM_MODELS,
        config_label=f"{', '.join(CONFIG_FILES) or 'config/config.yaml'} (config sha256 {CONFIG_SHA256[:12]})",
    script:
        "../workflow/scripts/reproduction.py"


# Registered figures paper/main.tex (with the files it inputs) does not include: read when the workflow
# is parsed, so that a text edit to the paper that places no figure reruns only latexmk.
PLACED_BY_HAND = placed_by_hand("paper/main.tex")
UNPLACED_FIGURES = [figure for figure in ALL_FIGURES if figure not in PLACED_BY_HAND]


rule paper_figures:
    output:
        tex="<paper>/generated/figures.tex",
    log:
        "<logs>/paper/paper_figures.log",
    benchmark:
        "<results>/benchmarks/paper/paper_figures.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        captions={
            figure: registry_caption(figure, config) for figure in UNPLACED_FIGURES
        },
    script:
        "../workflow/scripts/paper_figures.py"


rule provenance:
    input:
        figures=expand("<results>/figures/{figure}.pdf", figure=ALL_FIGURES),
        tables=NUMBERS
        + [
            "<results>/reproduction.csv",
            "<results>/reproduction.md",
            "<results>/shapes/models.csv",
            "<results>/shapes/similarity.csv",
        ],
    output:
        json="<results>/provenance.json",
        tex="<paper>/generated/provenance.tex",
    log:
        "<logs>/paper/provenance.log",
    benchmark:
        "<results>/benchmarks/paper/provenance.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        configfiles=CONFIG_FILES,
        config_sha256=CONFIG_SHA256,
        roots=ROOTS,
    script:
        "../workflow/scripts/provenance.py"


rule paper:
    input:
        tex="paper/main.tex",
        bib="paper/references.bib",
        numbers=NUMBERS + ["<paper>/generated/provenance.tex"],
        figures=expand("<results>/figures/{figure}.pdf", figure=ALL_FIGURES),
        katta="paper/sections/katta.tex",
        features="paper/sections/features.tex",
    output:
        pdf="<paper>/main.pdf",
    log:
        "<logs>/paper/latexmk.log",
    benchmark:
        "<results>/benchmarks/paper/latexmk.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        outdir=lambda wildcards, output: os.path.dirname(output.pdf),
    shell:
        """
        if ! command -v latexmk >/dev/null; then
            echo "latexmk not found: install TeX first, e.g. 'apt-get install latexmk" \
                "texlive-latex-base texlive-latex-recommended texlive-fonts-recommended'" | tee {log} >&2
            exit 1
        fi
        # paper/main.tex reads its generated/ files from this config's paper root first
        outdir="$(realpath {params.outdir})"
        TEXINPUTS="$outdir:" latexmk -pdf -cd -outdir="$outdir" -interaction=nonstopmode -halt-on-error \
            {input.tex} >{log} 2>&1 \
            || {{ echo "latexmk failed; see {log}" >&2; tail -n 30 {log} >&2; exit 1; }}
        """
