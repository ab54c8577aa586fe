"""Every figure drawn from the small-toy tables draws from synthetic tables in the pipeline's formats and saves a non-empty PDF."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figure_job import run_figure_script  # noqa: E402

from superscale.core.grid import nearest  # noqa: E402
from superscale.figures import scaling as plots_scaling  # noqa: E402
from superscale.figures import toy as plots
from superscale.toy.fits import fit_exponents, least_ambiguous_cases  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
STYLE = ROOT / "workflow" / "matplotlibrc"
N = 120
GAMMAS = [-0.7777777777777778, -0.3333333333333333, 0.5555555555555556]
ALPHAS = [0.5, 1.125, 1.75]
WIDTHS = [10, 15, 25, 39, 63, 100]


def synthetic_tables(seeds) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """metrics, norms and fits shaped like the pipeline's, with weak (gamma > 0) and strong (gamma < 0) norms."""
    rng = np.random.default_rng(0)
    metric_rows, norm_rows = [], []
    for gamma in GAMMAS:
        for alpha in ALPHAS:
            for m in WIDTHS:
                for seed in seeds:
                    if gamma > 0:
                        norm = np.where(np.arange(N) < m, 1.0, 0.0) + rng.normal(0, 0.02, N).clip(0)
                    else:
                        norm = rng.normal(1.0, 0.1, N).clip(0)
                    strong = norm > 1
                    # fewer than 2 strong rows leaves the strong overlap statistics undefined, as in the pipeline
                    undefined = strong.sum() < 2 or (gamma < -0.5 and m == 25)
                    metric_rows.append(
                        dict(
                            gamma=gamma,
                            alpha=alpha,
                            m=m,
                            seed=seed,
                            n=N,
                            loss=(1 + gamma**2) * m ** -(0.2 + 0.5 * alpha) * rng.lognormal(0, 0.05),
                            loss_std=0.01,
                            train_loss_final=0.5,
                            norm_mean=norm.mean(),
                            norm_std=norm.std(),
                            norm_min=norm.min(),
                            norm_max=norm.max(),
                            phi_half=(norm > 0.5).mean(),
                            phi_one=strong.mean(),
                            n_strong=int(strong.sum()),
                            mean_sq_overlap=1 / m,
                            var_sq_overlap=2 / m**2,
                            mean_sq_overlap_strong=np.nan if undefined else 1.2 / m,
                            var_sq_overlap_strong=np.nan if undefined else alpha / m**2,
                            ambiguity=abs(gamma - 0.5) + 0.1 * alpha + rng.uniform(0, 0.01),
                        )
                    )
                    norm_rows.append(
                        pd.DataFrame(dict(gamma=gamma, alpha=alpha, m=m, seed=seed, feature=np.arange(N), norm=norm))
                    )
    metrics = pd.DataFrame(metric_rows)
    return metrics, pd.concat(norm_rows, ignore_index=True), fit_exponents(metrics, ["gamma", "alpha"])


@pytest.fixture(autouse=True)
def style():
    with matplotlib.style.context(STYLE):
        yield


@pytest.fixture(params=[[0], [0, 1]], ids=["one_seed", "two_seeds"])
def tables(request):
    return synthetic_tables(request.param)


def saved(fig, path: Path) -> int:
    fig.savefig(path)
    return path.stat().st_size


FIGURES = {
    # name: (draw(metrics, norms, fits), axes including colourbars)
    "fig03": (lambda mt, nr, ft: plots.fig3_representation(nr, mt, N), 5 + 2),
    "fig04": (lambda mt, nr, ft: plots.fig4_weak(mt, ft, least_ambiguous_cases(mt, count=4), N), 2 + 2),
    "fig05": (lambda mt, nr, ft: plots.fig5_strong(nr, mt, ft, least_ambiguous_cases(mt, count=4), N), 5 + 2),
    "fig09b": (lambda mt, nr, ft: plots.fig9b_phase(ft), 1 + 1),
    "fig10": (lambda mt, nr, ft: plots.fig10_r2(ft), 1 + 1),
    "fig11": (lambda mt, nr, ft: plots.fig11_12_norm_histograms(nr, 0.556), len(ALPHAS) * len(WIDTHS)),
    "fig12": (lambda mt, nr, ft: plots.fig11_12_norm_histograms(nr, -0.556), len(ALPHAS) * len(WIDTHS)),
    "fig13": (lambda mt, nr, ft: plots.fig13_phi_heatmaps(mt), len(WIDTHS) + 1),
    "fig16": (lambda mt, nr, ft: plots_scaling.fig16_strongly_represented(mt, N), 1 + 1),
    "fig17": (lambda mt, nr, ft: plots_scaling.fig17_overlap_all_rows(mt), 1 + 1),
}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_draws(name, tables, tmp_path):
    draw, axes = FIGURES[name]
    fig = draw(*tables)
    assert len(fig.axes) == axes
    assert saved(fig, tmp_path / f"{name}.pdf") > 1000


def test_nearest_picks_grid_value():
    assert nearest([-1.0, -0.7777777777777778, 0.5555555555555556], -0.778) == -0.7777777777777778
    assert nearest(pd.Series([10, 15, 25]), 17) == 15


def test_heatmaps_handle_reduced_irregular_grid(tmp_path):
    """A grid with an uneven spacing and a missing cell still draws, the missing cell left blank."""
    fits = pd.DataFrame(
        dict(
            gamma=[-1.0, -0.5, 1.0, -1.0, -0.5],
            alpha=[0.0, 0.0, 0.0, 1.5, 1.5],
            alpha_m=[0.2, 1.0, 0.1, 1.9, np.nan],
            r2=[0.9, 0.99, 0.5, 0.97, np.nan],
        )
    )
    fig = plots.fig9b_phase(fits)
    mesh = fig.axes[0].collections[0]
    assert mesh.get_array().mask.sum() == 2  # (1.0, 1.5) absent and (-0.5, 1.5) NaN
    assert mesh.get_clim() == (0.0, plots.ALPHA_M_MAX)
    assert saved(fig, tmp_path / "phase.pdf") > 1000


def test_grid_ticks_label_each_cell_and_thin_long_axes():
    ticks, labels = plots._grid_ticks([-1.0, 0.5, 1.0])
    assert np.allclose(ticks, [0.5, 1.5, 2.5]) and labels == ["-1", "0.5", "1"]
    _, labels = plots._grid_ticks(np.linspace(0, 2, 17))
    assert labels[0] == "0" and labels[-1] == "2" and sum(bool(label) for label in labels) == 9


@pytest.mark.parametrize("figure", ["fig04", "fig11", "fig16"])
def test_figure_script_draws_the_registered_figure_and_logs(figure, tmp_path):
    metrics, norms, fits = synthetic_tables([0])
    metrics.to_csv(tmp_path / "metrics.csv", index=False)
    norms.to_parquet(tmp_path / "norms.parquet", index=False)
    fits.to_csv(tmp_path / "fits.csv", index=False)
    files = {name: str(tmp_path / name) for name in ("metrics.csv", "norms.parquet", "fits.csv")}
    files = {name.split(".")[0]: path for name, path in files.items()}
    pdf = run_figure_script(figure, files, {"n": N}, tmp_path)
    assert pdf.stat().st_size > 1000
    assert "wrote" in (tmp_path / f"{figure}.log").read_text()
