"""The one Markdown table helper and the number formatters."""

import math

import pytest

from missionsim.writeup import markdown as md


def test_table_aligns_columns_and_refuses_a_wrong_alignment():
    text = md.table(["name", "value"], [["a", 1], ["b", 2.5]])
    assert text.splitlines() == ["| name | value |", "|---|---:|", "| a | 1 |", "| b | 2.5 |"]
    assert md.table(["x", "y", "z"], [], "Lcr").splitlines()[1] == "|:---|:---:|---:|"
    with pytest.raises(ValueError, match="per column"):
        md.table(["x", "y"], [], "l")
    with pytest.raises(ValueError, match="per column"):
        md.table(["x"], [], "q")


@pytest.mark.parametrize(("value", "expected"), [
    (1.234, "1.23"), (-0.005, "-0.01"), (None, "–"), (math.nan, "–"), (math.inf, "–"),
    ("x", "–")])
def test_number(value, expected):
    assert md.number(value) == expected


def test_signed_thousands_percent_and_intervals():
    assert md.number(1234.5, 0, sign=True, thousands=True) == "+1,234"
    assert md.percent(0.424) == "42%" and md.percent(None) == "–"
    assert md.interval(0.98, 0.93, 1.03) == "+0.98 (+0.93 to +1.03)"
    assert md.interval(0.98, math.nan, 1.0) == "+0.98"
    assert md.interval(math.nan, 0, 1) == "–"
    assert md.share_interval(0.4, 0.17, 0.69) == "40% (17%–69%)"
