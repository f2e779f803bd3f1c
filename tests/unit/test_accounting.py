"""Money and headcount accounting: nothing negative, nothing spent that was not there."""

import numpy as np
import pytest

from missionsim import MissionModel
from missionsim.model.state import CHARITY, FILLED, UNFUNDED, VACANT

SCENARIOS = [
    {},
    {"reforms": {"mission_leadership": {}, "long_term_funding": {"start": 6}}},
    {"params": {"funding_shock": 0.4, "funding_shock_month": 6, "demand_shock": 1.0,
                "demand_shock_month": 3}},
    {"reforms": {"citizen_mobilisation": {}, "civil_society_partnerships": {}},
     "params": {"labour_market_tightness": 2.5}},
    # extra mission money starting and stopping mid-year, with a Missions Unit from month 10
    {"reforms": {"mission_leadership": {"start": 10}},
     "params": {"extra_mission_money": 8.0, "extra_money_start": 5, "extra_money_months": 20}},
]


@pytest.mark.parametrize("kwargs", SCENARIOS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_accounts_balance_every_month(kwargs, seed):
    model = MissionModel(preset="small", rng=seed, **kwargs)
    spent = 0.0
    for _ in range(40):
        model.step()
        s, o, pl = model.staff, model.orgs, model.places
        assert set(np.unique(s.status)) <= {UNFUNDED, VACANT, FILLED}
        assert s.filled_count() <= s.funded_count() <= s.n
        assert (s.skill >= 0).all() and (s.skill <= 1).all()
        assert (s.morale >= 0).all() and (s.morale <= 1).all()
        assert (s.tenure >= 0).all()
        assert (pl.balance >= -1e-9).all(), "a council spent money it did not have"
        assert (pl.capacity >= 0).all() and (pl.capacity <= 1).all()
        assert (model.net.trust >= 0).all() and (model.net.trust <= 1).all()
        # closed charities employ nobody
        closed = (o.kind == CHARITY) & ~o.active
        assert s.funded_by_org(o.n)[closed].sum() == 0
        # posts serve the locality of their employer
        assert np.array_equal(s.loc[s.status != UNFUNDED],
                              o.locality[s.org[s.status != UNFUNDED]])
        spent += model.spend_month_recorded
        assert spent <= model.available_total + 1e-6, "spend exceeded the money available"
    frame = model.datacollector.get_model_vars_dataframe()
    assert (frame[["spend", "staff_turnover", "vacancy_rate", "charity_closures",
                   "staff_headcount", "charities_active"]] >= 0).all().all()
    assert frame["spend"].iloc[1:].sum() == pytest.approx(spent)
    assert frame["charity_closures"].is_monotonic_increasing


def test_reform_costs_are_counted_in_spend():
    base = MissionModel(preset="small", rng=3).run(12)
    reformed = MissionModel(preset="small", rng=3,
                            reforms={"local_capacity": {"start": 0}}).run(12)
    fb = base.datacollector.get_model_vars_dataframe()
    fr = reformed.datacollector.get_model_vars_dataframe()
    cost = fr["reform_cost"].iloc[1:]
    expected = 0.25 * base.n_localities / 12.0  # £0.25m per council-year, monthly
    assert cost.to_numpy() == pytest.approx(np.full(12, expected))
    assert (fb["reform_cost"] == 0).all()
    assert fr["spend_total"].iloc[-1] > fb["spend_total"].iloc[-1]


def test_extra_money_is_counted_as_available_and_spent():
    """Extra mission money is booked as available when councils receive it and as spend when
    it pays for posts and contracts."""
    base = MissionModel(preset="small", rng=4).run(24)
    extra = MissionModel(preset="small", rng=4, extra_mission_money=6.0,
                         extra_money_start=2, extra_money_months=18).run(24)
    fb = base.datacollector.get_model_vars_dataframe()
    fe = extra.datacollector.get_model_vars_dataframe()
    assert fe["extra_money"].sum() == pytest.approx(6.0 / 12.0 * 18)
    assert (fb["extra_money"] == 0).all()
    assert extra.available_total - base.available_total > 0.8 * 6.0 / 12.0 * 18
    assert fe["spend_total"].iloc[-1] - fb["spend_total"].iloc[-1] > 0.5 * 6.0 / 12.0 * 18
