"""Property: any parameters within their declared bounds give a model that builds, runs and
keeps its invariants (Hypothesis draws them from the declarations in params.py)."""

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionsim import REFORMS, MissionModel
from missionsim.model.params import PARAMETERS
from missionsim.model.state import UNFUNDED

# keep worlds small so each example is quick
SIZE_CAPS = {"n_localities": 12, "charities_per_locality": 8, "cohort_total": 60_000,
             "staff_per_1000": 80.0}


def value_of(p):
    high = min(p.high, SIZE_CAPS.get(p.name, p.high))
    if p.kind is bool:
        return st.booleans()
    if p.kind is int:
        return st.integers(int(p.low), int(high))
    return st.floats(p.low, high, allow_nan=False, allow_infinity=False)


overrides = st.fixed_dictionaries(
    {}, optional={name: value_of(p) for name, p in PARAMETERS.items()})
reform_settings = st.fixed_dictionaries(
    {"start": st.integers(0, 20), "intensity": st.floats(0.0, 1.0)},
    optional={"end": st.integers(21, 40)})
reforms = st.dictionaries(st.sampled_from(sorted(REFORMS)), reform_settings, max_size=4)


@settings(max_examples=int(os.environ.get("MISSIONSIM_PROPERTY_EXAMPLES", "40")),
          deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(params=overrides, reforms=reforms, seed=st.integers(0, 2**32 - 1),
       mission=st.sampled_from(["early_years", "rough_sleeping"]))
def test_any_valid_parameters_give_a_running_model(params, reforms, seed, mission):
    params.setdefault("n_localities", 6)
    params["n_localities"] = min(params["n_localities"], SIZE_CAPS["n_localities"])
    model = MissionModel(preset="small", mission=mission, reforms=reforms, params=params,
                         rng=seed)
    model.run(26)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 27
    assert np.isfinite(frame.select_dtypes("number").to_numpy()).all()
    s = model.staff
    assert s.filled_count() <= s.funded_count()
    assert (s.skill >= 0).all() and (s.morale >= 0).all() and (s.morale <= 1).all()
    assert (model.places.balance >= -1e-9).all()
    assert np.array_equal(s.loc[s.status != UNFUNDED],
                          model.orgs.locality[s.org[s.status != UNFUNDED]])
    assert model.partnerships.number_of_edges() == model.net.n_edges
