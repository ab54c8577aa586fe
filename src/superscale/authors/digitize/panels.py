"""Calibrated panels and the generic readers on them: heatmap cells (by colour-bar inversion),
circle markers (from the exact vector paths) and bar tops (on the panel's pixels)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pymupdf

from superscale.authors.digitize.axes import Axis, calibrate, find_ticks
from superscale.authors.digitize.colorbars import Colorbar, read_colorbar
from superscale.authors.digitize.frames import Frame, find_frames, panel_frame
from superscale.authors.digitize.pixels import Raster, embedded_images, render_page


@dataclass(frozen=True)
class PageView:
    """A page with what its panels are read from, computed once: pixels, images and axes frames."""

    page: pymupdf.Page
    raster: Raster
    images: list[Raster]
    frames: list[Frame]


def view_page(page: pymupdf.Page) -> PageView:
    raster = render_page(page)
    return PageView(page, raster, embedded_images(page), find_frames(raster))


@dataclass(frozen=True)
class Panel:
    """A calibrated axes: frame, x axis (None if categorical), y axis, and the pixels it is read on."""

    view: PageView
    frame: Frame
    x: Axis | None
    y: Axis
    raster: Raster

    def colorbar(self) -> Colorbar:
        """The colour bar: the tall, narrow image just right of the frame."""
        frame = self.frame
        bars = [
            im
            for im in self.view.images
            if im.bbox[3] - im.bbox[1] > 5 * (im.bbox[2] - im.bbox[0])
            and frame.right < im.bbox[0] < frame.right + 40
            and im.bbox[1] < frame.bottom
            and im.bbox[3] > frame.top
        ]
        if not bars:
            raise ValueError("no colour-bar image beside the frame")
        return read_colorbar(self.view.raster, min(bars, key=lambda im: im.bbox[0]))


def calibrated_panel(
    view: PageView, letter: str | None = None, raster_panel: bool = False, numeric_x: bool = True
) -> Panel:
    """A panel's frame (by its letter, else the page's largest frame) with its axes calibrated.

    raster_panel: the panel is an embedded image, read on that image's own pixels so that vector
    overlays drawn over it (boxes, frames) hide nothing. numeric_x: False for categorical x ticks.
    """
    frame = panel_frame(view.page, view.frames, letter) if letter else max(view.frames, key=lambda f: f.area)
    raster = view.raster
    if raster_panel:
        middle = ((frame.left + frame.right) / 2, (frame.top + frame.bottom) / 2)
        under = [
            im for im in view.images if im.bbox[0] <= middle[0] <= im.bbox[2] and im.bbox[1] <= middle[1] <= im.bbox[3]
        ]
        if not under:
            raise ValueError(f"panel {letter!r} is not an embedded image")
        raster = under[0]
        frame = max(
            (f for f in find_frames(raster) if frame.contains((f.left + f.right) / 2, (f.top + f.bottom) / 2)),
            key=lambda f: f.area,
        )
    x = calibrate(raster, frame, "bottom") if numeric_x else None
    return Panel(view, frame, x, calibrate(raster, frame, "left"), raster)


@dataclass(frozen=True)
class Reading:
    """One value read off a panel, at data coordinates (x, y) of the panel."""

    x: float
    y: float
    value: float
    error: float
    note: str


def read_heatmap(panel: Panel, x_centres: np.ndarray, y_centres: np.ndarray) -> list[Reading]:
    """Each cell's value by inverting its mean colour (central half of the cell) with the colour bar.

    Cells are read on the embedded heatmap image under the frame. Error: the colour bar's (see
    Colorbar.invert) plus the cell's RMS colour spread in value units (by the colour bar's local
    colour change per unit value); a spread over 0.03 marks the cell as not uniform.
    """
    heat = max(panel.view.images, key=lambda im: _overlap(im.bbox, panel.frame))
    colorbar = panel.colorbar()
    xs = np.array([panel.x.coord(v) for v in x_centres])
    ys = np.array([panel.y.coord(v) for v in y_centres])
    pixel_x, pixel_y = heat.page_x(np.arange(heat.rgb.shape[1])), heat.page_y(np.arange(heat.rgb.shape[0]))
    cells = []
    for x_value, cx, width in zip(x_centres, xs, np.abs(np.gradient(xs))):
        for y_value, cy, height in zip(y_centres, ys, np.abs(np.gradient(ys))):
            inside = np.ix_(np.abs(pixel_y - cy) <= height / 4, np.abs(pixel_x - cx) <= width / 4)
            pixels = heat.rgb[inside].reshape(-1, 3)
            if len(pixels) == 0:
                raise ValueError(f"no image pixels inside cell ({x_value}, {y_value})")
            mean = pixels.mean(axis=0)
            spread = float(np.sqrt(np.mean(np.sum((pixels - mean) ** 2, axis=1))))
            read = colorbar.invert(mean)
            notes = [read.note] + ([f"cell not uniform (RMS colour spread {spread:.3f})"] if spread > 0.03 else [])
            error = read.error + spread / read.gradient
            cells.append(Reading(float(x_value), float(y_value), read.value, error, "; ".join(n for n in notes if n)))
    return cells


def _overlap(box: tuple[float, float, float, float], frame: Frame) -> float:
    width = min(box[2], frame.right) - max(box[0], frame.left)
    height = min(box[3], frame.bottom) - max(box[1], frame.top)
    return max(width, 0.0) * max(height, 0.0)


@dataclass(frozen=True)
class Marker:
    """A circle marker: data coordinates, fill colour, radius in axis units, any vertical error bar."""

    x: float
    y: float
    color: tuple[float, float, float]
    x_error: float
    y_error: float
    error_bar: float | None  # half the plotted error bar, in y units


def read_markers(panel: Panel) -> list[Marker]:
    """Circle markers inside the frame, from the vector paths.

    A circle is a square-bounded path of Bezier curves; paths of one colour centred within 0.3 pt
    (a fill and its outlined edge) are one marker, whose radius (plus the calibration's misfit) in
    axis units is its reading error. A vertical line or thin rectangle of the marker's colour through
    its centre is its error bar.
    """
    circles, bars = {}, []
    for drawing in panel.view.page.get_drawings():
        bars += _vertical_bars(drawing)
        fill, rect = drawing.get("fill"), drawing["rect"]
        kinds = [item[0] for item in drawing["items"]]
        if fill is None or kinds == ["re"]:
            continue
        color = tuple(round(c, 4) for c in fill)
        size = max(rect.width, rect.height)
        cx, cy = (rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2
        circle = 1.5 < size < 15 and abs(rect.width - rect.height) < 0.1 * size and kinds.count("c") >= 0.6 * len(kinds)
        if not circle or not panel.frame.contains(cx, cy):
            continue
        key = next((k for k in circles if k[2] == color and math.hypot(k[0] - cx, k[1] - cy) < 0.3), (cx, cy, color))
        circles[key] = max(circles.get(key, 0.0), size / 2)
    markers = []
    for (cx, cy, color), radius in circles.items():
        bar = next((r for r, c in bars if c == color and abs((r.x0 + r.x1) / 2 - cx) < 0.3 and r.y0 < cy < r.y1), None)
        error_bar = panel.y.half_span((bar.y0 + bar.y1) / 2, bar.height / 2) if bar else None
        x_error, y_error = panel.x.error(cx, radius), panel.y.error(cy, radius)
        markers.append(Marker(panel.x.value(cx), panel.y.value(cy), color, x_error, y_error, error_bar))
    return markers


def _vertical_bars(drawing: dict) -> list[tuple[pymupdf.Rect, tuple[float, ...]]]:
    """Error-bar candidates with their colour: thin upright filled rectangles, vertical stroked lines."""
    rect = drawing["rect"]
    if (
        drawing.get("fill") is not None
        and [item[0] for item in drawing["items"]] == ["re"]
        and rect.height > 2 * rect.width
    ):
        return [(rect, tuple(round(c, 4) for c in drawing["fill"]))]
    if drawing.get("color") is None or drawing.get("fill") is not None:
        return []
    color = tuple(round(c, 4) for c in drawing["color"])
    lines = [item[1:3] for item in drawing["items"] if item[0] == "l"]
    return [(pymupdf.Rect(a.x, min(a.y, b.y), b.x, max(a.y, b.y)), color) for a, b in lines if abs(a.x - b.x) < 0.01]


@dataclass(frozen=True)
class Bar:
    """A bar: page x range, index of the x tick it belongs to, colour, top in y units, top's error."""

    page_x: tuple[float, float]
    group: int
    color: tuple[float, float, float]
    top: float
    error: float


def read_bars(panel: Panel) -> list[Bar]:
    """Bars standing on the bottom spine, read on the panel's pixels.

    Bars are the runs of one non-white colour along a row just above the bottom spine. A bar's top is
    where, going up its middle third, the colour first leaves the bar's; the partly covered edge pixel
    counts by its colour's fraction between bar and background. The reading error is one pixel plus
    the calibration's misfit, in value units: the bars carry no edge line, so the raster's resolution
    (and its snapping of edges and ticks to whole pixels) limits the reading.
    """
    raster, frame = panel.raster, panel.frame
    ticks = [position for position, _ in find_ticks(raster, frame, "bottom")]
    row = int(raster.row(frame.bottom - frame.thickness / 2) - 2)
    c0, c1 = int(raster.col(frame.left + frame.thickness)), int(raster.col(frame.right - frame.thickness)) + 1
    line = raster.rgb[row, c0:c1]
    colored = line.min(axis=1) < 0.9
    bars, start = [], None
    for k in range(len(line) + 1):
        if start is not None and (k == len(line) or not colored[k] or np.linalg.norm(line[k] - line[start]) > 0.1):
            if k - start >= 3:
                bars.append(_bar(panel, c0 + start, c0 + k, row, ticks))
            start = None
        if k < len(line) and colored[k] and start is None:
            start = k
    return bars


def _bar(panel: Panel, col0: int, col1: int, bottom_row: int, ticks: list[float]) -> Bar:
    raster = panel.raster
    middle = slice(col0 + (col1 - col0) // 3, col1 - (col1 - col0) // 3)
    color = raster.rgb[bottom_row, middle].mean(axis=0)
    upward = raster.rgb[bottom_row::-1, middle].mean(axis=1)
    edge_index = int(np.argmax(np.linalg.norm(upward - color, axis=1) > 0.05))  # first pixel off the bar
    edge, background = upward[edge_index], upward[edge_index + 1]
    span = color - background
    fraction = float(np.clip((edge - background) @ span / (span @ span), 0.0, 1.0))
    top_y = float(raster.page_y(bottom_row - edge_index)) + (0.5 - fraction) * raster.pt_per_px[1]
    x = (raster.page_x(col0) + raster.page_x(col1 - 1)) / 2
    return Bar(
        (float(raster.page_x(col0)), float(raster.page_x(col1 - 1))),
        int(np.argmin([abs(x - tick) for tick in ticks])),
        tuple(float(c) for c in color),
        panel.y.value(top_y),
        panel.y.error(top_y, raster.pt_per_px[1]),
    )
