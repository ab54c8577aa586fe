"""Output roots per config: checked names, the benchmark beside each log, the run record of an output."""

from __future__ import annotations

import json

import pytest

from superscale.core.roots import DEFAULT_ROOTS, benchmark_of, output_roots, recorded_run

STUDY = {
    "results": "results/study",
    "logs": "logs/study",
    "resources": "resources/study",
    "paper": "results/study/paper",
}


def test_default_roots_are_the_repository_folders_and_a_config_names_its_own():
    assert output_roots({}) == DEFAULT_ROOTS
    assert output_roots({"pathvars": STUDY}) == STUDY
    assert output_roots({"pathvars": {"results": "results/study"}})["logs"] == "logs"


@pytest.mark.parametrize("root", ["/tmp/out", "../elsewhere", "results/../x", "results study", "results/", "", 3])
def test_a_root_that_is_not_a_plain_relative_folder_names_its_key(root):
    with pytest.raises(ValueError, match=r"config pathvars\.results: .* is not a relative folder"):
        output_roots({"pathvars": {"results": root}})


def test_unknown_or_shared_roots_are_refused():
    with pytest.raises(ValueError, match="unknown root"):
        output_roots({"pathvars": {"figures": "figs"}})
    with pytest.raises(ValueError, match="two roots share a folder"):
        output_roots({"pathvars": {"logs": "results"}})


def test_benchmark_follows_the_log_under_each_configs_roots():
    assert benchmark_of("logs/toy/train/x.log", DEFAULT_ROOTS) == "results/benchmarks/toy/train/x.tsv"
    assert benchmark_of("logs/study/toy/train/x.log", STUDY) == "results/study/benchmarks/toy/train/x.tsv"
    assert benchmark_of("elsewhere/x.log", STUDY) is None and benchmark_of(None, STUDY) is None


def test_an_output_finds_the_record_of_the_run_that_made_it(tmp_path):
    for root, name in (("results", "default.yaml"), ("results/study", "study.yaml")):
        (tmp_path / root).mkdir(parents=True, exist_ok=True)
        (tmp_path / root / "provenance.json").write_text(json.dumps({"run": {"configfiles": [name]}}))
    assert recorded_run("results/study/figures/fig03.pdf", tmp_path)["configfiles"] == ["study.yaml"]
    assert recorded_run("results/study/paper/main.pdf", tmp_path)["configfiles"] == ["study.yaml"]
    assert recorded_run("paper/main.pdf", tmp_path)["configfiles"] == ["default.yaml"]
    assert recorded_run("paper/main.pdf", tmp_path / "nothing") == {}
