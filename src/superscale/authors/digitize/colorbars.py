"""Colour bars: a colour read back as the value it encodes, with the error the bar's sampling and
calibration allow (heatmap cells and marker colours are read this way)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from superscale.authors.digitize.axes import calibrate
from superscale.authors.digitize.frames import Frame
from superscale.authors.digitize.pixels import Raster

SAME_COLOUR = 2 * 0.5 / 255 * 3**0.5  # RGB distance two 8-bit roundings can put between equal colours


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
