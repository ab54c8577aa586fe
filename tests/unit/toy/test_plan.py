"""The toy plan: which cells a config asks for, how jobs pack them, and what the E sweep borrows."""

import copy
from pathlib import Path

import pytest
import yaml

from superscale.core.grid import axis_values
from superscale.toy.plan import MODEL_STEP_COLUMNS, check_widths, esweep_densities, toy_cells, toy_plan
from superscale.toy.resources import train_mem_mb, train_minutes
from superscale.toy.spec import CellSpec

ROOT = Path(__file__).resolve().parents[3]
TINY = yaml.safe_load((ROOT / "tests/config/tiny.yaml").read_text())
PAPER = yaml.safe_load((ROOT / "config/paper.yaml").read_text())
DEFAULT = yaml.safe_load((ROOT / "config/config.yaml").read_text())


def test_esweep_densities_span_one_to_where_the_first_feature_is_always_on():
    densities = esweep_densities(PAPER["toy_esweep"], PAPER["toy_small"]["n"])
    assert len(densities) == 9
    assert densities[0] == 1.0 and densities[-1] == pytest.approx(7.4855, abs=1e-4)  # H_1000
    assert densities[4] == pytest.approx(4.243, abs=1e-3)


def test_paper_grid_sizes():
    cells = toy_cells(PAPER)
    assert len(cells["small"]) == 10 * 17
    assert len(cells["esweep"]) == 9 * 10
    assert len(cells["fig18"]) == 17
    assert len(cells["large"]) == 3 * 2
    exponential = next(c.spec for c in cells["large"] if c.spec.distribution == "exponential")
    assert exponential.n == 10240 and exponential.scale == 400
    assert exponential.learning_rates(1024) == (pytest.approx(0.02 * (8 / 1024) ** 0.25), pytest.approx(2 / 1024))


def test_paper_config_follows_the_authors_runs():
    """exp-17.py: MSE x 100 back-propagated, batch 8192 x 40,000 steps, 5 % warmup; the small toys'
    scripts: plain MSE. Every toy's final loss on 100 x 2048 fresh samples."""
    cells = toy_cells(PAPER)
    large = [c.spec for c in cells["large"]]
    assert {(s.loss_scale, s.batch_size, s.steps, s.warmup_steps) for s in large} == {(100.0, 8192, 40000, 2000)}
    assert {c.spec.loss_scale for family in ("small", "esweep", "fig18") for c in cells[family]} == {1.0}
    for config in (PAPER, DEFAULT):
        for section in ("toy_small", "toy_large"):
            assert (config[section]["eval_batches"], config[section]["eval_batch_size"]) == (100, 2048)


def test_default_large_toys_keep_each_distribution_form():
    """The reduced large toys scale the exponential's decay length with n (p_n/p_1 as in the
    paper) and keep every width where m^2/2 <= n."""
    large = DEFAULT["toy_large"]
    paper = PAPER["toy_large"]
    decay = lambda section: (section["n"] - 1) / section["exponential_scale"]  # noqa: E731
    assert decay(large) == pytest.approx(decay(paper), rel=0.01)
    assert large["power_exponent"] == paper["power_exponent"]
    assert all(m * m / 2 <= large["n"] for m in large["m"])
    assert max(large["m"]) / min(large["m"]) >= 5


def test_cpu_trains_one_cell_per_job_and_gpu_packs_every_gamma():
    cpu, gpu = toy_plan(PAPER, uses_gpu=False), toy_plan(PAPER, uses_gpu=True)
    assert all(len(cells) == 1 for jobs in cpu.jobs.values() for cells in jobs.values())
    assert len(gpu.jobs["small"]) == 17 and all(len(cells) == 10 for cells in gpu.jobs["small"].values())
    assert "g-1.0000..+1.0000_a1.0000_s0" in gpu.jobs["small"]
    for jobs in gpu.jobs.values():
        for cells in jobs.values():
            assert len({cell.spec.stream() for cell in cells}) == 1  # one shared data stream per job


def test_cpu_spreads_each_cells_widths_over_two_jobs_of_about_equal_cost():
    """width_jobs auto: two jobs per cell on the CPU, the widths between them, the larger job at most
    1.2 times the smaller by the plan's cost weight; one job with every width on a GPU."""
    config = copy.deepcopy(DEFAULT)
    cpu, gpu = toy_plan(config, uses_gpu=False), toy_plan(config, uses_gpu=True)
    cost = lambda cells: sum(m + 1 + MODEL_STEP_COLUMNS for cell in cells for m in cell.spec.widths)  # noqa: E731
    for name in cpu.parts["small"]:
        jobs = cpu.cell_jobs("small", name)
        assert len(jobs) == 2 and all(job.startswith(f"{name}_m") for job in jobs)
        widths = [m for job in jobs for cell in cpu.jobs["small"][job] for m in cell.spec.widths]
        assert sorted(widths) == sorted(config["toy_small"]["m"])
        costs = [cost(cpu.jobs["small"][job]) for job in jobs]
        assert max(costs) <= 1.2 * min(costs)
        [(_, whole)] = gpu.parts["small"][name]
        assert whole.name == name and list(whole.spec.widths) == config["toy_small"]["m"]
    assert cpu.rows == gpu.rows and cpu.keep == gpu.keep  # the tables and fits hold the same cells


def test_one_cells_jobs_and_rows_whatever_the_split():
    for width_jobs in (1, 3):
        plan = toy_plan(copy.deepcopy(DEFAULT) | {"width_jobs": width_jobs}, uses_gpu=False)
        for name, parts in plan.parts["small"].items():
            assert len(plan.cell_jobs("small", name)) == width_jobs
            spec = parts[0][1].spec
            cell = (spec.gamma, spec.alpha, spec.seed)
            same_cell = [row for row in plan.rows["small"] if (row["gamma"], row["alpha"], row["seed"]) == cell]
            assert sorted(plan.cell_rows("small", name), key=lambda row: row["m"]) == same_cell


def test_explicit_cells_per_job_splits_packs():
    config = copy.deepcopy(PAPER) | {"cells_per_job": 4, "width_jobs": 1}
    sizes = sorted(len(cells) for cells in toy_plan(config, uses_gpu=False).jobs["small"].values())
    assert set(sizes) == {2, 4} and sum(sizes) == 170


def test_esweep_borrows_the_small_grids_unit_density_cells():
    plan = toy_plan(PAPER, uses_gpu=False)  # each cell's widths over two jobs
    trained = [cell.spec for cells in plan.jobs["esweep"].values() for cell in cells]
    assert len(plan.parts["esweep"]) == 8 * 10 and all(spec.density > 1 for spec in trained)
    borrowed = [job for family, job in plan.members["esweep"] if family == "small"]
    assert len(borrowed) == 10 * 2 and all("_a1.0000_" in job for job in borrowed)
    assert len(plan.keep["esweep"]) == 9 * 10


def test_esweep_trains_unit_density_when_the_small_grid_lacks_it():
    config = copy.deepcopy(TINY)
    config["toy_esweep"]["gamma"] = [-0.5]  # not on the small grid
    plan = toy_plan(config, uses_gpu=False)
    assert all(family == "esweep" for family, _ in plan.members["esweep"])
    assert sorted(s["density"] for job in plan.jobs["esweep"] for s in plan.job_specs("esweep", job))[0] == 1.0


def test_a_table_must_hold_every_kept_cell_at_every_width_and_a_job_file_every_cell_it_trains():
    plan = toy_plan(PAPER, uses_gpu=True)
    assert len(plan.rows["esweep"]) == 9 * 10 * len(PAPER["toy_small"]["m"])  # borrowed cells included
    assert len(plan.rows["fig18"]) == 17 * len(PAPER["toy_fig18"]["m"])
    job = next(iter(plan.jobs["small"]))  # a pack of every gamma
    rows = plan.job_rows("small", job)
    assert len(rows) == len(plan.jobs["small"][job]) * len(PAPER["toy_small"]["m"])
    assert {row["m"] for row in rows} == set(PAPER["toy_small"]["m"])
    assert set(rows[0]) == {"distribution", "density", "gamma", "alpha", "seed", "m"}


def test_job_specs_round_trip_to_cell_specs():
    plan = toy_plan(TINY, uses_gpu=False)
    for family, jobs in plan.jobs.items():
        for job in jobs:
            for values in plan.job_specs(family, job):
                assert isinstance(CellSpec.from_dict(values), CellSpec)


def test_widths_above_n_are_refused_naming_the_section():
    config = {**TINY, "toy_large": {**TINY["toy_large"], "m": [TINY["toy_large"]["n"] + 1]}}
    with pytest.raises(ValueError, match="toy_large.m"):
        check_widths(config)
    check_widths(TINY)


def test_training_time_limits_grow_with_the_work_and_keep_a_floor():
    spec = {"batch_size": 2048, "n": 1000, "widths": [10, 100], "steps": 20_000}
    assert train_minutes([spec], threads=1) == int(3 * 6 * 2048 * 1000 * 110 * 20_000 / 20e9 / 60)
    assert train_minutes([spec | {"steps": 10}], threads=1) == 10
    assert train_mem_mb({"batch_size": 2048, "n": 1000}, cells=2) == 1536 + 16 * 2 * 2048 * 1000 // 2**20


def test_sweeps_train_at_their_own_batch_where_set_and_borrow_only_equal_cells():
    """The default trains its small grid at the paper's batch and the E sweep and Fig. 18 at their
    own: no E = 1 cell is then borrowed from the small grid; without the key they follow toy_small."""
    plan = toy_plan(DEFAULT, uses_gpu=False)
    batches = {
        family: {c.spec.batch_size for cells in plan.jobs[family].values() for c in cells} for family in plan.jobs
    }
    assert batches["small"] == {DEFAULT["toy_small"]["batch_size"]}
    assert batches["esweep"] == {DEFAULT["toy_esweep"]["batch_size"]} != batches["small"]
    assert batches["fig18"] == {DEFAULT["toy_fig18"]["batch_size"]}
    assert len(plan.parts["esweep"]) == 2 and all(family == "esweep" for family, _ in plan.members["esweep"])
    inherited = copy.deepcopy(DEFAULT)
    del inherited["toy_esweep"]["batch_size"], inherited["toy_fig18"]["batch_size"]
    plan = toy_plan(inherited, uses_gpu=False)
    assert {c.spec.batch_size for cells in plan.jobs["fig18"].values() for c in cells} == {2048}
    assert len(plan.parts["esweep"]) == 1  # the E = 1 cell is the small grid's


def test_replicates_add_seeds_on_named_cells_only():
    config = copy.deepcopy(TINY)
    config["toy_small"]["replicates"] = {"cells": [[-1.0, 1.5]], "seeds": [1, 2]}
    names = [cell.name for cell in toy_cells(config)["small"]]
    assert len(names) == 2 * 2 + 2 and {"g-1.0000_a1.5000_s1", "g-1.0000_a1.5000_s2"} <= set(names)
    assert len(toy_cells(config)["esweep"]) == len(toy_cells(TINY)["esweep"])  # the grid's seeds only
    off_grid = copy.deepcopy(config)
    off_grid["toy_small"]["replicates"]["cells"] = [[-1.0, 1.25]]
    with pytest.raises(ValueError, match=r"toy_small.replicates.cells: \(-1.0, 1.25\) is not a \(gamma, alpha\) cell"):
        toy_cells(off_grid)
    seed_twice = copy.deepcopy(config)
    seed_twice["toy_small"]["replicates"]["seeds"] = [0]
    with pytest.raises(ValueError, match="seed 0 is already in toy_small.seeds"):
        toy_cells(seed_twice)


def test_study_config_trains_a_4x4_paper_subgrid_in_the_paper_setting_and_reseeds_default_cells():
    study = yaml.safe_load((ROOT / "config/study.yaml").read_text())
    small = study["toy_small"]
    paper_gamma, paper_alpha = (axis_values(PAPER["toy_small"][axis]) for axis in ("gamma", "alpha"))
    assert len(small["gamma"]) >= 4 and len(small["alpha"]) >= 4
    assert all(min(abs(g - p) for p in paper_gamma) < 1e-9 for g in small["gamma"])
    assert all(min(abs(a - p) for p in paper_alpha) < 1e-9 for a in small["alpha"])
    for key in ("n", "m", "batch_size", "steps", "lr", "warmup_steps", "min_lr_ratio", "loss_scale", "eval_batches"):
        assert small[key] == PAPER["toy_small"][key], key
    default_cells = {(g, a) for g in DEFAULT["toy_small"]["gamma"] for a in DEFAULT["toy_small"]["alpha"]}
    reseeded = {tuple(cell) for cell in small["replicates"]["cells"]}
    assert reseeded and reseeded <= default_cells
