"""One entry point for running the model: ``run(scenario, seed)``, and the units of work.

Everything that runs the model — the CLI, comparisons, sweeps and the browser app — goes
through :func:`execute_run`, which takes a picklable :class:`RunSpec` and returns a
:class:`RunOutput` of three tidy tables:

``months``
    one row per month: the run's identity (``run_id``, ``scenario``, ``point``,
    ``replicate``, ``seed``), ``month`` and every model reporter;
``run``
    one row per run: identity, mission, preset, horizon, whether the target was met, headline
    values at the deadline and at the end, and the run's parameter overrides and reform
    settings as JSON (and its ``policy`` paths, when it has any);
``places``
    one row per place at the deadline and at the end: deprivation, outcome at month 0 and then,
    how far behind its own trajectory it is.

Seeds derive from the root seed and the replicate number only (:func:`replicate_seed`), so
replicate ``r`` of every scenario and every design point sees the same world and the same
shocks (common random numbers), whatever the executor and the number of workers.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from missionsim.experiments.scenario import Scenario, as_scenario
from missionsim.limits import MAX_REPLICATES, MAX_SEED, whole_number
from missionsim.model.missions import MISSIONS, Mission
from missionsim.model.model import MissionModel
from missionsim.model.params import PARAMETERS
from missionsim.model.paths import as_lists

ID_COLUMNS = ["run_id", "scenario", "point", "replicate", "seed"]
"""Columns that identify a run in every stored table."""

UNCERTAINTY_STREAM = 7
"""Last entry of the seed of every uncertainty draw's generator, which sets those generators
apart from any other stream derived from the same root seed and replicate."""


def replicate_seed(root: int, replicate: int) -> int:
    """The model seed of replicate ``replicate`` under root seed ``root``.

    Derived with :class:`numpy.random.SeedSequence` so that nearby roots and replicates give
    independent streams; the value is a non-negative 63-bit integer.
    """
    state = np.random.SeedSequence([int(root), int(replicate)]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def draw_uncertainties(scenario: Scenario, root: int, replicate: int) -> dict[str, Any]:
    """Draw each of the scenario's uncertainties for one replicate.

    Each parameter has its own generator, keyed by the root seed, the replicate and the
    parameter's name, so two scenarios with the same uncertainty and range draw the same value
    for the same replicate (common random numbers), whatever else they contain.
    """
    values: dict[str, Any] = {}
    for name, rng_spec in sorted(scenario.uncertainties.items()):
        key = zlib.crc32(name.encode())
        u = np.random.default_rng([int(root), int(replicate), key, UNCERTAINTY_STREAM]).random()
        value = rng_spec.low + u * (rng_spec.high - rng_spec.low)
        if PARAMETERS[name].kind is int:
            value = int(round(value))
        values[name] = PARAMETERS[name].check(value)
    return values


@dataclass(frozen=True)
class RunSpec:
    """One run to do: everything a worker needs, as plain picklable data.

    Attributes:
        run_id: Unique within a study; stable across resumptions.
        scenario: Scenario name.
        point: Design point of a sweep (0 outside sweeps).
        replicate: Replicate number.
        seed: The model's seed.
        mission: Mission name, or a :class:`~missionsim.model.missions.Mission` record (a
            variant being calibrated); the tables record its name.
        preset: Preset name.
        params: Parameter overrides (scenario, uncertainty draws and sweep factors).
        reforms: Reform settings as :class:`~missionsim.MissionModel` takes them.
        horizon: Months to run.
        factors: Sweep factor values of this design point (empty outside sweeps).
        snapshots: Months at which the places table also records every place (rows with
            ``at = "snapshot"``), month 0 included if asked; for calibration, validation and
            measurements that need place values at given months.
        policy: Policy settings that follow a path (``[[month, value], ...]`` lists), as
            :class:`~missionsim.MissionModel` takes them.
        places: The places file the world is built from (a shipped name or a path), or
            ``None`` for the preset's own (drawn places, or ``england_councils``' file).
    """

    run_id: str
    scenario: str
    point: int
    replicate: int
    seed: int
    mission: str | Mission
    preset: str
    params: Mapping[str, Any]
    reforms: Mapping[str, Mapping[str, Any]]
    horizon: int
    factors: Mapping[str, Any] = field(default_factory=dict)
    snapshots: tuple[int, ...] = ()
    policy: Mapping[str, Any] = field(default_factory=dict)
    places: str | None = None

    @property
    def mission_name(self) -> str:
        """The mission's name, whether the spec holds a name or a record."""
        return self.mission if isinstance(self.mission, str) else self.mission.name


@dataclass
class RunOutput:
    """The tables one run produces (see the module docstring)."""

    months: pd.DataFrame
    run: dict[str, Any]
    places: pd.DataFrame


def spec_for(scenario: Scenario, replicate: int, root: int | None = None, point: int = 0,
             params: Mapping[str, Any] | None = None,
             reforms: Mapping[str, Mapping[str, Any]] | None = None,
             factors: Mapping[str, Any] | None = None, seed: int | None = None) -> RunSpec:
    """Build the :class:`RunSpec` of one replicate of a scenario (or of a design point).

    Args:
        scenario: The scenario.
        replicate: Replicate number (sets the seed and the uncertainty draws).
        root: Root seed (default: the scenario's ``seed``).
        point: Design point number in a sweep.
        params: Extra parameter overrides (sweep factors), applied after the uncertainty draws;
            one that a ``[policy]`` path sets replaces the path.
        reforms: Reform settings replacing the scenario's (sweeps over reform settings).
        factors: The sweep factor values, recorded in the tables.
        seed: Use this model seed instead of the derived one (``missionsim run --seed``).
    """
    root = scenario.seed if root is None else whole_number(root, "root", 0, MAX_SEED)
    replicate = whole_number(replicate, "replicate", 0, MAX_REPLICATES - 1)
    point = whole_number(point, "point", 0)
    if seed is not None:
        seed = whole_number(seed, "seed", 0, MAX_SEED)
    merged = {**scenario.world.params, **draw_uncertainties(scenario, root, replicate),
              **(params or {})}
    return RunSpec(
        run_id=f"{scenario.name}/p{point:05d}/r{replicate:04d}",
        scenario=scenario.name,
        point=point,
        replicate=replicate,
        seed=replicate_seed(root, replicate) if seed is None else int(seed),
        mission=scenario.mission if scenario.mission in MISSIONS else scenario.mission_record(),
        preset=scenario.world.preset,
        params=merged,
        reforms=dict(scenario.reform_settings() if reforms is None else reforms),
        horizon=scenario.horizon,
        factors=dict(factors or {}),
        policy={k: as_lists(v) for k, v in scenario.policy_paths().items() if k not in merged},
        places=scenario.world.places,
    )


def build_model(spec: RunSpec) -> MissionModel:
    """The :class:`~missionsim.MissionModel` a spec describes, at month 0."""
    return MissionModel(preset=spec.preset, mission=spec.mission, reforms=spec.reforms,
                        params=dict(spec.params), horizon=spec.horizon, rng=spec.seed,
                        policy=dict(spec.policy), places=spec.places)


def _places(model: MissionModel, label: str) -> pd.DataFrame:
    pl = model.places
    return pd.DataFrame({
        "at": label,
        "month": model.month,
        "place": np.arange(pl.n),
        "name": [pl.name(i) for i in range(pl.n)],
        "deprivation": pl.deprivation,
        "cohort": pl.cohort,
        "outcome_start": pl.y0,
        "outcome": pl.y.copy(),
        "behind_trajectory": model.places_behind(reported=False),
    })


def execute_run(spec: RunSpec) -> RunOutput:
    """Run one spec to its horizon and return its tables. Pure: same spec, same output."""
    model = build_model(spec)
    deadline = model.mission.deadline
    snapshots = set(spec.snapshots)
    places = [_places(model, "snapshot")] if 0 in snapshots else []
    while model.month < spec.horizon:
        model.step()
        if model.month in snapshots:
            places.append(_places(model, "snapshot"))
        if model.month == deadline:
            places.append(_places(model, "deadline"))
    places.append(_places(model, "end"))
    months = model.datacollector.get_model_vars_dataframe().rename_axis("month").reset_index()
    ident = {"run_id": spec.run_id, "scenario": spec.scenario, "point": spec.point,
             "replicate": spec.replicate, "seed": spec.seed}
    for i, (key, value) in enumerate(ident.items()):
        months.insert(i, key, value)
    place_frame = pd.concat(places, ignore_index=True)
    for i, (key, value) in enumerate(ident.items()):
        place_frame.insert(i, key, value)
    last = months.iloc[-1]
    at_deadline = months[months["month"] == deadline]
    run = {
        **ident,
        "mission": spec.mission_name,
        "preset": spec.preset,
        "horizon": spec.horizon,
        "target_met": model.target_met() if spec.horizon >= deadline else None,
        "outcome_deadline": (float(at_deadline["outcome"].iloc[0]) if len(at_deadline)
                             else float("nan")),
        "outcome_end": float(last["outcome"]),
        "reported_end": float(last["outcome_reported"]),
        "spend_total": float(model.spend_total),
        "reform_cost_total": float(months["reform_cost"].sum()),
        "people_served": float(model.p["cohort_total"]),
        "params": json.dumps(dict(sorted(spec.params.items())), sort_keys=True),
        "reforms": json.dumps(dict(sorted(spec.reforms.items())), sort_keys=True),
        **({"policy": json.dumps(dict(sorted(spec.policy.items())))} if spec.policy else {}),
        **{f"factor:{k}": v for k, v in spec.factors.items()},
    }
    return RunOutput(months=months, run=run, places=place_frame)


def run(scenario: Scenario | str | Mapping[str, Any], seed: int | None = None,
        replicate: int = 0) -> RunOutput:
    """Run a scenario once.

    Args:
        scenario: A :class:`~missionsim.experiments.scenario.Scenario`, a path to a scenario
            file or a mapping with the same keys.
        seed: The model's seed. Default: the seed of replicate ``replicate`` under the
            scenario's root seed (the seed :func:`missionsim.compare` gives that replicate).
        replicate: Replicate number (sets the uncertainty draws, and the seed when ``seed``
            is not given).

    Returns:
        A :class:`RunOutput` with the month-by-month, per-run and per-place tables.
    """
    scenario = as_scenario(scenario)
    return execute_run(spec_for(scenario, replicate, seed=seed))
