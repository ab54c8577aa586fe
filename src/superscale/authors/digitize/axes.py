"""Axis calibration: the ticks just outside a spine, each read by its label, fitted as a linear or
log axis whose largest misfit becomes part of every reading's error."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from superscale.authors.digitize.frames import Frame
from superscale.authors.digitize.glyphs import Glyph, find_glyphs, read_number
from superscale.authors.digitize.pixels import Raster, black_mask

PROBE_PT = 1.4  # ticks are looked for this far outside a spine's centre line (minor ticks are 2 pt)
TICK_MAX_PT = 12.0  # and are no longer than this
LABEL_PAD_PT = 6.0  # a tick label starts within this distance of its tick's end; axis titles further
LABEL_REACH_PT = 40.0  # and lies within this distance of it


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
    black, darkness = black_mask(rgb, 0.5), 1.0 - rgb.mean(axis=2)
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
