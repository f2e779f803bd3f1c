"""Each mechanism moves its proximate variable in the documented direction, over 20 paired
seeds: the parameter that drives the mechanism is changed, all else (world, shocks) equal."""

import numpy as np
import pytest
from conftest import SEEDS, assert_effect, paired, run_frame

from missionsim import MissionModel
from missionsim.model.state import FILLED


def params(**values):
    return {"params": values}


@pytest.mark.parametrize(
    ("mechanism", "change", "column", "sign"),
    [
        ("stress lowers morale", params(accountability_stress=0.4), "staff_morale", -1),
        ("low morale raises turnover", params(accountability_stress=0.4), "staff_turnover", +1),
        ("tight labour market leaves posts vacant", params(labour_market_tightness=2.0),
         "vacancy_rate", +1),
        ("slow hiring leaves posts vacant", params(vacancy_fill_months=10.0), "vacancy_rate",
         +1),
        ("bidding consumes council capacity", params(bid_capacity_cost=0.06),
         "council_capacity", -1),
        ("competitive funding closes charities", params(competitive_share=0.7),
         "charity_closures", +1),
        ("crisis demand crowds out early intervention", params(crisis_share=0.85),
         "early_intervention_share", -1),
        ("funding cuts crowd out early intervention",
         params(funding_shock=0.3, funding_shock_month=6), "early_intervention_share", -1),
        ("funding cuts cost posts", params(funding_shock=0.3, funding_shock_month=6),
         "staff_headcount", -1),
        ("a demand shock raises workload and lowers morale",
         params(demand_shock=1.0, demand_shock_month=12), "staff_morale", -1),
        ("more working programmes, better practice", params(programme_success_share=0.5),
         "practice_effect", +1),
        ("faster diffusion, better practice", params(diffusion_rate=0.15), "practice_effect",
         +1),
        ("trust decays without contact", params(trust_decay=0.08), "mean_trust", -1),
        ("competition erodes trust", params(competitive_share=0.7, competition_erosion=0.1),
         "mean_trust", -1),
        ("referrals extend reach", params(referral_gain=1.5), "reach", +1),
        ("distractions erode department focus", params(distraction_rate=0.5),
         "department_focus", -1),
        ("silos lower the outcome", params(silo=1.0), "outcome", -1),
        ("punitive targets open a gaming gap", params(punitive_accountability=1.0),
         "gaming_gap", +1),
        ("slower response, slower improvement", params(response_lag=3.0), "outcome", -1),
    ],
)
def test_mechanism_direction(mechanism, change, column, sign):
    assert_effect(paired(column, change), sign)


def test_quitting_rises_more_steeply_when_the_slope_is_steeper():
    """With morale depressed below the calibrated system's, a steeper morale–quit slope
    means more turnover."""
    diffs = paired("staff_turnover", params(morale_turnover=6.0, accountability_stress=0.4),
                   params(accountability_stress=0.4))
    assert_effect(diffs, +1)


def test_thin_reserves_close_charities():
    diffs = paired("charity_closures", params(no_reserves_share=0.8), steps=96, window=1)
    assert_effect(diffs, +1)


def test_universal_provision_damps_what_the_system_can_do():
    """With more of the outcome carried by universal services, a weaker delivery system
    (full silos) costs less."""
    damped = paired("outcome", params(silo=1.0, universal_share=0.9),
                    params(universal_share=0.9))
    full = paired("outcome", params(silo=1.0))
    assert_effect(damped - full, +1)


def test_evidence_spreads_only_along_trusted_ties():
    few, many = [], []
    for seed in SEEDS:
        low = MissionModel(preset="small", rng=seed, trust_start=0.1, trust_growth=0.0)
        high = MissionModel(preset="small", rng=seed, trust_start=0.6)
        low.run(36)
        high.run(36)
        few.append(low.adoptions)
        many.append(high.adoptions)
    assert_effect(np.array(many) - np.array(few), +1)


def test_new_hires_start_less_skilled_and_learn_with_tenure():
    for seed in SEEDS[:5]:
        model = MissionModel(preset="small", rng=seed).run(36)
        s = model.staff
        filled = s.status == FILLED
        new = filled & (s.tenure < 3)
        old = filled & (s.tenure > 36)
        assert new.any() and old.any()
        assert s.skill[new].mean() < s.skill[old].mean()


def test_funding_cuts_hit_the_most_deprived_places_hardest():
    """Pattern G4: cuts shift spending from early intervention to crisis, most where
    deprivation (and so crisis demand) is highest."""
    gaps = []
    for seed in SEEDS:
        base = MissionModel(preset="workshop", rng=seed).run(24)
        cut = MissionModel(preset="workshop", rng=seed, funding_shock=0.25,
                           funding_shock_month=6).run(24)
        drop = base.places.early_share - cut.places.early_share
        dep = base.places.deprivation
        most, least = dep >= np.quantile(dep, 0.75), dep <= np.quantile(dep, 0.25)
        gaps.append(drop[most].mean() - drop[least].mean())
    assert_effect(np.array(gaps), +1)


def test_deprived_places_start_lower_and_places_spread_realistically():
    sds, slopes = [], []
    for seed in SEEDS[:10]:
        model = MissionModel(preset="england", rng=seed)
        pl = model.places
        sds.append(pl.y0.std())
        slopes.append(np.polyfit(pl.deprivation, pl.y0, 1)[0])
    assert 2.8 <= np.mean(sds) <= 4.2  # CALIBRATION A: council SD 3.2–3.9
    assert np.mean(slopes) < 0


def test_pooling_keeps_partner_charities_afloat():
    diffs = paired("charity_closures", params(pooling_rate=0.8), params(pooling_rate=0.0),
                   steps=72, window=1)
    assert_effect(diffs, -1, margin=1.5)


# --- extra mission money --------------------------------------------------------------------
# small preset: department mission money for councils is about £27m a year, so £10m a year of
# extra ring-fenced money is a push of roughly a third
EXTRA = params(extra_mission_money=10.0)


def test_extra_mission_money_raises_spend():
    assert_effect(paired("spend", EXTRA), +1)


def test_extra_mission_money_raises_the_early_years_outcome():
    assert_effect(paired("outcome", EXTRA), +1)


def test_extra_mission_money_cuts_rough_sleeping():
    diffs = []
    for seed in SEEDS:
        runs = [MissionModel(preset="small", mission="rough_sleeping", rng=seed, **kw).run(48)
                for kw in ({"extra_mission_money": 10.0}, {})]
        a, b = (m.datacollector.get_model_vars_dataframe()["outcome"].iloc[-12:].mean()
                for m in runs)
        diffs.append(a - b)
    assert_effect(np.array(diffs), -1)


def test_extra_money_starting_mid_year_buys_posts_in_its_start_month():
    """Money from month 3 (not a budget month) opens posts in month 3, not at month 12."""
    for seed in SEEDS[:5]:
        base = MissionModel(preset="small", rng=seed).run(3)
        extra = MissionModel(preset="small", rng=seed, extra_mission_money=10.0,
                             extra_money_start=3).run(3)
        assert extra.staff.funded_count() == base.staff.funded_count()
        base.step()
        extra.step()
        assert extra.staff.funded_count() > base.staff.funded_count()
        assert extra.places.commissioning.sum() > base.places.commissioning.sum()


def test_extra_money_stops_after_its_duration():
    """Money from month 6 for 15 months flows in months 6–20 only; after it stops, spend and
    headcount fall below those of a run whose money keeps flowing, back to the baseline's."""
    stop = params(extra_mission_money=10.0, extra_money_start=6, extra_money_months=15)
    keep = params(extra_mission_money=10.0, extra_money_start=6)
    for seed in SEEDS[:3]:
        paid = run_frame(seed, 48, **stop)["extra_money"].to_numpy()
        # row t + 1 holds month t
        assert (paid[:7] == 0).all() and (paid[22:] == 0).all()
        assert paid[7:22] == pytest.approx(np.full(15, 10.0 / 12.0))
    assert_effect(paired("spend", stop, keep), -1)
    assert_effect(paired("staff_headcount", stop, keep), -1)
    after = paired("spend", stop)  # months 36–47: a year and more after the money stopped
    during = paired("spend", stop, steps=21)  # months 9–20, while it flows
    assert abs(after.mean()) < 0.1 * during.mean()


def test_extra_money_changes_nothing_before_it_starts_or_when_zero():
    base = run_frame(9, 24)
    late = run_frame(9, 24, **params(extra_mission_money=10.0, extra_money_start=12))
    assert late.iloc[:13].equals(base.iloc[:13])
    assert not late.iloc[13:].equals(base.iloc[13:])
    zero = run_frame(9, 24, **params(extra_mission_money=0.0, extra_money_start=3,
                                     extra_money_months=6))
    assert zero.equals(base)
