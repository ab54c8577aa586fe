"""Numbers with their uncertainties as the paper and the reproduction report print them."""

from superscale.paper.uncertainty import plus_minus


def test_a_value_read_off_a_figure_is_rounded_to_its_reading_error():
    assert plus_minus(0.01234, 0.00063, read=True) == "0.0123 ± 0.0006"
    assert plus_minus(1.234, 0.05, read=True) == "1.23 ± 0.05"
    assert plus_minus(0.01234, 0.00063) == "0.0123 ± 0.00063"  # a computed error keeps two figures
