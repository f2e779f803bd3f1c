"""Construction, the Mesa interface, agents, reporters and argument validation."""

import dataclasses

import mesa
import networkx as nx
import numpy as np
import pytest

from missionsim import MISSIONS, PRESETS, REFORMS, MissionModel
from missionsim.model.agents import Charity, Council, Department, FrontlineStaff, MissionUnit
from missionsim.model.params import PARAMETERS

REQUIRED_REPORTERS = [
    "outcome", "outcome_reported", "trajectory_gap", "on_track_share", "inequality", "spend",
    "staff_morale", "staff_turnover", "vacancy_rate", "charity_closures",
    "charity_reserves_median", "partnership_density", "cross_sector_ties", "mean_trust",
    "evidence_adoption",
]


def test_model_is_a_mesa_model_with_the_required_reporters(small_model_run):
    model = small_model_run
    assert isinstance(model, mesa.Model)
    frame = model.datacollector.get_model_vars_dataframe()
    for name in REQUIRED_REPORTERS:
        assert name in frame.columns, name
    assert len(frame) == 37  # month 0 plus 36 months
    assert frame[REQUIRED_REPORTERS].notna().all().all()


def test_agent_types_are_reachable_by_type(small_model_run):
    model = small_model_run
    by_type = model.agents_by_type
    assert len(by_type[Department]) == 4
    assert len(by_type[Council]) == PRESETS["small"]["n_localities"]
    assert len(by_type[Charity]) > 0
    assert len(by_type[FrontlineStaff]) >= 1000
    assert MissionUnit not in by_type or len(by_type[MissionUnit]) == 0


def test_mission_unit_exists_only_under_mission_leadership():
    plain = MissionModel(preset="small", rng=1)
    plain.run(3)
    assert not plain.agents_by_type.get(MissionUnit)
    led = MissionModel(preset="small", rng=1, reforms={"mission_leadership": {"start": 2}})
    led.run(2)
    assert not led.agents_by_type.get(MissionUnit)
    led.run(1)
    assert len(led.agents_by_type[MissionUnit]) == 1
    assert led.mission_unit.unique_id in led.partnerships


def test_mission_unit_is_dissolved_when_the_reform_ends():
    model = MissionModel(preset="small", rng=1,
                         reforms={"mission_leadership": {"start": 0, "end": 6}})
    model.run(6)
    assert model.mission_unit is not None
    model.run(1)
    assert model.mission_unit is None
    assert not model.agents_by_type.get(MissionUnit)


def test_staff_agents_are_views_onto_the_arrays(small_model_run):
    model = small_model_run
    agent = next(iter(model.agents_by_type[FrontlineStaff]))
    s = model.staff
    assert agent.morale == s.morale[agent.slot]
    assert agent.skill == s.skill[agent.slot]
    assert agent.status in ("filled", "vacant", "unfunded")
    s.morale[agent.slot] = 0.123
    assert agent.morale == pytest.approx(0.123)


def _agent_ids(model: MissionModel) -> tuple:
    staff = {a.slot: a.unique_id for a in model.agents_by_type[FrontlineStaff]}
    every = sorted((a.unique_id, type(a).__name__) for a in model.agents)
    return staff, every, model.orgs.node.tolist(), model.agent_id_counter


def test_staff_agents_are_made_when_read_with_the_ids_they_would_have_had():
    """Posts open and charities are founded during the run; reading the agents at month 0
    (so that each new post's agent is made as it opens) or only at the end gives every agent
    the same id, and the organisations the same graph nodes."""
    early = MissionModel(preset="workshop", rng=3, horizon=60)
    assert len(early.agents_by_type[FrontlineStaff]) == early.staff.n
    early.run()
    late = MissionModel(preset="workshop", rng=3, horizon=60)
    assert FrontlineStaff not in mesa.Model.agents_by_type.fget(late)  # Mesa holds none yet
    built = late.staff.n
    late.run()
    assert FrontlineStaff not in mesa.Model.agents_by_type.fget(late)
    assert late.staff.n > built  # posts opened during the run
    assert late.orgs.founded > 0  # and charities were founded between them
    assert _agent_ids(late) == _agent_ids(early)
    ids = [a.unique_id for a in late.staff_agents]
    assert ids == late.staff_views.ids.tolist() and len(ids) == late.staff.n
    staff, every, _, counter = _agent_ids(late)
    assert len({i for i, _ in every}) == len(every) and max(i for i, _ in every) < counter
    assert [a.slot for a in late.staff_agents] == list(range(late.staff.n))


def test_the_agent_count_is_the_agents_without_making_them():
    """``agent_count`` is what ``len(model.agents)`` gives, before and after the agents are
    made, and counting makes none."""
    late = MissionModel(preset="workshop", rng=3, horizon=36)
    counts = [late.agent_count]
    late.run()
    counts.append(late.agent_count)
    assert FrontlineStaff not in mesa.Model.agents_by_type.fget(late)  # counting made none
    early = MissionModel(preset="workshop", rng=3, horizon=36)
    assert early.agent_count == counts[0] == len(early.agents)
    early.run()
    assert early.agent_count == counts[1] == len(early.agents)
    assert counts[1] != counts[0]  # posts opened and charities closed or were founded
    assert len(late.agents) == counts[1]


def test_staff_agent_ids_are_given_to_new_posts_in_order():
    model = MissionModel(preset="small", rng=1, horizon=1)
    n = model.staff.n
    with pytest.raises(ValueError, match="expected posts"):
        model.staff_views.open(np.arange(n + 1, n + 3))


def test_organisation_agents_describe_their_state(small_model_run):
    model = small_model_run
    council = next(iter(model.agents_by_type[Council]))
    assert 0.0 <= council.capacity <= 1.0
    assert council.budget > 0
    charity = next(iter(model.agents_by_type[Charity]))
    assert set(charity.income_mix) == {"contracts", "grants", "donations"}
    assert charity.staff_posts >= 0
    dept = next(iter(model.agents_by_type[Department]))
    assert 0.0 <= dept.focus <= 1.0 and dept.budget > 0


def test_partnerships_graph_has_the_documented_attributes(small_model_run):
    graph = small_model_run.partnerships
    assert isinstance(graph, nx.Graph)
    assert graph.number_of_nodes() > 0 and graph.number_of_edges() > 0
    for _, data in graph.nodes(data=True):
        assert data["sector"] in ("central", "local_government", "voluntary")
        assert data["kind"] in ("department", "council", "charity", "missions_unit")
        assert "locality" in data
    for _, _, data in graph.edges(data=True):
        assert data["kind"] in ("funding", "contract", "partnership", "coordination")
        assert 0.0 <= data["trust"] <= 1.0


def test_graph_matches_the_tie_arrays(small_model_run):
    model = small_model_run
    net = model.net
    assert model.partnerships.number_of_edges() == net.n_edges
    nodes = model.orgs.node
    for a, b, t in zip(net.u[:50], net.v[:50], net.trust[:50], strict=True):
        assert model.partnerships.edges[int(nodes[a]), int(nodes[b])]["trust"] == t
    active_nodes = {int(n) for n in nodes[model.orgs.active]}
    assert set(model.partnerships.nodes) == active_nodes


def test_run_defaults_to_the_horizon_and_stops_running():
    model = MissionModel(preset="small", rng=3, horizon=14)
    model.run()
    assert model.month == 14 and model.steps == 14
    assert model.running is False
    assert len(model.datacollector.get_model_vars_dataframe()) == 15


def test_target_met_is_known_only_after_the_deadline():
    model = MissionModel(preset="small", rng=3)
    model.run(MISSIONS["early_years"].deadline - 1)
    with pytest.raises(ValueError, match="deadline"):
        model.target_met()
    model.run(1)
    assert isinstance(model.target_met(), bool)


def test_both_missions_run():
    for name, mission in MISSIONS.items():
        model = MissionModel(preset="small", mission=name, rng=2).run(mission.deadline)
        frame = model.datacollector.get_model_vars_dataframe()
        assert frame["outcome"].iloc[0] == pytest.approx(mission.baseline)
        assert np.isfinite(frame["outcome"]).all()
        assert isinstance(model.target_met(), bool)


def test_overrides_as_keywords_and_as_params_are_the_same():
    a = MissionModel(preset="small", rng=5, competitive_share=0.5).run(13)
    b = MissionModel(preset="small", rng=5, params={"competitive_share": 0.5}).run(13)
    fa = a.datacollector.get_model_vars_dataframe()
    fb = b.datacollector.get_model_vars_dataframe()
    assert fa.equals(fb)


def test_england_preset_has_the_promised_size():
    model = MissionModel(preset="england", rng=1)
    orgs = len(model.agents_by_type[Department]) + len(model.agents_by_type[Council]) \
        + len(model.agents_by_type[Charity])
    assert len(model.agents_by_type[Council]) == 153
    assert orgs >= 1500
    assert model.staff.funded_count() >= 25_000


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"preset": "wales"}, "preset = 'wales': expected one of"),
        ({"mission": "moon"}, "mission = 'moon': expected one of"),
        ({"reforms": {"teleport": {}}}, "'teleport' is not a reform"),
        ({"reforms": {"devolution": {"start": 12, "end": 6}}}, "expected a month after start"),
        ({"reforms": {"devolution": {"start": -1}}}, "expected a whole month ≥ 0"),
        ({"reforms": {"devolution": {"intensity": 1.5}}},
         "expected at most 1 (devolution_max_intensity)"),
        ({"reforms": {"devolution": {"speed": 1}}}, "unknown setting"),
        ({"reforms": ["devolution"]}, "expected a mapping"),
        ({"n_localities": -3}, "'n_localities' = -3"),
        ({"charities_per_locality": 2.5}, "expected a whole number"),
        ({"programme_success_share": 1.2}, "'programme_success_share' = 1.2"),
        ({"annual_turnover": -0.1}, "'annual_turnover' = -0.1"),
        ({"params": {"no_such_thing": 1}}, "'no_such_thing' is unknown"),
        ({"silo": "high"}, "'silo' = 'high'"),
        ({"horizon": 0}, "horizon = 0"),
    ],
)
def test_invalid_arguments_raise_one_line_value_errors(kwargs, fragment):
    with pytest.raises(ValueError) as info:
        MissionModel(rng=1, **kwargs)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_every_parameter_default_is_within_its_bounds_and_documented():
    for p in PARAMETERS.values():
        assert p.low <= p.default <= p.high, p.name
        assert p.meaning and p.unit and p.source, p.name
        assert p.check(p.default) == p.default


def test_every_reform_is_documented():
    assert set(REFORMS) == {
        "local_capacity", "long_term_funding", "civil_society_partnerships", "devolution",
        "mission_leadership", "experimentation", "workforce_codesign", "citizen_mobilisation",
        "learning_accountability"}
    for cls in REFORMS.values():
        assert cls.title and cls.mechanism and cls.tradeoff and cls.cost_basis, cls.name


def test_numpy_numbers_are_accepted_as_arguments():
    """Sweep tables hand over NumPy numbers; they mean the same as plain ones."""
    a = MissionModel(preset="small", rng=np.int64(3), n_localities=np.int64(6),
                     competitive_share=np.float64(0.2),
                     reforms={"devolution": {"start": np.int64(2),
                                             "intensity": np.float64(0.5)}}).run(4)
    b = MissionModel(preset="small", rng=3, n_localities=6, competitive_share=0.2,
                     reforms={"devolution": {"start": 2, "intensity": 0.5}}).run(4)
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe())


def test_a_reform_switched_off_is_the_baseline():
    off = MissionModel(preset="small", rng=2, reforms={"devolution": False}).run(6)
    base = MissionModel(preset="small", rng=2).run(6)
    assert off.datacollector.get_model_vars_dataframe().equals(
        base.datacollector.get_model_vars_dataframe())


def test_contract_ties_follow_the_contracts(small_model_run):
    model = small_model_run
    o, net = model.orgs, model.net
    same = o.locality[net.u] == o.locality[net.v]
    for kind_code, has_contract in ((1, True), (2, False)):  # contract, partnership
        idx = np.flatnonzero(same & (net.kind == kind_code)
                             & (o.kind[net.u] == 1) & (o.kind[net.v] == 2))
        assert ((o.contract[net.v[idx]] > 0) == has_contract).all()


def test_a_world_without_charities_keeps_its_commissioning_money_in_house():
    model = MissionModel(preset="small", rng=0, charities_per_locality=0, commission_share=1.0)
    model.run(14)
    posts = model.staff.funded_count()
    assert 0.5 * model.p["staff_per_1000"] * model.p["cohort_total"] / 1000 < posts
    assert posts < 2 * model.p["staff_per_1000"] * model.p["cohort_total"] / 1000


def test_a_mission_record_runs_like_its_registered_name():
    by_name = MissionModel(preset="small", mission="early_years", rng=4).run(13)
    by_record = MissionModel(preset="small", mission=MISSIONS["early_years"], rng=4).run(13)
    assert by_name.datacollector.get_model_vars_dataframe().equals(
        by_record.datacollector.get_model_vars_dataframe())
    variant = dataclasses.replace(MISSIONS["early_years"], name="variant", momentum=0.0)
    flat = MissionModel(preset="small", mission=variant, rng=4).run(13)
    assert flat.datacollector.get_model_vars_dataframe()["outcome"].iloc[-1] < \
        by_name.datacollector.get_model_vars_dataframe()["outcome"].iloc[-1]


def test_a_mission_brings_its_own_world_and_overrides_still_win():
    rough = MISSIONS["rough_sleeping"]
    model = MissionModel(preset="england", mission="rough_sleeping", rng=1)
    for name, value in rough.world.items():
        assert model.p[name] == value
    assert model.places.n == rough.world["n_localities"]
    assert MissionModel(preset="england", mission="rough_sleeping", rng=1,
                        n_localities=12).places.n == 12
    # the mission's world is the reference system, so month 0 is the calibrated state
    assert np.allclose(model.places.delivery, 1.0)
    with pytest.raises(ValueError, match="world parameter 'moon'"):
        dataclasses.replace(rough, world={"moon": 1})
    with pytest.raises(ValueError):
        dataclasses.replace(rough, world={"n_localities": -3})
