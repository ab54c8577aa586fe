"""Tests of superscale.toy.features: feature frequencies, the sparse sampler and its batch format."""

import math

import numpy as np
import pytest
import torch
from devices import DEVICES
from scipy import stats

from superscale.core.seeds import derive_seed, make_generator
from superscale.toy.features import FeatureSampler, SparseBatch, feature_probabilities
from superscale.toy.reference import dense_sample

# ---------------------------------------------------------------- feature_probabilities


@pytest.mark.parametrize(
    "kind, kwargs",
    [
        ("power", dict(exponent=1.0)),
        ("power", dict(exponent=0.0)),
        ("power", dict(exponent=2.0)),
        ("power", dict(exponent=1.2, density=3.0)),
        ("exponential", dict(scale=400.0)),
        ("exponential", dict(scale=7.0, density=0.5)),
        ("linear", dict()),
        ("linear", dict(density=2.0)),
    ],
)
def test_probabilities_sum_to_density_and_are_sorted(kind, kwargs):
    n = 1000
    p = feature_probabilities(kind, n, **kwargs)
    assert p.shape == (n,)
    assert p.dtype == torch.float64
    assert p.sum().item() == pytest.approx(kwargs.get("density", 1.0), rel=1e-12)
    assert torch.all(p[1:] <= p[:-1])
    assert torch.all(p > 0) and torch.all(p <= 1)


@pytest.mark.parametrize("exponent", [0.0, 0.5, 1.0, 1.2, 2.0])
def test_power_law_shape(exponent):
    n = 500
    p = feature_probabilities("power", n, exponent=exponent)
    i = torch.arange(1, n + 1, dtype=torch.float64)
    torch.testing.assert_close(p / p[0], i.pow(-exponent), rtol=1e-12, atol=0)
    # normalisation written out: p_1 = 1 / sum_i i^-a
    assert p[0].item() == pytest.approx(1 / sum(k**-exponent for k in range(1, n + 1)), rel=1e-12)


def test_power_law_exponent_zero_is_uniform():
    p = feature_probabilities("power", 8, exponent=0.0, density=2.0)
    torch.testing.assert_close(p, torch.full((8,), 0.25, dtype=torch.float64))


@pytest.mark.parametrize("scale", [400.0, 1000.0, 5.0])
def test_exponential_shape(scale):
    n = 300
    p = feature_probabilities("exponential", n, scale=scale)
    ratios = p[1:] / p[:-1]
    torch.testing.assert_close(ratios, torch.full_like(ratios, math.exp(-1 / scale)), rtol=1e-12, atol=0)
    # closed form of the normalisation: p_1 = (1 - q) / (1 - q^n), q = e^{-1/scale}
    q = math.exp(-1 / scale)
    assert p[0].item() == pytest.approx((1 - q) / (1 - q**n), rel=1e-10)


def test_linear_shape():
    n = 10
    p = feature_probabilities("linear", n)
    # p_i proportional to n + 1 - i = 10, 9, ..., 1, whose sum is 55
    expected = torch.arange(10, 0, -1, dtype=torch.float64) / 55
    torch.testing.assert_close(p, expected, rtol=1e-14, atol=0)
    diffs = p[:-1] - p[1:]
    torch.testing.assert_close(diffs, torch.full_like(diffs, 1 / 55), rtol=1e-12, atol=0)


def test_density_too_large_raises_naming_density():
    # power, exponent 2, n = 10: p_1 = density / 1.5498 > 1 for density 3.25
    with pytest.raises(ValueError, match=r"3\.25"):
        feature_probabilities("power", 10, exponent=2.0, density=3.25)
    with pytest.raises(ValueError, match=r"density"):
        feature_probabilities("linear", 4, density=2.6)  # p_1 = 2.6 * 4/10 = 1.04


def test_density_at_the_limit_gives_p1_equal_one():
    # The E sweep's top value: density H_n for alpha = 1 makes p_1 = 1 exactly (allowed).
    n = 1000
    harmonic = sum(1 / k for k in range(1, n + 1))
    p = feature_probabilities("power", n, exponent=1.0, density=harmonic)
    assert p[0].item() == pytest.approx(1.0, abs=1e-12)
    assert p.max().item() <= 1.0
    assert p.sum().item() == pytest.approx(harmonic, rel=1e-12)


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="zipf"):
        feature_probabilities("zipf", 10)


# ---------------------------------------------------------------- SparseBatch formats


def _hand_batch() -> SparseBatch:
    # 5 rows, 4 features; rows 0 and 3 are empty, the last row has entries
    rows = torch.tensor([1, 1, 2, 4, 4, 4])
    cols = torch.tensor([0, 3, 2, 0, 1, 3])
    values = torch.tensor([0.5, 1.5, 0.25, 1.0, 1.75, 0.125])
    return SparseBatch(rows, cols, values, batch_size=5, n=4)


def test_to_dense_by_hand():
    dense = _hand_batch().to_dense()
    expected = torch.tensor(
        [
            [0.0, 0.0, 0.0, 0.0],
            [0.5, 0.0, 0.0, 1.5],
            [0.0, 0.0, 0.25, 0.0],
            [0.0, 0.0, 0.0, 0.0],
            [1.0, 1.75, 0.0, 0.125],
        ]
    )
    assert torch.equal(dense, expected)


@pytest.mark.parametrize("batch_source", ["hand", "sampler"])
def test_csr_forms_agree_with_dense(batch_source):
    if batch_source == "hand":
        batch = _hand_batch()
    else:
        probs = feature_probabilities("power", 40, exponent=1.0, density=2.0)
        batch = FeatureSampler(probs, 64, make_generator(3)).sample()
    dense = batch.to_dense()
    csr = batch.csr
    features, csr_t = batch.active_transpose
    assert csr.layout == torch.sparse_csr and csr_t.layout == torch.sparse_csr
    assert csr.shape == (batch.batch_size, batch.n)
    assert torch.equal(features, torch.unique(batch.cols))
    assert csr_t.shape == (features.numel(), batch.batch_size)
    assert torch.equal(csr.to_dense(), dense)
    assert torch.equal(csr_t.to_dense(), dense.T[features])
    assert not dense.T[torch.isin(torch.arange(batch.n), features, invert=True)].any()
    g = torch.Generator().manual_seed(0)
    W = torch.randn(batch.n, 7, generator=g)
    G = torch.randn(batch.batch_size, 5, generator=g)
    torch.testing.assert_close(csr @ W, dense @ W, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(csr_t @ G, (dense.T @ G)[features], rtol=1e-6, atol=1e-6)


def test_without_empty_rows_keeps_the_samples():
    batch = _hand_batch()  # rows 0 and 3 of 5 are empty
    compact = batch.without_empty_rows()
    assert compact.batch_size == 3 and compact.empty_rows == 2 and compact.samples == 5
    assert torch.equal(compact.rows, torch.tensor([0, 0, 1, 2, 2, 2]))
    assert torch.equal(compact.cols, batch.cols) and torch.equal(compact.values, batch.values)
    dense, full = compact.to_dense(), batch.to_dense()
    assert dense.shape == full.shape == (5, 4)
    assert torch.equal(dense[:3], full[[1, 2, 4]])  # stored samples first, in order
    assert torch.equal(dense[3:], torch.zeros(2, 4))  # the empty ones last
    assert torch.equal(compact.csr.to_dense(), full[[1, 2, 4]])
    again = compact.without_empty_rows()
    assert again.batch_size == 3 and again.samples == 5


def test_without_empty_rows_on_sampled_batch():
    probs = feature_probabilities("power", 30, exponent=1.0)
    batch = FeatureSampler(probs, 200, make_generator(4)).sample()
    compact = batch.without_empty_rows()
    full = batch.to_dense()
    nonempty = full[(full > 0).any(1)]
    assert compact.samples == 200
    assert compact.empty_rows == 200 - nonempty.shape[0]
    assert 40 < compact.empty_rows < 110  # about 200 / e empty with density 1
    assert torch.equal(compact.to_dense()[: compact.batch_size], nonempty)


# ---------------------------------------------------------------- FeatureSampler: format and exactness


def _batches(probs, batch_size, count, seed, device="cpu", **kwargs):
    sampler = FeatureSampler(probs, batch_size, make_generator(seed, device), **kwargs)
    return [sampler.sample() for _ in range(count)]


@pytest.mark.parametrize("device", DEVICES)
def test_sampler_batch_format(device):
    probs = feature_probabilities("power", 200, exponent=1.0, density=3.0)
    for batch in _batches(probs, 128, 20, seed=1, device=device):
        assert batch.rows.device.type == batch.cols.device.type == batch.values.device.type == device
        assert batch.batch_size == 128 and batch.n == 200
        assert batch.rows.dtype == torch.int64 and batch.cols.dtype == torch.int64
        assert batch.values.dtype == torch.float32
        assert batch.rows.shape == batch.cols.shape == batch.values.shape
        assert batch.rows.min() >= 0 and batch.rows.max() < 128
        assert batch.cols.min() >= 0 and batch.cols.max() < 200
        key = batch.rows * batch.n + batch.cols
        assert torch.all(key[1:] > key[:-1]), "entries must be sorted by (row, col) and unique"
        assert torch.all(batch.values >= 0) and torch.all(batch.values < 2)
        assert torch.all(batch.values > 0)  # a drawn zero would be indistinguishable from u = 0


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("sigmas", [6.0, 0.0])
def test_sampler_exact_for_certain_and_impossible_features(sigmas, device):
    probs = torch.tensor([1.0, 0.5, 0.0, 0.25, 0.0, 1.0, 0.9], dtype=torch.float64)
    B = 300
    for batch in _batches(probs, B, 10, seed=2, device=device, sigmas=sigmas):
        dense = batch.to_dense().cpu()
        active = dense > 0
        assert active[:, 0].all() and active[:, 5].all()
        assert not active[:, 2].any() and not active[:, 4].any()
        for col in (0, 5):
            assert torch.equal(batch.rows[batch.cols == col].cpu(), torch.arange(B))


def test_sampler_all_features_certain():
    probs = torch.ones(6, dtype=torch.float64)
    batch = FeatureSampler(probs, 17, make_generator(0)).sample()
    assert batch.rows.numel() == 17 * 6
    assert (batch.to_dense() > 0).all()


def test_sampler_same_seed_same_batches_different_seed_differs():
    probs = feature_probabilities("power", 100, exponent=1.2)
    a = _batches(probs, 64, 5, seed=11)
    b = _batches(probs, 64, 5, seed=11)
    c = _batches(probs, 64, 5, seed=12)
    for x, y in zip(a, b):
        assert torch.equal(x.rows, y.rows) and torch.equal(x.cols, y.cols) and torch.equal(x.values, y.values)
    assert any(
        x.rows.shape != z.rows.shape or not torch.equal(x.cols, z.cols) or not torch.equal(x.values, z.values)
        for x, z in zip(a, c)
    )
    # consecutive batches of one stream differ too (the generator advances)
    assert not torch.equal(a[0].to_dense(), a[1].to_dense())


# ---------------------------------------------------------------- FeatureSampler: statistics

N_FEATURES = 50
STAT_BATCH = 512
STAT_BATCHES = 800  # 409,600 samples


@pytest.fixture(scope="module", params=[6.0, 0.0], ids=["sigmas6", "sigmas0-redraws"])
def stat_sample(request):
    """Many batches for a power law with density 2.5; sigmas=0 forces the sampler's redraw path often."""
    probs = feature_probabilities("power", N_FEATURES, exponent=1.0, density=2.5)
    batches = _batches(probs, STAT_BATCH, STAT_BATCHES, seed=1234, sigmas=request.param)
    return probs.numpy(), batches


def _chi2_pvalue(observed, expected, variance):
    chi2 = float(np.sum((observed - expected) ** 2 / variance))
    return stats.chi2.sf(chi2, df=len(observed))


def test_sampler_feature_frequencies(stat_sample):
    p, batches = stat_sample
    N = STAT_BATCH * len(batches)
    counts = sum(torch.bincount(b.cols, minlength=N_FEATURES) for b in batches).numpy().astype(float)
    expected, variance = N * p, N * p * (1 - p)
    z = (counts - expected) / np.sqrt(variance)
    assert np.abs(z).max() < 5, z
    assert _chi2_pvalue(counts, expected, variance) > 1e-3


def test_sampler_uniform_over_row_positions(stat_sample):
    """Every row position of the batch, first and last included, sees the same activation rate."""
    p, batches = stat_sample
    per_row = sum(torch.bincount(b.rows, minlength=STAT_BATCH) for b in batches).numpy().astype(float)
    expected = len(batches) * p.sum()
    variance = len(batches) * np.sum(p * (1 - p))
    z = (per_row - expected) / np.sqrt(variance)
    assert abs(z[0]) < 5 and abs(z[-1]) < 5
    assert np.abs(z).max() < 5.5
    assert _chi2_pvalue(per_row, expected, variance) > 1e-3
    # the most frequent feature alone, at the last row (where the geometric gaps are cut off)
    last = sum(int(((b.rows == STAT_BATCH - 1) & (b.cols == 0)).sum()) for b in batches)
    n_b = len(batches)
    assert abs(last - n_b * p[0]) < 5 * math.sqrt(n_b * p[0] * (1 - p[0]))


def test_sampler_rows_independent(stat_sample):
    """Active counts per sample have the Poisson-binomial mean and variance; lag-1 rows uncorrelated."""
    p, batches = stat_sample
    per_sample = torch.cat([torch.bincount(b.rows, minlength=STAT_BATCH) for b in batches]).numpy().astype(float)
    N = per_sample.size
    mean, var = p.sum(), np.sum(p * (1 - p))
    assert abs(per_sample.mean() - mean) < 5 * math.sqrt(var / N)
    # the sample variance's relative sd is ~ sqrt(2/N) ~ 0.3% here; 3% is a loose bound
    assert per_sample.var() == pytest.approx(var, rel=0.03)
    # top feature in consecutive rows: P(both) = p_1^2
    top = torch.stack([b.to_dense()[:, 0] > 0 for b in batches[:200]]).double()
    both = (top[:, :-1] * top[:, 1:]).mean().item()
    n_pairs = top[:, :-1].numel()
    p1 = p[0]
    assert abs(both - p1**2) < 5 * math.sqrt(p1**2 * (1 - p1**2) / n_pairs)


def test_sampler_values_uniform_on_0_2(stat_sample):
    _, batches = stat_sample
    v = torch.cat([b.values for b in batches]).double().numpy()
    N = v.size
    assert v.min() >= 0 and v.max() < 2
    assert abs(v.mean() - 1.0) < 5 * math.sqrt(1 / 3 / N)
    var_v2 = 16 / 5 - (4 / 3) ** 2
    assert abs(np.mean(v**2) - 4 / 3) < 5 * math.sqrt(var_v2 / N)
    assert stats.kstest(v[:200_000], stats.uniform(loc=0, scale=2).cdf).pvalue > 1e-3


def test_sampler_expected_sum_is_density(stat_sample):
    p, batches = stat_sample
    sums = torch.cat([b.to_dense().double().sum(1) for b in batches]).numpy()
    density = p.sum()
    assert density == pytest.approx(2.5)
    var = np.sum(4 / 3 * p - p**2)  # Var(u v) = p E[v^2] - p^2 E[v]^2
    assert abs(sums.mean() - density) < 5 * math.sqrt(var / sums.size)


def test_sampler_tail_of_long_power_law():
    """n = 3000, alpha = 1.5: the top features individually and the rare tail in total."""
    probs = feature_probabilities("power", 3000, exponent=1.5)
    B, count = 1024, 150
    batches = _batches(probs, B, count, seed=5)
    N = B * count
    counts = sum(torch.bincount(b.cols, minlength=3000) for b in batches).numpy().astype(float)
    p = probs.numpy()
    top = slice(0, 20)
    z = (counts[top] - N * p[top]) / np.sqrt(N * p[top] * (1 - p[top]))
    assert np.abs(z).max() < 5, z
    tail = slice(100, None)
    expected, sd = N * p[tail].sum(), math.sqrt(N * np.sum(p[tail] * (1 - p[tail])))
    assert abs(counts[tail].sum() - expected) < 5 * sd
    # the far tail (p_i ~ 1e-6) is hit at all, but rarely
    far = slice(1000, None)
    assert abs(counts[far].sum() - N * p[far].sum()) < 5 * math.sqrt(N * p[far].sum())


def test_sampler_matches_dense_paper_sampler():
    """Mean active count per feature: the sparse sampler against reference.dense_sample (two-sample)."""
    probs = feature_probabilities("exponential", 60, scale=15.0, density=1.5)
    B, count = 512, 400
    sparse = _batches(probs, B, count, seed=21)
    sparse_counts = sum(torch.bincount(b.cols, minlength=60) for b in sparse).numpy().astype(float)
    g = make_generator(22)
    dense_counts = np.zeros(60)
    dense_values = []
    for _ in range(count):
        x = dense_sample(probs, B, g)
        dense_counts += (x > 0).sum(0).numpy()
        dense_values.append(x[x > 0])
    N = B * count
    p = probs.numpy()
    variance = 2 * N * p * (1 - p)  # of the difference of two independent binomial counts
    z = (sparse_counts - dense_counts) / np.sqrt(variance)
    assert np.abs(z).max() < 5, z
    assert stats.chi2.sf(np.sum(z**2), df=60) > 1e-3
    # the non-zero values have the same distribution in both
    sparse_values = torch.cat([b.values for b in sparse]).numpy()
    dense_values = torch.cat(dense_values).numpy()
    assert stats.ks_2samp(sparse_values[:100_000], dense_values[:100_000]).pvalue > 1e-3


# ---------------------------------------------------------------- seeds


def test_derive_seed_stable_and_distinct():
    a = derive_seed("toy", 1000, 0.5, 3)
    assert a == derive_seed("toy", 1000, 0.5, 3)
    assert 0 <= a < 2**63
    others = {derive_seed("toy", 1000, 0.5, s) for s in range(4)} | {derive_seed("toy", 1000, -0.5, 3)}
    assert len(others) == 5
    assert derive_seed("a", "b") != derive_seed("ab")
    make_generator(a)  # a valid torch seed


def test_make_generator_seeds():
    x = torch.rand(5, generator=make_generator(7))
    y = torch.rand(5, generator=make_generator(7))
    z = torch.rand(5, generator=make_generator(8))
    assert torch.equal(x, y) and not torch.equal(x, z)
