"""Provenance records: Snakemake's metadata joined with the job header of each log, chained
upstream; the audit's text; the figures' source lines."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from superscale import cli
from superscale.provenance import header, records
from superscale.provenance.audit import describe
from superscale.provenance.runlog import logged


class Named(dict):
    """Stands in for Snakemake's Namedlist (items() of name, value)."""


def write_metadata(workdir: Path, output: str, record: dict) -> None:
    root = workdir / ".snakemake/metadata"
    key = base64.urlsafe_b64encode(output.encode()).decode()
    limit = 255
    parts = [key[i : i + limit - 1] for i in range(0, len(key), limit - 1)]
    path = root.joinpath(*["@" + part for part in parts[:-1]], parts[-1])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def job(workdir: Path, rule: str, output: str, inputs: list[str], script: str, params: dict) -> None:
    """Run a fake job the way the pipeline's scripts do: header in the log, output, metadata."""
    log = f"logs/{rule}.log"
    smk = SimpleNamespace(rule=rule, wildcards=Named(), params=Named(params), threads=1, log=[str(workdir / log)])
    with logged(smk):
        print("working")
    (workdir / output).parent.mkdir(parents=True, exist_ok=True)
    (workdir / output).write_text(f"made by {rule}\n")
    bench = workdir / "results/benchmarks" / f"{rule}.tsv"
    bench.parent.mkdir(parents=True, exist_ok=True)
    bench.write_text("s\th:m:s\tmax_rss\n1.5\t0:00:01\t12.0\n")
    checksums = {name: "sha256:" + records.sha256(workdir / name) for name in inputs}
    write_metadata(
        workdir,
        output,
        {
            "rule": rule,
            "input": inputs,
            "log": [log],
            "shellcmd": None,
            "code": f'"../workflow/scripts/{script}"\n',
            "params": [str(v) for v in params.values()],
            "starttime": 1.0e9,
            "endtime": 1.0e9 + 2,
            "incomplete": False,
            "input_checksums": checksums,
        },
    )


def pipeline(workdir: Path, monkeypatch) -> None:
    monkeypatch.chdir(workdir)
    (workdir / "src.py").write_text("x = 1\n")
    job(workdir, "make_table", "results/table.csv", ["src.py"], "table.py", {"size": 3})
    job(workdir, "draw", "results/figure.pdf", ["results/table.csv", "src.py"], "draw.py", {"style": "dark"})


def test_chain_joins_metadata_header_and_benchmark(tmp_path, monkeypatch):
    pipeline(tmp_path, monkeypatch)
    chained = records.chain(tmp_path, ["results/figure.pdf"])
    assert list(chained) == ["results/figure.pdf", "results/table.csv"]
    figure = chained["results/figure.pdf"]
    assert figure["rule"] == "draw" and figure["script"] == "workflow/scripts/draw.py"
    assert figure["params"] == {"style": "dark"} and figure["wall_s"] == 1.5 and figure["max_rss_mb"] == 12.0
    assert figure["packages"]["pandas"] and figure["machine"]["cpu_count"] >= 1
    assert figure["inputs"]["results/table.csv"]["made_by_rule"] is True
    assert figure["inputs"]["src.py"] == {
        "sha256": records.sha256(tmp_path / "src.py"),
        "made_by_rule": False,
        "changed_since": False,
    }
    assert figure["commit"] is None and figure["dirty"] is None  # not a git checkout


def test_an_input_changed_after_the_job_is_flagged(tmp_path, monkeypatch):
    pipeline(tmp_path, monkeypatch)
    (tmp_path / "src.py").write_text("x = 2\n")
    chained = records.chain(tmp_path, ["results/figure.pdf"])
    assert chained["results/table.csv"]["inputs"]["src.py"]["changed_since"] is True
    lines = describe(chained, "results/figure.pdf")
    assert any("input src.py" in line and "CHANGED since this step ran" in line for line in lines)
    assert any(line.startswith("  results/table.csv") for line in lines)  # the upstream step, indented


def test_long_paths_use_snakemakes_split_record_names(tmp_path):
    output = "results/" + "x" * 300 + ".csv"
    write_metadata(tmp_path, output, {"rule": "long", "incomplete": False})
    assert records.metadata(tmp_path, output)["rule"] == "long"
    assert records.metadata(tmp_path, "results/other.csv") is None


def test_code_version_sees_commit_and_uncommitted_changes(tmp_path):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    (tmp_path / "a.py").write_text("1\n")
    for command in (
        ["init", "-q"],
        ["add", "a.py"],
        ["commit", "-qm", "a"],
        ["remote", "add", "origin", "git@github.com:someone/superscale.git"],
    ):
        subprocess.run(git + command, cwd=tmp_path, check=True)
    clean = header.code_version(tmp_path)
    assert len(clean["commit"]) == 40 and clean["dirty"] is False
    (tmp_path / "a.py").write_text("2\n")
    assert header.code_version(tmp_path)["dirty"] is True
    assert records.repository_url(tmp_path) == "https://github.com/someone/superscale"


def test_source_line_links_the_script_at_its_commit():
    step = {
        "script": "workflow/scripts/figure_toy_small.py",
        "rule": "figure_toy_small",
        "commit": "a" * 40,
        "dirty": True,
    }
    line = records.source_line(step, "f" * 64, "https://github.com/someone/superscale")
    assert (
        r"\href{https://github.com/someone/superscale/blob/" + "a" * 40 + "/workflow/scripts/figure_toy_small.py}"
        in line
    )
    assert "with uncommitted changes" in line and r"\texttt{ffffffffffff}" in line
    offline = records.source_line(step | {"commit": None}, "f" * 64, None)
    assert r"\href" not in offline and "code outside git" in offline and r"figure\_toy\_small.py" in offline


def test_the_metadata_reader_refuses_an_untested_snakemake():
    records.check_snakemake(records.TESTED_SNAKEMAKE + ".1")
    with pytest.raises(RuntimeError, match="envs/requirements.txt"):
        records.check_snakemake("10.0.0")


def test_the_superscale_command_runs_the_audit(tmp_path, capsys):
    assert cli.main(["audit", "results/none.pdf", "--workdir", str(tmp_path), "--no-snakemake"]) == 2
    assert "not an output" in capsys.readouterr().err
    assert cli.main([]) == 2 and "usage: superscale {audit,rerun}" in capsys.readouterr().err
