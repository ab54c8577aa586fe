"""A number with its uncertainty as text ('0.91 ± 0.05'), written one way wherever the paper's
sentences and the reproduction report set a value beside its error."""

from __future__ import annotations

import math


def finite(value) -> bool:
    """A value that can be printed as a number: present and neither NaN nor infinite."""
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


def plus_minus(value, sigma, tolerance=None, read: bool = False) -> str:
    """'value ± sigma'; a value read off a figure (`read`) to one significant figure of its
    reading error, which is all a figure gives (0.01234 ± 0.00063 -> 0.0123 ± 0.0006)."""
    if not finite(value):
        return "--"
    if finite(sigma) and read and sigma > 0:
        decimals = max(0, -math.floor(math.log10(abs(float(f"{sigma:.1g}")))))
        return f"{value:.{decimals}f} ± {sigma:.{decimals}f}"
    if finite(sigma):
        return f"{value:.3g} ± {sigma:.2g}"
    if finite(tolerance):
        return f"≈{value:.3g} (±{tolerance:.2g} read)"
    return f"{value:.3g}"
