"""A model that records only some months records exactly those rows, and runs the same.

Over paired seeds and reforms, every row recorded with ``record_months`` equals bit for bit the
same month's row of the run that records every month; the state at the end (outcomes, staff,
ties) does not depend on what was recorded; bad months are refused in one line.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from missionsim import MissionModel

SEEDS = range(6)
WANTED = [0, 7, 36, 48]


def pair(seed: int, **kwargs) -> tuple[MissionModel, MissionModel]:
    """The same run, recording every month and recording :data:`WANTED` only."""
    every = MissionModel(preset="small", rng=seed, horizon=48, **kwargs).run()
    some = MissionModel(preset="small", rng=seed, horizon=48, record_months=WANTED,
                        **kwargs).run()
    return every, some


@pytest.mark.parametrize("seed", SEEDS)
def test_recorded_rows_equal_every_month_rows(seed: int) -> None:
    reforms = {"devolution": {"start": 6}} if seed % 2 else {}
    every, some = pair(seed, reforms=reforms)
    full = every.datacollector.get_model_vars_dataframe()
    part = some.datacollector.get_model_vars_dataframe()
    assert list(full.index) == list(range(49))
    assert list(part.index) == WANTED and list(part.columns) == list(full.columns)
    assert full.loc[WANTED].to_numpy().tobytes() == part.to_numpy().tobytes()
    # recording is read-only: the runs end in the same state
    for a, b in ((every.places.y, some.places.y), (every.staff.morale, some.staff.morale),
                 (every.net.trust, some.net.trust)):
        assert a.tobytes() == b.tobytes()
    assert every.target_met() == some.target_met()


def test_months_after_the_run_and_no_months_record_nothing_more() -> None:
    model = MissionModel(preset="small", rng=1, horizon=12, record_months=[12, 400]).run()
    assert list(model.datacollector.get_model_vars_dataframe().index) == [12]
    empty = MissionModel(preset="small", rng=1, horizon=3, record_months=[]).run()
    frame = empty.datacollector.get_model_vars_dataframe()
    assert len(frame) == 0 and "outcome" in frame.columns
    assert np.isfinite(empty.places.y).all()


@pytest.mark.parametrize("bad, says", [
    ("12", "expected a list of months"),
    (1.5, "expected a list of months"),
    ({"a": 1}, "expected a list of months"),
    ([3, -1], "expected a whole number from 0"),
    ([2.0], "expected a whole number from 0"),
    (itertools.count(), "expected at most 601 months"),
])
def test_bad_months_are_refused_in_one_line(bad, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        MissionModel(preset="small", rng=1, record_months=bad)
    message = str(caught.value)
    assert message.startswith("record_months") and says in message and "\n" not in message
