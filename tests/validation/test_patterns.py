"""Pattern-oriented validation (CALIBRATION §G), reduced: fewer replicates than the documented
full run (`scripts/make-validation`, which writes docs/validation.md with the figures)."""

from __future__ import annotations

from functools import cache

import pytest

from missionsim.analysis import validation


@cache
def pattern(key: str) -> validation.Pattern:
    sizes = {"G1": {"replicates": 2}, "G2": {"replicates": 8},
             "G3": {"replicates": 2, "workers": 1}, "G4": {"replicates": 4}}
    return validation.PATTERNS[key](**sizes[key])


def failing(p: validation.Pattern, labels=None) -> list[str]:
    return [f"{c.label}: model {c.model}, observed {c.observed} ({c.tolerance})"
            for c in p.checks if not c.ok and (labels is None or c.label in labels)]


@pytest.mark.parametrize("key", ["G1", "G2", "G4"])
def test_pattern_is_reproduced(key):
    p = pattern(key)
    assert len(p.checks) >= 3
    assert failing(p) == []


def test_g1_model_series_follows_the_first_profile_year_by_year():
    p = pattern("G1")
    national = p.tables["national"].mean()
    observed = validation.FIRST_PROFILE.set_index("month")["gld"]
    assert (national - observed).abs().max() < 1.5
    assert national.is_monotonic_increasing or national.diff().iloc[1:].min() > -0.3


def test_g3_without_the_unit_and_money_the_cut_is_not_reached():
    p = pattern("G3")
    labels = {c.label for c in p.checks if "without" in c.label}
    assert labels
    assert failing(p, labels) == []


def test_g3_the_unit_and_money_cut_two_thirds_and_hold_it():
    p = pattern("G3")
    labels = {c.label for c in p.checks if "with the unit and money" in c.label}
    assert failing(p, labels) == []
    assert len(labels) >= 4


def test_g3_the_cut_holds_only_while_the_money_does():
    p = pattern("G3")
    count = p.tables["count"]
    held = 1.0 - count["rough_sleeping_1998"].loc[60].mean() / 1850.0
    stopped = 1.0 - count["rough_sleeping_1998_money_stops"].loc[60].mean() / 1850.0
    assert held - stopped > 0.3
