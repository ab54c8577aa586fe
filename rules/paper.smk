# The paper: generated numbers and figures in, latexmk out.


rule paper:
    input:
        tex="paper/main.tex",
        numbers=["paper/generated/toy_small.tex", "paper/generated/toy_scaling.tex"],
        figures=expand(
            "results/figures/{figure}.pdf",
            figure=SMALL_FIGURES + LARGE_FIGURES + ESWEEP_FIGURES + FIG18_FIGURES,
        ),
        llm_numbers="paper/generated/llm.tex",
        llm_figures=expand("results/figures/{figure}.pdf", figure=LLM_FIGURES),
        aspect_section="paper/sections/katta.tex",
        aspect_numbers="paper/generated/aspect.tex",
        aspect_figures=expand("results/figures/{figure}.pdf", figure=ASPECT_FIGURES),
    output:
        pdf="paper/main.pdf",
    log:
        "logs/paper/latexmk.log",
    benchmark:
        "results/benchmarks/paper/latexmk.tsv"
    conda:
        "../envs/environment.yaml"
    resources:
        mem_mb=1024,
        runtime=10,
    shell:
        """
        if ! command -v latexmk >/dev/null; then
            echo "latexmk not found: install TeX first, e.g. 'apt-get install latexmk" \
                "texlive-latex-base texlive-latex-recommended texlive-fonts-recommended'" | tee {log} >&2
            exit 1
        fi
        latexmk -pdf -cd -interaction=nonstopmode -halt-on-error {input.tex} >{log} 2>&1 \
            || {{ echo "latexmk failed; see {log}" >&2; tail -n 30 {log} >&2; exit 1; }}
        """
