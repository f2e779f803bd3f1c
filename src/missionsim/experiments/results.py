"""The tables of a study, in memory or read back from its results store.

:class:`Results` holds the three tidy tables every study produces (see
:mod:`missionsim.experiments.runner` for their columns) and the study's manifest.
:meth:`Results.load` reads a store (never re-running the model, taking no lock) and refuses one
that holds a run twice (``missionsim repair`` mends it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim.experiments.runner import ID_COLUMNS
from missionsim.experiments.store import FACTOR_PREFIX, Store
from missionsim.model.missions import Mission, mission_named, register
from missionsim.model.params import resolve
from missionsim.model.reforms import REFORMS
from missionsim.model.reforms.policy import mean_over


@dataclass
class Results:
    """The tables of a study (see :mod:`missionsim.experiments.runner` for their columns).

    Attributes:
        months: One row per run × month.
        runs: One row per run.
        places: One row per run × place at the deadline and at the end.
        manifest: What the study was (scenarios, seeds, design, version).
    """

    months: pd.DataFrame
    runs: pd.DataFrame
    places: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, out: str | Path) -> Results:
        """Read a study from its output folder (never re-runs the model; takes no lock).

        Raises:
            StoreError: The folder holds no study, a chunk file is missing or unreadable, or
                runs are stored twice (the one-line message says how to repair the store).
        """
        store = Store(Path(out))
        manifest = store.read_manifest()
        if isinstance(manifest.get("mission_file"), dict):  # a mission read from a file
            register(Mission.from_record(manifest["mission_file"]))
        runs = store.read("runs")
        store.check_unique(runs)
        return cls(months=store.read("months"), runs=runs, places=store.read("places"),
                   manifest=manifest).ordered()

    @property
    def scenarios(self) -> list[str]:
        """Scenario names in the order they were given."""
        order = list(self.manifest.get("scenarios", {}))
        seen = [s for s in pd.unique(self.runs["scenario"]) if s not in order] if len(
            self.runs) else []
        return order + seen

    @property
    def complete(self) -> bool:
        """Whether every planned run is in the tables."""
        return len(self.runs) == int(self.manifest.get("planned", len(self.runs)))

    def ordered(self) -> Results:
        """Sort every table in the study's order (scenario, point, replicate, month, place).

        Scenarios come in the order the study gave them; returns this object, sorted.
        """
        rank = {name: i for i, name in enumerate(self.scenarios)}

        def order(frame: pd.DataFrame, extra: Sequence[str]) -> pd.DataFrame:
            if frame.empty:
                return frame.reset_index(drop=True)
            keys = frame["scenario"].map(rank)
            frame = frame.assign(_rank=keys).sort_values(["_rank", "point", "replicate", *extra],
                                                         kind="stable")
            return frame.drop(columns="_rank").reset_index(drop=True)

        self.months = order(self.months, ["month"])
        self.runs = order(self.runs, [])
        self.places = order(self.places, ["month", "place"])
        return self

    def settings(self) -> pd.DataFrame:
        """One row per run: its identity, parameters and reform settings.

        Every parameter set anywhere in the study gets a column with its resolved value for
        every run, and every reform used a ``start``, ``end`` and ``intensity`` column. An
        intensity or a ``[policy]`` setting that follows a path is shown as the path's mean
        over the run's months (0 to the horizon − 1); the path itself is in the ``reforms`` and
        ``policy`` columns of :attr:`runs`.
        """
        runs = self.runs
        params = [json.loads(p) for p in runs["params"]] if len(runs) else []
        reforms = [json.loads(r) for r in runs["reforms"]] if len(runs) else []
        policies = [json.loads(p) if isinstance(p, str) else {}
                    for p in runs.get("policy", [None] * len(runs))]
        names = sorted({k for p in [*params, *policies] for k in p})
        used = [r for r in REFORMS if any(r in rf for rf in reforms)]
        rows = []
        missions = runs.get("mission", [None] * len(runs))
        horizons = runs.get("horizon", [1] * len(runs))
        for preset, mission, p, rf, policy, months in zip(
                runs.get("preset", []), missions, params, reforms, policies, horizons,
                strict=False):
            full = resolve(preset, p, _world(mission))
            full.update({k: mean_over(v, int(months)) for k, v in policy.items()})
            row = {name: full[name] for name in names}
            for name in used:
                s = rf.get(name)
                row[f"{name}.intensity"] = mean_over(s["intensity"], int(months)) if s else 0.0
                row[f"{name}.start"] = s["start"] if s else None
                row[f"{name}.end"] = s.get("end") if s else None
            rows.append(row)
        extra = pd.DataFrame(rows, index=runs.index)
        factors = [c for c in runs.columns if c.startswith(FACTOR_PREFIX)]
        return pd.concat([runs[ID_COLUMNS + factors], extra], axis=1)

    def frame(self) -> pd.DataFrame:
        """The tidy month-by-month table with each run's parameters and reform settings."""
        settings = self.settings().drop(columns=[c for c in ID_COLUMNS if c != "run_id"])
        return self.months.merge(settings, on="run_id", how="left")


def _world(mission: str | None) -> dict | None:
    """The world a results table's mission brings (``None`` for an unknown mission)."""
    try:
        return dict(mission_named(str(mission)).world)
    except KeyError:
        return None

