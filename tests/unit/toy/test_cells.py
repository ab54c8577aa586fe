"""Grid cells: their runs and seeds, packs trained together, the stored payload and its tables."""

import dataclasses

import pandas as pd
import pytest
import torch

from superscale.toy.cells import load_pack, train_pack
from superscale.toy.evaluation import pack_tables
from superscale.toy.spec import CellSpec

SPEC = CellSpec(
    distribution="power",
    n=40,
    alpha=1.0,
    density=1.0,
    gamma=-0.5,
    seed=3,
    widths=(3, 5, 8),
    batch_size=32,
    steps=12,
    warmup_steps=2,
    min_lr_ratio=0.05,
    lr=0.01,
    log_every=4,
)


def test_runs_share_data_across_gamma_but_not_across_seeds():
    same_distribution = dataclasses.replace(SPEC, gamma=0.7)
    other_seed = dataclasses.replace(SPEC, seed=4)
    assert same_distribution.data_seed() == SPEC.data_seed()
    assert other_seed.data_seed() != SPEC.data_seed()
    assert [r.init_seed for r in same_distribution.runs()] == [r.init_seed for r in SPEC.runs()]
    assert len({r.label for r in SPEC.runs()}) == 3


def test_large_toy_learning_rates_scale_with_width():
    large = dataclasses.replace(SPEC, lr=0.02, lr_width_exponent=0.25, lr_bias=2.0)
    assert large.learning_rates(8) == (pytest.approx(0.02), pytest.approx(0.25))
    assert large.learning_rates(128) == (pytest.approx(0.01), pytest.approx(2 / 128))
    assert SPEC.learning_rates(100) == (0.01, 0.01)


def test_stored_pack_round_trips_and_gives_one_row_per_cell_and_width(tmp_path):
    path = tmp_path / "pack.pt"
    specs = [SPEC, dataclasses.replace(SPEC, gamma=0.5)]
    torch.save(train_pack(specs, torch.device("cpu")), path)
    payload = load_pack(path)
    assert [CellSpec.from_dict(cell["spec"]) for cell in payload["cells"]] == specs
    metrics, norms = pack_tables(payload, eval_batches=3, eval_batch_size=16, device=torch.device("cpu"))
    assert list(metrics.m) == [3, 5, 8] * 2 and list(metrics.gamma) == [-0.5] * 3 + [0.5] * 3
    assert (metrics.seed == 3).all() and (metrics.loss > 0).all()
    assert len(norms) == 2 * 3 * SPEC.n


def test_final_loss_uses_the_eval_batch_size_not_the_training_batch():
    """The spread of the per-batch losses shrinks as 1/sqrt(samples per batch): 4x the eval batch
    halves it, whatever batch the models trained at."""
    payload = train_pack([SPEC], torch.device("cpu"))
    small, _ = pack_tables(payload, eval_batches=200, eval_batch_size=16, device=torch.device("cpu"))
    large, _ = pack_tables(payload, eval_batches=200, eval_batch_size=64, device=torch.device("cpu"))
    ratio = (small.loss_std / large.loss_std).to_numpy()
    assert ratio == pytest.approx([2.0] * len(ratio), rel=0.25)


def test_a_cell_trains_the_same_alone_or_in_a_pack():
    alone = train_pack([SPEC], torch.device("cpu"))["cells"][0]
    packed = train_pack([dataclasses.replace(SPEC, gamma=0.5), SPEC], torch.device("cpu"))["cells"][1]
    for a, b in zip(alone["models"], packed["models"]):
        torch.testing.assert_close(a["W"], b["W"], rtol=1e-5, atol=1e-6)


def test_a_cells_widths_train_and_score_the_same_split_over_jobs():
    """width_jobs spreads a cell's widths over jobs: every model, its training log and its scored
    metrics must be those of the whole cell, bit for bit (same batches, its own init)."""
    whole = train_pack([SPEC], torch.device("cpu"))
    parts = [train_pack([dataclasses.replace(SPEC, widths=widths)], torch.device("cpu")) for widths in [(3, 8), (5,)]]
    models = {model["m"]: model for part in parts for model in part["cells"][0]["models"]}
    for model in whole["cells"][0]["models"]:
        assert torch.equal(model["W"], models[model["m"]]["W"]) and torch.equal(model["b"], models[model["m"]]["b"])
        assert model["log_losses"] == models[model["m"]]["log_losses"]
    scored = lambda payload: pack_tables(payload, eval_batches=3, eval_batch_size=16, device=torch.device("cpu"))[0]  # noqa: E731
    split = pd.concat([scored(part) for part in parts]).sort_values("m", ignore_index=True)
    pd.testing.assert_frame_equal(scored(whole).sort_values("m", ignore_index=True), split)


def test_a_pack_must_share_its_data_stream():
    with pytest.raises(ValueError, match="differ only in gamma"):
        train_pack([SPEC, dataclasses.replace(SPEC, seed=4)], torch.device("cpu"))


def test_corrupted_weights_file_is_named(tmp_path):
    path = tmp_path / "pack.pt"
    torch.save(train_pack([SPEC], torch.device("cpu")), path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"pack.pt.*`snakemake --cores all --forcerun .*pack\.pt`"):
        load_pack(path)


def test_a_packs_models_are_scored_on_the_same_batches_as_alone():
    payload = train_pack([SPEC, dataclasses.replace(SPEC, gamma=0.5)], torch.device("cpu"))
    together, _ = pack_tables(payload, eval_batches=3, eval_batch_size=16, device=torch.device("cpu"))
    alone, _ = pack_tables(
        payload | {"cells": payload["cells"][1:]}, eval_batches=3, eval_batch_size=16, device=torch.device("cpu")
    )
    assert list(together.loss[3:]) == list(alone.loss)
