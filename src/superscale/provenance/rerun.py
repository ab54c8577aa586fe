"""Run one job's script again outside Snakemake, on the inputs and params it ran with, to debug it
against a built tree (a breakpoint, a print, `--pdb` at a failure) without changing that tree.

    superscale rerun results/fits/toy_small.csv [--into DIR] [--pdb] [--workdir DIR]

The job is found in the tree's records: its script and log from Snakemake's record of the output, its
named inputs, outputs, params, wildcards and threads from the header at the top of that log. The
outputs and the log are written under --into (default debug/<rule>/, same relative paths), so the
built tree and Snakemake's view of it stay as they were; the inputs are read where they are.
"""

from __future__ import annotations

import argparse
import os
import pdb
import runpy
import sys
import traceback
from pathlib import Path
from types import SimpleNamespace

from superscale.provenance.header import read_header
from superscale.provenance.records import check_snakemake, record


class JobFiles(list):
    """Files or values by position and by name, as a script reads Snakemake's named lists."""

    def __init__(self, values: list, names: dict):
        super().__init__(values)
        self._names = dict(names)
        for name, value in self._names.items():
            setattr(self, name, value)

    def items(self):
        return self._names.items()


def _moved(recorded: dict, into: Path) -> dict:
    """Recorded files with every path placed under `into` (a named list of paths keeps its shape)."""

    def move(value):
        return [move(item) for item in value] if isinstance(value, list) else str(into / value)

    return {"files": [move(f) for f in recorded["files"]], "names": {k: move(v) for k, v in recorded["names"].items()}}


def job(workdir: Path, path: str, into: Path | None = None) -> tuple[Path, SimpleNamespace, Path]:
    """The script that made `path`, the `snakemake` object to run it with and the folder its outputs
    are moved under (`into`, default debug/<rule>/)."""
    check_snakemake()
    step = record(workdir, path)
    if step is None:
        raise SystemExit(f"{path}: no Snakemake record in {workdir}/.snakemake: not an output of a completed run here")
    if step["script"] is None:
        raise SystemExit(f"{path}: made by rule {step['rule']}'s shell command, not a script: rerun it with snakemake")
    header = read_header(workdir / step["log"]) if step["log"] else None
    if not header or header.get("input") is None:
        raise SystemExit(
            f"{path}: the log of rule {step['rule']} ({step['log']}) does not record the job's files (written by an "
            f"older version): remake it with `snakemake {path} --forcerun {step['rule']}`, then rerun"
        )
    into = into or workdir / "debug" / step["rule"]
    output, log = _moved(header["output"], into), _moved({"files": [step["log"]], "names": {}}, into)
    smk = SimpleNamespace(
        rule=header["rule"],
        input=JobFiles(header["input"]["files"], header["input"]["names"]),
        output=JobFiles(output["files"], output["names"]),
        log=JobFiles(log["files"], log["names"]),
        params=JobFiles(list(header["params"].values()), header["params"]),
        wildcards=JobFiles(list(header["wildcards"].values()), header["wildcards"]),
        threads=header["threads"],
    )
    return workdir / step["script"], smk, into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="superscale rerun", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="an output of the pipeline, relative to the workflow directory")
    parser.add_argument("--workdir", default=".", help="the workflow directory (default: .)")
    parser.add_argument("--into", help="where the outputs and the log go (default: debug/<rule>/)")
    parser.add_argument("--pdb", action="store_true", help="open the debugger where the script fails")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir).resolve()
    script, smk, into = job(workdir, args.path, Path(args.into).resolve() if args.into else None)
    for file in smk.output:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
    print(f"rule {smk.rule}: running {script.relative_to(workdir)}; log {smk.log[0]}")
    os.chdir(workdir)  # the recorded inputs are relative to the workflow directory
    try:
        runpy.run_path(str(script), init_globals={"snakemake": smk}, run_name="__main__")
    except Exception:
        if not args.pdb:
            print(f"rule {smk.rule} failed; the traceback is in {smk.log[0]}", file=sys.stderr)
            return 1
        traceback.print_exc()
        pdb.post_mortem(sys.exc_info()[2])
        return 1
    print("wrote " + ", ".join(str(Path(f).relative_to(into)) for f in smk.output) + f" under {into}")
    return 0
