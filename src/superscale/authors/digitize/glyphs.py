"""Tick-label glyphs: the authors' labels are outlines, so each is read by matching its darkness
with the DejaVu Sans digits (matplotlib's default font)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache

import matplotlib
import numpy as np
import pymupdf
from PIL import Image
from scipy import ndimage

from superscale.authors.digitize.pixels import Raster, black_mask, render_page

GLYPH_SIZE = 16  # glyphs are compared as GLYPH_SIZE x GLYPH_SIZE darkness patches
DIGITS = "0123456789"


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
    labels, _ = ndimage.label(black_mask(raster.rgb, 0.5), structure=np.ones((3, 3)))
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
