# Helpers of rules/toy.smk: its config section and plan, wildcard constraints and input
# functions (kept apart from the rules, as snakemake --lint asks).
import shutil

from superscale.toy import resources as toy_resources
from superscale.toy.plan import FAMILIES, check_widths, toy_plan

SMALL = canonical(config["toy_small"])
LARGE = canonical(config["toy_large"])
check_widths(config)

# Training jobs claim the GPU only where there is one, so CPU runs keep their parallelism.
USES_GPU = config["device"] == "cuda" or (
    config["device"] == "auto" and shutil.which("nvidia-smi") is not None
)

# Training jobs of every toy family (small, esweep, fig18, large) and the cells their tables hold.
TOY = toy_plan(config, USES_GPU)
TRAINING = {"small": SMALL, "esweep": SMALL, "fig18": SMALL, "large": LARGE}
FIT_TABLES = {f"toy_{family}": family for family in FAMILIES}  # fit table -> family


wildcard_constraints:
    family="|".join(FAMILIES),
    job=r"[^/]+",
    table="|".join(FIT_TABLES),


def toy_job_files(family, pattern):
    """pattern (with {family} and {job}) for every training job whose cells the family's tables hold."""
    return [pattern.format(family=owner, job=job) for owner, job in TOY.members[family]]


def toy_cell_files(wildcards, pattern):
    """pattern (with {family} and {job}) for every training job that holds widths of the cell."""
    if wildcards.cell not in TOY.parts[wildcards.family]:
        raise ValueError(
            f"no {wildcards.family} cell {wildcards.cell} in this config; its cells are "
            f"{', '.join(TOY.parts[wildcards.family])}"
        )
    return [
        pattern.format(family=wildcards.family, job=job)
        for job in TOY.cell_jobs(wildcards.family, wildcards.cell)
    ]


def toy_job_rows(wildcards):
    """Metrics file -> the rows (cell and width) it must hold, for every job of the family's table."""
    return {
        workflow.pathvars.apply(f"<results>/toy/{owner}/cells/{job}.csv"): TOY.job_rows(
            owner, job
        )
        for owner, job in TOY.members[wildcards.family]
    }


def toy_job_specs(wildcards):
    """Everything that decides a job's trained weights (its params trigger)."""
    return TOY.job_specs(wildcards.family, wildcards.job)


def toy_train_threads(wildcards):
    return TRAINING[wildcards.family]["threads"]


def toy_train_mem_mb(wildcards):
    cells = len(TOY.jobs[wildcards.family][wildcards.job])
    return toy_resources.train_mem_mb(TRAINING[wildcards.family], cells)


def toy_train_runtime(wildcards):
    return toy_resources.train_minutes(
        toy_job_specs(wildcards), toy_train_threads(wildcards)
    )
