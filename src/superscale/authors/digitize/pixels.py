"""Pixels of a figure page: the page rendered, and its embedded images at their own resolution.

Every reading is made on pixels (the tick labels are outlined glyphs, not text, and some panels are
embedded rasters), so one picture type, placed in page points, serves the whole reader.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import pymupdf
from PIL import Image

ZOOM = 8  # rendered pixels per point: 1/8 pt resolution for ticks and glyphs


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


def black_mask(rgb: np.ndarray, level: float) -> np.ndarray:
    """Dark grey pixels: spines, ticks and label glyphs, not the dark end of a colour map."""
    return (rgb.max(axis=2) < level) & (np.ptp(rgb, axis=2) < 0.15)
