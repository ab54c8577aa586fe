"""The code a rule runs is read from the import graph, and its fingerprint follows meaning only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from superscale.provenance.code import code_files, code_fingerprint

REPO = Path(__file__).resolve().parents[3]
SCRIPTS = REPO / "workflow/scripts"


@pytest.fixture
def tree(tmp_path) -> Path:
    """A private copy of the library and the scripts, for tests that edit them."""
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SCRIPTS, tmp_path / "scripts")
    return tmp_path


def modules(script: Path, src: Path) -> set[str]:
    return {str(path.relative_to(src).with_suffix("")) for path in code_files(script, src)[1:]}


def test_training_code_is_apart_from_evaluation_and_from_the_other_stages():
    src = REPO / "src"
    toy = modules(SCRIPTS / "toy_train.py", src)
    assert {"superscale/toy/trainer", "superscale/toy/cells", "superscale/core/schedule"} <= toy
    assert not toy & {"superscale/toy/evaluation", "superscale/toy/fits", "superscale/toy/geometry"}
    shapes = modules(SCRIPTS / "shapes_train.py", src)
    assert "superscale/shapes/training" in shapes and not any(name.startswith("superscale/toy/") for name in shapes)
    # a module's package __init__ runs too, and function-level imports count
    assert {"superscale/__init__", "superscale/llm/__init__", "superscale/llm/weights/hub"} <= modules(
        SCRIPTS / "llm_fetch.py", src
    )


def test_every_script_is_a_rule_and_imports_only_existing_modules():
    rules = "".join(path.read_text() for path in (REPO / "rules").rglob("*.smk"))
    for script in sorted(SCRIPTS.glob("*.py")):  # each rule's code fingerprint is read from its script
        assert f'"../workflow/scripts/{script.name}"' in rules, script.name
        assert all(path.is_file() for path in code_files(script, REPO / "src"))


def test_comments_docstrings_and_layout_leave_the_fingerprint_alone(tree):
    script, src = tree / "scripts/toy_train.py", tree / "src"
    before = code_fingerprint(script, src)
    for path in src.rglob("*.py"):
        text = path.read_text()
        path.write_text(text.replace("\n\n\n", "\n\n\n\n") + "\n# a comment\n")
    trainer = src / "superscale/toy/trainer.py"
    trainer.write_text(trainer.read_text().replace('"""Batched training', '"""Reworded: batched training'))
    assert code_fingerprint(script, src) == before


def test_a_change_in_meaning_changes_the_fingerprint_of_its_importers_only(tree):
    src = tree / "src"
    train, metrics = tree / "scripts/toy_train.py", tree / "scripts/toy_cell_metrics.py"
    before = {script: code_fingerprint(script, src) for script in (train, metrics)}
    evaluation = src / "superscale/toy/evaluation.py"
    evaluation.write_text(evaluation.read_text() + "\nEXTRA = 1\n")
    assert code_fingerprint(train, src) == before[train]
    assert code_fingerprint(metrics, src) != before[metrics]


def test_a_module_named_to_the_script_joins_its_code_with_what_it_imports(tree):
    """A figure's fingerprint: the figure script and the module of its drawing. An edit to one figure
    module changes the fingerprint of its figures only, and the registry (captions) is in none."""
    src, script = tree / "src", tree / "scripts/figure.py"
    toy = {str(path.relative_to(src)) for path in code_files(script, src, ["superscale.figures.toy"])[1:]}
    assert {"superscale/figures/toy.py", "superscale/figures/__init__.py", "superscale/toy/fits.py"} <= toy
    assert "superscale/figures/registry.py" not in toy and "superscale/figures/llm.py" not in toy
    before = {
        module: code_fingerprint(script, src, [module])
        for module in ("superscale.figures.toy", "superscale.figures.llm")
    }
    plots = src / "superscale/figures/toy.py"
    plots.write_text(plots.read_text() + "\nEXTRA = 1\n")
    assert code_fingerprint(script, src, ["superscale.figures.toy"]) != before["superscale.figures.toy"]
    assert code_fingerprint(script, src, ["superscale.figures.llm"]) == before["superscale.figures.llm"]
    with pytest.raises(ValueError, match="no module superscale.figures.nothing"):
        code_files(script, src, ["superscale.figures.nothing"])


def test_meanings_kept_between_runs_are_reused_while_a_files_text_is_unchanged(tree):
    """A second process reads each module's meaning from the kept file (a planted entry proves it),
    and a module whose text changed is parsed again."""
    import json
    import subprocess
    import sys

    kept = tree / "kept.json"
    run = (
        "import sys; from pathlib import Path; from superscale.provenance.code import code_fingerprint, "
        f"keep_between_runs; keep_between_runs({str(kept)!r}); "
        f"print(code_fingerprint(Path({str(tree / 'scripts/toy_fit.py')!r}), Path({str(tree / 'src')!r})))"
    )

    def fingerprint() -> str:
        env = {"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"}
        return subprocess.run([sys.executable, "-c", run], env=env, capture_output=True, text=True, check=True).stdout

    fresh = fingerprint()
    assert fresh.strip() == code_fingerprint(tree / "scripts/toy_fit.py", tree / "src")
    entries = json.loads(kept.read_text())
    script = next(key for key in entries if ":script:" in key)
    entries[script]["meaning"] = "planted"
    kept.write_text(json.dumps(entries))
    assert fingerprint() != fresh  # the kept meaning was used, not a new parse
    script_file = tree / "scripts/toy_fit.py"
    script_file.write_text(script_file.read_text() + "\nx = 1\n")
    assert fingerprint().strip() == code_fingerprint(script_file, tree / "src")  # changed text: parsed again
