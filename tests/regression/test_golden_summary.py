"""Regression: the model reproduces the stored golden summary.

A deliberate change to the model changes these numbers: review the change, then refresh the
file with ``.venv/bin/python scripts/update-golden`` and commit it with the change.
"""

import json
from pathlib import Path

import pytest

from regression.summary import summary

GOLDEN = Path(__file__).with_name("golden_summary.json")


def test_model_reproduces_the_golden_summary():
    expected = json.loads(GOLDEN.read_text())
    actual = summary()
    assert actual.keys() == expected.keys()
    for case, values in expected.items():
        for column, value in values.items():
            assert actual[case][column] == pytest.approx(value, rel=1e-9, abs=1e-9), \
                f"{case} {column}: {actual[case][column]!r} != golden {value!r}"
