"""Place targeting: a targeted reform acts, and is paid for, only in its places."""

from __future__ import annotations

import numpy as np
import pytest

from missionsim import MissionModel
from missionsim.experiments.scenario import Scenario
from missionsim.model.reforms import REFORMS
from missionsim.model.reforms.levers import PLACE_LEVERS, Levers
from missionsim.model.reforms.targeting import REVIEW_MONTHS, Target, deprivation_deciles
from missionsim.model.state import CHARITY

TARGETABLE = sorted(name for name, cls in REFORMS.items() if cls.targetable)
MOST_DEPRIVED_HALF = {"deprivation_deciles": [6, 7, 8, 9, 10]}
SEEDS = range(8)


def _run(reforms, seed, horizon, preset="workshop", params=None):
    model = MissionModel(preset=preset, reforms=reforms, rng=seed, horizon=horizon,
                         params=params)
    model.run_model()
    return model


# --- declarations -------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "message"), [
    ({"deprivation_deciles": [0, 3]}, "deprivation_deciles: expected a list of whole numbers"),
    ({"deprivation_deciles": []}, "deprivation_deciles: expected"),
    ({"deprivation_deciles": [True]}, "deprivation_deciles: expected"),
    ({"capacity_below": 1.5}, "capacity_below: expected a capacity between 0 and 1"),
    ({"capacity_above": float("nan")}, "capacity_above: expected"),
    ({"off_trajectory": False}, "off_trajectory: expected true"),
    ({"places": []}, "places: expected a list of place names or codes"),
    ({"places": ["", "x"]}, "places: expected"),
    ({"places": [3]}, "places: expected"),
    ({"where": 1}, "where: unknown targeting; expected one of deprivation_deciles"),
    ({"capacity_below": 0.2, "capacity_above": 0.5}, "expected a table with exactly one of"),
    ("everywhere", "expected a table with exactly one of"),
])
def test_bad_targets_are_one_line_errors(raw, message):
    with pytest.raises(ValueError, match=message) as err:
        Target.parse(raw, "target")
    assert "\n" not in str(err.value)


def test_deciles_split_places_into_tenths_by_deprivation():
    rng = np.random.default_rng(0)
    deprivation = rng.random(153)
    deciles = deprivation_deciles(deprivation)
    counts = np.bincount(deciles, minlength=11)[1:]
    assert counts.min() >= 15 and counts.max() <= 16
    order = np.argsort(deprivation)
    assert np.all(np.diff(deciles[order]) >= 0)  # more deprived, never a lower tenth
    assert deciles[order[0]] == 1 and deciles[order[-1]] == 10


@pytest.mark.parametrize("name", sorted(n for n, c in REFORMS.items() if not c.targetable))
def test_national_reforms_cannot_be_targeted(name):
    with pytest.raises(ValueError, match="cannot be targeted at places"):
        MissionModel(preset="small", reforms={name: {"target": MOST_DEPRIVED_HALF}}, rng=1)
    data = {"name": "t", "reforms": {name: {"target": MOST_DEPRIVED_HALF}}}
    with pytest.raises(Exception, match=f"reforms.{name}.target: {name} acts on national"):
        Scenario.from_mapping(data, source="t.toml")


def test_place_levers_are_levers():
    names = {f for f in Levers.__dataclass_fields__ if f != "untargeted"}
    assert PLACE_LEVERS <= names


# --- the same run when every place is targeted ---------------------------------------------
@pytest.mark.parametrize("name", TARGETABLE)
def test_targeting_every_place_is_the_untargeted_run(name):
    everywhere = {"deprivation_deciles": list(range(1, 11))}
    a = _run({name: {}}, seed=3, horizon=24, preset="small")
    b = _run({name: {"target": everywhere}}, seed=3, horizon=24, preset="small")
    assert np.array_equal(a.places.y, b.places.y)
    assert a.spend_total == b.spend_total


# --- only the targeted places move ---------------------------------------------------------
def test_local_capacity_moves_capacity_only_in_its_places():
    """Without competitive pots: a bid spends capacity, and a place's chance of bidding follows
    its effective capacity, which ties to the targeted places can move."""
    no_pots = {"competitive_share": 0.0}
    for seed in range(3):
        base = _run({}, seed, 36, params=no_pots)
        targeted = _run({"local_capacity": {"target": MOST_DEPRIVED_HALF}}, seed, 36,
                        params=no_pots)
        chosen = deprivation_deciles(base.places.deprivation) >= 6
        gain = targeted.places.capacity - base.places.capacity
        assert np.all(gain[chosen] > 0.05)
        assert np.array_equal(targeted.places.capacity[~chosen], base.places.capacity[~chosen])


@pytest.mark.parametrize("name", ["workforce_codesign", "citizen_mobilisation",
                                  "learning_accountability", "civil_society_partnerships",
                                  "experimentation"])
def test_a_targeted_reform_moves_its_places_more_than_the_others(name):
    """Over 8 paired seeds: the outcome rises in the targeted places, and not elsewhere.

    The mean change in the other places (noise from paths that diverge, and spill-overs
    through shared money and ties) stays within a quarter of the targeted places' gain.
    """
    inside, outside = [], []
    for seed in SEEDS:
        base = _run({}, seed, 60)
        targeted = _run({name: {"target": MOST_DEPRIVED_HALF}}, seed, 60)
        chosen = deprivation_deciles(base.places.deprivation) >= 6
        change = targeted.places.y - base.places.y
        inside.append(change[chosen].mean())
        outside.append(change[~chosen].mean())
    inside, outside = np.array(inside), np.array(outside)
    assert np.sum(inside > outside) >= 7
    assert inside.mean() > 0.05  # percentage points
    assert abs(outside.mean()) < 0.25 * inside.mean()


# --- its cost is booked only there ---------------------------------------------------------
@pytest.mark.parametrize("name", TARGETABLE)
def test_cost_is_booked_only_in_the_targeted_places(name):
    everywhere = MissionModel(preset="workshop", reforms={name: {}}, rng=2, horizon=3)
    targeted = MissionModel(preset="workshop", reforms={name: {"target": MOST_DEPRIVED_HALF}},
                            rng=2, horizon=3)
    reform = targeted.reforms[0]
    chosen = deprivation_deciles(targeted.places.deprivation) >= 6
    o, s = targeted.orgs, targeted.staff
    status, active = s.status.copy(), o.active.copy()  # the policy phase counts at the start
    total = targeted.n_localities + targeted.active_charities()
    everywhere.step()
    targeted.step()
    assert np.array_equal(reform.places, chosen) and chosen.sum() == 15
    if reform.cost_per == "place":
        share = chosen.sum() / chosen.size
        assert targeted.reform_cost == pytest.approx(everywhere.reform_cost * share, rel=1e-12)
    elif reform.cost_per == "post":
        posts = np.count_nonzero((status != 0) & chosen[s.loc[:status.size]])
        assert targeted.reform_cost == pytest.approx(
            everywhere.reform_cost * posts / np.count_nonzero(status != 0), rel=1e-12)
    else:  # organisation: councils and operating charities of the chosen places
        local = (o.locality >= 0) & chosen[np.maximum(o.locality, 0)]
        units = chosen.sum() + np.count_nonzero((o.kind == CHARITY) & active & local)
        assert targeted.reform_cost == pytest.approx(everywhere.reform_cost * units / total,
                                                     rel=1e-12)
    assert 0 < targeted.reform_cost < everywhere.reform_cost


# --- places chosen anew each year, or by name -----------------------------------------------
def test_off_trajectory_places_are_chosen_anew_each_year():
    model = MissionModel(preset="workshop", rng=4, horizon=40,
                         reforms={"workforce_codesign": {"start": 2,
                                                         "target": {"off_trajectory": True}}})
    reform = model.reforms[0]
    seen = []
    for month in range(40):
        behind = model.places_behind(reported=False) > 0.0
        model.step()
        if month >= 2 and (month - 2) % REVIEW_MONTHS == 0:
            assert np.array_equal(reform.places, behind)
            seen.append(reform.places.copy())
        elif month > 2:
            assert np.array_equal(reform.places, seen[-1])  # kept between reviews
    assert len(seen) == 4
    assert any(not np.array_equal(a, b) for a, b in zip(seen, seen[1:], strict=False))


def test_a_named_council_is_the_only_place_reached():
    model = MissionModel(preset="england_councils", rng=1, horizon=6,
                         reforms={"local_capacity": {"target": {"places": ["Blackpool"]}}})
    base = MissionModel(preset="england_councils", rng=1, horizon=6)
    model.run_model()
    base.run_model()
    i = model.places.names.index("Blackpool")
    moved = np.flatnonzero(model.places.capacity != base.places.capacity)
    assert moved.tolist() == [i]


def test_unknown_places_are_refused():
    with pytest.raises(ValueError, match="'Atlantis' is not a place in this world"):
        MissionModel(preset="small", rng=1,
                     reforms={"devolution": {"target": {"places": ["Atlantis"]}}})
    data = {"name": "t", "reforms": {"devolution": {"target": {"places": ["Place 11"]}}},
            "world": {"preset": "small"}}
    with pytest.raises(Exception, match="reforms.devolution.target.places: 'Place 11' is not"):
        Scenario.from_mapping(data, source="t.toml")


def test_a_scenario_carries_its_target_to_the_model_and_its_digest():
    plain = Scenario.from_mapping({"name": "t", "reforms": {"devolution": {}}}, source="t.toml")
    data = {"name": "t", "reforms": {"devolution": {"target": {"capacity_above": 0.5}}}}
    targeted = Scenario.from_mapping(data, source="t.toml")
    assert targeted.reform_settings()["devolution"]["target"] == {"capacity_above": 0.5}
    assert targeted.digest() != plain.digest()
    assert "in capacity above 0.5" in targeted.summary()
