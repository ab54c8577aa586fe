"""One prepared check of the toy trainer's GPU path, for a short first session on a CUDA machine.

Writes a JSON file, and a text summary beside it, with: the CUDA tests (`pytest -m cuda`) and their
outcome; whether training repeats bit for bit with torch's deterministic mode and without, and
which product does not; the batched trainer against the one-model reference loop on one paper cell
(models x steps/s, ratio, GFLOP/s against the measured FP32 matmul peak); one training job of each
toy family of config/paper.yaml, the large toys' among them (time per step, peak memory against the
trainer's estimate); and the predicted wall time of that config's toy stage on this device, with
the arithmetic. Each section is written out as soon as it is done, so a run cut short keeps what
it measured.

    python3 benchmarks/gpu_check.py --device cuda           # a few minutes on one GPU
    python3 benchmarks/gpu_check.py --device cpu --quick    # seconds; the test suite runs this

--quick shrinks batches and step counts (the JSON records them) so that every field is still filled.
"""

from __future__ import annotations

import time

IMPORT_START = time.perf_counter()

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402
import yaml  # noqa: E402
from trainer_speed import measure, step_flops, synchronize  # noqa: E402

from superscale.core.device import configure_precision, resolve_device  # noqa: E402
from superscale.core.schedule import Schedule  # noqa: E402
from superscale.core.seeds import make_generator  # noqa: E402
from superscale.toy.cells import train_pack  # noqa: E402
from superscale.toy.evaluation import evaluate_losses  # noqa: E402
from superscale.toy.features import FeatureSampler  # noqa: E402
from superscale.toy.plan import FAMILIES, toy_plan  # noqa: E402
from superscale.toy.spec import CellSpec  # noqa: E402
from superscale.toy.trainer import TrainSettings, model_bytes, plan_chunks, sparse_forward  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - IMPORT_START
REPO = Path(__file__).resolve().parents[1]
CUDA_TESTS = ["tests/unit/toy/test_trainer.py", "tests/unit/toy/test_features.py"]
SPEEDUP_TARGET = 50
SECTIONS = ("environment", "tests", "determinism", "speed", "jobs", "prediction")


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much each section runs. The full run keeps every job's own batch; --quick caps it."""

    repeat_steps: int  # steps of each determinism run
    speed_steps: int
    speed_repeats: int
    job_steps: tuple[int, int]  # a job's step time is timed from step `first` up to step `last`
    batch_cap: int | None  # None: each job's own batch
    peak_size: int  # side of the square matrix product that measures the FP32 peak


FULL = {"cuda": Sizes(200, 50, 3, (5, 30), None, 8192), "cpu": Sizes(20, 20, 2, (2, 6), None, 2048)}
QUICK = Sizes(2, 3, 1, (0, 1), 64, 512)


# ---------------------------------------------------------------- sections


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def environment(device: torch.device, args, sizes: Sizes) -> dict:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    info = {
        "device": device.type,
        "device_name": _cpu_name(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "config": args.config,
        "quick": args.quick,
        "sizes": dataclasses.asdict(sizes),
        "commit": commit.stdout.strip() or None,
        "import_s": IMPORT_SECONDS,
    }
    if device.type == "cuda":
        start = time.perf_counter()
        torch.zeros(1, device=device)
        synchronize(device)
        properties = torch.cuda.get_device_properties(device)
        info |= {
            "device_name": properties.name,
            "device_memory_bytes": properties.total_memory,
            "cuda_init_s": time.perf_counter() - start,
            "tf32": torch.backends.cuda.matmul.allow_tf32,
        }
    return info


class _Outcomes:
    """A pytest plugin that keeps each test's outcome (and a skip's or failure's reason)."""

    def __init__(self):
        self.results = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            reason = None
            if report.skipped and isinstance(report.longrepr, tuple):
                reason = report.longrepr[2]
            elif report.failed:
                reason = str(report.longrepr)[-2000:]
            self.results[report.nodeid] = {"outcome": report.outcome, "reason": reason}


def cuda_tests(threads: int) -> dict:
    """The tests marked `cuda`, run here in-process (on a machine without CUDA they are skipped)."""
    outcomes = _Outcomes()
    arguments = [
        "-q",
        "-m",
        "cuda",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",  # in this process, not spread over the suite's xdist workers
        f"--rootdir={REPO}",
        *(str(REPO / t) for t in CUDA_TESTS),
    ]
    with mock.patch.dict(os.environ, {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}):  # none needed; they cost seconds
        code = pytest.main(arguments, plugins=[outcomes])
    torch.set_num_threads(threads)  # the tests' conftest pins one thread
    counts = {}
    for result in outcomes.results.values():
        counts[result["outcome"]] = counts.get(result["outcome"], 0) + 1
    return {"exit_code": int(code), "counts": counts, "tests": outcomes.results}


def _representative(plan, family: str) -> tuple[str, list[CellSpec]]:
    """The family's costliest training job (most work per step)."""
    jobs = {name: [cell.spec for cell in cells] for name, cells in plan.jobs[family].items()}
    name = max(jobs, key=lambda job: _job_flops(jobs[job]))
    return name, jobs[name]


def _job_flops(specs: list[CellSpec]) -> float:
    return sum(step_flops(spec.probabilities(), spec.batch_size, spec.widths) for spec in specs)


def _sized(specs: list[CellSpec], steps: int, batch_cap: int | None) -> list[CellSpec]:
    batch = specs[0].batch_size if batch_cap is None else min(batch_cap, specs[0].batch_size)
    return [
        dataclasses.replace(spec, steps=steps, batch_size=batch, warmup_steps=max(1, steps // 10)) for spec in specs
    ]


def _train(specs: list[CellSpec], device: torch.device, batches=None) -> dict:
    with open(os.devnull, "w") as quiet:
        return train_pack(specs, device, progress=quiet, batches=batches)


def _weights(payload: dict) -> list[torch.Tensor]:
    return [t for cell in payload["cells"] for model in cell["models"] for t in (model["W"], model["b"])]


def _max_difference(a: dict, b: dict) -> float:
    return max((x - y).abs().max().item() for x, y in zip(_weights(a), _weights(b)))


def _bitwise(a: dict, b: dict) -> bool:
    return all(torch.equal(x, y) for x, y in zip(_weights(a), _weights(b)))


def op_repeatability(spec: CellSpec, cells: int, device: torch.device, repeats: int = 5) -> dict[str, bool]:
    """Whether each product of a training step gives the same bits every time on identical inputs
    (the widest model, stacked once per cell of the job, on one sampled batch)."""
    n, m = spec.n, max(spec.widths)
    batch = FeatureSampler(spec.probabilities(), spec.batch_size, make_generator(0, device)).sample()
    batch = batch.without_empty_rows()
    generator = make_generator(1)
    W = (torch.randn(cells, n, m, generator=generator) / m**0.5).to(device)
    b = torch.randn(cells, n, generator=generator).to(device)
    hidden, weights, out = sparse_forward(W, b, batch.csr)
    back = torch.bmm(out, weights[:, :m].transpose(1, 2))
    _, x_active_T = batch.active_transpose
    ops = {
        "x @ W: CSR sparse x dense (input product)": lambda: batch.csr @ W.permute(1, 0, 2).reshape(n, cells * m),
        "x^T @ (G W): CSR sparse x dense (input gradient)": lambda: (
            x_active_T @ back.transpose(0, 1).reshape(batch.batch_size, cells * m)
        ),
        "bmm h W^T (forward)": lambda: torch.bmm(hidden, weights),
        "bmm h^T G (weight gradient)": lambda: torch.bmm(hidden.transpose(1, 2), out),
        "bmm G W (back-propagation)": lambda: torch.bmm(out, weights[:, :m].transpose(1, 2)),
        "sum of squares (logged loss)": lambda: out.square().sum((1, 2)),
    }
    result = {}
    for name, op in ops.items():
        first = op()
        result[name] = all(torch.equal(op(), first) for _ in range(repeats))
    return result


def determinism(plan, sizes: Sizes, device: torch.device) -> dict:
    """One paper cell (the small grid's job on this device) trained twice as the pipeline trains it,
    and once under torch.use_deterministic_algorithms(True): weights compared bit for bit."""
    job, specs = _representative(plan, "small")
    specs = _sized(specs, sizes.repeat_steps, sizes.batch_cap)
    first, second = _train(specs, device), _train(specs, device)
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            strict = _train(specs, device)
    finally:
        torch.use_deterministic_algorithms(False)
    alerts = sorted({str(w.message) for w in caught if "determinis" in str(w.message).lower()})
    ops = op_repeatability(specs[0], len(specs), device)
    repeats = _bitwise(first, second)
    varying = [name for name, same in ops.items() if not same]
    if repeats and not varying:
        verdict = f"training repeats bit for bit on {device.type}: the same config gives byte-identical tables"
    else:
        verdict = (
            f"not bit for bit on {device.type}: two trainings {'agree' if repeats else 'differ'}; products that "
            f"vary on identical inputs: {', '.join(varying) or 'none alone'}"
        )
    return {
        "job": job,
        "cells": len(specs),
        "models": sum(len(spec.widths) for spec in specs),
        "steps": sizes.repeat_steps,
        "batch_size": specs[0].batch_size,
        "repeat_bitwise_equal": repeats,
        "repeat_max_abs_difference": _max_difference(first, second),
        "deterministic_mode_bitwise_equal": _bitwise(first, strict),
        "deterministic_mode_max_abs_difference": _max_difference(first, strict),
        "deterministic_mode_alerts": alerts,
        "ops_repeatable": ops,
        "verdict": verdict,
    }


def speed(plan, sizes: Sizes, device: torch.device) -> dict:
    """The batched trainer against the reference loop on the small grid's job for this device."""
    job, specs = _representative(plan, "small")
    specs = _sized(specs, sizes.speed_steps, sizes.batch_cap)
    runs = [run for spec in specs for run in spec.runs()]
    result = measure(
        runs, specs[0].probabilities(), specs[0].batch_size, sizes.speed_steps, sizes.speed_repeats, device,
        sizes.peak_size,
    )  # fmt: skip
    return {"job": job, **result, "speedup_target": SPEEDUP_TARGET, "meets_target": result["speedup"] >= SPEEDUP_TARGET}


def _peak_memory_start(device: torch.device) -> int:
    if device.type == "cuda":
        synchronize(device)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
        return torch.cuda.memory_allocated(device)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak_memory_since(device: torch.device, start: int) -> int:
    if device.type == "cuda":
        synchronize(device)
        return torch.cuda.max_memory_allocated(device) - start
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - start


class _TimedBatches:
    """The job's own stream of batches, noting the time (device synchronised) when the trainer asks
    for the first batch (set-up done), for batch `first` and for batch `last`: the steps between
    the last two took that long."""

    def __init__(self, spec: CellSpec, device: torch.device, first: int, last: int):
        self.sampler = FeatureSampler(spec.probabilities(), spec.batch_size, make_generator(spec.data_seed(), device))
        self.device, self.marks, self.stamps, self.count = device, {0, first, last}, {}, 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.count in self.marks:
            synchronize(self.device)
            self.stamps[self.count] = time.perf_counter()
        self.count += 1
        return self.sampler.sample()


def measure_job(config: dict, plan, family: str, sizes: Sizes, device: torch.device, max_threads: int) -> dict:
    """Time per step of the family's costliest job on this device (its threads, capped by
    max_threads), its peak memory against the trainer's estimate, and the CPU time of scoring its
    models on one evaluation batch (one thread, as the metrics rule)."""
    section = config["toy_large" if family == "large" else "toy_small"]
    job, full = _representative(plan, family)
    first, last = sizes.job_steps
    specs = _sized(full, last + 1, sizes.batch_cap)
    spec = specs[0]
    runs = [run for s in specs for run in s.runs()]
    start_memory = _peak_memory_start(device)  # frees cached blocks, so the plan sees what a fresh job would
    chunks = plan_chunks(runs, spec.n, TrainSettings(spec.batch_size, Schedule(spec.steps, 1)), device)
    estimate = max(len(chunk) * model_bytes(spec.n, chunk[0].m, spec.batch_size) for chunk in chunks)
    threads = torch.get_num_threads()
    torch.set_num_threads(min(section["threads"], max_threads))
    try:
        batches = _TimedBatches(spec, device, first, last)
        start = time.perf_counter()
        payload = _train(specs, device, batches)
        peak = _peak_memory_since(device, start_memory)
        torch.set_num_threads(1)  # the metrics rule's one thread
        models = [(model["W"], model["b"]) for cell in payload["cells"] for model in cell["models"]]
        eval_batch = section["eval_batch_size"] if sizes.batch_cap is None else min(sizes.batch_cap, spec.batch_size)
        eval_start = time.perf_counter()
        evaluate_losses(models, spec.probabilities(), eval_batch, 2, seed=0, device=torch.device("cpu"))
        eval_seconds = (time.perf_counter() - eval_start) / 2
    finally:
        torch.set_num_threads(threads)
    per_step = (batches.stamps[last] - batches.stamps[first]) / (last - first)
    return {
        "job": job,
        "cells": len(specs),
        "models": len(runs),
        "n": spec.n,
        "widths": list(spec.widths),
        "batch_size": spec.batch_size,
        "job_batch_size": full[0].batch_size,
        "threads": min(section["threads"], max_threads),
        "steps_timed": [first, last],
        "time_per_step_s": per_step,
        "setup_s": batches.stamps[0] - start,
        "gflops": _job_flops(specs) / per_step / 1e9,
        "chunks": [[chunk[0].m, len(chunk)] for chunk in chunks],
        "memory_estimate_bytes": estimate,
        "peak_memory_bytes": peak,
        "peak_memory_method": (
            "torch.cuda.max_memory_allocated above what was allocated before"
            if device.type == "cuda"
            else "growth of the process's peak resident set (a lower bound: earlier sections may have set it)"
        ),
        "peak_over_estimate": peak / estimate,
        "eval_batch_size": eval_batch,
        "eval_s_per_batch_cpu_1_thread": eval_seconds,
    }


def prediction(config: dict, plan, jobs: dict, environment: dict, device: torch.device) -> dict:
    """Wall time of `snakemake --cores all toy --configfile <config>` from the measured jobs.

    Each job's time is the measured step time of its family's costliest job, scaled by the job's
    work per step relative to it and by the batch (when --quick measured a smaller one), times its
    steps, plus start-up (imports and, on a GPU, the CUDA context; Snakemake's own per-job overhead
    is not counted). On a GPU, training jobs queue for the one card while their metrics (CPU, one
    thread each) run on the cores the training job leaves; on CPU, everything shares the cores.
    """
    cores = environment["cpu_count"]
    start_up = environment["import_s"] + environment.get("cuda_init_s", 0.0)
    families, train_total, thread_seconds, metrics = {}, 0.0, 0.0, []
    for family in FAMILIES:
        measured = jobs[family]
        section = config["toy_large" if family == "large" else "toy_small"]
        _, rep = _representative(plan, family)
        ratios = [_job_flops([cell.spec for cell in cells]) / _job_flops(rep) for cells in plan.jobs[family].values()]
        batch_factor = measured["job_batch_size"] / measured["batch_size"]
        eval_factor = section["eval_batch_size"] / measured["eval_batch_size"]
        steps = rep[0].steps
        mean_ratio = sum(ratios) / len(ratios)
        job_start = measured["setup_s"] + start_up
        train = len(ratios) * (steps * measured["time_per_step_s"] * batch_factor * mean_ratio + job_start)
        eval_job = measured["eval_s_per_batch_cpu_1_thread"] * eval_factor * section["eval_batches"]
        metrics += [eval_job * ratio for ratio in ratios]
        train_total += train
        thread_seconds += train * measured["threads"]
        families[family] = {
            "jobs": len(ratios),
            "steps": steps,
            "batch_factor": batch_factor,
            "mean_work_ratio": mean_ratio,
            "job_start_s": job_start,
            "train_s": train,
            "metrics_cpu_s": eval_job * sum(ratios),
            "arithmetic": (
                f"{len(ratios)} jobs x ({steps} steps x {measured['time_per_step_s']:.4g} s/step x {batch_factor:g} "
                f"(batch {measured['batch_size']} -> {measured['job_batch_size']}) x {mean_ratio:.3f} (mean work per "
                f"step relative to the measured job) + {job_start:.2f} s start-up) = {train:.0f} s"
            ),
        }
    metrics_total = sum(metrics)
    if device.type == "cuda":
        slots = max(1, cores - config["toy_small"]["threads"])
        body = max(train_total, metrics_total / slots)
        total = body + max(metrics)
        arithmetic = (
            f"max(training on the one GPU {train_total:.0f} s, metrics {metrics_total:.0f} CPU-s / {slots} free cores) "
            f"+ the longest metrics job {max(metrics):.0f} s after the last training = {total:.0f} s"
        )
    else:
        total = (thread_seconds + metrics_total) / cores + max(metrics)
        arithmetic = (
            f"(training {thread_seconds:.0f} thread-s + metrics {metrics_total:.0f} CPU-s) / {cores} cores "
            f"+ the longest metrics job {max(metrics):.0f} s = {total:.0f} s"
        )
    return {
        "command": f"snakemake --cores all toy --configfile {environment['config']}",
        "device": device.type,
        "families": families,
        "train_s": train_total,
        "metrics_cpu_s": metrics_total,
        "predicted_s": total,
        "predicted_h": total / 3600,
        "arithmetic": arithmetic,
        "not_counted": "Snakemake's scheduling and per-job overhead; the tables and fits after the metrics (seconds)",
    }


# ---------------------------------------------------------------- report


def summary(results: dict) -> str:
    """A few lines for a person: the verdict of each section."""
    lines = []
    env = results.get("environment", {})
    lines.append(
        f"device: {env.get('device')} ({env.get('device_name')}), torch {env.get('torch')}, quick={env.get('quick')}"
    )
    for name in SECTIONS[1:]:
        section = results.get(name)
        if section is None:
            lines.append(f"{name}: not run")
        elif "error" in section:
            lines.append(f"{name}: ERROR {section['error'].splitlines()[-1]}")
        elif name == "tests":
            lines.append(f"tests (-m cuda): {section['counts']}")
        elif name == "determinism":
            lines.append(
                f"determinism: repeat bitwise {section['repeat_bitwise_equal']}, deterministic mode bitwise "
                f"{section['deterministic_mode_bitwise_equal']}; {section['verdict']}"
            )
        elif name == "speed":
            lines.append(
                f"speed: {section['speedup']:.1f}x the reference loop (target {SPEEDUP_TARGET}x), "
                f"{section['trainer_gflops']:.0f} GFLOP/s = {section['share_of_peak']:.0%} of the FP32 matmul peak "
                f"{section['matmul_peak_gflops']:.0f}"
            )
        elif name == "jobs":
            for family, job in ((family, section[family]) for family in FAMILIES):
                lines.append(
                    f"job {family}: {job['models']} models, batch {job['batch_size']}, {job['time_per_step_s'] * 1e3:.2f} "
                    f"ms/step, peak {job['peak_memory_bytes'] / 2**20:.0f} MiB vs estimate "
                    f"{job['memory_estimate_bytes'] / 2**20:.0f} MiB"
                )
        elif name == "prediction":
            lines.append(f"prediction: {section['command']}: {section['predicted_h']:.2f} h")
            lines.append(f"  {section['arithmetic']}")
            lines += [f"  {family}: {f['arithmetic']}" for family, f in section["families"].items()]
    return "\n".join(lines) + "\n"


def write(results: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    out.with_suffix(".txt").write_text(summary(results))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--quick", action="store_true", help="small batches and few steps: seconds, every field")
    parser.add_argument("--config", default="config/paper.yaml")
    parser.add_argument("--out", default=None, help="JSON path (default results/gpu_check/<device>.json)")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    configure_precision(device)
    sizes = QUICK if args.quick else FULL[device.type]
    config = yaml.safe_load((REPO / args.config).read_text())
    plan = toy_plan(config, uses_gpu=device.type == "cuda")  # the jobs a run on this device trains
    cells = toy_plan(config | {"width_jobs": 1}, uses_gpu=device.type == "cuda")  # whole cells
    out = Path(args.out or REPO / f"results/gpu_check/{device.type}.json")
    results: dict = {}
    steps = {
        "environment": lambda: environment(device, args, sizes),
        "tests": lambda: cuda_tests(args.threads),
        "determinism": lambda: determinism(cells, sizes, device),
        "speed": lambda: speed(cells, sizes, device),
        "jobs": lambda: {family: measure_job(config, plan, family, sizes, device, args.threads) for family in FAMILIES},
        "prediction": lambda: prediction(config, plan, results["jobs"], results["environment"], device),
    }
    failed = False
    for name in SECTIONS:
        start = time.perf_counter()
        print(f"[{time.strftime('%H:%M:%S')}] {name} ...", flush=True)
        try:
            results[name] = steps[name]()
        except Exception:
            results[name] = {"error": traceback.format_exc()}
            failed = True
        results[name]["wall_s"] = time.perf_counter() - start
        write(results, out)
    failed |= results["tests"].get("counts", {}).get("failed", 0) > 0
    print(summary(results), end="")
    print(f"written: {out} and {out.with_suffix('.txt')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
