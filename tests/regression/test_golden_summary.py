"""Regression: the model reproduces the stored golden summary.

A deliberate change to the model changes these numbers: review the change, then refresh the
file with ``.venv/bin/python scripts/update-golden`` and commit it with the change.
"""

import json
from pathlib import Path

import pytest

from regression.summary import summary

GOLDEN = Path(__file__).with_name("golden_summary.json")

RECORDED_REL = 1e-9
"""The golden file was recorded on another machine, possibly with other library versions:
NumPy and pandas may sum in another order from one version or CPU to the next, which moves the
last bits of means (about 1e-16 relative per operation). Any change to the model moves these
summaries far more than 1e-9. Same-environment determinism is tested bit for bit elsewhere
(tests/unit/test_reproducibility.py)."""


def test_model_reproduces_the_golden_summary():
    expected = json.loads(GOLDEN.read_text())
    actual = summary()
    assert actual.keys() == expected.keys()
    for case, values in expected.items():
        for column, value in values.items():
            assert actual[case][column] == pytest.approx(
                value, rel=RECORDED_REL, abs=RECORDED_REL), \
                f"{case} {column}: {actual[case][column]!r} != golden {value!r}"
