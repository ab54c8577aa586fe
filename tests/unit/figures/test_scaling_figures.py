"""The large-toy, E-sweep and Fig. 18 figures draw from synthetic tables in the pipeline's formats."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figure_job import run_figure_script  # noqa: E402

from superscale.figures import scaling as plots  # noqa: E402
from superscale.figures.style import exponent_error  # noqa: E402
from superscale.toy.fits import family_exponents  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
STYLE = ROOT / "workflow" / "matplotlibrc"
N = 400
WIDTHS = [8, 16, 32, 64, 128]


def _row(rng, m, **key):
    norm = rng.normal(1.0, 0.1, N).clip(0)
    return dict(
        **key,
        m=m,
        n=N,
        loss=m ** -rng.uniform(0.8, 1.2) * rng.lognormal(0, 0.05),
        loss_std=0.01,
        weak_loss_theory=1.0 / m,
        phi_half=(norm > 0.5).mean(),
        phi_one=(norm > 1).mean(),
        n_strong=int((norm > 1).sum()),
        mean_sq_overlap=1 / m,
        mean_sq_overlap_strong=1.1 / m,
    ), pd.DataFrame(dict(**key, m=m, feature=np.arange(N), norm=norm))


def large_tables(seeds):
    rng = np.random.default_rng(1)
    rows, norms = [], []
    for shape in ["exponential", "power", "linear"]:
        for gamma in [-1.0, 0.1]:
            for seed in seeds:
                for m in WIDTHS:
                    row, norm = _row(rng, m, distribution=shape, gamma=gamma, alpha=0.0, density=1.0, seed=seed)
                    rows.append(row)
                    norms.append(norm)
    metrics = pd.DataFrame(rows)
    return metrics, pd.concat(norms, ignore_index=True), family_exponents(metrics, "large")


def esweep_tables(seeds):
    rng = np.random.default_rng(2)
    rows = [
        _row(rng, m, distribution="power", gamma=g, alpha=1.0, density=e, seed=s)[0]
        for g in [-1.0, 1.0]
        for e in [1.0, 4.24, 7.49]
        for s in seeds
        for m in [10, 25, 63, 100]
    ]
    metrics = pd.DataFrame(rows)
    return metrics, None, family_exponents(metrics, "esweep")


def fig18_tables(seeds):
    rng = np.random.default_rng(3)
    rows = [
        _row(rng, m, distribution="power", gamma=-1.0, alpha=a, density=1.0, seed=s)[0]
        for a in [0.5, 1.0, 2.0]
        for s in seeds
        for m in [50, 86, 150]
    ]
    metrics = pd.DataFrame(rows)
    return metrics, None, family_exponents(metrics, "fig18")


@pytest.fixture(autouse=True)
def style():
    with matplotlib.style.context(STYLE):
        yield


LLM_POINTS = pd.DataFrame(dict(family="a", d_model=[576, 896, 1536], excess_loss=[0.8, 0.5, 0.3]))
SHAPES = {"power_exponent": 1.2, "exponential_scale": 40}  # config toy_large's frequency shapes
LABELS = plots.shape_labels(SHAPES)
FIGURES = {
    # name: (tables, draw(metrics, norms, fits), axes including colourbars)
    "fig01b": (large_tables, lambda mt, nr, ft: plots.fig1b_weak(mt, LABELS), 1),
    "fig01d": (large_tables, lambda mt, nr, ft: plots.fig1d_strong(mt, ft, None, LABELS), 1),
    "fig01d_llm": (large_tables, lambda mt, nr, ft: plots.fig1d_strong(mt, ft, LLM_POINTS, LABELS), 1),
    "fig07": (large_tables, lambda mt, nr, ft: plots.fig7_norm_histograms(nr), 6 * len(WIDTHS)),
    "fig08": (large_tables, lambda mt, nr, ft: plots.fig8_theory(mt), 4),
    "fig09a": (large_tables, lambda mt, nr, ft: plots.fig9a_r2(ft), 1),
    # two gammas: a legend entry each, no colour bar (style.MIN_COLOURBAR_VALUES)
    "fig14": (esweep_tables, lambda mt, nr, ft: plots.fig14_density(mt, ft), 2),
    "fig15": (esweep_tables, lambda mt, nr, ft: plots.fig15_exponent_vs_density(ft), 1),
    "fig18": (fig18_tables, lambda mt, nr, ft: plots.fig18_exponent_vs_alpha(ft), 1),
}


@pytest.mark.parametrize("seeds", [[0], [0, 1]], ids=["one_seed", "two_seeds"])
@pytest.mark.parametrize("name", FIGURES)
def test_figure_draws(name, seeds, tmp_path):
    tables, draw, axes = FIGURES[name]
    fig = draw(*tables(seeds))
    assert len(fig.axes) == axes
    fig.savefig(tmp_path / f"{name}.pdf")
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000


def test_exponent_error_is_seed_spread_with_several_seeds():
    fits = pd.DataFrame(dict(alpha_m=[1.0, 1.0], alpha_m_se=[0.1, 0.1], seeds=[1, 3], alpha_m_seed_std=[np.nan, 0.3]))
    assert list(exponent_error(fits)) == [0.1, 0.3]


@pytest.mark.parametrize("figure", ["fig01d", "fig07", "fig15"])
def test_figure_script_draws_the_registered_figure_and_logs(figure, tmp_path):
    metrics, norms, fits = (esweep_tables if figure == "fig15" else large_tables)([0])
    metrics.to_csv(tmp_path / "metrics.csv", index=False)
    fits.to_csv(tmp_path / "fits.csv", index=False)
    files = dict(metrics=str(tmp_path / "metrics.csv"), fits=str(tmp_path / "fits.csv"))
    if norms is not None:
        norms.to_parquet(tmp_path / "norms.parquet", index=False)
        files["norms"] = str(tmp_path / "norms.parquet")
    if figure == "fig01d":  # with the LLM stage's points, an input of this figure alone
        checkpoints = {"points": LLM_POINTS.to_dict("records"), "identifiable": False}
        (tmp_path / "llm.json").write_text(json.dumps({"joint_checkpoints": checkpoints}))
        files["llm"] = str(tmp_path / "llm.json")
    pdf = run_figure_script(figure, files, {"shapes": SHAPES}, tmp_path)
    assert pdf.stat().st_size > 1000
    assert "wrote" in (tmp_path / f"{figure}.log").read_text()


@pytest.mark.parametrize("scale, exponent", [(40, 1.2), (400, 0.8)])
def test_legends_name_the_frequency_shapes_of_the_config(scale, exponent):
    """The legend's decay length and power-law exponent are the run's (config toy_large), not the
    paper's 400 and 1.2 typed into the code."""
    metrics, _, fits = large_tables([0])
    labels = plots.shape_labels({"power_exponent": exponent, "exponential_scale": scale})
    for fig in (plots.fig1b_weak(metrics, labels), plots.fig1d_strong(metrics, fits, None, labels)):
        texts = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
        assert any(f"e^{{-i/{scale}}}" in text for text in texts), texts
        assert any(f"i^{{-{exponent:g}}}" in text for text in texts), texts


def test_llm_points_of_an_undetermined_fit_say_so():
    metrics, _, fits = large_tables([0])
    for determined, suffix in ((True, "$"), (False, "(offsets undetermined)")):
        fig = plots.fig1d_strong(metrics, fits, LLM_POINTS, LABELS, determined)
        texts = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
        assert [text for text in texts if text.startswith("LLMs")][0].endswith(suffix), texts
