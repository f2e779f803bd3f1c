"""Every reform moves its proximate variable in the documented direction, over 20 paired
seeds (common random numbers), and shows its documented trade-off.

Devolution's proximate effect is place-specific (better fit where capacity is high, worse
where it is low), so it is tested by the place-level tests further down.
"""

import numpy as np
import pytest
from conftest import SEEDS, assert_effect, paired

from missionsim import MissionModel


def reform(name, **settings):
    return {"reforms": {name: settings}}


@pytest.mark.parametrize(
    ("name", "column", "sign"),
    [
        ("local_capacity", "council_capacity", +1),
        ("long_term_funding", "staff_morale", +1),  # secure funding: less insecurity
        ("civil_society_partnerships", "mean_trust", +1),
        ("civil_society_partnerships", "reach", +1),
        ("mission_leadership", "department_focus", +1),
        ("mission_leadership", "outcome", +1),
        ("experimentation", "evidence_adoption", +1),
        ("experimentation", "practice_effect", +1),
        ("workforce_codesign", "staff_turnover", -1),
        ("workforce_codesign", "staff_morale", +1),
        ("citizen_mobilisation", "reach", +1),
        ("citizen_mobilisation", "mean_trust", +1),
        ("learning_accountability", "gaming_gap", -1),  # reported–true gap narrows
        ("learning_accountability", "staff_morale", +1),
    ],
)
def test_reform_moves_its_proximate_variable(name, column, sign):
    assert_effect(paired(column, reform(name)), sign)


def test_long_term_funding_lowers_charity_closures():
    diffs = paired("charity_closures", reform("long_term_funding"), steps=72, window=1)
    assert_effect(diffs, -1)


# --- trade-offs and interactions ---------------------------------------------------------

def test_mission_leadership_widens_the_gaming_gap_under_punitive_accountability():
    assert_effect(paired("gaming_gap", reform("mission_leadership")), +1)


def test_learning_accountability_lowers_the_reported_value_while_the_true_one_rises():
    assert_effect(paired("outcome_reported", reform("learning_accountability")), -1)
    assert_effect(paired("outcome", reform("learning_accountability")), +1)


def test_citizen_mobilisation_raises_workload_and_lowers_morale():
    assert_effect(paired("staff_morale", reform("citizen_mobilisation")), -1)


def test_experimentation_costs_frontline_time_and_money():
    assert_effect(paired("reform_cost", reform("experimentation")), +1)
    model = MissionModel(preset="small", rng=0, reforms={"experimentation": {}})
    model.run(1)
    assert model.levers.staff_time > 0


def _place_outcomes(seed, reforms, params=None, steps=48):
    model = MissionModel(preset="small", rng=seed, reforms=reforms, params=params or {})
    model.run(steps)
    return model.places.y.copy(), model.places.capacity.copy()


def test_devolution_helps_places_with_capacity_more_than_places_without():
    gaps = []
    for seed in SEEDS:
        base, cap = _place_outcomes(seed, {})
        dev, _ = _place_outcomes(seed, {"devolution": {}})
        effect = dev - base
        high, low = cap >= np.median(cap), cap < np.median(cap)
        gaps.append(effect[high].mean() - effect[low].mean())
    assert_effect(np.array(gaps), +1)


def test_devolution_widens_inequality_where_capacity_is_hollowed_out():
    assert_effect(paired("inequality", reform("devolution")), +1)


def test_building_capacity_first_makes_devolution_work_better():
    """Interaction: devolution's effect on the outcome is larger with local capacity."""
    both = {"reforms": {"local_capacity": {}, "devolution": {"start": 24}}}
    cap_only = {"reforms": {"local_capacity": {}}}
    dev_only = {"reforms": {"devolution": {"start": 24}}}
    with_cap = paired("outcome", both, cap_only, steps=60)
    without = paired("outcome", dev_only, {}, steps=60)
    assert_effect(with_cap - without, +1)


def _capacity_pots_correlation(seed, exponent):
    model = MissionModel(preset="workshop", rng=seed, competitive_share=0.5,
                         matthew_exponent=exponent)
    model.run(13)
    return np.corrcoef(model.places.capacity, model.places.pots)[0, 1]


def test_competitive_pots_favour_strong_councils():
    """Matthew effect: capacity predicts the pot money a council wins, more strongly than
    bidding alone (exponent 0: every bid equally likely to win) would make it."""
    diffs = [_capacity_pots_correlation(seed, 2.0) - _capacity_pots_correlation(seed, 0.0)
             for seed in SEEDS]
    assert_effect(np.array(diffs), +1)


def test_long_term_funding_removes_the_matthew_effect_on_pots():
    for seed in SEEDS[:3]:
        model = MissionModel(preset="small", rng=seed, reforms={"long_term_funding": {}})
        model.run(13)
        assert model.places.pots.sum() == 0.0
