"""Axes frames on a page: where a panel's plot area is, found from its long black spines, and
which panel letter names it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pymupdf
from scipy import ndimage

from superscale.authors.digitize.pixels import Raster, black_mask

MIN_SPINE_PT = 20.0  # shortest spine of an axes frame; dashes and glyphs are shorter


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
    black = black_mask(raster.rgb, 0.35)
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


def text_spans(page: pymupdf.Page):
    """The page's text spans (only real text: the authors' tick labels are outlines)."""
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            yield from line["spans"]


def panel_frame(page: pymupdf.Page, frames: list[Frame], letter: str) -> Frame:
    """The largest frame whose nearest panel letter above and left of it is `letter`."""
    letters = [
        (s["text"].strip(), s["bbox"])
        for s in text_spans(page)
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
