"""A number the paper cannot give is replaced by the reason, never by 'n/a'; an exponent the fit
left at its bound says so instead of carrying a standard error."""

from __future__ import annotations

import math

import pandas as pd

from superscale.features.laws import EXPONENTS
from superscale.features.summary import _alpha, _bound_note
from superscale.paper.width_numbers import _local, overlap_table


def test_local_exponent_and_slope_say_why_they_are_missing():
    assert _local(math.nan) == "undefined (excess loss $\\le0$)" and _local(0.914) == "0.91"
    fits = {
        key: {
            "raw": {"slope": math.nan, "slope_se": math.nan, "n_points": 2},
            "centred": {"slope": 0.5, "slope_se": 0.1, "n_points": 4},
            "init": {"slope": 1.0, "slope_se": 0.02, "n_points": 4},
        }
        for key in ("ladder_overlap_vs_inverse_width", "bottleneck_overlap_vs_inverse_width")
    }
    table = overlap_table(fits)
    assert "n/a" not in table and "not fitted (2 rows)" in table and "0.50 $\\pm$ 0.10" in table


def test_exponent_at_its_bound_is_flagged_not_given_an_error():
    tau_low, tau_high = EXPONENTS["alpha"]
    laws = pd.DataFrame(
        {
            "tau": [tau_high, 2.0, tau_low + 0.5],
            "alpha_quoted": [1 / (tau_high - 1), 1.0, math.nan],
            "alpha_se": [0.0, 0.05, 0.1],
        }
    )
    cells = [_alpha(row) for row in laws.itertuples()]
    assert cells == [f"{1 / (tau_high - 1):.2f} (at bound)", "1.00 $\\pm$ 0.05", "--"]
    assert _bound_note(laws) == " (1 of them at a bound of the fit, so not measured)"
    assert _bound_note(laws.iloc[1:]) == ""
