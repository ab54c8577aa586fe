"""Print the chain of jobs that made one pipeline output, and whether it is up to date.

    superscale audit results/figures/fig03.pdf [--workdir DIR] [--configfile FILE ...]

Each step shows the rule, the script (or shell command), the commit the code was at and whether the
tree had uncommitted changes, the params, the wall time, and every input with its SHA-256; an
input whose content differs from the one the step read is flagged. Snakemake itself (a dry run
with the run's config files, which its provenance.json records) then says whether the output
is up to date and, if not, why. Exit status: 0 up to date, 1 out of date, 2 unknown output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from superscale.core.roots import DEFAULT_ROOTS, recorded_run
from superscale.provenance.records import chain


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "missing"


def _code(step: dict) -> str:
    if step["commit"] is None:
        return "commit unknown"
    return f"commit {step['commit'][:12]}" + (" + uncommitted changes" if step["dirty"] else "")


def describe(records: dict[str, dict], path: str) -> list[str]:
    """The chain below `path` as indented lines; a step shown once is referred to afterwards."""
    lines: list[str] = []
    shown: dict[str, str] = {}  # job (its log) -> the output it was shown under

    def visit(name: str, depth: int) -> None:
        pad = "  " * depth
        step = records[name]
        job = step["log"] or name
        if job in shown:
            lines.append(f"{pad}{name}  (made by {step['rule']}, the job shown above under {shown[job]})")
            return
        shown[job] = name
        made_by = step["script"] or f"shell: {' '.join((step['shell'] or '').split())[:80]}"
        wall = f"{step['wall_s']:.1f} s" if step["wall_s"] is not None else "wall time unknown"
        lines.append(f"{pad}{name}  sha256 {_short(step['sha256'])}")
        lines.append(f"{pad}  rule {step['rule']} · {made_by} · {_code(step)} · {wall} · finished {step['finished']}")
        if step.get("code"):
            flag = "  CHANGED since this step ran" if step["code_changed_since"] else ""
            lines.append(f"{pad}  code {_short(step['code'])} (the script and the library it imports){flag}")
        if step["params"]:
            params = (
                step["params"]
                if isinstance(step["params"], list)
                else [f"{key}={json.dumps(value, default=str)}" for key, value in step["params"].items()]
            )
            for param in params:
                text = str(param)
                lines.append(f"{pad}  param {text if len(text) <= 100 else text[:97] + '...'}")
        for source, info in step["inputs"].items():
            if info["made_by_rule"] and source in records:
                continue
            flag = "  CHANGED since this step ran" if info["changed_since"] else ""
            lines.append(f"{pad}  input {source}  sha256 {_short(info['sha256'])}{flag}")
        for source, info in step["inputs"].items():
            if info["made_by_rule"] and source in records:
                visit(source, depth + 1)

    visit(path, 0)
    return lines


def snakemake_verdict(workdir: Path, path: str, configfiles: list[str]) -> tuple[bool | None, list[str]]:
    """Snakemake's dry run for `path`: (up to date?, the jobs it would run and why)."""
    command = ["snakemake", "--dry-run", "--cores", "1", path]
    if configfiles:
        command += ["--configfile", *configfiles]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        return None, [f"snakemake --dry-run failed: {output.strip().splitlines()[-1] if output.strip() else ''}"]
    if "Nothing to be done" in output:
        return True, []
    reasons = sorted(set(re.findall(r"^\s*reason: (.+)$", output, re.M)))
    jobs = re.findall(r"^rule (\w+):", output, re.M)
    return False, [f"{len(jobs)} job(s) would run: {', '.join(sorted(set(jobs)))}"] + [f"reason: {r}" for r in reasons]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="superscale audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="an output of the pipeline, relative to the workflow directory")
    parser.add_argument("--workdir", default=".", help="the workflow directory (default: .)")
    parser.add_argument("--configfile", nargs="+", help="config files of the run (default: from its provenance.json)")
    parser.add_argument("--no-snakemake", action="store_true", help="skip Snakemake's up-to-date check")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir)
    run = recorded_run(args.path, workdir)
    records = chain(workdir, [args.path], run.get("roots", DEFAULT_ROOTS))
    if args.path not in records:
        print(
            f"{args.path}: no Snakemake record in {workdir / '.snakemake/metadata'}: not an output of a "
            "completed run in this directory",
            file=sys.stderr,
        )
        return 2
    print("\n".join(describe(records, args.path)))
    changed = sorted(
        {source for step in records.values() for source, info in step["inputs"].items() if info["changed_since"]}
        | {f"the code of {step['script']}" for step in records.values() if step.get("code_changed_since")}
    )
    if changed:
        print(f"inputs changed since they were read: {', '.join(changed)}")
    if args.no_snakemake:
        return 1 if changed else 0
    configfiles = args.configfile if args.configfile is not None else run.get("configfiles")
    up_to_date, notes = snakemake_verdict(workdir, args.path, configfiles or [])
    verdict = {True: "yes", False: "no", None: "unknown"}[up_to_date]
    print(f"up to date (snakemake --dry-run): {verdict}")
    for note in notes:
        print(f"  {note}")
    return 0 if up_to_date else 1


def run(argv: list[str] | None = None) -> int:
    """main, quiet when its reader stops early (`| head`): that is the reader's choice, not an error."""
    try:
        status = main(argv)
        sys.stdout.flush()  # here, not at exit: a reader that stopped early fails inside the try
    except BrokenPipeError:
        # Point stdout at /dev/null so that the flush at exit has nothing left to fail on.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 128 + signal.SIGPIPE  # what a shell reports for a writer stopped by its reader
    return status
