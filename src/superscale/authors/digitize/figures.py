"""Read reference values off the authors' published figures (vector PDFs), each with a reading error.

The figures' tick labels are outlined glyphs, not text, and some panels are embedded rasters, so
every axis is calibrated the same way on pixels: the page is rendered (or a raster panel's embedded
image taken), the axes frame is found from its long black spines, the ticks from short black marks
just outside a spine, and each tick's label is read by matching its glyphs with the DejaVu Sans
digits (matplotlib's default font). Values come from the exact vector paths (marker centres and fill
colours), from embedded heatmap and colour-bar images (colour-bar inversion), or from bar tops on the
panel's pixels. The readers are generic (heatmap with colour bar, markers on axes, bars); each
figure's reader configures them.

CLI: python -m superscale.paper.digitize FIGURE.pdf [FIGURE.pdf ...] --out data/authors_figures.csv
"""

from __future__ import annotations

import argparse
import io
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pymupdf
from PIL import Image
from scipy import ndimage

ZOOM = 8  # rendered pixels per point: 1/8 pt resolution for ticks and glyphs
MIN_SPINE_PT = 20.0  # shortest spine of an axes frame; dashes and glyphs are shorter
PROBE_PT = 1.4  # ticks are looked for this far outside a spine's centre line (minor ticks are 2 pt)
TICK_MAX_PT = 12.0  # and are no longer than this
LABEL_PAD_PT = 6.0  # a tick label starts within this distance of its tick's end; axis titles further
LABEL_REACH_PT = 40.0  # and lies within this distance of it
SAME_COLOUR = 2 * 0.5 / 255 * 3**0.5  # RGB distance two 8-bit roundings can put between equal colours
GLYPH_SIZE = 16  # glyphs are compared as GLYPH_SIZE x GLYPH_SIZE darkness patches
DIGITS = "0123456789"

COLUMNS = "figure panel quantity gamma alpha m E distribution regime series value reading_error method note".split()

# The authors' grids (exp-10.py, exp-10-3.py, exp-15.py); readings of grid variables snap to them.
GAMMAS = np.linspace(-1.0, 1.0, 10)
ALPHAS = np.linspace(0.0, 2.0, 17)
WIDTHS = np.floor(np.exp(np.linspace(math.log(10), math.log(100), 6)))  # 10 15 25 39 63 100
# exp-15 scales p_i = i^-1 / H_1000 by 1 + s (1/p_1 - 1), so E = sum p = 1 + s (H_1000 - 1).
DENSITIES = 1.0 + np.linspace(0.0, 1.0, 9) * (np.sum(1.0 / np.arange(1, 1001)) - 1.0)


# ------------------------------------------------------------------------------------ pixels


@dataclass(frozen=True)
class Raster:
    """RGB pixels (rows, cols, 3) in [0, 1] covering the page rectangle bbox (x0, y0, x1, y1)."""

    rgb: np.ndarray
    bbox: tuple[float, float, float, float]

    @property
    def pt_per_px(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.bbox
        return (x1 - x0) / self.rgb.shape[1], (y1 - y0) / self.rgb.shape[0]

    def page_x(self, col):
        """Page x of pixel-centre column indices (fractional indices interpolate)."""
        return self.bbox[0] + (np.asarray(col) + 0.5) * self.pt_per_px[0]

    def page_y(self, row):
        return self.bbox[1] + (np.asarray(row) + 0.5) * self.pt_per_px[1]

    def col(self, x: float) -> float:
        return (x - self.bbox[0]) / self.pt_per_px[0] - 0.5

    def row(self, y: float) -> float:
        return (y - self.bbox[1]) / self.pt_per_px[1] - 0.5

    def crop(self, x0: float, y0: float, x1: float, y1: float) -> Raster:
        """The whole pixels inside a page rectangle, keeping their page placement."""
        dx, dy = self.pt_per_px
        c0 = max(math.ceil((x0 - self.bbox[0]) / dx), 0)
        c1 = min(math.floor((x1 - self.bbox[0]) / dx), self.rgb.shape[1])
        r0 = max(math.ceil((y0 - self.bbox[1]) / dy), 0)
        r1 = min(math.floor((y1 - self.bbox[1]) / dy), self.rgb.shape[0])
        box = (self.bbox[0] + c0 * dx, self.bbox[1] + r0 * dy, self.bbox[0] + c1 * dx, self.bbox[1] + r1 * dy)
        return Raster(self.rgb[r0:r1, c0:c1], box)


def render_page(page: pymupdf.Page, zoom: float = ZOOM) -> Raster:
    """The page as pixels, zoom pixels per point."""
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False, colorspace=pymupdf.csRGB)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3) / 255.0
    x0, y0 = page.rect.x0, page.rect.y0
    return Raster(rgb, (x0, y0, x0 + pix.width / zoom, y0 + pix.height / zoom))


def embedded_images(page: pymupdf.Page) -> list[Raster]:
    """The page's axis-aligned images at their native pixels, inline images included."""
    blocks = page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_IMAGES, clip=pymupdf.INFINITE_RECT())["blocks"]
    images = []
    for block in blocks:
        if block["type"] != 1:
            continue
        a, b, c, d, _, _ = block["transform"]
        if abs(b) > 1e-6 * abs(a) or abs(c) > 1e-6 * abs(d):
            continue  # rotated images (insets) hold no values we read
        pixels = np.asarray(Image.open(io.BytesIO(block["image"])).convert("RGB"), dtype=float) / 255.0
        pixels = pixels[::-1] if d < 0 else pixels
        pixels = pixels[:, ::-1] if a < 0 else pixels
        images.append(Raster(pixels, tuple(block["bbox"])))
    return images


def _black(rgb: np.ndarray, level: float) -> np.ndarray:
    """Dark grey pixels: spines, ticks and label glyphs, not the dark end of a colour map."""
    return (rgb.max(axis=2) < level) & (np.ptp(rgb, axis=2) < 0.15)


# ------------------------------------------------------------------------------------ frames


@dataclass(frozen=True)
class Frame:
    """An axes frame on the page: spine centre lines and spine thickness, in points."""

    left: float
    top: float
    right: float
    bottom: float
    thickness: float

    @property
    def area(self) -> float:
        return (self.right - self.left) * (self.bottom - self.top)

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.top <= y <= self.bottom


def _runs(mask: np.ndarray, length: int, axis: int) -> list[tuple[slice, slice]]:
    """Boxes (row slice, column slice) of the runs of at least `length` True pixels along axis."""
    odd = length | 1
    full = ndimage.uniform_filter1d(mask.astype(float), odd, axis=axis, mode="constant") > 1 - 1e-9
    opened = ndimage.maximum_filter1d(full, odd, axis=axis, mode="constant") & mask
    return ndimage.find_objects(ndimage.label(opened)[0])


def find_frames(raster: Raster) -> list[Frame]:
    """Axes frames: a long vertical (left spine) and a long horizontal (bottom spine) black line
    meeting in a corner. A tick at a corner lengthens a spine's run by its length, hence the slack."""
    x0, y0 = raster.bbox[:2]
    dx, dy = raster.pt_per_px
    black = _black(raster.rgb, 0.35)
    horizontal = [
        (y0 + r.start * dy, y0 + r.stop * dy, x0 + c.start * dx, x0 + c.stop * dx)
        for r, c in _runs(black, int(MIN_SPINE_PT / dx), axis=1)
        if (r.stop - r.start) * dy < 3.0
    ]
    vertical = [
        (x0 + c.start * dx, x0 + c.stop * dx, y0 + r.start * dy, y0 + r.stop * dy)
        for r, c in _runs(black, int(MIN_SPINE_PT / dy), axis=0)
        if (c.stop - c.start) * dx < 3.0
    ]
    slack = 6.0  # a major tick's length and a pixel or two
    frames = []
    for hy0, hy1, hx0, hx1 in horizontal:
        for vx0, vx1, vy0, vy1 in vertical:
            thickness = max(hy1 - hy0, vx1 - vx0)
            left, bottom = (vx0 + vx1) / 2, (hy0 + hy1) / 2
            if (
                hx0 - thickness <= left <= hx0 + slack + thickness
                and bottom - thickness <= vy1 <= bottom + slack + thickness
            ):
                frames.append(Frame(left, vy0 + thickness / 2, hx1 - thickness / 2, bottom, thickness))
    return frames


def _spans(page: pymupdf.Page):
    """The page's text spans (only real text: the authors' tick labels are outlines)."""
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            yield from line["spans"]


def panel_frame(page: pymupdf.Page, frames: list[Frame], letter: str) -> Frame:
    """The largest frame whose nearest panel letter above and left of it is `letter`."""
    letters = [
        (s["text"].strip(), s["bbox"])
        for s in _spans(page)
        if len(s["text"].strip()) == 1 and s["text"].strip().isalpha() and s["size"] >= 10
    ]

    def nearest_letter(frame: Frame) -> str | None:
        above_left = [
            (math.hypot(frame.left - b[0], frame.top - b[1]), t)
            for t, b in letters
            if b[0] <= frame.left and b[1] <= frame.top
        ]
        return min(above_left)[1] if above_left else None

    mine = [f for f in frames if nearest_letter(f) == letter]
    if not mine:
        raise ValueError(f"no axes frame found for panel {letter!r}")
    return max(mine, key=lambda f: f.area)


# ------------------------------------------------------------------------------------ glyphs


def _patch(darkness: np.ndarray) -> np.ndarray:
    """A glyph's darkness cropped to its ink and resampled to GLYPH_SIZE^2, zero mean, unit norm."""
    rows, cols = np.nonzero(darkness > 0.5)
    crop = darkness[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float32)
    small = np.asarray(Image.fromarray(crop, mode="F").resize((GLYPH_SIZE, GLYPH_SIZE), Image.Resampling.BOX))
    small = small - small.mean()
    return small / (np.linalg.norm(small) or 1.0)


@lru_cache(maxsize=1)
def digit_templates() -> dict[str, tuple[np.ndarray, float]]:
    """Patch and aspect ratio (width / height) of each DejaVu Sans digit, rendered large."""
    font = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    page = pymupdf.open().new_page(width=60 * len(DIGITS), height=80)
    for i, digit in enumerate(DIGITS):
        page.insert_text((10 + 60 * i, 60), digit, fontfile=font, fontname="dejavu", fontsize=40)
    raster = render_page(page, zoom=2)
    templates = {}
    for i, digit in enumerate(DIGITS):
        darkness = 1.0 - raster.crop(60 * i, 0, 60 * (i + 1), 80).rgb.mean(axis=2)
        rows, cols = np.nonzero(darkness > 0.5)
        templates[digit] = (_patch(darkness), (np.ptp(cols) + 1) / (np.ptp(rows) + 1))
    return templates


@dataclass(frozen=True)
class Glyph:
    """One connected dark blob: its page box (x0, y0, x1, y1) and the darkness of its own pixels."""

    box: tuple[float, float, float, float]
    darkness: np.ndarray

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    def digit(self) -> str:
        """The digit whose template matches best, a different aspect ratio counting against it."""
        patch, aspect = _patch(self.darkness), self.width / self.height
        scores = {
            digit: float(np.sum(patch * template)) - 0.5 * abs(math.log(aspect / template_aspect))
            for digit, (template, template_aspect) in digit_templates().items()
        }
        return max(scores, key=scores.get)


def find_glyphs(raster: Raster) -> list[Glyph]:
    """The 8-connected dark blobs of a raster, specks dropped."""
    darkness = 1.0 - raster.rgb.mean(axis=2)
    labels, _ = ndimage.label(_black(raster.rgb, 0.5), structure=np.ones((3, 3)))
    x0, y0 = raster.bbox[:2]
    dx, dy = raster.pt_per_px
    glyphs = []
    for index, (rows, cols) in enumerate(ndimage.find_objects(labels), start=1):
        box = (x0 + cols.start * dx, y0 + rows.start * dy, x0 + cols.stop * dx, y0 + rows.stop * dy)
        if (box[2] - box[0]) * (box[3] - box[1]) > 0.25:
            glyphs.append(Glyph(box, np.where(labels[rows, cols] == index, darkness[rows, cols], 0.0)))
    return glyphs


def read_number(glyphs: list[Glyph]) -> tuple[float, bool]:
    """The number a line of glyphs spells, and whether it is a power of ten written 10^k (log axis).

    A minus is wide and flat, a point small, a superscript a digit raised above the baseline (and a
    minus just before one); everything else is matched as a digit.
    """
    glyphs = sorted(glyphs, key=lambda g: g.box[0])
    tallest = max(g.height for g in glyphs)
    baseline = max(g.box[3] for g in glyphs if g.height > 0.6 * tallest)
    chars, raised = [], []
    for glyph in glyphs:
        if glyph.width > 1.8 * glyph.height and glyph.height < 0.3 * tallest:
            chars.append("-")
        elif glyph.height < 0.35 * tallest:
            chars.append(".")
        else:
            chars.append(glyph.digit())
        raised.append(chars[-1] in DIGITS and glyph.box[3] < baseline - 0.25 * tallest)
    for i in range(len(chars) - 1):
        raised[i] = raised[i] or (chars[i] == "-" and raised[i + 1])
    main = "".join(c for c, r in zip(chars, raised) if not r)
    exponent = "".join(c for c, r in zip(chars, raised) if r)
    if exponent:
        if main != "10":
            raise ValueError(f"unreadable label {main}^{exponent}")
        return 10.0 ** int(exponent), True
    return float(main), False


# ------------------------------------------------------------------------------------ axes


@dataclass(frozen=True)
class Axis:
    """value = intercept + slope * coordinate (log10 of the value on a log axis); coordinate in points."""

    intercept: float
    slope: float
    log: bool
    residual_pt: float  # largest tick misfit of the calibration, in points

    def value(self, coord: float) -> float:
        linear = self.intercept + self.slope * coord
        return 10.0**linear if self.log else linear

    def coord(self, value: float) -> float:
        return ((math.log10(value) if self.log else value) - self.intercept) / self.slope

    def half_span(self, coord: float, half_width_pt: float) -> float:
        """Half the value range of coord +- half_width_pt: a length in points as an error in value."""
        return abs(self.value(coord + half_width_pt) - self.value(coord - half_width_pt)) / 2

    def error(self, coord: float, half_width_pt: float) -> float:
        """A reading's error: half_span of its own half width plus the calibration's largest misfit."""
        return self.half_span(coord, half_width_pt + self.residual_pt)


def find_ticks(raster: Raster, frame: Frame, side: str) -> list[tuple[float, float]]:
    """(position along the spine, reach out from it) of the tick marks on one side, in points.

    Ticks are the black runs on a probe line PROBE_PT outside the spine's centre line; the position is
    a run's darkness-weighted centre, the reach how far out the mark's black goes (within TICK_MAX_PT).
    The strip outside the spine is turned so that its rows run outward from the spine.
    """
    if side == "bottom":
        strip = raster.crop(frame.left - 1, frame.bottom, frame.right + 1, frame.bottom + TICK_MAX_PT)
        rgb, along, distance = strip.rgb, strip.page_x, strip.page_y(np.arange(strip.rgb.shape[0])) - frame.bottom
    elif side == "right":
        strip = raster.crop(frame.right, frame.top - 1, frame.right + TICK_MAX_PT, frame.bottom + 1)
        rgb, along, distance = (
            strip.rgb.transpose(1, 0, 2),
            strip.page_y,
            strip.page_x(np.arange(strip.rgb.shape[1])) - frame.right,
        )
    else:
        strip = raster.crop(frame.left - TICK_MAX_PT, frame.top - 1, frame.left, frame.bottom + 1)
        rgb, along = strip.rgb.transpose(1, 0, 2)[::-1], strip.page_y
        distance = frame.left - strip.page_x(np.arange(strip.rgb.shape[1]))[::-1]
    black, darkness = _black(rgb, 0.5), 1.0 - rgb.mean(axis=2)
    probe = int(np.argmin(np.abs(distance - PROBE_PT)))
    pitch = abs(float(distance[1] - distance[0]))
    runs, count = ndimage.label(black[probe])
    ticks = []
    for run in range(1, count + 1):
        idx = np.nonzero(runs == run)[0]
        weights = darkness[probe, idx]
        outward = black[probe:, idx[len(idx) // 2]]
        last = probe + (int(np.argmin(outward)) if not outward.all() else len(outward)) - 1  # last black row
        ticks.append((float(np.sum(along(idx) * weights) / np.sum(weights)), float(distance[last]) + pitch / 2))
    return ticks


def _text_line(seed: Glyph, glyphs: list[Glyph]) -> list[Glyph]:
    """The glyphs on seed's text line: overlapping it vertically, chained by gaps under 0.6 heights."""
    line = [seed]
    grown = True
    while grown:
        grown = False
        y0, y1 = min(g.box[1] for g in line), max(g.box[3] for g in line)
        x0, x1 = min(g.box[0] for g in line), max(g.box[2] for g in line)
        for glyph in glyphs:
            if glyph in line or glyph.box[3] < y0 or glyph.box[1] > y1:
                continue
            gap = 0.6 * max(glyph.height, *(g.height for g in line))
            if glyph.box[0] - x1 < gap and x0 - glyph.box[2] < gap:
                line.append(glyph)
                grown = True
    return line


def _tick_label(position: float, side: str, frame: Frame, glyphs: list[Glyph], reach: float) -> list[Glyph] | None:
    """The text line labelling a tick: it starts within `reach` of the spine and is centred on the tick."""
    if side == "bottom":
        first = [g for g in glyphs if g.box[1] - frame.bottom < reach]
        nearest = min(first, key=lambda g: abs((g.box[0] + g.box[2]) / 2 - position), default=None)
    else:
        gap = (lambda g: frame.left - g.box[2]) if side == "left" else (lambda g: g.box[0] - frame.right)
        first = [g for g in glyphs if gap(g) < reach and g.box[1] - 0.5 <= position <= g.box[3] + 0.5]
        nearest = min(first, key=gap, default=None)
    if nearest is None:
        return None
    line = _text_line(nearest, glyphs)
    lo, hi = (0, 2) if side == "bottom" else (1, 3)
    centre = (min(g.box[lo] for g in line) + max(g.box[hi] for g in line)) / 2
    return line if abs(centre - position) < 0.6 * max(g.height for g in line) else None


def calibrate(raster: Raster, frame: Frame, side: str) -> Axis:
    """Fit an axis from its labelled ticks (linear, or log10 when the labels are 10^k)."""
    ticks = find_ticks(raster, frame, side)
    if not ticks:
        raise ValueError(f"no ticks on the {side} side")
    near = max(reach for _, reach in ticks) + 0.3
    far = near + LABEL_REACH_PT
    region = {
        "left": (frame.left - far, frame.top - 10, frame.left - near, frame.bottom + 10),
        "right": (frame.right + near, frame.top - 10, frame.right + far, frame.bottom + 10),
        "bottom": (frame.left - 15, frame.bottom + near, frame.right + 15, frame.bottom + far),
    }[side]
    glyphs = find_glyphs(raster.crop(*region))
    positions, values, logs = [], [], []
    for position, _ in ticks:
        line = _tick_label(position, side, frame, glyphs, near + LABEL_PAD_PT)
        if line is None:
            continue  # an unlabelled (minor) tick
        try:
            value, log = read_number(line)
        except ValueError:
            continue  # a label of another form (such as 4x10^-2); the fit's residual guards against misreads
        positions.append(position)
        values.append(value)
        logs.append(log)
    if len(positions) < 2:
        raise ValueError(f"fewer than two labelled ticks on the {side} side")
    log = any(logs)
    targets = np.log10(values) if log else np.asarray(values)
    slope, intercept = np.polyfit(positions, targets, 1)
    residual = float(np.max(np.abs(np.asarray(positions) - (targets - intercept) / slope)))
    if residual > max(0.3, 2 * max(raster.pt_per_px)):
        raise ValueError(
            f"{side} tick labels {values} at {positions} are not on one {'log' if log else 'linear'} scale"
        )
    return Axis(float(intercept), float(slope), log, residual)


# ------------------------------------------------------------------------------------ colour bars


@dataclass(frozen=True)
class Inversion:
    """A colour read as a value: the value, its reading error, and any warning."""

    value: float
    error: float
    gradient: float  # colour-bar colour change (RGB distance) per unit value, near the value
    note: str


@dataclass(frozen=True)
class Colorbar:
    """Colour samples along a vertical colour bar and the value at each (calibrated by its ticks)."""

    colors: np.ndarray  # (N, 3)
    values: np.ndarray  # (N,)
    calibration_error: float  # the tick calibration's largest misfit, in value units

    def invert(self, rgb: np.ndarray) -> Inversion:
        """The value of the nearest colour, refined by projecting onto the segment to a neighbour.

        Error: the values a colour can stand for run from one sample pitch below to one above the
        samples showing that colour (within the nearest distance plus two 8-bit roundings: the bar is
        a rasterised sampling of the colour map); the error reaches the farther end of that run. The
        distance to the nearest colour, in value units, is added when it exceeds 0.02, and so is the
        calibration's misfit.
        """
        distance = np.linalg.norm(self.colors - rgb, axis=1)
        i = int(np.argmin(distance))
        value, best = float(self.values[i]), float(distance[i])
        for j in (i - 1, i + 1):
            if 0 <= j < len(self.values):
                direction = self.colors[j] - self.colors[i]
                if direction @ direction > 0:
                    t = float(np.clip((rgb - self.colors[i]) @ direction / (direction @ direction), 0.0, 1.0))
                    off = float(np.linalg.norm(self.colors[i] + t * direction - rgb))
                    if off < best:
                        best, value = off, float(self.values[i] + t * (self.values[j] - self.values[i]))
        pitch = abs(float(self.values[1] - self.values[0]))
        same = self.values[distance <= float(distance[i]) + SAME_COLOUR]
        error = max(value - (same.min() - pitch), same.max() + pitch - value) + self.calibration_error
        a, b = max(i - 2, 0), min(i + 2, len(self.values) - 1)
        gradient = float(np.linalg.norm(self.colors[b] - self.colors[a]) / abs(self.values[b] - self.values[a]))
        notes = []
        if i in (0, len(self.values) - 1):
            notes.append("at the colour bar's end: the value may lie beyond")
        if best > 0.02:
            notes.append(f"nearest colour-bar colour {best:.3f} away (RGB)")
            error += best / gradient
        return Inversion(value, error, gradient, "; ".join(notes))


def read_colorbar(raster: Raster, image: Raster) -> Colorbar:
    """A vertical colour bar from its image (middle columns) and the labelled ticks on its right."""
    axis = calibrate(raster, Frame(*image.bbox, thickness=0.8), "right")
    width = image.rgb.shape[1]
    colors = image.rgb[:, width // 4 : max(width - width // 4, width // 4 + 1)].mean(axis=1)
    values = np.array([axis.value(y) for y in image.page_y(np.arange(image.rgb.shape[0]))])
    return Colorbar(colors, values, axis.half_span((image.bbox[1] + image.bbox[3]) / 2, axis.residual_pt))


# ------------------------------------------------------------------------------------ panels


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


# ------------------------------------------------------------------------------------ figures


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
    for span in _spans(view.page):
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
    for span in _spans(view.page):
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
