"""The outcome phase's compiled passes give exactly the results of their references.

Random cases (no organisations, no ties, one place, ties with a national end, rival and
cross-sector ties, levers as numbers or per place, reach past its bounds, the volunteer cap
binding or not, missions of either direction that average or sum places, with and without a
trend, the indicator at and past its floor) go through each kernel and its NumPy reference;
the results must be equal bit for bit. The whole phase is also run next to the phase as it
was before the kernels (kept here verbatim as the reference), month by month, on missions and
reforms that exercise every branch.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from kernel_cases import same

from missionsim.model import kernels, outcome_kernels, outcomes, staff_kernels
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT, each

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def lever(rng: np.random.Generator, n: int):
    """A lever as a number or as an array over ``n`` places (a targeted reform)."""
    if rng.random() < 0.5:
        return float(rng.choice([0.0, 1.0, rng.random()]))
    return rng.choice([0.0, 0.5, 1.0, rng.random()], n)


def test_employers_give_the_reference_practice_and_focus():
    rng = np.random.default_rng(4001)
    for case_no in range(CASES):
        n = int(rng.choice([0, 1, 5, 300]))
        kind = rng.choice([DEPARTMENT, COUNCIL, CHARITY], n).astype(np.int8)
        practice = rng.uniform(-2.0, 2.0, n)
        par = (float(rng.uniform(0.0, 1.0)), float(rng.uniform(0.0, 1.0)), float(rng.random()),
               float(rng.random()), float(rng.random()))
        punitive = lever(rng, n)
        ref = outcome_kernels.employers(False, practice, kind, punitive, par)
        got = outcome_kernels.employers(True, practice, kind, punitive, par)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def test_local_ties_give_the_reference_trust_and_strength():
    rng = np.random.default_rng(4002)
    for case_no in range(CASES):
        n_places = int(rng.integers(1, 12))
        n_orgs = int(rng.integers(1, 60))
        kind = rng.choice([DEPARTMENT, COUNCIL, CHARITY], n_orgs).astype(np.int8)
        locality = np.where(kind == DEPARTMENT, -1, rng.integers(0, n_places, n_orgs))
        active = rng.random(n_orgs) < 0.8
        n_edges = int(rng.choice([0, 1, 7, 400]))
        u, v = rng.integers(0, n_orgs, n_edges), rng.integers(0, n_orgs, n_edges)
        trust = rng.choice([0.0, 1.0, 0.5, rng.random()], n_edges) * rng.uniform(1.0, 30.0)
        cross = rng.random(n_edges) < 0.5
        if rng.random() < 0.5:
            cross.setflags(write=False)  # read-only, as the network keeps it
        args = (u, v, trust, cross, locality, kind, active, n_places)
        ref = outcome_kernels.local_ties(False, *args)
        got = outcome_kernels.local_ties(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def test_delivered_gives_the_reference_delivery_volunteers_and_reach():
    rng = np.random.default_rng(4003)
    for case_no in range(CASES):
        n = int(rng.choice([1, 2, 30, 153]))
        staff = rng.choice([0.0, rng.uniform(0.0, 200.0)], n)
        charity_staff = staff * rng.choice([0.0, 0.3, 1.0], n)
        volunteers0 = rng.choice([0.0, rng.uniform(0.0, 40.0)], n)
        strength, trust = rng.random(n), rng.choice([0.0, rng.random()], n)
        capacity, need = rng.random(n), rng.uniform(0.1, 500.0, n)
        levers = (lever(rng, n), lever(rng, n), lever(rng, n))
        factor = None if rng.random() < 0.5 else rng.uniform(0.3, 3.0, n)
        par = tuple(rng.uniform(0.0, 3.0, 11))  # eleven: gains above 1 push reach past 1
        args = (staff, charity_staff, volunteers0, strength, trust, capacity, need, levers,
                factor, float(rng.uniform(0.2, 1.2)), par)
        ref = outcome_kernels.delivered(False, *args)
        got = outcome_kernels.delivered(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def test_the_move_of_the_indicator_gives_the_reference_values():
    rng = np.random.default_rng(4004)
    for case_no in range(CASES):
        n = int(rng.choice([1, 2, 30, 153]))
        absolute, d0 = rng.uniform(0.0, 3.0, n), rng.uniform(0.5, 2.0, n)
        best = rng.choice([0.0, 100.0, 150.0], n)
        y0 = best + rng.choice([-1.0, 1.0]) * rng.uniform(0.0, 80.0, n)
        y0[rng.random(n) < 0.1] = best[0]  # no gap at month 0
        y = y0 + rng.normal(0.0, 10.0, n)
        trend = None if rng.random() < 0.5 else float(rng.normal(0.0, 5.0))
        par = (float(rng.uniform(0.0, 0.5)), float(rng.choice([0.0, 0.5, 2.0])),
               float(rng.choice([0.0, 1e-12, 30.0])))
        ref = outcome_kernels.towards(False, absolute, d0, best, y0, trend, par)
        got = outcome_kernels.towards(True, absolute, d0, best, y0, trend, par)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        delivery, base, lower = ref
        power = base ** (-float(rng.uniform(0.3, 2.0)))
        shocks = rng.normal(0.0, 1.0, n) * rng.choice([1.0, 50.0])
        mission = (int(rng.choice([-1, 1])), bool(rng.random() < 0.5),
                   float(rng.uniform(50.0, 90.0)), float(rng.choice([40.0, 68.0, 75.0])))
        par = (float(rng.uniform(0.0, 0.5)), float(rng.uniform(1.0, 3.0)),
               float(rng.choice([0.0, rng.random(), 1.0])), float(rng.uniform(0.5, 5.0)))
        rate = float(rng.random())
        args = (lower, power, best, y0, y, shocks, rate, mission, par)
        ref = outcome_kernels.move(False, *args)
        got = outcome_kernels.move(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def test_gaming_moves_as_the_reference_moves_it():
    rng = np.random.default_rng(4005)
    for case_no in range(CASES):
        n = int(rng.choice([1, 2, 30, 153]))
        gaming = rng.choice([0.0, rng.random()], n)
        tangent = np.tanh(rng.uniform(0.0, 3.0, n) * rng.choice([0.0, 1.0], n))
        par = (float(rng.uniform(0.0, 2.0)), float(rng.random()), float(rng.random()),
               float(rng.choice([1.0, 1.5])), float(rng.uniform(0.0, 1.0)),
               float(rng.uniform(1.0, 12.0)))
        punitive = lever(rng, n)
        ref, got = gaming.copy(), gaming.copy()
        outcome_kernels.step_gaming(False, ref, punitive, tangent, par)
        outcome_kernels.step_gaming(True, got, punitive, tangent, par)
        assert same(got, ref), case_no


# --- the phase as it was before the kernels ------------------------------------------------
def original_local_trust(model) -> np.ndarray:
    net, o, n = model.net, model.orgs, model.places.n
    if net.n_edges == 0:
        return np.zeros(n)
    lu, lv_ = o.locality[net.u], o.locality[net.v]
    same_ = (lu == lv_) & (lu >= 0)
    tot = np.bincount(lu[same_], weights=net.trust[same_], minlength=n)
    cnt = np.bincount(lu[same_], minlength=n)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)


def original_cross_sector_strength(model) -> np.ndarray:
    from missionsim.model import ties

    net, o, n = model.net, model.orgs, model.places.n
    if net.n_edges == 0:
        return np.zeros(n)
    cross = ties.cross_sector(model)
    loc = o.locality[net.u]
    m = cross & (loc >= 0) & (loc == o.locality[net.v])
    tot = np.bincount(loc[m], weights=net.trust[m], minlength=n)
    orgs = np.bincount(o.locality[((o.kind == CHARITY) | (o.kind == COUNCIL)) & o.active
                                  & (o.locality >= 0)], minlength=n)
    return np.clip(tot / np.maximum(orgs, 1), 0.0, 1.0)


def original_delivery(model) -> tuple:
    p, o, s, pl, lv = model.p, model.orgs, model.staff, model.places, model.levers
    practice = np.maximum(p["practice_floor"], 1.0 + p["practice_gain"] * o.practice)
    focus = np.ones(o.n)
    charities = o.kind == CHARITY
    focus[charities] = model.charity_focus()[charities]
    pressure = each(1.0 + p["pressure_effort"] * lv.at("punitive"), pl.n)
    time_left = each(1.0 - lv.at("staff_time"), pl.n)
    sums = s.sums_by_org(o.n)  # the holders' delivery summed by employer (test_staff_kernels)
    staff, charity_staff = staff_kernels.delivery_reference(
        sums.filled, sums.skill, sums.effort, o.locality, pressure, time_left, practice, focus,
        charities, pl.n, float(p["morale_effort"]))
    volunteers = model.volunteers0 * (1.0 + p["mobilisation_volunteer_gain"] * lv.mobilisation)
    volunteers = np.minimum(volunteers, p["volunteer_cap_per_staff"] * charity_staff
                            + model.volunteers0 * p["volunteer_cap_base"])
    referral = original_cross_sector_strength(model) * (
        1.0 + p["data_sharing_referral_gain"] * lv.data_sharing)
    r = (p["base_reach"] * (1.0 + p["referral_gain"] * referral)
         * (1.0 + p["mobilisation_reach_gain"] * lv.mobilisation))
    if pl.reach_factor is not None:
        r = r * pl.reach_factor
    pl.reach = np.clip(r, 0.0, 1.0)
    dept = np.mean([d.focus for d in model.departments]) if model.departments else 1.0
    w_focus, w_trust = p["department_focus_weight"], p["local_trust_weight"]
    national = (1.0 - p["silo_penalty"] * lv.silo) * ((1.0 - w_focus) + w_focus * dept)
    coordination = national * ((1.0 - w_trust) + w_trust * original_local_trust(model))
    fit = np.maximum(p["devolution_fit_floor"], 1.0 + lv.autonomy * p["devolution_gain"]
                     * (pl.capacity - p["capacity_threshold"]))
    return ((staff + volunteers) * coordination * pl.reach * fit / model.need()), volunteers


def original_update(model) -> None:
    m, pl, p = model.mission, model.places, model.p
    shocks = model.streams["outcome"].normal(0.0, 1.0, pl.n)
    absolute, volunteers = original_delivery(model)
    pl.delivery = absolute / pl.d0
    model.ledger.book("volunteer_value", volunteers.sum() / 12.0 * p["volunteer_year_value"])
    u = p["universal_share"]
    support = u + (1.0 - u) * pl.delivery
    gap0 = np.abs(pl.best - pl.y0)
    headroom = gap0 / max(abs(m.best - m.baseline), 1e-9)
    momentum = m.momentum * headroom
    if m.trend:
        momentum = momentum + m.trend_to(model.month + 1) * headroom
    supported = (np.maximum(0.0, gap0 - momentum)
                 * np.maximum(support, 1e-3) ** (-m.elasticity))
    supported = np.minimum(supported, p["outcome_gap_cap"] * gap0)
    gap = np.abs(pl.best - pl.y)
    rate = 1.0 - np.exp(-1.0 / (m.response_months * p["response_lag"]))
    gap += (supported - gap) * rate + m.noise * gap0 * shocks
    gap = np.maximum(gap, 0.0)
    pl.y = pl.best - m.direction * gap
    if m.direction > 0:
        pl.y = np.maximum(pl.y, 0.0)
    pl.y_hist.append(pl.y.copy())
    if len(pl.y_hist) > p["improving_months"] + 1:
        pl.y_hist.pop(0)
    frac = min(1.0, model.month / m.deadline)
    if m.aggregate == "mean":
        required = np.full(pl.n, m.target - m.baseline)
        scale = np.full(pl.n, abs(m.target - m.baseline))
    else:
        required = (m.target / m.baseline - 1.0) * pl.y0
        scale = np.abs(m.target / m.baseline - 1.0) * pl.y0
    shortfall = m.direction * (pl.y0 + frac * required - pl.y)
    behind = np.maximum(0.0, shortfall / np.maximum(scale, 1e-9))
    pressure = model.levers.punitive * (p["gaming_pressure_floor"] + p["gaming_pressure_weight"]
                                        * np.tanh(p["gaming_pressure_steepness"] * behind))
    unit = p["mission_unit_stocktake_pressure"] if model.mission_unit is not None else 1.0
    target = np.clip(p["gaming_strength"] * m.gameability * (pressure * unit), 0.0,
                     p["gaming_cap"])
    pl.gaming += (target - pl.gaming) / p["gaming_months"]
    if m.displacement is not None:
        outcomes.displace(model)


def phase_state(model) -> tuple:
    """What the outcome phase changes, copied."""
    pl = model.places
    return (pl.y.copy(), pl.gaming.copy(), [h.copy() for h in pl.y_hist],
            dict(model.ledger.month), model.streams["outcome"].bit_generator.state,
            None if pl.reach is None else pl.reach.copy(),
            None if pl.delivery is None else pl.delivery.copy())


def restore(model, state) -> None:
    pl = model.places
    pl.y, gaming, hist, month, rng, pl.reach, pl.delivery = (
        state[0].copy(), state[1], [h.copy() for h in state[2]], dict(state[3]), state[4],
        state[5], state[6])
    pl.gaming[:] = gaming
    pl.y_hist[:] = hist
    model.ledger.month = month
    model.streams["outcome"].bit_generator.state = rng


TARGET = {"deprivation_deciles": [8, 9, 10]}
DISPLACE = {"share": 0.4, "to": "hidden", "case_cost": 20_000.0, "unit": "person"}


def runs():
    from missionsim.model.missions import MISSIONS

    targeted = {"learning_accountability": {"intensity": 1.0, "target": TARGET},
                "citizen_mobilisation": {"intensity": 1.0, "target": TARGET},
                "devolution": {"intensity": 1.0, "target": TARGET},
                "civil_society_partnerships": {"intensity": 1.0, "target": TARGET},
                "mission_leadership": {"intensity": 1.0}}
    rough = dataclasses.replace(MISSIONS["rough_sleeping"], displacement=DISPLACE,
                                trend=((0, -200.0),))
    early = dataclasses.replace(MISSIONS["early_years"], trend=((0, 0.0), (5, 1.0)),
                                displacement={**DISPLACE, "unit": "child", "per": 100.0})
    return [("small", "early_years", {}, {}), ("small", early, targeted, {}),
            ("small", rough, {}, {"punitive_accountability": 1.0}),
            ("small", "rough_sleeping", targeted, {})]


@pytest.mark.parametrize("case", range(4))
def test_the_phase_gives_what_it_gave_before_the_kernels(case, monkeypatch):
    from missionsim import MissionModel
    from missionsim.model import model as model_module
    from missionsim.model import phases

    preset, mission, reforms, params = runs()[case]
    model = MissionModel(preset=preset, mission=mission, reforms=reforms, rng=case,
                         horizon=30, params=params)
    checked = 0

    def both(model) -> None:
        nonlocal checked
        before = phase_state(model)
        original_update(model)
        expected = phase_state(model)
        restore(model, before)
        outcomes.update(model)
        got = phase_state(model)
        for e, g in zip(expected[:2] + expected[5:], got[:2] + got[5:], strict=True):
            assert same(g, e), model.month
        assert all(same(g, e) for e, g in zip(expected[2], got[2], strict=True))
        assert len(expected[2]) == len(got[2]) and expected[3] == got[3]
        assert expected[4] == got[4]
        checked += 1

    monkeypatch.setattr(model_module, "PHASES", tuple(
        dataclasses.replace(phase, run=both) if phase.name == "outcome" else phase
        for phase in phases.PHASES))
    model.run()
    assert checked == 30 and model.places.gaming.max() > 0.0
