"""A live model for the browser app: built like every run, stepped on request, read by snapshot.

A :class:`LiveModel` is a model built from a scenario through the same path as every study
(:func:`missionsim.experiments.runner.spec_for` and
:func:`~missionsim.experiments.runner.build_model`), stepped month by month, with a reference
run of the same world without reforms to compare against (:func:`reference`). It keeps each
place's true outcome month by month as it steps, and the world's places (names, statistical
neighbours, starting values) in a :class:`PlaceFacts`.

A browser session's play loop steps the model in one thread while its page redraws in
another, so nothing outside this module reads the model itself: right after each step, under
the run's lock, :class:`LiveModel` copies what the page shows into an immutable
:class:`Snapshot`, and every figure is drawn from the latest snapshot. The organisation kinds
a drawing needs (:data:`DEPARTMENT`, :data:`COUNCIL`, :data:`CHARITY`, :data:`UNIT` and
:data:`SECTOR_OF_KIND`) and the departments' names in slot order (:data:`DEPARTMENTS`) are
given here too, so the browser app reads no model internals.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from missionsim.experiments import runner
from missionsim.experiments.scenario import Scenario
from missionsim.model import reporters
from missionsim.model.agents.department import DEPARTMENTS
from missionsim.model.missions import Mission
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT, SECTOR_OF_KIND, UNIT

# --- the reference run (same world, no reforms) ---------------------------------------------
_REFERENCE: OrderedDict[str, pd.DataFrame] = OrderedDict()
_REFERENCE_LOCK = threading.Lock()
_RUNNING: dict[str, threading.Lock] = {}  # one lock per reference being run
REFERENCE_CACHE = 24
"""Reference runs kept for every session (the least recently used are dropped first)."""


def reference(scenario: Scenario, replicate: int) -> pd.DataFrame:
    """Month-by-month reporters of the scenario's world with no reforms (same seed).

    Cached: the tables are immutable and equal for equal worlds, so sessions share them. When
    several sessions ask for the same one at once (a room switching on the same reform), it
    is run once and the others wait for it.
    """
    bare = scenario.with_changes(reforms={}, name="reference")
    key = f"{bare.digest()}/{bare.seed}/{replicate}"

    def cached() -> pd.DataFrame | None:
        with _REFERENCE_LOCK:
            if key in _REFERENCE:
                _REFERENCE.move_to_end(key)
                return _REFERENCE[key]
            return None

    if (frame := cached()) is not None:
        return frame
    with _REFERENCE_LOCK:
        running = _RUNNING.setdefault(key, threading.Lock())
    with running:
        if (frame := cached()) is not None:  # another session ran it meanwhile
            return frame
        try:
            frame = runner.execute_run(runner.spec_for(bare, replicate)).months
            with _REFERENCE_LOCK:
                _REFERENCE[key] = frame
                while len(_REFERENCE) > REFERENCE_CACHE:
                    _REFERENCE.popitem(last=False)
        finally:
            with _REFERENCE_LOCK:
                _RUNNING.pop(key, None)
    return frame


# --- snapshots ------------------------------------------------------------------------------
def _frozen(values: Any, dtype: Any = None) -> np.ndarray:
    """A read-only copy of an array."""
    out = np.array(values, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class PlaceFacts:
    """The world's places as the page names them; fixed for the life of a run.

    Attributes:
        names: Each place's name: a council's on a world built from a places file, "Place 1",
            "Place 2", … on a drawn world.
        neighbours: Each place's statistical neighbours, an n × k array of place rows (closest
            first, -1 padded), or ``None`` on a drawn world.
        start: Each place's true outcome at month 0 (the start of its own trajectory).
        paths: Each place's own trajectory to the target month by month, one row per month
            from 0 to the horizon (``MissionModel.place_trajectory``).
    """

    names: tuple[str, ...]
    neighbours: np.ndarray | None
    start: np.ndarray
    paths: np.ndarray

    @classmethod
    def take(cls, model, horizon: int) -> PlaceFacts:
        """Copy the places' names, neighbours, starting values and trajectories from ``model``."""
        pl = model.places
        nb = pl.neighbours
        paths = np.array([model.place_trajectory(m) for m in range(horizon + 1)])
        return cls(names=tuple(pl.name(i) for i in range(pl.n)),
                   neighbours=None if nb is None else _frozen(nb, int),
                   start=_frozen(pl.y0, float), paths=_frozen(paths, float))


@dataclass(frozen=True, eq=False)  # compared by identity: one snapshot a step
class Snapshot:
    """What the Explore page draws at one month, copied from the model under the run's lock.

    A snapshot never changes and shares no array with the model, so a redraw may read it while
    another thread steps the model on.

    Attributes:
        month: Months simulated when it was taken.
        history: The reporters so far, one row per month (row 0 = month 0).
        headline: The headline figures: month, horizon, true and reported value, target,
            deadline, unit, share of places on track, spend so far, closures, trajectory now.
        behind: Per place, how far behind its trajectory (true indicator).
        deprivation: Per place deprivation.
        active: Per organisation slot, whether it is operating.
        kind: Per organisation slot, its kind (:data:`DEPARTMENT`, :data:`COUNCIL`,
            :data:`CHARITY` or :data:`UNIT`).
        locality: Per organisation slot, its place (negative: national).
        filled: Per organisation slot, staff in post.
        tie_u: First slot of each tie.
        tie_v: Second slot of each tie.
        trust: Trust on each tie.
        mean_trust: Mean trust over all ties.
        outcomes: Each place's true outcome month by month, one row per month (row 0 =
            month 0, one column per place).
    """

    month: int
    history: pd.DataFrame
    headline: MappingProxyType
    behind: np.ndarray
    deprivation: np.ndarray
    active: np.ndarray
    kind: np.ndarray
    locality: np.ndarray
    filled: np.ndarray
    tie_u: np.ndarray
    tie_v: np.ndarray
    trust: np.ndarray
    mean_trust: float
    outcomes: np.ndarray

    @classmethod
    def take(cls, model, horizon: int, outcomes: np.ndarray) -> Snapshot:
        """Copy what the page draws from ``model``; the caller holds the run's lock.

        Args:
            model: The model, right after a step (or at month 0).
            horizon: Months the run lasts.
            outcomes: Each place's true outcome month by month, at least up to this month
                (rows past it are left out).
        """
        o, net, mission = model.orgs, model.net, model.mission
        month = int(model.month)
        history = model.datacollector.get_model_vars_dataframe()
        history = history.rename_axis("month").reset_index()
        head = {
            "month": month,
            "horizon": horizon,
            "true": reporters.outcome(model),
            "reported": reporters.outcome_reported(model),
            "target": mission.target,
            "deadline": mission.deadline,
            "unit": mission.unit,
            "on_track": reporters.on_track_share(model),
            "spend_total": reporters.spend_total(model),
            "closures": reporters.charity_closures(model),
            "trajectory": model.trajectory(),
        }
        return cls(month=month, history=history, headline=MappingProxyType(head),
                   behind=_frozen(model.places_behind(reported=False), float),
                   deprivation=_frozen(model.places.deprivation, float),
                   active=_frozen(o.active, bool), kind=_frozen(o.kind),
                   locality=_frozen(o.locality), filled=_frozen(model.staff.filled_by_org(o.n)),
                   tie_u=_frozen(net.u), tie_v=_frozen(net.v), trust=_frozen(net.trust, float),
                   mean_trust=reporters.mean_trust(model),
                   outcomes=_frozen(outcomes[:month + 1], float))


# --- the live model -------------------------------------------------------------------------
class LiveModel:
    """A model built from a scenario, stepped on request, read through snapshots.

    Stepping takes :attr:`lock`, records each place's true outcome after every month and,
    before releasing the lock, publishes a new :class:`Snapshot` (:attr:`frame`); readers take
    the latest snapshot, never the model while it may be stepping.

    Args:
        scenario: The scenario (reforms and world as the page sets them).
        replicate: Replicate number: the seed and any uncertainty draws are those of this
            replicate in a study of the scenario (``missionsim compare``), so the live model is
            run ``replicate`` of the CLI's study.

    Attributes:
        scenario: The scenario.
        replicate: The replicate number.
        mission: The scenario's mission.
        reference: The same world without reforms, month by month (:func:`reference`), or
            ``None`` when the scenario has no reforms.
        places: The world's places: names, statistical neighbours, starting values.
        lock: Held while stepping.
    """

    def __init__(self, scenario: Scenario, replicate: int = 0) -> None:
        self.scenario = scenario
        self.replicate = replicate
        self.spec = runner.spec_for(scenario, replicate)
        self.model = runner.build_model(self.spec)
        self.mission: Mission = self.model.mission
        self.lock = threading.Lock()
        self.reference = reference(scenario, replicate) if scenario.reforms else None
        self.places = PlaceFacts.take(self.model, self.horizon)
        # each place's true outcome, one row per month; rows are written once, as months pass
        self._outcomes = np.full((self.horizon + 1, self.places.start.size), np.nan)
        self._record()
        self._frame = Snapshot.take(self.model, self.horizon, self._outcomes)

    def _record(self) -> None:
        """Keep each place's true outcome at the model's month (the caller holds the lock)."""
        self._outcomes[int(self.model.month)] = self.model.places.y

    @property
    def frame(self) -> Snapshot:
        """The latest snapshot: the model as it was right after the last step."""
        return self._frame

    @property
    def month(self) -> int:
        """Months simulated so far (as of the latest snapshot)."""
        return self._frame.month

    @property
    def horizon(self) -> int:
        """Months the scenario runs for."""
        return int(self.scenario.horizon)

    @property
    def finished(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.month >= self.horizon

    def step(self, months: int = 1) -> int:
        """Advance up to ``months`` months (never past the horizon); return the new month.

        The new :class:`Snapshot` is taken under the lock, right after the last month.
        """
        with self.lock:
            todo = max(0, min(months, self.horizon - int(self.model.month)))
            for _ in range(todo):
                self.model.step()
                self._record()
            if todo:
                self._frame = Snapshot.take(self.model, self.horizon, self._outcomes)
            return self._frame.month


__all__ = ["CHARITY", "COUNCIL", "DEPARTMENT", "DEPARTMENTS", "SECTOR_OF_KIND", "UNIT", "LiveModel",
           "PlaceFacts", "Snapshot", "reference"]
