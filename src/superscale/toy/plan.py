"""Which toy cells a config asks for, and which training job holds each.

Four families of cells (paper Secs. 4-5 and App. B, D): `small` (n = 1000, p_i ~ i^-alpha, the
(gamma, alpha) grid), `esweep` (alpha fixed, activation density E swept), `fig18` (small toys at
widths where m^2/2 > n) and `large` (n = 10240, three frequency shapes). esweep and fig18 train
with toy_small's settings, at their own batch size where their section sets one; an esweep cell
that the small grid already holds is taken from it, not trained twice. A training job holds up to
`cells_per_job` cells that differ only in gamma: they share every sampled batch and step together
in the same stacked products. A cell's widths may be spread over `width_jobs` jobs: each width's
model sees the same batches and its own initialisation wherever it trains, so the split changes no
model, only how long the longest job takes.

Everything here is a pure function of the config, so the DAG (job names, params) is fixed by it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import asdict, dataclass, replace

from superscale.core.grid import axis_values, nearest, value_token
from superscale.toy.spec import CellSpec

FAMILIES = ("small", "esweep", "fig18", "large")
TRAINING_KEYS = ("batch_size", "steps", "min_lr_ratio", "lr", "log_every", "loss_scale")
# A model's step costs about its (B, n) products' m + 1 columns plus this many for the passes over
# its (B, n) output that do not depend on m: the weight by which width_jobs balances its jobs.
MODEL_STEP_COLUMNS = 16


@dataclass(frozen=True)
class Cell:
    family: str
    name: str  # file-name token, unique within the family
    spec: CellSpec


def check_widths(config: dict) -> None:
    """Every toy width m at most the feature count n of its section (fig18 uses the small toys' n)."""
    for section, n in [
        ("toy_small", config["toy_small"]["n"]),
        ("toy_fig18", config["toy_small"]["n"]),
        ("toy_large", config["toy_large"]["n"]),
    ]:
        if max(config[section]["m"]) > n:
            raise ValueError(f"config {section}.m: widths {config[section]['m']} must not exceed n = {n}")


def family_batch(config: dict, section: str) -> int:
    """The batch size of toy_esweep's or toy_fig18's training: its own where the section sets one
    (so the small grid can train at the paper's batch and these sweeps at a cheaper one), else
    toy_small's."""
    return config[section].get("batch_size", config["toy_small"]["batch_size"])


def esweep_densities(section: dict, n: int) -> list[float]:
    """E = 1 + s (1/p_1 - 1) for the fractions s of the config: from E = 1 to the largest E,
    at which the most frequent feature is always active (paper D.4). p_1 = 1 / sum_i i^-alpha, the
    sum correctly rounded (math.fsum), in plain floats: the workflow plans without loading torch."""
    p1 = 1.0 / math.fsum(rank ** -section["alpha"] for rank in range(1, n + 1))
    return [1.0 + s * (1.0 / p1 - 1.0) for s in axis_values(section["s"])]


def _small_spec(small: dict, widths, alpha: float, density: float, gamma: float, seed: int) -> CellSpec:
    return CellSpec(
        distribution="power",
        n=small["n"],
        alpha=alpha,
        density=density,
        gamma=gamma,
        seed=seed,
        widths=tuple(widths),
        warmup_steps=small["warmup_steps"],
        **{k: small[k] for k in TRAINING_KEYS},
    )


def _large_spec(large: dict, distribution: str, gamma: float, seed: int) -> CellSpec:
    return CellSpec(
        distribution=distribution,
        n=large["n"],
        alpha=large["power_exponent"] if distribution == "power" else 0.0,
        density=1.0,
        gamma=gamma,
        seed=seed,
        widths=tuple(large["m"]),
        warmup_steps=round(large["warmup_fraction"] * large["steps"]),
        scale=large["exponential_scale"],
        lr_width_exponent=large["lr_width_exponent"],
        lr_bias=large["lr_bias"],
        **{k: large[k] for k in TRAINING_KEYS},
    )


def replicate_cells(small: dict) -> list[tuple[float, float, int]]:
    """(gamma, alpha, seed) of the extra seeds `toy_small.replicates` asks for on chosen cells of the
    grid (a second seed where a single seed's noise is the question, without doubling the grid)."""
    replicates = small.get("replicates")
    if not replicates:
        return []
    gammas, alphas = axis_values(small["gamma"]), axis_values(small["alpha"])
    for seed in replicates["seeds"]:
        if seed in small["seeds"]:
            raise ValueError(
                f"config toy_small.replicates.seeds: seed {seed} is already in toy_small.seeds; "
                "a replicate needs a seed the grid does not train"
            )
    extra = []
    for gamma, alpha in replicates["cells"]:
        on_grid = nearest(gammas, gamma), nearest(alphas, alpha)
        if abs(on_grid[0] - gamma) > 1e-9 or abs(on_grid[1] - alpha) > 1e-9:
            raise ValueError(
                f"config toy_small.replicates.cells: ({gamma}, {alpha}) is not a (gamma, alpha) cell of the "
                "grid toy_small.gamma x toy_small.alpha; name cells of the grid"
            )
        extra += [(*on_grid, seed) for seed in replicates["seeds"]]
    return extra


def toy_cells(config: dict) -> dict[str, list[Cell]]:
    """Every cell of every family, in a fixed order."""
    small, esweep, fig18, large = (config[f"toy_{family}"] for family in FAMILIES)
    esweep_small = small | {"batch_size": family_batch(config, "toy_esweep")}
    fig18_small = small | {"batch_size": family_batch(config, "toy_fig18")}
    g = lambda value: value_token(value, signed=True)  # noqa: E731
    v = value_token
    cells = {family: [] for family in FAMILIES}
    for seed in small["seeds"]:
        for gamma in axis_values(small["gamma"]):
            for alpha in axis_values(small["alpha"]):
                spec = _small_spec(small, small["m"], alpha, small["density"], gamma, seed)
                cells["small"].append(Cell("small", f"g{g(gamma)}_a{v(alpha)}_s{seed}", spec))
        for gamma in axis_values(esweep["gamma"]):
            for density in esweep_densities(esweep, small["n"]):
                spec = _small_spec(esweep_small, small["m"], esweep["alpha"], density, gamma, seed)
                cells["esweep"].append(Cell("esweep", f"g{g(gamma)}_e{v(density)}_s{seed}", spec))
        for gamma in axis_values(fig18["gamma"]):
            for alpha in axis_values(fig18["alpha"]):
                spec = _small_spec(fig18_small, fig18["m"], alpha, small["density"], gamma, seed)
                cells["fig18"].append(Cell("fig18", f"g{g(gamma)}_a{v(alpha)}_s{seed}", spec))
    for gamma, alpha, seed in replicate_cells(small):
        spec = _small_spec(small, small["m"], alpha, small["density"], gamma, seed)
        cells["small"].append(Cell("small", f"g{g(gamma)}_a{v(alpha)}_s{seed}", spec))
    for seed in large["seeds"]:
        for distribution in large["distributions"]:
            for gamma in axis_values(large["gamma"]):
                cells["large"].append(
                    Cell("large", f"{distribution}_g{g(gamma)}_s{seed}", _large_spec(large, distribution, gamma, seed))
                )
    return cells


def split_widths(cell: Cell, parts: int) -> list[Cell]:
    """The cell as up to `parts` cells of about equal training cost that hold its widths between them
    (widest first, each to the part costing least so far), named by their widths; one part: the cell."""
    parts = min(parts, len(cell.spec.widths))
    if parts == 1:
        return [cell]
    groups: list[list[int]] = [[] for _ in range(parts)]
    for m in sorted(cell.spec.widths, reverse=True):
        min(groups, key=lambda group: sum(w + 1 + MODEL_STEP_COLUMNS for w in group)).append(m)
    return [
        Cell(
            cell.family,
            f"{cell.name}_m{'-'.join(map(str, sorted(group)))}",
            replace(cell.spec, widths=tuple(sorted(group))),
        )
        for group in sorted(groups)
    ]


@dataclass(frozen=True)
class ToyPlan:
    jobs: dict[str, dict[str, list[Cell]]]  # family -> training job name -> its cells (or parts of cells)
    members: dict[str, list[tuple[str, str]]]  # family -> (family, job) of each job its table reads
    keep: dict[str, list[dict]]  # family -> the cells (key columns) its table keeps from those jobs
    rows: dict[str, list[dict]]  # family -> the rows its table must hold: key columns and width m
    parts: dict[str, dict[str, list[tuple[str, Cell]]]]  # family -> cell name -> (job, part) training it

    def job_specs(self, family: str, job: str) -> list[dict]:
        return [asdict(cell.spec) for cell in self.jobs[family][job]]

    def job_rows(self, family: str, job: str) -> list[dict]:
        """The rows a training job's metrics table must hold: one per cell and width."""
        return _rows(self.jobs[family][job])

    def cell_jobs(self, family: str, cell: str) -> list[str]:
        """The training jobs that hold the cell's widths between them."""
        return list(dict.fromkeys(job for job, _ in self.parts[family][cell]))

    def cell_rows(self, family: str, cell: str) -> list[dict]:
        """The rows of one cell: its key columns at each of its widths."""
        return _rows([part for _, part in self.parts[family][cell]])


def _job_name(cells: list[Cell]) -> str:
    """The single cell's name, or the first name with its gamma token widened to the pack's range."""
    if len(cells) == 1:
        return cells[0].name
    first, last = cells[0], cells[-1]
    first_token = f"g{value_token(first.spec.gamma, signed=True)}"
    last_token = f"{value_token(last.spec.gamma, signed=True)}"
    return first.name.replace(first_token, f"{first_token}..{last_token}")


def _pack(cells: list[Cell], per_job: int) -> dict[str, list[Cell]]:
    """Jobs of up to per_job cells that share a data stream, gamma ascending within a job."""
    streams: dict[tuple, list[Cell]] = {}
    for cell in cells:
        streams.setdefault(cell.spec.stream(), []).append(cell)
    jobs = {}
    for group in streams.values():
        group = sorted(group, key=lambda cell: cell.spec.gamma)
        for start in range(0, len(group), per_job):
            chunk = group[start : start + per_job]
            jobs[_job_name(chunk)] = chunk
    return jobs


def _key(spec: CellSpec) -> dict:
    return {
        "distribution": spec.distribution,
        "density": spec.density,
        "gamma": spec.gamma,
        "alpha": spec.alpha,
        "seed": spec.seed,
    }


def _rows(cells: list[Cell]) -> list[dict]:
    return [_key(cell.spec) | {"m": m} for cell in cells for m in cell.spec.widths]


def toy_plan(config: dict, uses_gpu: bool) -> ToyPlan:
    """Jobs and tables of every family. 'auto' packs all gammas of a cell into one job and every width
    into it on a GPU; on the CPU, one cell per job with its widths over two jobs."""
    per_job, width_jobs = config["cells_per_job"], config["width_jobs"]
    if per_job == "auto":
        per_job = sys.maxsize if uses_gpu else 1
    if width_jobs == "auto":
        width_jobs = 1 if uses_gpu else 2
    cells = toy_cells(config)
    small_specs = {cell.spec: cell for cell in cells["small"]}
    borrowed = [cell for cell in cells["esweep"] if cell.spec in small_specs]
    cells["esweep"] = [cell for cell in cells["esweep"] if cell.spec not in small_specs]
    split = {
        family: {cell.name: split_widths(cell, width_jobs) for cell in family_cells}
        for family, family_cells in cells.items()
    }
    jobs = {family: _pack([part for parts in split[family].values() for part in parts], per_job) for family in FAMILIES}
    job_of = {(family, part.name): job for family in FAMILIES for job, held in jobs[family].items() for part in held}
    parts = {
        family: {
            name: [(job_of[family, part.name], part) for part in cell_parts]
            for name, cell_parts in split[family].items()
        }
        for family in FAMILIES
    }
    members = {family: [(family, job) for job in jobs[family]] for family in FAMILIES}
    members["esweep"] += sorted(
        {("small", job) for cell in borrowed for job, _ in parts["small"][small_specs[cell.spec].name]}
    )
    keep = {family: [_key(cell.spec) for cell in family_cells] for family, family_cells in cells.items()}
    keep["esweep"] += [_key(cell.spec) for cell in borrowed]
    rows = {family: _rows(family_cells) for family, family_cells in cells.items()}
    rows["esweep"] += _rows(borrowed)
    return ToyPlan(jobs, members, keep, rows, parts)
