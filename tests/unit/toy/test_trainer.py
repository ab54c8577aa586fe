"""Tests of superscale.toy.trainer: the batched trainer against the paper's one-model loop, and its parts."""

import math
import re

import numpy as np
import pytest
import torch
from devices import CUDA, DEVICES

from superscale.core.device import resolve_device
from superscale.core.errors import DivergenceError
from superscale.core.schedule import Schedule
from superscale.core.seeds import make_generator
from superscale.toy.evaluation import evaluate_losses
from superscale.toy.features import FeatureSampler, SparseBatch, feature_probabilities
from superscale.toy.model import forward, init_weights
from superscale.toy.reference import train_reference
from superscale.toy.trainer import (
    CPU_CHUNK_BYTES,
    GPU_MEMORY_SHARE,
    ToyRun,
    TrainSettings,
    model_bytes,
    models_per_chunk,
    plan_chunks,
    sparse_forward,
    train_toys,
)

CPU = torch.device("cpu")
N = 200
BATCH = 256
STEPS = 40
SCHEDULE = Schedule(total_steps=STEPS, warmup_steps=6)
# Tolerances for trainer vs reference after 40 float32 steps (the largest difference seen is ~1e-6).
RTOL, ATOL = 1e-4, 1e-5

RUNS = [
    ToyRun(m=8, gamma=-1.0, lr_W=2e-2, lr_b=2e-2, init_seed=101, label="m8-strong"),
    ToyRun(m=20, gamma=0.5, lr_W=1e-2, lr_b=5e-2, init_seed=102, label="m20-weak"),
    ToyRun(m=8, gamma=0.1, lr_W=3e-2, lr_b=1e-2, init_seed=103, label="m8-weak"),
    ToyRun(m=5, gamma=-0.3, lr_W=2e-2, lr_b=3e-2, init_seed=104, label="m5-strong"),
]


@pytest.fixture(scope="module")
def probs():
    return feature_probabilities("power", N, exponent=1.0)


@pytest.fixture(scope="module")
def fixed_batches(probs):
    sampler = FeatureSampler(probs, BATCH, make_generator(2024))
    return [sampler.sample() for _ in range(STEPS)]


def _train(runs, probs, batches=None, data_seed=0, log_every=1, chunk_bytes=None, schedule=SCHEDULE, batch_size=BATCH):
    settings = TrainSettings(batch_size=batch_size, schedule=schedule, log_every=log_every, chunk_bytes=chunk_bytes)
    return train_toys(runs, probs, settings, data_seed, CPU, batches=None if batches is None else iter(batches))


@pytest.fixture(scope="module")
def trained(probs, fixed_batches):
    return _train(RUNS, probs, fixed_batches)


@pytest.fixture(scope="module")
def references(fixed_batches):
    out = []
    for run in RUNS:
        W0, b0 = init_weights(N, run.m, make_generator(run.init_seed))
        out.append(
            train_reference(
                W0, b0, run.gamma, run.lr_W, run.lr_b, SCHEDULE, next_batch=lambda step: fixed_batches[step].to_dense()
            )
        )
    return out


# ---------------------------------------------------------------- the key test


def test_trainer_matches_reference_loop(trained, references):
    """Batched, hand-differentiated, sparse trainer == the paper's autograd loop on the same data."""
    assert [t.run for t in trained] == RUNS
    for run, toy, (W_ref, b_ref, _) in zip(RUNS, trained, references):
        W0, b0 = init_weights(N, run.m, make_generator(run.init_seed))
        assert toy.W.shape == (N, run.m) and toy.b.shape == (N,)
        # training really moved the weights, far beyond the tolerance
        assert (W_ref - W0).abs().max() > 0.1 and (b_ref - b0).abs().max() > 0.1
        torch.testing.assert_close(toy.W, W_ref, rtol=RTOL, atol=ATOL, msg=lambda m: f"{run.label} W: {m}")
        torch.testing.assert_close(toy.b, b_ref, rtol=RTOL, atol=ATOL, msg=lambda m: f"{run.label} b: {m}")


def test_trainer_logged_losses_match_reference(trained, references):
    for toy, (_, _, ref_losses) in zip(trained, references):
        assert toy.log_steps == list(range(1, STEPS + 1))
        np.testing.assert_allclose(toy.log_losses, ref_losses, rtol=1e-5)


def test_trainer_matches_reference_on_tiny_batches(probs):
    """Batches of 3 samples: many samples, and some whole batches, are empty."""
    steps = 30
    sampler = FeatureSampler(probs, 3, make_generator(77))
    batches = [sampler.sample() for _ in range(steps)]
    batches[5] = SparseBatch(torch.zeros(0, dtype=torch.int64), torch.zeros(0, dtype=torch.int64), torch.zeros(0), 3, N)
    empty_samples = sum(3 - torch.unique(b.rows).numel() for b in batches)
    assert empty_samples > 20  # about 90 * 1/e
    schedule = Schedule(steps, 3)
    runs = [RUNS[0], RUNS[1]]
    out = _train(runs, probs, batches, schedule=schedule, batch_size=3)
    for run, toy in zip(runs, out):
        W0, b0 = init_weights(N, run.m, make_generator(run.init_seed))
        W_ref, b_ref, losses = train_reference(
            W0, b0, run.gamma, run.lr_W, run.lr_b, schedule, next_batch=lambda step: batches[step].to_dense()
        )
        torch.testing.assert_close(toy.W, W_ref, rtol=RTOL, atol=ATOL)
        torch.testing.assert_close(toy.b, b_ref, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(toy.log_losses, losses, rtol=1e-5)


@pytest.mark.parametrize("chunk_bytes", [1, 10**12])
def test_chunking_does_not_change_results(probs, fixed_batches, trained, chunk_bytes):
    """One model per chunk and everything stacked give the same weights as the default plan."""
    settings = TrainSettings(BATCH, SCHEDULE, chunk_bytes=chunk_bytes)
    chunks = plan_chunks(RUNS, N, settings, CPU)
    if chunk_bytes == 1:
        assert all(len(c) == 1 for c in chunks)
    else:
        assert len(chunks) == len({r.m for r in RUNS})
    other = _train(RUNS, probs, fixed_batches, chunk_bytes=chunk_bytes)
    for a, b in zip(trained, other):
        assert a.run == b.run
        torch.testing.assert_close(b.W, a.W, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(b.b, a.b, rtol=1e-5, atol=1e-6)


def test_results_come_back_in_run_order(probs, fixed_batches):
    runs = [RUNS[1], RUNS[3], RUNS[0]]  # widths 20, 5, 8: not the chunk order
    out = _train(runs, probs, fixed_batches[:5], schedule=Schedule(5, 1))
    assert [t.run.label for t in out] == [r.label for r in runs]
    assert [t.W.shape[1] for t in out] == [20, 5, 8]


def test_duplicate_labels_are_rejected_or_kept_apart(probs, fixed_batches):
    """Two runs that share a label must not silently share one result (labels are only for messages)."""
    runs = [ToyRun(4, 0.1, 1e-2, 1e-2, 1, "same"), ToyRun(4, 0.1, 1e-2, 1e-2, 2, "same")]
    try:
        out = _train(runs, probs, fixed_batches[:5], schedule=Schedule(5, 1))
    except ValueError:
        return
    assert out[0].run.init_seed == 1 and out[1].run.init_seed == 2
    assert not torch.equal(out[0].W, out[1].W)
    assert len(out[0].log_losses) == len(out[1].log_losses) == 5


# ---------------------------------------------------------------- determinism


SMALL_SCHEDULE = Schedule(total_steps=15, warmup_steps=3)


@pytest.mark.parametrize("device", DEVICES)
def test_same_seed_bit_identical_different_data_seed_differs(probs, device):
    """Run to run on one device, the sampler and every product repeat bit for bit."""
    runs = RUNS[:2]
    settings = TrainSettings(64, SMALL_SCHEDULE, log_every=1)
    a, b, c = (train_toys(runs, probs, settings, seed, torch.device(device)) for seed in (7, 7, 8))
    for x, y, z in zip(a, b, c):
        assert torch.equal(x.W, y.W) and torch.equal(x.b, y.b)
        assert x.log_losses == y.log_losses
        assert not torch.allclose(x.W, z.W)


def test_trainer_uses_the_sampler_of_its_data_seed(probs):
    """Without `batches`, the trainer draws from FeatureSampler(probs, B, make_generator(data_seed))."""
    sampler = FeatureSampler(probs, 64, make_generator(7))
    batches = [sampler.sample() for _ in range(SMALL_SCHEDULE.total_steps)]
    a = _train(RUNS[:1], probs, data_seed=7, schedule=SMALL_SCHEDULE, batch_size=64)
    b = _train(RUNS[:1], probs, batches=batches, schedule=SMALL_SCHEDULE, batch_size=64)
    assert torch.equal(a[0].W, b[0].W)


def test_init_seed_controls_initialisation(probs, fixed_batches):
    run = RUNS[0]
    other = ToyRun(run.m, run.gamma, run.lr_W, run.lr_b, init_seed=999, label="other-init")
    frozen = [ToyRun(r.m, r.gamma, 0.0, 0.0, r.init_seed, r.label) for r in (run, other)]
    out = _train(frozen, probs, fixed_batches[:2], schedule=Schedule(2, 1))
    for toy in out:
        W0, b0 = init_weights(N, toy.run.m, make_generator(toy.run.init_seed))
        assert torch.equal(toy.W, W0) and torch.equal(toy.b, b0)  # lr 0: no change at all
    assert not torch.equal(out[0].W, out[1].W)


# ---------------------------------------------------------------- the logged loss


def test_logged_loss_is_dense_mse_times_n(probs, fixed_batches):
    """With zero learning rates the weights stay at init, so each logged loss is n * MSE on that batch."""
    runs = [ToyRun(m, 0.5, 0.0, 0.0, 300 + m, f"frozen-{m}") for m in (4, 16)]
    steps = 10
    out = _train(runs, probs, fixed_batches[:steps], schedule=Schedule(steps, 2), log_every=3)
    for toy in out:
        W0, b0 = init_weights(N, toy.run.m, make_generator(toy.run.init_seed))
        assert toy.log_steps == [3, 6, 9, 10]  # every log_every steps and the last
        for step, logged in zip(toy.log_steps, toy.log_losses):
            x = fixed_batches[step - 1].to_dense().double()
            dense = torch.nn.functional.mse_loss(forward(x, W0.double(), b0.double()), x).item() * N
            assert logged == pytest.approx(dense, rel=1e-5)


def test_sparse_forward_equals_dense(fixed_batches):
    g = torch.Generator().manual_seed(5)
    K, m = 3, 6
    W = torch.randn(K, N, m, generator=g) / math.sqrt(m)
    b = torch.randn(K, N, generator=g) * 0.3
    batch = fixed_batches[0]
    hidden, weights, out = sparse_forward(W, b, batch.csr)
    x = batch.to_dense()
    assert hidden.shape == (K, BATCH, m + 1) and out.shape == (K, BATCH, N)
    for k in range(K):
        torch.testing.assert_close(hidden[k, :, :m], x @ W[k], rtol=1e-5, atol=1e-6)
        assert torch.equal(hidden[k, :, m], torch.ones(BATCH))
        assert torch.equal(weights[k], torch.cat([W[k].T, b[k, None]]))
        torch.testing.assert_close(out[k], forward(x, W[k], b[k]), rtol=1e-5, atol=1e-5)


def _batch_from_rows(samples, n):
    """A SparseBatch from a list of {feature: value} dicts, one per sample."""
    rows, cols, values = [], [], []
    for r, sample in enumerate(samples):
        for c in sorted(sample):
            rows.append(r)
            cols.append(c)
            values.append(sample[c])
    return SparseBatch(
        torch.tensor(rows, dtype=torch.int64), torch.tensor(cols, dtype=torch.int64),
        torch.tensor(values, dtype=torch.float32), len(samples), n,
    )  # fmt: skip


def test_trainer_matches_reference_on_hand_built_batches():
    """Batches made only of one-feature samples (some sharing a feature), only of multi-feature
    samples, only of empty samples, and mixtures: every way a batch can split."""
    n = 12
    only_single = [{3: 0.5}, {7: 1.5}, {3: 1.25}, {0: 0.75}, {3: 1.9}, {11: 0.1}]
    only_multi = [
        {0: 0.5, 1: 1.0},
        {2: 1.5, 5: 0.25, 9: 1.0},
        {0: 1.9, 11: 0.3},
        {1: 1.0, 2: 1.0},
        {4: 0.6, 5: 0.7},
        {6: 1.1, 7: 0.2},
    ]
    only_empty = [{}] * 6
    mixed = [{}, {5: 1.2}, {1: 0.4, 5: 0.9}, {}, {5: 0.3}, {8: 1.7, 9: 0.8, 10: 0.1}]
    batches = [_batch_from_rows(s, n) for s in (only_single, only_multi, only_empty, mixed, only_single, mixed)]
    schedule = Schedule(len(batches), 2)
    runs = [
        ToyRun(m=3, gamma=-1.0, lr_W=5e-2, lr_b=5e-2, init_seed=1, label="a"),
        ToyRun(m=3, gamma=0.5, lr_W=5e-2, lr_b=2e-2, init_seed=2, label="b"),
        ToyRun(m=5, gamma=0.2, lr_W=3e-2, lr_b=5e-2, init_seed=3, label="c"),
    ]
    probs12 = torch.full((n,), 1 / n, dtype=torch.float64)
    out = _train(runs, probs12, batches, schedule=schedule, batch_size=6)
    for run, toy in zip(runs, out):
        W0, b0 = init_weights(n, run.m, make_generator(run.init_seed))
        W_ref, b_ref, losses = train_reference(
            W0, b0, run.gamma, run.lr_W, run.lr_b, schedule, next_batch=lambda step: batches[step].to_dense()
        )
        torch.testing.assert_close(toy.W, W_ref, rtol=RTOL, atol=ATOL, msg=lambda m: f"{run.label} W: {m}")
        torch.testing.assert_close(toy.b, b_ref, rtol=RTOL, atol=ATOL, msg=lambda m: f"{run.label} b: {m}")
        np.testing.assert_allclose(toy.log_losses, losses, rtol=1e-5)


# ---------------------------------------------------------------- divergence


def test_divergence_names_the_run(probs, fixed_batches):
    # gamma = 1 with lr 1e6 multiplies W by about (1 - 1e6) every step: inf, then NaN, within a few steps.
    stable = ToyRun(8, 0.5, 1e-2, 1e-2, 1, "run-stable")
    exploding = ToyRun(8, 1.0, 1e6, 1e-2, 2, "run-exploding")
    with pytest.raises(DivergenceError, match=re.escape("run-exploding")) as info:
        _train([stable, exploding], probs, fixed_batches[:20], schedule=Schedule(20, 1), log_every=5)
    assert "run-stable" not in str(info.value)
    assert isinstance(info.value, RuntimeError)


def test_divergence_from_infinite_input(probs, fixed_batches):
    good = fixed_batches[0]
    values = good.values.clone()
    values[0] = float("inf")
    bad = SparseBatch(good.rows, good.cols, values, good.batch_size, good.n)
    run = ToyRun(8, -1.0, 1e-2, 1e-2, 3, "toy-with-inf-data")
    with pytest.raises(DivergenceError, match=re.escape("toy-with-inf-data")):
        _train([run], probs, [bad] + fixed_batches[1:4], schedule=Schedule(4, 1), log_every=1)


def test_divergence_caught_at_the_last_step_even_between_logs(probs, fixed_batches):
    exploding = ToyRun(5, 1.0, 1e6, 1e-2, 2, "late-check")
    with pytest.raises(DivergenceError, match="late-check"):
        _train([exploding], probs, fixed_batches[:20], schedule=Schedule(20, 1), log_every=1000)


# ---------------------------------------------------------------- evaluate_losses


@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_losses_deterministic_and_equal_to_dense(probs, device):
    device = torch.device(device)
    g = torch.Generator().manual_seed(9)
    models = []
    for m in (10, 4):
        models.append((torch.randn(N, m, generator=g) / math.sqrt(m), torch.randn(N, generator=g) * 0.1))
    results = evaluate_losses(models, probs, 128, 6, seed=42, device=device)
    assert results == evaluate_losses(models, probs, 128, 6, seed=42, device=device)
    assert results[0][0] != evaluate_losses(models, probs, 128, 6, seed=43, device=device)[0][0]
    assert results[0] == evaluate_losses(models[:1], probs, 128, 6, seed=42, device=device)[0]
    sampler = FeatureSampler(probs, 128, make_generator(42, device))
    batches = [sampler.sample().to_dense().cpu().double() for _ in range(6)]
    for (W, b), (mean, std) in zip(models, results):
        dense = [((forward(x, W.double(), b.double()) - x) ** 2).sum(1).mean().item() for x in batches]
        assert mean == pytest.approx(np.mean(dense), rel=1e-5)
        assert std == pytest.approx(np.std(dense, ddof=1), rel=1e-4)
        assert std > 0


def test_evaluate_loss_of_zero_model_is_four_thirds_density(probs):
    """W = 0, b = 0 predicts y = 0, so the loss is E[sum x_i^2] = (4/3) * density."""
    [(mean, _)] = evaluate_losses([(torch.zeros(N, 4), torch.zeros(N))], probs, 512, 20, seed=1, device=CPU)
    # sd of one sample's sum x^2 is below 2; over 10240 samples the mean's sd is < 0.02
    assert mean == pytest.approx(4 / 3, abs=0.08)


# ---------------------------------------------------------------- chunk planning


def test_models_per_chunk_respects_budget():
    n, m, B = 1000, 16, 512
    activation = 4 * B * n  # one model's (B, n) float32 activation
    assert models_per_chunk(n, m, B, CPU, budget=1) == 1
    assert models_per_chunk(n, m, B, CPU, budget=activation // 2) == 1
    for budget in [10 * activation, 10**9]:
        k = models_per_chunk(n, m, B, CPU, budget=budget)
        assert k >= 1 and k * activation <= budget
        assert k >= budget // (2 * activation)  # not wastefully small: activation dominates per-model memory
    small = models_per_chunk(n, m, B, CPU, budget=10**8)
    assert models_per_chunk(n, m, B, CPU, budget=2 * 10**8) in (2 * small, 2 * small + 1)
    assert models_per_chunk(n, m, 2 * B, CPU, budget=10**8) < small
    assert models_per_chunk(n, m, B, CPU, budget=None) == models_per_chunk(n, m, B, CPU, budget=CPU_CHUNK_BYTES)


@pytest.mark.parametrize("device", [CUDA])
def test_models_per_chunk_on_gpu_fills_half_the_free_memory(device):
    """On a GPU the budget is a share of the memory free now: the chunk fits it, and one more model would not."""
    device = torch.device(device)
    n, m, B = 10240, 1024, 8192
    free, _ = torch.cuda.mem_get_info(device)
    k = models_per_chunk(n, m, B, device, budget=None)
    assert k * model_bytes(n, m, B) <= 1.01 * GPU_MEMORY_SHARE * free  # free memory may move a little between calls
    assert k == 1 or (k + 1) * model_bytes(n, m, B) > 0.9 * GPU_MEMORY_SHARE * free


def test_plan_chunks_groups_by_width_within_budget():
    n, B = 300, 128
    widths = [20, 10, 20, 10, 20, 40, 20, 20]
    runs = [ToyRun(m, 0.1, 1e-2, 1e-2, i, f"r{i}") for i, m in enumerate(widths)]
    budget = 2 * 4 * B * n + 4 * 3 * B * 40 + 4 * 8 * n * 40 + 1  # about two models per chunk
    settings = TrainSettings(batch_size=B, schedule=Schedule(10, 1), chunk_bytes=budget)
    chunks = plan_chunks(runs, n, settings, CPU)
    flat = [r for c in chunks for r in c]
    assert sorted(r.label for r in flat) == sorted(r.label for r in runs)  # each run exactly once
    assert [c[0].m for c in chunks] == sorted(c[0].m for c in chunks)
    for chunk in chunks:
        assert len({r.m for r in chunk}) == 1
        assert 1 <= len(chunk) <= models_per_chunk(n, chunk[0].m, B, CPU, budget)
        assert len(chunk) * 4 * B * n <= budget
        # within a width, the runs' order is kept
        assert [r.label for r in chunk] == sorted((r.label for r in chunk), key=lambda s: int(s[1:]))
    assert max(len(c) for c in chunks) == 2
    assert len([c for c in chunks if c[0].m == 20]) == 3  # five width-20 runs, two per chunk
    huge = plan_chunks(runs, n, TrainSettings(B, Schedule(10, 1), chunk_bytes=10**12), CPU)
    assert [len(c) for c in huge] == [2, 5, 1]
    tiny = plan_chunks(runs, n, TrainSettings(B, Schedule(10, 1), chunk_bytes=1), CPU)
    assert [len(c) for c in tiny] == [1] * len(runs)


# ---------------------------------------------------------------- devices


def test_resolve_device():
    assert resolve_device("cpu") == CPU
    if torch.cuda.is_available():
        assert resolve_device("auto").type == "cuda"
        assert resolve_device("cuda").type == "cuda"
    else:
        assert resolve_device("auto") == CPU
        with pytest.raises(RuntimeError, match="cuda"):
            resolve_device("cuda")


@pytest.mark.parametrize("device", [CUDA])
def test_trainer_on_gpu_matches_reference(probs, fixed_batches, references, device):
    device = torch.device(device)
    gpu_batches = [
        SparseBatch(b.rows.to(device), b.cols.to(device), b.values.to(device), b.batch_size, b.n) for b in fixed_batches
    ]
    out = train_toys(RUNS, probs, TrainSettings(BATCH, SCHEDULE), 0, device, batches=iter(gpu_batches))
    for run, toy, (W_ref, b_ref, _) in zip(RUNS, out, references):
        assert toy.W.device.type == "cpu"
        torch.testing.assert_close(toy.W, W_ref, rtol=RTOL, atol=ATOL, msg=lambda m: f"{run.label} W: {m}")
        torch.testing.assert_close(toy.b, b_ref, rtol=RTOL, atol=ATOL, msg=lambda m: f"{run.label} b: {m}")


def test_loss_scale_matches_reference_and_acts_through_adam_eps(probs, fixed_batches):
    """MSE x 100 back-propagated (the authors' large toys): the trainer and the reference loop agree
    on identical data, and the scale really changes the weights (Adam's eps weighs less)."""
    run = RUNS[0]
    W0, b0 = init_weights(N, run.m, make_generator(run.init_seed))
    settings = TrainSettings(BATCH, SCHEDULE, log_every=1, loss_scale=100.0)
    scaled = train_toys([run], probs, settings, 0, CPU, batches=iter(fixed_batches))[0]
    W_ref, b_ref, losses = train_reference(
        W0, b0, run.gamma, run.lr_W, run.lr_b, SCHEDULE, lambda step: fixed_batches[step].to_dense(), loss_scale=100.0
    )
    torch.testing.assert_close(scaled.W, W_ref, rtol=RTOL, atol=ATOL)
    torch.testing.assert_close(scaled.b, b_ref, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(scaled.log_losses, losses, rtol=1e-5)  # losses are reported unscaled
    plain = _train([run], probs, fixed_batches)[0]
    assert (plain.W - scaled.W).abs().max() > 10 * ATOL


def test_decayed_rows_end_at_zero_not_subnormal():
    """gamma > 0 shrinks rows of features that never fire geometrically (here by half a step); the
    trainer flushes results below float32's smallest normal to zero, since subnormal arithmetic
    slows a CPU step several times, and leaves the process's float mode as it found it."""
    probs = feature_probabilities("power", 40, exponent=8.0)  # features past the first few never fire
    run = ToyRun(4, 1.0, 0.5, 0.01, init_seed=0, label="decaying")
    (toy,) = train_toys([run], probs, TrainSettings(16, Schedule(200, 1, min_ratio=1.0)), 0, torch.device("cpu"))
    tiny = torch.finfo(torch.float32).tiny
    assert (toy.W.abs() < 1e-30).any()  # decay took some rows down to where subnormals begin
    assert torch.all((toy.W == 0) | (toy.W.abs() >= tiny))  # none of them below it
    assert torch.tensor(tiny) / 4 > 0  # subnormals work again outside training
