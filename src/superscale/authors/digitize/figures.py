"""Read the authors' figures into one tidy table of reference values (data/authors_figures.csv).

Each figure's reader configures the generic readers of panels; readings of grid variables (gamma,
alpha, m, E) snap to the authors' grids.

CLI: python -m superscale.authors.digitize.figures FIGURE.pdf [FIGURE.pdf ...] --out data/authors_figures.csv
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pymupdf

from superscale.authors.digitize.frames import text_spans
from superscale.authors.digitize.panels import (
    PageView,
    Panel,
    calibrated_panel,
    read_bars,
    read_heatmap,
    read_markers,
    view_page,
)

COLUMNS = "figure panel quantity gamma alpha m E distribution regime series value reading_error method note".split()

# The authors' grids (exp-10.py, exp-10-3.py, exp-15.py); readings of grid variables snap to them.
GAMMAS = np.linspace(-1.0, 1.0, 10)
ALPHAS = np.linspace(0.0, 2.0, 17)
WIDTHS = np.floor(np.exp(np.linspace(math.log(10), math.log(100), 6)))  # 10 15 25 39 63 100
# exp-15 scales p_i = i^-1 / H_1000 by 1 + s (1/p_1 - 1), so E = sum p = 1 + s (H_1000 - 1).
DENSITIES = 1.0 + np.linspace(0.0, 1.0, 9) * (np.sum(1.0 / np.arange(1, 1001)) - 1.0)


def _snap(value: float, grid: np.ndarray) -> float:
    return float(grid[np.argmin(np.abs(grid - value))])


def _grid_note(name: str, reading: float, error: float, snapped: float) -> str:
    """How a grid variable was read, flagged when its nearest grid value is out of reach."""
    flag = "" if abs(reading - snapped) <= error + 0.02 * abs(snapped) + 1e-9 else " (off the grid)"
    return f"{name} read {reading:.3g} +- {error:.2g}, snapped to {snapped:.4g}{flag}"


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _heatmap_rows(figure: str, panel: Panel, quantity: str, note: str) -> list[dict]:
    """One row per (gamma, alpha) cell of a heatmap over the authors' grid."""
    method = "colour-bar inversion, cell centre"
    return [
        dict(figure=figure, panel="b", quantity=quantity, gamma=cell.x, alpha=cell.y, distribution="power",
             value=cell.value, reading_error=cell.error, method=method, note=_join(note, cell.note))
        for cell in read_heatmap(panel, GAMMAS, ALPHAS)
    ]  # fmt: skip


@dataclass(frozen=True)
class Encoding:
    """A grid variable shown by a marker's x or colour: its column, its grid, and how a reading maps to it."""

    name: str
    grid: np.ndarray
    decode: Callable[[float], float] = lambda reading: reading  # e.g. exp for a colour bar in ln m

    def read(self, reading: float, error: float) -> tuple[float, str]:
        """The grid value nearest the decoded reading, and a note of the reading."""
        value = self.decode(reading)
        decoded_error = abs(self.decode(reading + error) - self.decode(reading - error)) / 2
        snapped = _snap(value, self.grid)
        return snapped, _grid_note(self.name, value, decoded_error, snapped)


def _marker_rows(figure: str, letter: str, panel: Panel, quantity: str, x: Encoding, color: Encoding, **fields):
    """One row per marker: its y is the value, its x and its colour (by the colour bar) grid variables."""
    colorbar = panel.colorbar()
    rows = []
    for marker in read_markers(panel):
        read = colorbar.invert(np.asarray(marker.color))
        x_value, x_note = x.read(marker.x, marker.x_error)
        color_value, color_note = color.read(read.value, read.error)
        error_bar = f"plotted error bar +- {marker.error_bar:.3g}" if marker.error_bar is not None else ""
        coordinates = {x.name: x_value, color.name: color_value, **fields}
        rows.append(
            dict(figure=figure, panel=letter, quantity=quantity, **coordinates, value=marker.y,
                 reading_error=marker.y_error, method="axis calibration, marker centre",
                 note=_join(x_note, color_note, read.note, error_bar))
        )  # fmt: skip
    return rows


def read_fig_4_3(view: PageView, figure: str) -> list[dict]:
    """(a) R^2 bars (a raster panel), strong and weak superposition per frequency shape; (b) alpha_m heatmap."""
    bars = read_bars(calibrated_panel(view, "a", raster_panel=True, numeric_x=False))
    shapes = {"exponential": "exponential", "power law": "power", "linear": "linear"}
    names = {}  # bar colour -> frequency shape, from the shape names written (as text) over the bars
    for span in text_spans(view.page):
        x = (span["bbox"][0] + span["bbox"][2]) / 2
        for bar in bars:
            if span["text"].strip() in shapes and bar.page_x[0] <= x <= bar.page_x[1]:
                names[bar.color] = shapes[span["text"].strip()]
    note = "large toy models (exp-17.py); raster panel; regime from the x tick under the bar (strong left, weak right)"
    rows = []
    for bar in bars:
        shape = next(name for color, name in names.items() if np.linalg.norm(np.subtract(color, bar.color)) < 0.05)
        rows.append(
            dict(figure=figure, panel="a", quantity="r2", regime=("strong", "weak")[bar.group], distribution=shape,
                 value=bar.top, reading_error=bar.error, method="bar top", note=note)
        )  # fmt: skip
    return rows + _heatmap_rows(figure, calibrated_panel(view, "b"), "alpha_m", "n = 1000, fit over m = 10..100")


def read_fig_3_2(view: PageView, figure: str) -> list[dict]:
    """(a) phi_1/2 against gamma per width (colour ln m), alpha = 1; (b) phi_1/2 heatmap and its width."""
    gamma, m = Encoding("gamma", GAMMAS), Encoding("m", WIDTHS, math.exp)
    curves = _marker_rows(
        figure, "a", calibrated_panel(view, "a"), "phi_half", gamma, m, alpha=1.0, distribution="power"
    )
    heat = _heatmap_rows(figure, calibrated_panel(view, "b"), "phi_half", "n = 1000")
    m, note = heatmap_width(curves, heat)
    return curves + [{**row, "m": m, "note": _join(note, row["note"])} for row in heat]


def heatmap_width(curve_rows: list[dict], heat_rows: list[dict]) -> tuple[float | str, str]:
    """The width whose panel-a curve (alpha = 1) matches the heatmap's alpha = 1 row, if one clearly does.

    The authors' code does not say at which m the heatmap was drawn; its alpha = 1 row comes from the
    same runs as panel a's curves, so the curve with by far the smallest RMS difference identifies it.
    """
    row = {r["gamma"]: r["value"] for r in heat_rows if r["alpha"] == 1.0}
    misfit = {}
    for m in sorted({r["m"] for r in curve_rows}):
        curve = {r["gamma"]: r["value"] for r in curve_rows if r["m"] == m}
        misfit[m] = math.sqrt(np.mean([(curve[g] - row[g]) ** 2 for g in curve if g in row]))
    best, second = sorted(misfit, key=misfit.get)[:2]
    listed = ", ".join(f"m={m:g}: {misfit[m]:.3f}" for m in sorted(misfit))
    if misfit[best] < 0.25 * misfit[second]:
        return best, f"m inferred: the alpha=1 row matches panel a's m={best:g} curve (RMS difference {listed})"
    return "", f"m unknown: no panel-a curve clearly matches the alpha=1 row (RMS difference {listed})"


def _by_sign(rows: list[dict]) -> list[dict]:
    """Regime from the sign of gamma: weight growth gives strong superposition, decay weak."""
    return [{**row, "regime": "strong" if row["gamma"] < 0 else "weak"} for row in rows]


def read_fig_6_3(view: PageView, figure: str) -> list[dict]:
    """(e) alpha_m against alpha, colour gamma. Panel d is a raster of overlapping markers: not read."""
    panel = calibrated_panel(view, "e")
    gamma, alpha = Encoding("gamma", GAMMAS), Encoding("alpha", ALPHAS)
    return _by_sign(_marker_rows(figure, "e", panel, "alpha_m", alpha, gamma, distribution="power"))


def read_fig_5_1(view: PageView, figure: str) -> list[dict]:
    """(b) alpha_m against alpha for the least ambiguous weak cases, colour gamma."""
    panel = calibrated_panel(view, "b")
    gamma, alpha = Encoding("gamma", GAMMAS), Encoding("alpha", ALPHAS)
    return _by_sign(_marker_rows(figure, "b", panel, "alpha_m", alpha, gamma, distribution="power"))


def read_fig_7_2(view: PageView, figure: str) -> list[dict]:
    """(b) loss against m per activation density E (colour), and the exponents printed along the fits.

    An exponent is text in its fit's colour, so the colour bar gives its E too. Data exponent 1
    (exp-15.py: p_i ~ 1/i), n = 1000.
    """
    panel = calibrated_panel(view, "b")
    density = Encoding("E", DENSITIES)
    rows = _marker_rows(figure, "b", panel, "loss", Encoding("m", WIDTHS), density, alpha=1.0, distribution="power")
    colorbar = panel.colorbar()
    for span in text_spans(view.page):
        text = span["text"].strip()
        match = re.fullmatch(r"([\d.]+)±([\d.]+)", text)
        if not match:
            continue
        read = colorbar.invert(np.array([(span["color"] >> shift & 255) / 255 for shift in (16, 8, 0)]))
        E, E_note = density.read(read.value, read.error)
        printed = match.group(1)
        rounding = 0.5 * 10.0 ** -len(printed.partition(".")[2])
        note = (
            f"printed '{text}' along the fit: +- {match.group(2)} is the authors' fit error, the reading error rounding"
        )
        rows.append(
            dict(figure=figure, panel="b", quantity="alpha_m", E=E, alpha=1.0, distribution="power",
                 value=float(printed), reading_error=rounding, method="legend text", note=_join(note, E_note))
        )  # fmt: skip
    return rows


READERS = {
    "Fig-4-3": read_fig_4_3,
    "Fig-3-2": read_fig_3_2,
    "Fig-6-3": read_fig_6_3,
    "Fig-5-1": read_fig_5_1,
    "Fig-7-2": read_fig_7_2,
}


def digitize(paths: list[Path]) -> pd.DataFrame:
    """Every reading of the given figures (reader chosen by file stem) as one sorted, tidy table."""
    rows = []
    for path in map(Path, paths):
        if path.stem not in READERS:
            raise ValueError(f"no reader for {path.stem}; known: {', '.join(READERS)}")
        with pymupdf.open(path) as doc:
            rows += READERS[path.stem](view_page(doc[0]), path.stem)
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    keys = ["figure", "panel", "quantity", "regime", "distribution", "series", "E", "m", "gamma", "alpha", "value"]
    return table.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figures", nargs="+", type=Path, help="the authors' figure PDFs (Fig-4-3.pdf, ...)")
    parser.add_argument("--out", type=Path, required=True, help="tidy CSV to write")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    digitize(args.figures).to_csv(args.out, index=False, float_format="%.6g")


if __name__ == "__main__":
    main()
