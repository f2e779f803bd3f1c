"""The contract every reform passes (as every strategy passes Axelrod's ``TestPlayer``).

For each registered reform, on the small world over two years and several seeds:

- **deterministic**: the same seed gives the same month-by-month table, bit for bit;
- **intensity 0 is the baseline**: switched on at intensity 0 it changes nothing at all;
- **cost booked**: what it costs each active month is its ``monthly_cost``, and it is in the
  month's ``spend``; before it starts it costs nothing;
- **documented**: a title, a mechanism, a trade-off and a cost basis, a docstring, and a row
  in docs/model.md;
- **cost split by payer**: the department's and the councils' shares booked in the ledger add
  up to the booked cost, month by month;
- **every number declared**: its class holds no numeric literal but 0 and 1; its strengths,
  cost, payer split and largest intensity are parameters named after it;
- **intensity above 1**: up to its declared maximum, cost grows in proportion to intensity and
  strength with diminishing returns; beyond the maximum the model refuses it in one line.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from missionsim.model.model import MissionModel
from missionsim.model.params import PARAMETERS
from missionsim.model.reforms import REFORMS

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (1, 2, 3)
HORIZON = 24
START = 6
"""The reform starts after six months, so the months before it show it costs nothing."""


def frame(reforms: dict, seed: int) -> pd.DataFrame:
    model = MissionModel(preset="small", reforms=reforms, rng=seed, horizon=HORIZON).run()
    return model.datacollector.get_model_vars_dataframe()


@pytest.fixture(scope="module")
def baselines() -> dict[int, pd.DataFrame]:
    return {seed: frame({}, seed) for seed in SEEDS}


@pytest.mark.parametrize("name", sorted(REFORMS))
def test_a_reform_is_deterministic(name):
    settings = {name: {"start": START}}
    pd.testing.assert_frame_equal(frame(settings, 5), frame(settings, 5), check_exact=True)


@pytest.mark.parametrize("name", sorted(REFORMS))
def test_intensity_zero_is_the_baseline(name, baselines):
    for seed in SEEDS:
        off = frame({name: {"start": 0, "intensity": 0.0}}, seed)
        pd.testing.assert_frame_equal(off, baselines[seed], check_exact=True)


@pytest.mark.parametrize("name", sorted(REFORMS))
def test_its_cost_is_booked_in_spend(name):
    model = MissionModel(preset="small", reforms={name: {"start": START}}, rng=2,
                         horizon=HORIZON)
    reform = model.reforms[0]
    costs = []
    for _ in range(HORIZON):  # the policy phase books the cost first, on the month's state
        costs.append(reform.monthly_cost(model) if reform.is_active(model.month) else 0.0)
        model.step()
    table = model.datacollector.get_model_vars_dataframe()
    booked = table["reform_cost"].to_numpy()[1:]
    assert model.ledger.total["reform_department"] + model.ledger.total["reform_council"] == \
        pytest.approx(booked.sum(), rel=1e-12)
    share = model.p[f"{name}_council_share"]
    assert model.ledger.total["reform_council"] == pytest.approx(share * booked.sum(), rel=1e-12)
    assert np.all(booked[:START] == 0.0)
    assert booked[START:].sum() > 0.0, f"{name} costs nothing"
    assert booked == pytest.approx(np.array(costs))
    # the cost is part of the month's spend
    assert np.all(table["spend"].to_numpy()[1:] >= booked - 1e-9)


@pytest.mark.parametrize("name", sorted(REFORMS))
def test_a_reform_is_documented(name):
    cls = REFORMS[name]
    for attribute in ("title", "mechanism", "tradeoff", "cost_basis"):
        assert getattr(cls, attribute).strip(), f"{name}.{attribute} is empty"
    assert inspect.getdoc(cls), f"{name} has no docstring"
    assert f"`{name}`" in (ROOT / "docs" / "model.md").read_text(encoding="utf-8")


def numbers_in(cls: type) -> list[float]:
    """Numeric literals in a reform class's source other than 0 and 1."""
    tree = ast.parse(inspect.getsource(cls).lstrip())
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, int | float)
            and not isinstance(node.value, bool) and node.value not in (0, 1)]


@pytest.mark.parametrize("name", sorted(REFORMS))
def test_every_number_a_reform_uses_is_declared(name):
    assert numbers_in(REFORMS[name]) == []
    for key in ("cost", "council_share", "max_intensity"):
        declared = PARAMETERS[f"{name}_{key}"]
        assert declared.reform == name and declared.source, f"{name}_{key}"


@pytest.mark.parametrize("name", sorted(REFORMS))
def test_intensity_above_one_costs_in_proportion_with_diminishing_strength(name):
    top = PARAMETERS[f"{name}_max_intensity"].default
    model = MissionModel(preset="small", rng=1, horizon=2)
    one, top_reform = REFORMS[name](intensity=1.0), REFORMS[name](intensity=top)
    assert top_reform.monthly_cost(model) == pytest.approx(top * one.monthly_cost(model))
    assert one.strength(model) == 1.0
    r = model.p["reform_saturation"]
    assert 1.0 <= top_reform.strength(model) <= min(top, 1.0 + 1.0 / r)
    if top > 1.0:
        assert top_reform.strength(model) < top  # diminishing returns
    with pytest.raises(ValueError, match=f"expected at most {top:g} \\({name}_max_intensity\\)"):
        MissionModel(preset="small", rng=1, horizon=2, reforms={name: {"intensity": top + 0.5}})
