"""Rule provenance: what made every figure, table and generated number (results/provenance.json),
and the source line under each figure of the paper."""

import datetime
import json
import os
from pathlib import Path

from superscale.paper.latex import escape, latex_macros
from superscale.provenance.header import code_version, environment
from superscale.provenance.records import chain, machines, repository_url, source_line
from superscale.provenance.runlog import logged

smk = snakemake

with logged(smk):
    roots = dict(smk.params.roots)
    records = chain(".", list(smk.input.figures) + list(smk.input.tables), roots)
    run = {
        "configfiles": list(smk.params.configfiles),
        "roots": roots,
        "config_sha256": smk.params.config_sha256,
        "written": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        **code_version(),
        **environment(),
    }
    Path(smk.output.json).write_text(json.dumps({"run": run, "outputs": records}, indent=1, default=str))
    url = repository_url()
    jobs = {step["log"] or path: step for path, step in records.items()}  # a job may make several outputs
    macros = {
        "RunCommit": run["commit"][:10] if run["commit"] else "none (not a git checkout)",
        "RunDirty": "with uncommitted changes" if run["dirty"] else "clean",
        "RunConfigHash": smk.params.config_sha256[:12],
        "RunConfigFiles": escape(", ".join(smk.params.configfiles)) or "config/config.yaml",
        "RunOutputs": len(records),
        "RunJobs": len(jobs),
        "RunComputeHours": sum(step["wall_s"] or 0.0 for step in jobs.values()) / 3600,
        "RunMachines": escape("; ".join(machines(records))) or "not recorded",
    }
    # paper/main.tex is compiled where it lies; the figures are this config's, under its results root
    figures = os.path.relpath(os.path.dirname(smk.input.figures[0]), "paper")
    lines = [latex_macros(macros), rf"\graphicspath{{{{{figures}/}}}}"]
    for figure in smk.input.figures:
        name = Path(figure).stem
        lines.append(
            rf"\expandafter\def\csname figsource@{name}\endcsname{{{source_line(records[figure], smk.params.config_sha256, url)}}}"
        )
    text = "\n".join(lines) + "\n"
    Path(smk.output.tex).write_text(text)
    print(text)
