"""Statistical neighbours carry practice between councils: cutting the ties slows diffusion.

Over paired seeds on the real councils' world (same places, organisations, shocks): the only
difference is ``neighbour_ties`` (10 listed neighbours tied, or none)."""

import numpy as np
from conftest import assert_effect

from missionsim import MissionModel
from missionsim.model.state import COUNCIL

SEEDS = range(6)  # each pair is two England-size runs of 36 months
MONTHS = 36


def councils_on_adopted_practice(seed: int, ties: int) -> int:
    model = MissionModel(preset="england_councils", rng=seed, params={"neighbour_ties": ties})
    model.run(MONTHS)
    o = model.orgs
    return int(np.count_nonzero((o.kind == COUNCIL) & (o.programme != o.own_programme)))


def test_cutting_neighbour_ties_slows_the_spread_of_practice_between_councils():
    diffs = np.array([councils_on_adopted_practice(s, 10) - councils_on_adopted_practice(s, 0)
                      for s in SEEDS], dtype=float)
    assert_effect(diffs, +1)
    assert (diffs > 0).all()  # in every paired world, not only on average
