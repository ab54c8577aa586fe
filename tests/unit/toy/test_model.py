"""Tests of superscale.toy.model: init, forward, the schedule, the row-wise decay and Adam."""

import math

import pytest
import torch

from superscale.core.schedule import Schedule
from superscale.core.seeds import make_generator
from superscale.toy.model import adam_step_, decay_rows_, forward, init_weights

# ---------------------------------------------------------------- init and forward


def test_init_weights_shapes_scale_and_seed():
    n, m = 4000, 16
    W, b = init_weights(n, m, make_generator(0))
    assert W.shape == (n, m) and b.shape == (n,)
    assert W.dtype == torch.float32 and b.dtype == torch.float32
    # W ~ N(0, 1/m): std 0.25 (sd of the estimate ~ 0.25 / sqrt(2 * 64000) ~ 7e-4)
    assert W.std().item() == pytest.approx(1 / math.sqrt(m), abs=0.005)
    assert W.mean().item() == pytest.approx(0.0, abs=0.005)
    assert b.std().item() == pytest.approx(1.0, abs=0.05)
    assert b.mean().item() == pytest.approx(0.0, abs=0.07)
    W2, b2 = init_weights(n, m, make_generator(0))
    assert torch.equal(W, W2) and torch.equal(b, b2)
    W3, _ = init_weights(n, m, make_generator(1))
    assert not torch.equal(W, W3)


def test_forward_by_hand():
    # W W^T = [[1, 0, 1], [0, 4, 0], [1, 0, 1]] for W = [[1, 0], [0, 2], [1, 0]]
    W = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 0.0]])
    b = torch.tensor([0.5, -10.0, -1.0])
    x = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.5, 2.0]])
    # row 0: x W W^T = [1, 0, 1] + b = [1.5, -10, 0] -> relu [1.5, 0, 0]
    # row 1: x W W^T = [2, 6, 2] + b = [2.5, -4, 1]  -> relu [2.5, 0, 1]
    expected = torch.tensor([[1.5, 0.0, 0.0], [2.5, 0.0, 1.0]])
    assert torch.equal(forward(x, W, b), expected)


# ---------------------------------------------------------------- decay_rows_

# Rows of norm 5 (= |(3, 4)|), 0.5 (= |(0.3, 0.4)|), exactly 1 and 0.
W_HAND = torch.tensor([[3.0, 4.0], [0.3, 0.4], [0.6, 0.8], [0.0, 0.0]], dtype=torch.float64)


def test_decay_positive_gamma_by_hand():
    W = W_HAND.clone()
    decay_rows_(W, torch.tensor(0.1, dtype=torch.float64), torch.tensor(0.5, dtype=torch.float64))
    # every row times 1 - lr * gamma = 0.95
    expected = torch.tensor([[2.85, 3.8], [0.285, 0.38], [0.57, 0.76], [0.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(W, expected, rtol=1e-12, atol=1e-12)


def test_decay_zero_gamma_is_identity():
    W = W_HAND.clone()
    decay_rows_(W, torch.tensor(0.1, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64))
    assert torch.equal(W, W_HAND)


def test_decay_negative_gamma_by_hand():
    W = W_HAND.clone()
    decay_rows_(W, torch.tensor(0.1, dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64))
    # W_i <- W_i (1 - lr gamma (1/||W_i|| - 1)) = W_i (1 + 0.1 (1/||W_i|| - 1))
    # norm 5:   factor 1 + 0.1 * (0.2 - 1) = 0.92  -> (2.76, 3.68), norm 4.6  (shrinks toward 1)
    # norm 0.5: factor 1 + 0.1 * (2 - 1)   = 1.10  -> (0.33, 0.44), norm 0.55 (grows toward 1)
    # norm 1:   factor 1 (up to the 1e-8 in the denominator)
    # norm 0:   stays 0 (and finite)
    expected = torch.tensor([[2.76, 3.68], [0.33, 0.44], [0.6, 0.8], [0.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(W, expected, rtol=1e-7, atol=1e-9)
    norms = W.norm(dim=1)
    assert norms[0] < 5 and norms[0] > 1
    assert norms[1] > 0.5 and norms[1] < 1
    assert torch.isfinite(W).all()


def test_decay_negative_gamma_float32_matches_authors_formula():
    """The authors' code: p += lr * wd * p * (1 - 1 / (||p_row|| + 1e-8))."""
    g = torch.Generator().manual_seed(0)
    W = torch.randn(50, 8, generator=g) * torch.rand(50, 1, generator=g) * 3
    lr, wd = 0.02, -0.778
    expected = W + lr * wd * W * (1 - 1 / (W.norm(dim=1, keepdim=True) + 1e-8))
    decay_rows_(W, torch.tensor(lr), torch.tensor(wd))
    torch.testing.assert_close(W, expected, rtol=1e-6, atol=1e-7)


def test_decay_repeated_negative_gamma_converges_to_unit_norm():
    W = W_HAND[:3].clone()
    for _ in range(200):
        decay_rows_(W, torch.tensor(0.1, dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64))
    torch.testing.assert_close(W.norm(dim=1), torch.ones(3, dtype=torch.float64), rtol=1e-6, atol=0)
    # directions are kept
    torch.testing.assert_close(W / W.norm(dim=1, keepdim=True), W_HAND[:3] / W_HAND[:3].norm(dim=1, keepdim=True))


def test_decay_stacked_equals_separate_calls():
    g = torch.Generator().manual_seed(1)
    K, n, m = 4, 30, 6
    W = torch.randn(K, n, m, generator=g) * torch.rand(K, n, 1, generator=g) * 2
    lr = torch.tensor([0.01, 0.1, 0.05, 0.2])
    gamma = torch.tensor([-1.0, 0.5, 0.0, -0.3])
    separate = W.clone()
    for k in range(K):
        decay_rows_(separate[k], lr[k], gamma[k])
    stacked = W.clone()
    decay_rows_(stacked, lr, gamma)
    torch.testing.assert_close(stacked, separate, rtol=0, atol=0)
    # and each model really got its own lr and gamma
    assert not torch.allclose(stacked[0], stacked[1])
    assert torch.equal(stacked[2], W[2])


# ---------------------------------------------------------------- Schedule


def authors_get_lr(step, lr, n_steps, warmup_steps=2000):
    """The authors' get_lr (exp/exp-10.py), written out."""
    step = step + 1
    min_lr = 0.05 * lr
    if warmup_steps < n_steps:
        if step < warmup_steps:
            return lr * step / warmup_steps
        return (lr - min_lr) * 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / (n_steps - warmup_steps))) + min_lr
    return (lr - min_lr) * 0.5 * (1 + math.cos(math.pi * step / n_steps)) + min_lr


@pytest.mark.parametrize("total, warmup", [(20000, 2000), (100, 10), (40, 2), (50, 50), (30, 1000)])
def test_schedule_matches_authors_get_lr(total, warmup):
    peak = 1e-2
    schedule = Schedule(total_steps=total, warmup_steps=warmup)
    steps = sorted(
        {0, 1, warmup // 2, warmup - 2, warmup - 1, warmup, total // 2, total - 2, total - 1} & set(range(total))
    )
    for step in steps:
        assert peak * schedule.multiplier(step) == pytest.approx(authors_get_lr(step, peak, total, warmup), rel=1e-12)


def test_schedule_hand_values_with_warmup():
    s = Schedule(total_steps=110, warmup_steps=10, min_ratio=0.05)
    assert s.multiplier(0) == pytest.approx(0.1)  # (0 + 1) / 10
    assert s.multiplier(4) == pytest.approx(0.5)
    assert s.multiplier(8) == pytest.approx(0.9)
    assert s.multiplier(9) == pytest.approx(1.0)  # warmup end: step + 1 = 10
    assert s.multiplier(59) == pytest.approx(0.05 + 0.95 * 0.5)  # half way through the cosine
    assert s.multiplier(109) == pytest.approx(0.05)  # last step reaches min_ratio
    values = [s.multiplier(t) for t in range(110)]
    assert all(a < b for a, b in zip(values[:9], values[1:10]))
    assert all(a > b for a, b in zip(values[9:-1], values[10:]))


def test_schedule_hand_values_without_warmup():
    s = Schedule(total_steps=10, warmup_steps=10, min_ratio=0.2)
    # progress (step + 1) / 10; multiplier 0.2 + 0.8 * 0.5 * (1 + cos(pi * progress))
    assert s.multiplier(0) == pytest.approx(0.2 + 0.4 * (1 + math.cos(math.pi / 10)))
    assert s.multiplier(4) == pytest.approx(0.6)  # progress 1/2
    assert s.multiplier(9) == pytest.approx(0.2)
    assert s.multiplier(0) < 1.0


# ---------------------------------------------------------------- Adam


@pytest.mark.parametrize("lrs", [[1e-2] * 6, [1e-3, 5e-3, 1e-2, 7e-3, 2e-3, 1e-4]])
def test_adam_step_matches_torch_adam(lrs):
    g = torch.Generator().manual_seed(0)
    start = torch.randn(20, 5, generator=g)
    grads = [torch.randn(20, 5, generator=g) * 10 ** (k - 3) for k in range(len(lrs))]

    ref = start.clone().requires_grad_(True)
    opt = torch.optim.Adam([ref], lr=lrs[0], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    ours = start.clone()
    exp_avg, exp_avg_sq = torch.zeros_like(ours), torch.zeros_like(ours)
    for step, (lr, grad) in enumerate(zip(lrs, grads), start=1):
        for group in opt.param_groups:
            group["lr"] = lr
        ref.grad = grad.clone()
        opt.step()
        adam_step_(ours, grad, exp_avg, exp_avg_sq, step, torch.tensor(lr))
        torch.testing.assert_close(ours, ref.detach(), rtol=1e-6, atol=1e-7)
    state = opt.state[ref]
    torch.testing.assert_close(exp_avg, state["exp_avg"], rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(exp_avg_sq, state["exp_avg_sq"], rtol=1e-6, atol=1e-12)
    assert not torch.allclose(ours, start)


def test_adam_first_step_moves_each_entry_by_lr():
    # With bias correction the first Adam step is lr * sign(grad) (up to eps).
    param = torch.zeros(3, 2, dtype=torch.float64)
    grad = torch.tensor([[1.0, -2.0], [3e-3, -4e2], [5.0, -1e-2]], dtype=torch.float64)
    adam_step_(param, grad, torch.zeros_like(param), torch.zeros_like(param), 1, torch.tensor(0.1, dtype=torch.float64))
    torch.testing.assert_close(param, -0.1 * grad.sign(), rtol=1e-5, atol=0)


def test_adam_step_stacked_per_model_lr():
    g = torch.Generator().manual_seed(2)
    K = 3
    lr = torch.tensor([1e-3, 1e-2, 5e-2])
    for shape in [(K, 10, 4), (K, 10)]:  # W-like and b-like
        start = torch.randn(*shape, generator=g)
        grads = [torch.randn(*shape, generator=g) for _ in range(4)]
        stacked = start.clone()
        state = torch.zeros_like(stacked), torch.zeros_like(stacked)
        separate = [start[k].clone() for k in range(K)]
        states = [(torch.zeros_like(s), torch.zeros_like(s)) for s in separate]
        for step, grad in enumerate(grads, start=1):
            adam_step_(stacked, grad, *state, step, lr)
            for k in range(K):
                adam_step_(separate[k], grad[k], *states[k], step, lr[k])
        torch.testing.assert_close(stacked, torch.stack(separate), rtol=1e-6, atol=1e-7)
