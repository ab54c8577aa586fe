"""The trainer's numbers pinned: weights and logged losses of a small job as the trainer made them
before its buffers were reused between steps (commit 1f88367), so that a change made for speed
cannot change what is trained beyond float rounding. On the machine that made the file the match
is bit for bit; elsewhere other matrix kernels round differently, hence the tolerance.

    PYTHONPATH=src python3 tests/unit/toy/test_trainer_pinned.py   # rewrites the file from this checkout
"""

from pathlib import Path

import torch

from superscale.core.schedule import Schedule
from superscale.toy.features import feature_probabilities
from superscale.toy.spec import ToyRun
from superscale.toy.trainer import BLOCKED_TRANSPOSE_MIN, TrainSettings, copy_transposed_, train_toys

PINNED = Path(__file__).parent / "data" / "trainer_pinned.pt"
RUNS = [
    ToyRun(m, gamma, 2e-2, 5e-2, init_seed=10 * m + i, label=f"m={m} gamma={gamma}")
    for i, gamma in enumerate((-1.0, 0.5))
    for m in (3, 8)
]


def train() -> list[dict]:
    probs = feature_probabilities("power", 60, exponent=1.2, density=1.5)
    settings = TrainSettings(32, Schedule(25, 5), log_every=5, loss_scale=100.0)
    trained = train_toys(RUNS, probs, settings, data_seed=3, device=torch.device("cpu"))
    return [{"W": t.W, "b": t.b, "log_losses": t.log_losses} for t in trained]


def test_trainer_reproduces_its_pinned_weights_and_losses():
    pinned = torch.load(PINNED, weights_only=True)
    for run, now, then in zip(RUNS, train(), pinned):
        torch.testing.assert_close(now["W"], then["W"], rtol=1e-5, atol=1e-6, msg=lambda m: f"{run.label} W: {m}")
        torch.testing.assert_close(now["b"], then["b"], rtol=1e-5, atol=1e-6, msg=lambda m: f"{run.label} b: {m}")
        torch.testing.assert_close(now["log_losses"], then["log_losses"], rtol=1e-6, atol=0)


def test_blocked_transposed_copy_equals_the_plain_one():
    """Matrices of BLOCKED_TRANSPOSE_MIN elements and more are copied model by model: same values."""
    source = torch.randn(2, 1024, BLOCKED_TRANSPOSE_MIN // 1024, generator=torch.Generator().manual_seed(0))
    copied = copy_transposed_(torch.empty(2, source.shape[2], 1024), source)
    assert torch.equal(copied, source.transpose(1, 2))


if __name__ == "__main__":
    PINNED.parent.mkdir(exist_ok=True)
    torch.save(train(), PINNED)
