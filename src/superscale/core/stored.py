"""Reading what a job stored, safely and with an error that says how to make it again.

Every stored payload (torch `.pt`, numpy `.npz`) is read through `load_payload`, and a table
checked against the rows its plan expects through `check_rows`: a truncated, corrupted or short
file is named with the command that remakes it and everything made from it. Deleting the file
is not enough, because what was made from it is newer, so Snakemake would rebuild nothing;
--forcerun reruns the job that makes the file and all after it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import torch


def remake(path) -> str:
    """The advice that makes `path` again and redoes what was made from it."""
    return (
        f"Make it again and redo what was made from it: `snakemake --cores all --forcerun {path}`, "
        "with your run's --configfile"
    )


def load_payload(path, what: str) -> dict:
    """A job's stored payload. A `.npz` is read whole (so a truncated member fails here, not later)
    without pickles; anything else as a torch payload of tensors, dicts, lists, numbers and strings
    only (weights_only), since unpickling anything else could run code from the file."""
    try:
        if str(path).endswith(".npz"):
            with np.load(path, allow_pickle=False) as arrays:
                return {key: arrays[key] for key in arrays.files}
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise ValueError(
            f"{what} file {path} cannot be read as a weights-only payload ({error}); it is truncated or "
            f"corrupted, or not ours. {remake(path)}"
        ) from error


def check_rows(table: pd.DataFrame, expected: pd.DataFrame, path, what: str) -> None:
    """`table` holds exactly one row for each row of `expected`, on expected's columns (floats
    matched to 1e-9): a row missing, repeated or foreign means the file is short or mixed up, and
    a fit to it would silently use other points than the plan's."""
    columns = list(expected.columns)
    if absent := [column for column in columns if column not in table.columns]:
        raise ValueError(f"{what} {path} lacks the column(s) {', '.join(absent)}. {remake(path)}")

    found, wanted = Counter(_keys(table, columns)), list(dict.fromkeys(_keys(expected, columns)))
    problems = [
        ("lacks the row(s) {}", [row for row in wanted if row not in found]),
        ("holds the row(s) {} more than once", [row for row, count in found.items() if count > 1]),
        ("holds the row(s) {} the plan does not ask for", [row for row in found if row not in set(wanted)]),
    ]
    said = [text.format(_rows_text(columns, bad)) for text, bad in problems if bad]
    if said:
        raise ValueError(
            f"{what} {path} has {len(table)} rows where the plan expects {len(wanted)}: it {'; it '.join(said)}. "
            f"It is truncated or was edited. {remake(path)}"
        )


def kept_rows(table: pd.DataFrame, keep: pd.DataFrame) -> pd.DataFrame:
    """The rows of `table` whose values on keep's columns are those of a row of `keep` (floats
    matched to 1e-9): a job's table cut to the cells a family or a fit uses."""
    wanted = set(_keys(keep, list(keep.columns)))
    return table[[key in wanted for key in _keys(table, list(keep.columns))]]


def _keys(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    frame = frame[columns].apply(lambda column: column.round(9) if column.dtype.kind == "f" else column)
    return [tuple(row) for row in frame.itertuples(index=False)]


def _rows_text(columns: list[str], rows: list[tuple], shown: int = 4) -> str:
    text = "; ".join("(" + ", ".join(f"{c}={v}" for c, v in zip(columns, row)) + ")" for row in rows[:shown])
    return text + (f" and {len(rows) - shown} more" if len(rows) > shown else "")
