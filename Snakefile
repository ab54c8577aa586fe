# superscale: regenerate "Superposition Yields Robust Neural Scaling" (arXiv 2505.10465) from nothing.
#   snakemake --cores all                                  offline CPU default (config/config.yaml)
#   snakemake --cores all --configfile config/paper.yaml   the paper's grids, for a GPU
from snakemake.utils import min_version

from superscale.core.configfiles import load_yaml

min_version("9.0")


# A run with --configfile uses those files alone: merged under them, config/config.yaml would
# silently fill in every section and key they lack, and the run would not be the one they describe.
if not workflow.overwrite_configfiles:
    # read strictly first: Snakemake's own reader names neither the file nor the line of an error
    load_yaml("config/config.yaml")

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "rules/common.smk"
include: "rules/toy.smk"
include: "rules/llm.smk"
include: "rules/shapes.smk"
include: "rules/features.smk"
include: "rules/figures.smk"
include: "rules/paper.smk"


rule all:
    default_target: True
    input:
        "<paper>/main.pdf",


# Last, once every rule is defined: each rule's code fingerprint, from the script it runs.
fingerprint_rule_code()
