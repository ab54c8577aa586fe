"""A grid cell: its runs and seeds, the stored payload, and the tables derived from it."""

import pytest
import torch

from superscale.cells import CellSpec, cell_tables, load_cell, train_cell

SPEC = CellSpec(
    distribution="power", n=40, alpha=1.0, density=1.0, gamma=-0.5, seed=3, widths=(3, 5, 8),
    batch_size=32, steps=12, warmup_steps=2, min_lr_ratio=0.05, lr=0.01, log_every=4,
)


def test_runs_share_data_across_gamma_but_not_across_seeds():
    same_distribution = CellSpec.from_dict({**SPEC.__dict__, "gamma": 0.7})
    other_seed = CellSpec.from_dict({**SPEC.__dict__, "seed": 4})
    assert same_distribution.data_seed() == SPEC.data_seed()
    assert other_seed.data_seed() != SPEC.data_seed()
    assert [r.init_seed for r in same_distribution.runs()] == [r.init_seed for r in SPEC.runs()]
    assert len({r.label for r in SPEC.runs()}) == 3


def test_stored_cell_round_trips_and_gives_one_row_per_width(tmp_path):
    path = tmp_path / "cell.pt"
    torch.save(train_cell(SPEC, torch.device("cpu")), path)
    payload = load_cell(path)
    assert CellSpec.from_dict(payload["spec"]) == SPEC
    metrics, norms = cell_tables(payload, eval_batches=3, device=torch.device("cpu"))
    assert list(metrics.m) == [3, 5, 8] and (metrics.seed == 3).all() and (metrics.loss > 0).all()
    assert len(norms) == 3 * SPEC.n


def test_corrupted_weights_file_is_named(tmp_path):
    path = tmp_path / "cell.pt"
    torch.save(train_cell(SPEC, torch.device("cpu")), path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match="cell.pt.*delete it and rerun"):
        load_cell(path)
