"""Integration: the whole DAG on a tiny config, its no-op rerun, and incremental grid growth."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workflow_copy import planned_jobs

from superscale.figures.registry import FIGURES, caption
from superscale.paper.latex import log_problems
from superscale.provenance.records import sha256

pytestmark = pytest.mark.integration


def snakemake(workdir: Path, *args: str, own_library: bool = False) -> str:
    """Run snakemake in workdir; `own_library`: with the library of workdir/src (a test that edits what the
    workflow imports when parsed, such as the figure registry), not the one installed."""
    env = {**os.environ, "PYTHONPATH": str(workdir / "src")} if own_library else None
    result = subprocess.run(
        ["snakemake", *args, "--cores", "2", "--configfile", "tiny.yaml"],  # targets before --configfile
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


@pytest.fixture
def built(tiny_tree) -> Path:
    return tiny_tree


def test_full_run_builds_paper_and_tables(built):
    assert (built / "paper/main.pdf").stat().st_size > 10_000
    latex_log = (built / "paper/main.log").read_text(errors="replace")
    assert "undefined" not in latex_log and "Citation" not in latex_log
    metrics = pd.read_csv(built / "results/toy/small/metrics.csv")
    assert len(metrics) == 2 * 2 * 3  # gamma x alpha x m, one seed
    assert {"loss", "phi_half", "phi_one", "mean_sq_overlap", "ambiguity"} <= set(metrics.columns)
    assert (metrics.loss > 0).all()
    fits = pd.read_csv(built / "results/fits/toy_small.csv")
    assert list(fits.columns[:6]) == ["gamma", "alpha", "alpha_m", "alpha_m_se", "r2", "n_points"]
    assert (fits.n_points == 3).all()
    assert (built / "logs/toy/small/train/g-1.0000_a1.0000_s0.log").read_text().count("train")


def test_paper_log_has_no_overfull_box_or_undefined_reference(built):
    """Nothing runs into the margin and no reference or citation prints as "??"."""
    assert log_problems((built / "paper/main.log").read_text(errors="replace")) == []


def misprinted_figure_text(pdf: Path, smallest: float = 6.0, largest: float = 12.0) -> list[str]:
    """Lines of figure text (the style's DejaVu fonts; LaTeX's are Computer Modern) printed under
    `smallest` or over `largest` points: a figure drawn larger than it is included shrinks its text,
    one drawn smaller blows it up. A line counts at its largest span, so sub- and superscripts (0.7
    of their line) do not count on their own."""
    import fitz

    lines = []
    for number, page in enumerate(fitz.open(pdf), 1):
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                spans = [span for span in line["spans"] if span["text"].strip() and "DejaVu" in span["font"]]
                size = max((span["size"] for span in spans), default=smallest)
                if not smallest - 0.05 <= size <= largest:
                    lines.append(f"p. {number}, {size:.1f} pt: {''.join(span['text'] for span in spans)}")
    return lines


def test_figure_text_prints_at_a_readable_size(built):
    """Legends, ticks and labels of every figure at 6-12 pt as the paper includes them."""
    assert misprinted_figure_text(built / "paper/main.pdf") == []


def test_llm_stage_runs_end_to_end_on_tiny_models(built):
    heads = pd.read_csv(built / "results/llm/heads.csv")
    assert list(heads.model) == ["tiny-8", "tiny-16", "tiny-32"]
    assert {
        "family",
        "d_model",
        "vocab",
        "mean_sq_overlap",
        "norm_mean",
        "norm_std",
        "norm_min",
        "norm_max",
        "phi_half",
    } <= set(heads.columns)
    losses = pd.read_csv(built / "results/llm/losses.csv")
    assert len(losses) == 3 * 3
    absent = losses[losses.dataset == "absent"]
    assert (absent.tokens == 0).all() and absent.status.str.contains("apt-get install fortunes").all()
    assert (losses[losses.status == "ok"].tokens > 0).all()
    fits = json.loads((built / "results/fits/llm.json").read_text())
    assert {"alpha_m", "alpha_m_se", "C_m", "offsets", "points"} <= set(fits)
    assert len(fits["joint_checkpoints"]["points"]) == 3 * 2  # the absent text has no loss, so no point
    assert len(fits["points"]) == 3 * 2 + 2 * 2  # and the width ladder's (width, seed) points
    # two ladder widths cannot fix three parameters; twenty steps fail the gate
    assert (
        fits["ladder"]["n_points"] == 4 and not fits["ladder"]["fitted"] and fits["ladder"]["gate"] == "under-trained"
    )
    bottleneck = fits["bottleneck"]
    assert bottleneck["fitted"] and bottleneck["L_inf_measured"] and bottleneck["n_points"] == 3 * 2
    assert [p["alpha_planted"] for p in bottleneck["planted"]] == [0.5, 0.9]
    assert set(fits["bottleneck_overlap_vs_inverse_width"]) == {"raw", "centred", "init"}
    assert "skipped" in (built / "logs/llm/losses/tiny-8.log").read_text()
    assert "\\LlmAlphaM" in (built / "paper/generated/llm.tex").read_text()
    assert "Bottleneck heads (" in (built / "paper/generated/llm.tex").read_text()


def test_shape_sweep_runs_end_to_end(built):
    models = pd.read_csv(built / "results/shapes/models.csv")
    assert len(models) == 2 * 2  # two shapes x two seeds
    assert {
        "n_nonembedding",
        "d_model",
        "n_layer",
        "seed",
        "heldout_loss",
        "mean_sq_overlap",
        "overlap_ratio",
        "phi_half",
        "implied_density_vocab",
        "device",
    } <= set(models.columns)
    assert (models.heldout_loss > 0).all() and (models.tokens_trained == 30 * 4 * 32).all()
    assert models.n_nonembedding.max() / models.n_nonembedding.min() < 1.05
    similarity = pd.read_csv(built / "results/shapes/similarity.csv")
    assert len(similarity) == 6 * 3  # pairs of 4 models x (2 depths + unembedding)
    assert (similarity.kind == "same shape").sum() == 2 * 3
    assert similarity.cka.between(0, 1 + 1e-9).all()
    assert len(pd.read_csv(built / "results/shapes/llm_shapes.csv")) == 3
    assert "\\ShapesConclusion" in (built / "paper/generated/shapes.tex").read_text()
    assert "step 30/30" in (built / "logs/shapes/train/L4_d8_s1.log").read_text()
    ladder = pd.read_csv(built / "results/shapes/ladder.csv")
    assert list(zip(ladder.d_model, ladder.seed)) == [(8, 0), (8, 1), (16, 0), (16, 1)]
    assert ladder.data_seed.nunique() == 2 and (ladder.vocab >= 8 * ladder.d_model).all()
    assert {"heldout_loss", "mean_sq_overlap", "overlap_ratio", "phi_half"} <= set(ladder.columns)
    curves = pd.read_csv(built / "results/shapes/ladder_curves.csv")
    assert sorted(set(curves.step)) == [10, 20] and len(curves) == 2 * len(ladder)
    assert {"mean_sq_overlap_centred", "mean_sq_overlap_init", "passes_gate", "tokens_per_parameter"} <= set(ladder)
    assert not ladder.passes_gate.any()  # 20 steps are far from 20 tokens per parameter
    heads = pd.read_csv(built / "results/shapes/bottleneck.csv")
    assert list(zip(heads.width, heads.seed)) == [(m, s) for m in (2, 4, 8, 16) for s in (0, 1)]
    assert heads.full_width.tolist() == [False] * 6 + [True] * 2 and (heads.heldout_loss > 0).all()
    assert "trunk_heldout_loss" in json.loads((built / "results/shapes/bottleneck.json").read_text())


def test_adding_a_model_or_a_seed_analyses_or_trains_only_those(built):
    config = yaml.safe_load((built / "tiny.yaml").read_text())
    extra = dict(config["llm"]["extra_models"]["tiny-16"], hf_id="none/again")
    config["llm"]["extra_models"]["tiny-again"] = extra
    config["llm"]["models"].append("tiny-again")
    config["shapes"]["seeds"].append(2)  # one dry run for both changes: each DAG costs seconds
    (built / "more.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        ["snakemake", "--cores", "1", "--dry-run", "--configfile", "more.yaml"],
        cwd=built,
        capture_output=True,
        text=True,
    )
    jobs = planned_jobs(result.stdout + result.stderr)
    for rule in ("llm_fetch", "llm_head", "llm_losses", "llm_token_counts"):
        assert jobs[rule] == 1, (rule, jobs)
    assert jobs["shapes_train"] == 2, jobs  # the new seed x two shapes
    assert "toy_train" not in jobs and "shapes_tokens" not in jobs


@pytest.fixture
def edited(built, tmp_path) -> Path:
    """A copy of the built tree (mtimes and Snakemake's records kept) for a test to edit."""
    return Path(shutil.copytree(built, tmp_path / "copy", symlinks=True))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def rules_to_rerun(workdir: Path) -> dict[str, int]:
    jobs = planned_jobs(snakemake(workdir, "--dry-run"))
    jobs.pop("all", None)  # the target rule, not work
    return jobs


def test_style_edit_reruns_only_figures_and_paper(edited):
    append(edited / "workflow/matplotlibrc", "\n# a style edit\n")
    rules = set(rules_to_rerun(edited))
    assert {"figure_toy_small", "figure_toy_large", "figure_toy_esweep", "figure_toy_fig18", "figure_llm"} <= rules
    assert rules - {"provenance", "paper"} == {rule for rule in rules if rule.startswith("figure_")}


LIBRARY = "src/superscale"


def change_meaning(workdir: Path, module: str, function: str) -> None:
    """Give `function` of `module` a new first statement: a change in what the code does."""
    path = workdir / LIBRARY / module
    text = path.read_text()
    start = text.index(f"def {function}(")
    body = text.index('"""', text.index('"""', text.index(":\n", start)) + 3) + 3  # after its docstring
    path.write_text(text[:body] + "\n    _edited = True" + text[body:])


def test_feature_stage_runs_end_to_end(built):
    laws = pd.read_csv(built / "results/features/laws.csv")
    assert list(laws[["model", "depth", "size"]].itertuples(index=False, name=None)) == [("tiny-16", "last", 8)]
    assert {"alpha", "alpha_se", "alpha_quoted", "x_min", "decades", "p_gof", "lr_lognormal", "p_lognormal"} <= set(
        laws.columns
    )
    assert {"lr_exponential", "p_exponential", "lr_truncated_power_law", "p_truncated_power_law"} <= set(laws.columns)
    verdicts = ["favoured", "disfavoured", "undecided", "rejected"]
    assert laws.verdict.isin(verdicts).all()
    controls = pd.read_csv(built / "results/features/controls.csv")
    assert set(controls.control) == {"tokens (same positions)", "tokens (LLM stage, thinned)", "null (random init)"}
    assert controls.verdict.isin(verdicts).all()
    tokens = pd.read_csv(built / "results/features/tokens/tiny-16.csv")
    own = controls[controls.control == "tokens (same positions)"]
    assert own.tokens.iloc[0] == len(tokens) == laws.tokens.iloc[0]  # the same tokens as the latents
    confusion = pd.read_csv(built / "results/features/confusion.csv")
    assert (confusion[verdicts].sum(axis=1) == confusion.seeds).all()
    latents = pd.read_csv(built / "results/features/latents.csv")
    assert len(latents) == 8 * 16 and latents.frequency.between(0, 1).all()
    dictionaries = pd.read_csv(built / "results/features/dictionaries.csv")
    assert dictionaries.loss_clean.iloc[0] == pytest.approx(dictionaries.loss_model.iloc[0], rel=1e-4)
    assert set(pd.read_csv(built / "results/features/planted.csv").law) == {"power", "lognormal"}
    fits = pd.read_csv(built / "results/features/toy_fits.csv")
    assert list(fits.regime) == ["strong", "weak"] and fits.alpha_m.notna().all()
    assert "\\FeaturesAnswer" in (built / "paper/generated/features.tex").read_text()


def test_comment_and_docstring_edits_to_every_module_plan_no_job(edited):
    for path in (edited / LIBRARY).rglob("*.py"):
        append(path, "\n# a comment\n")
    trainer = edited / LIBRARY / "toy/trainer.py"
    trainer.write_text(trainer.read_text().replace('"""Batched training', '"""Reworded: batched training', 1))
    assert "Nothing to be done" in snakemake(edited, "--dry-run")


def test_evaluation_edit_retrains_nothing(edited):
    change_meaning(edited, "toy/evaluation.py", "evaluate_losses")
    jobs = rules_to_rerun(edited)
    assert jobs["toy_cell_metrics"] == len(list((edited / "results/toy").glob("*/cells/*_norms.parquet")))
    assert "toy_train" not in jobs and "shapes_train" not in jobs, jobs


def test_toy_trainer_edit_trains_no_shape_model(edited):
    change_meaning(edited, "toy/trainer.py", "train_toys")
    jobs = rules_to_rerun(edited)
    assert jobs["toy_train"] == len(list((edited / "results/toy").glob("*/weights/*.pt")))
    assert not any(rule.startswith("shapes_") for rule in jobs), jobs


def planned_figures(output: str) -> set[str]:
    """The figures a dry run would draw, read from its jobs' outputs."""
    return set(re.findall(r"^\s+output: results/figures/(\w+)\.pdf$", output, re.M))


def test_plot_edit_replots_only_its_figures(edited):
    change_meaning(edited, "figures/toy.py", "fig3_representation")
    output = snakemake(edited, "--dry-run")
    assert set(planned_jobs(output)) - {"all"} == {"figure_toy_small", "provenance", "paper"}
    # the figures figures.toy draws; Figs. 16 and 17, small toys drawn by figures.scaling, stay
    drawn_by_toy = {name for name, figure in FIGURES.items() if figure.draw.startswith("superscale.figures.toy:")}
    assert planned_figures(output) == drawn_by_toy and {"fig16", "fig17"}.isdisjoint(drawn_by_toy)


def test_caption_edit_redraws_nothing(edited):
    """A caption lives in the registry, which no figure's code fingerprint includes."""
    registry = edited / LIBRARY / "figures/registry.py"
    text = registry.read_text()
    registry.write_text(text.replace("Representation at alpha~1", "Representation, reworded,"))
    assert registry.read_text() != text
    assert "Nothing to be done" in snakemake(edited, "--dry-run", own_library=True)


DEMO_DRAWING = '''"""A figure the test suite declares once in the registry."""

from matplotlib.figure import Figure


def draw_demo(data, settings):
    fig = Figure(figsize=(3.0, 2.0), layout="constrained")
    fig.subplots().plot(data.fits["alpha"], data.fits["alpha_m"], "o")
    return fig
'''
DEMO_CAPTION = "A figure declared once: alpha_m against alpha of the wide toys."


def test_a_figure_declared_once_appears_in_the_rules_the_report_and_the_paper(edited):
    """One registry entry (and its drawing) is all a new figure needs: its stage's rule draws it, the
    report prints its caption, and the paper, whose text does not place it, gets a float for it."""
    (edited / LIBRARY / "figures/demo.py").write_text(DEMO_DRAWING)
    entry = f'FIGURES["demo_fig"] = Figure("toy_fig18", "superscale.figures.demo:draw_demo", {DEMO_CAPTION!r})'
    append(edited / LIBRARY / "figures/registry.py", f"\n{entry}\n")
    jobs = planned_jobs(snakemake(edited, "--dry-run", own_library=True))
    jobs.pop("all", None)
    assert jobs == {"figure_toy_fig18": 1, "paper_figures": 1, "provenance": 1, "paper": 1}
    snakemake(edited, own_library=True)
    assert (edited / "results/figures/demo_fig.pdf").stat().st_size > 1000
    placed = (edited / "paper/generated/figures.tex").read_text()
    assert "{demo_fig.pdf}" in placed and r"\figsource{demo_fig}" in placed
    assert r"\caption{A figure declared once: alpha\_m against alpha of the wide toys.}" in placed
    assert "figsource@demo_fig" in (edited / "paper/generated/provenance.tex").read_text()
    assert log_problems((edited / "paper/main.log").read_text(errors="replace")) == []
    snakemake(edited, "--report", "results/report.html", own_library=True)
    html = (edited / "results/report.html").read_text()
    assert "demo_fig.pdf" in html and DEMO_CAPTION in html


def test_fit_edit_reruns_only_the_rules_that_use_it(edited):
    change_meaning(edited, "llm/fits.py", "joint_fit")
    jobs = rules_to_rerun(edited)
    assert jobs["llm_fit"] == 1  # the one rule that imports llm.fits; the rest read its output
    assert set(jobs) <= {
        "llm_fit",
        "figure_llm",
        "figure_toy_large",
        "llm_numbers",
        "reproduction",
        "provenance",
        "paper",
    }


def test_paper_text_edit_reruns_only_latexmk(edited):
    append(edited / "paper/main.tex", "\n% a text edit\n")
    assert rules_to_rerun(edited) == {"paper": 1}


def test_config_change_reruns_only_its_dependents(edited):
    config = yaml.safe_load((edited / "tiny.yaml").read_text())
    config["llm"]["heads"]["bins"] = 12
    (edited / "tiny.yaml").write_text(yaml.safe_dump(config))
    jobs = rules_to_rerun(edited)
    assert jobs["llm_head"] == 3
    assert set(jobs) <= {
        "llm_head",
        "llm_tables",
        "llm_fit",
        "figure_llm",
        "figure_toy_large",
        "llm_numbers",
        "shapes_llms",
        "shapes_numbers",
        "figure_shapes",  # the heads' shape analysis
        "methods",
        "reproduction",
        "provenance",
        "paper",
    }


def test_provenance_records_every_figure_table_and_number(built):
    record = json.loads((built / "results/provenance.json").read_text())
    run, outputs = record["run"], record["outputs"]
    assert run["configfiles"] == ["tiny.yaml"] and len(run["commit"]) == 40 and run["dirty"] is False
    figures = sorted(f"results/figures/{p.name}" for p in (built / "results/figures").glob("*.pdf"))
    generated = sorted(f"paper/generated/{p.name}" for p in (built / "paper/generated").glob("*.tex"))
    for path in (
        figures
        + [g for g in generated if not g.endswith("provenance.tex")]
        + ["results/reproduction.csv", "results/fits/toy_large.csv", "results/toy/small/metrics.csv"]
    ):
        step = outputs[path]
        assert (built / step["script"]).is_file(), path
        assert step["commit"] == run["commit"] and step["dirty"] is False, path
        assert step["packages"]["torch"] and step["machine"]["cpu_count"] >= 1, path
        assert step["wall_s"] > 0 and (built / step["benchmark"]).is_file(), path
        assert step["sha256"] == sha256(built / path)
        assert len(step["code"]) == 64, path  # every rule's code fingerprint, kept apart from its params
        for name, info in step["inputs"].items():
            assert info["sha256"] == sha256(built / name) and info["changed_since"] is not True, (path, name)
    assert outputs["results/figures/fig03.pdf"]["params"]["settings"] == {"n": 60}
    assert outputs["results/figures/fig03.pdf"]["params"]["draw"] == "superscale.figures.toy:draw_fig03"
    assert len(outputs["results/figures/fig03.pdf"]["code"]) == 64  # the code fingerprint, kept apart
    assert outputs["results/figures/fig03.pdf"]["rule"] == "figure_toy_small"
    sources = (built / "paper/generated/provenance.tex").read_text()
    for figure in figures:  # the paper's \\figsource fails the LaTeX build for a figure without one
        assert f"figsource@{Path(figure).stem}" in sources


def audit(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(workdir / "src")}
    return subprocess.run(
        [sys.executable, "-m", "superscale.audit", *args], cwd=workdir, capture_output=True, text=True, env=env
    )


def test_audit_prints_the_chain_of_every_figure(built, capsys):
    from superscale.provenance.audit import main

    for figure in sorted((built / "results/figures").glob("*.pdf")):  # in this process: a start each is 1 s
        status = main([f"results/figures/{figure.name}", "--workdir", str(built), "--no-snakemake"])
        printed = capsys.readouterr()
        assert status == 0, printed.err
        assert "commit " in printed.out and "CHANGED" not in printed.out
    toy = audit(built, "results/figures/fig03.pdf").stdout
    assert "rule toy_train · workflow/scripts/toy_train.py" in toy  # the chain reaches the training
    assert "up to date (snakemake --dry-run): yes" in toy
    assert audit(built, "results/no-such-file.pdf").returncode == 2


def test_audit_flags_changed_code_and_says_out_of_date(edited):
    change_meaning(edited, "figures/toy.py", "fig3_representation")
    result = audit(edited, "results/figures/fig03.pdf")
    assert result.returncode == 1
    assert "(the script and the library it imports)  CHANGED since this step ran" in result.stdout
    assert "up to date (snakemake --dry-run): no" in result.stdout


def test_rerun_remakes_a_job_outside_snakemake_without_touching_the_tree(built, tmp_path):
    """A job's script runs again on its recorded inputs and params (wildcards included), its outputs
    land in the debug folder byte-identical to the tree's, and the tree stays up to date."""
    env = {**os.environ, "PYTHONPATH": str(built / "src")}
    for output, made in [
        ("results/fits/toy_small.csv", "results/fits/toy_small.csv"),
        ("results/llm/heads/tiny-16.json", "results/llm/heads/tiny-16.json"),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "superscale.cli", "rerun", output, "--into", str(tmp_path)],
            cwd=built,
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert (tmp_path / made).read_bytes() == (built / made).read_bytes()
    assert "Nothing to be done" in snakemake(built, "--dry-run")
    shell = subprocess.run(
        [sys.executable, "-m", "superscale.cli", "rerun", "paper/main.pdf"], cwd=built, capture_output=True, text=True
    )
    assert shell.returncode != 0 and "shell command" in shell.stderr


def test_reproduction_report_compares_like_with_like(built):
    """Every published quantity has its row, every small-toy cell of the run its own row against the
    same (or the nearest, named) cell of the authors' figure, and each row says whether the
    setting is the paper's; tiny.yaml's never is, so nothing is judged against a figure's value."""
    table = pd.read_csv(built / "results/reproduction.csv")
    published = yaml.safe_load((built / "config/published.yaml").read_text())
    values = table[table.kind == "value"]
    assert list(values.id) == [entry["id"] for entry in published["quantities"]]
    assert set(table.verdict) <= {
        "agrees",
        "disagrees",
        "agrees with claim",
        "disagrees with claim",
        "not comparable",
        "not measured",
        "undetermined",
    }
    assert table.config.str.startswith("tiny.yaml").all()
    # Chinchilla's rows read the same transcribed table as the paper: its setting; every other row's differs
    same = table.id.str.startswith("chinchilla_")
    assert table[same].setting_matches.all() and table[same].judged_against.eq("paper value").all()
    assert not table[~same].setting_matches.any() and table[~same].setting.str.startswith("differs: ").all()
    assert not table[~same].judged_against.eq("paper value").any()
    # tiny.yaml has no exponential large toys: said so, not counted as agreeing
    assert values.set_index("id").loc["large_strong_exponential", "verdict"] == "not measured"
    cells = table[table.id == "small_alpha_m"]
    fits = pd.read_csv(built / "results/fits/toy_small.csv")
    assert sorted(zip(cells.gamma, cells.alpha)) == sorted(zip(fits.gamma, fits.alpha))
    # tiny's gamma = 0.5 is not on the paper's grid: set against gamma = 0.556, and the row says so
    assert set(cells[cells.gamma == 0.5].paper_point) == {"nearest grid point: gamma = 0.555556"}
    assert (table[table.kind == "summary"].paper_point == "the same cells").all()
    report = (built / "results/reproduction.md").read_text()
    assert "## Cells (the same cell of the authors' figure)" in report and "| quantity | paper |" in report


def test_the_abstract_names_every_disagreement_and_undetermined_row(built):
    """The abstract's generated findings name, by what it measures, each row of the report that
    disagrees with the paper or cannot be determined; the paper's abstract quotes them."""
    from superscale.paper.abstract import OUTCOMES, quantity_name

    table = pd.read_csv(built / "results/reproduction.csv")
    tex = (built / "paper/generated/reproduction.tex").read_text()
    findings = tex.split("\\newcommand{\\AbstractFindings}", 1)[1].split("\\newcommand", 1)[0]
    named = table[table.verdict.map(OUTCOMES).isin(["disagree", "undetermined"])]
    assert len(named), "tiny.yaml's report has disagreements to name"
    for row in named.itertuples():
        assert quantity_name(row) in findings, row.quantity
    abstract = (built / "paper/main.tex").read_text().split("\\begin{abstract}")[1].split("\\end{abstract}")[0]
    assert "\\AbstractFindings" in abstract and "\\AbstractSetting" in abstract


def test_html_report_has_every_figure_with_its_caption(built):
    snakemake(built, "--report", "results/report.html")
    html = (built / "results/report.html").read_text()
    for figure in (built / "results/figures").glob("*.pdf"):
        assert figure.name in html
    config = yaml.safe_load((built / "tiny.yaml").read_text())
    for name in FIGURES:  # the registry's caption, as the figure's rule passes it to the report
        assert caption(name, config)[:40] in html, name


def test_second_run_has_nothing_to_do(built):
    assert "Nothing to be done" in snakemake(built, "--dry-run")


def test_adding_a_gamma_trains_only_the_new_cells(edited):
    config = yaml.safe_load((edited / "tiny.yaml").read_text())
    config["toy_small"]["gamma"].append(-0.25)
    (edited / "tiny.yaml").write_text(yaml.safe_dump(config))
    old = {p: p.stat().st_mtime_ns for p in (edited / "results/toy/small/weights").glob("*.pt")}
    jobs = planned_jobs(snakemake(edited, "--dry-run"))
    assert jobs["toy_train"] == 2  # one new gamma x two alphas
    assert jobs["toy_cell_metrics"] == 2
    snakemake(edited, "results/toy/small/metrics.csv")  # the tables only: figures and paper are not the point
    assert all(p.stat().st_mtime_ns == t for p, t in old.items())
    assert len(pd.read_csv(edited / "results/toy/small/metrics.csv")) == 3 * 2 * 3


def test_widths_split_over_jobs_give_byte_identical_tables(edited):
    """width_jobs: 2 trains each cell's widths in two jobs; every toy table and fit is the same, byte
    for byte, as with one job per cell."""
    config = yaml.safe_load((edited / "tiny.yaml").read_text())
    (edited / "tiny.yaml").write_text(yaml.safe_dump(config | {"width_jobs": 2}))
    tables = [f"results/toy/{family}/metrics.csv" for family in ("small", "esweep", "fig18", "large")]
    fits = [f"results/fits/{table}.csv" for table in ("toy_small", "toy_esweep", "toy_fig18", "toy_large")]
    before = {path: (edited / path).read_bytes() for path in tables + fits}
    snakemake(edited, *fits)
    assert len(list((edited / "results/toy/small/weights").glob("*_m*.pt"))) == 2 * 4  # two jobs per cell
    assert {path: (edited / path).read_bytes() for path in tables + fits} == before


def test_one_cells_own_fit_is_its_row_of_the_family_fit(edited):
    """The README's one-cell command (rule toy_fit_cell): only the cell's fit runs, and it gives the
    cell's row of the family's table."""
    target = "results/fits/cells/small/g-1.0000_a1.0000_s0.csv"
    assert planned_jobs(snakemake(edited, "--dry-run", target)) == {"toy_fit_cell": 1}
    snakemake(edited, target)
    family = pd.read_csv(edited / "results/fits/toy_small.csv")
    row = family[(family.gamma == -1.0) & (family.alpha == 1.0)].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_csv(edited / target), row)


def test_bad_config_names_the_key(tmp_path, built):
    config = yaml.safe_load((built / "tiny.yaml").read_text())
    config["toy_small"]["stpes"] = 10
    (built / "bad.yaml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        ["snakemake", "--cores", "1", "--dry-run", "--configfile", "bad.yaml"],
        cwd=built,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "stpes" in result.stdout + result.stderr
