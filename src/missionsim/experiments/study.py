"""Studies: many runs executed together, stored, and read back as tidy tables.

:func:`compare` runs several scenarios over the same replicates (common random numbers);
:func:`replicate` runs one scenario many times; :mod:`missionsim.experiments.sweep` runs designs.
All three build a list of :class:`~missionsim.experiments.runner.RunSpec` and call :func:`execute`,
which runs them on the chosen executor, writes completed runs to the results store in atomic chunks
when an output folder is given (holding the folder's lock, so that one study writes there at a
time), skips runs already stored when resuming, and returns :class:`Results`. :meth:`Results.load`
reads a store and refuses one that holds a run twice (``missionsim repair`` mends it).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim import __version__
from missionsim.errors import RunError
from missionsim.experiments.execution import describe, imap
from missionsim.experiments.runner import ID_COLUMNS, RunOutput, RunSpec, execute_run, spec_for
from missionsim.experiments.scenario import Scenario, ScenarioError, as_scenario
from missionsim.experiments.store import Store
from missionsim.limits import MAX_REPLICATES, MAX_RUNS, MAX_SEED, quote, whole_number
from missionsim.model.missions import MISSIONS
from missionsim.model.params import resolve
from missionsim.model.reforms import REFORMS

FLUSH_RUNS = int(os.environ.get("MISSIONSIM_FLUSH_RUNS", "25"))
"""Completed runs buffered before a chunk is written (environment: MISSIONSIM_FLUSH_RUNS)."""
FLUSH_SECONDS = 20.0
"""Longest time completed runs wait in memory before a chunk is written."""



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
        runs = store.read("runs")
        store.check_unique(runs)
        return cls(months=store.read("months"), runs=runs, places=store.read("places"),
                   manifest=manifest)._sorted()

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

    def _sorted(self) -> Results:
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
        every run, and every reform used a ``start``, ``end`` and ``intensity`` column.
        """
        runs = self.runs
        params = [json.loads(p) for p in runs["params"]] if len(runs) else []
        reforms = [json.loads(r) for r in runs["reforms"]] if len(runs) else []
        names = sorted({k for p in params for k in p})
        used = [r for r in REFORMS if any(r in rf for rf in reforms)]
        rows = []
        missions = runs.get("mission", [None] * len(runs))
        for preset, mission, p, rf in zip(runs.get("preset", []), missions, params, reforms,
                                          strict=False):
            full = resolve(preset, p, MISSIONS[mission].world if mission in MISSIONS else None)
            row = {name: full[name] for name in names}
            for name in used:
                s = rf.get(name)
                row[f"{name}.intensity"] = float(s["intensity"]) if s else 0.0
                row[f"{name}.start"] = s["start"] if s else None
                row[f"{name}.end"] = s.get("end") if s else None
            rows.append(row)
        extra = pd.DataFrame(rows, index=runs.index)
        factors = [c for c in runs.columns if c.startswith("factor:")]
        return pd.concat([runs[ID_COLUMNS + factors], extra], axis=1)

    def frame(self) -> pd.DataFrame:
        """The tidy month-by-month table with each run's parameters and reform settings."""
        settings = self.settings().drop(columns=[c for c in ID_COLUMNS if c != "run_id"])
        return self.months.merge(settings, on="run_id", how="left")


def study_digest(specs: Iterable[RunSpec]) -> str:
    """A hash of everything that determines a study's results (and the package version)."""
    h = hashlib.sha256(__version__.encode())
    for s in specs:
        mission = s.mission if isinstance(s.mission, str) else repr(s.mission)
        extra = [list(s.snapshots)] if s.snapshots else []  # older stores: none, same digest
        h.update(json.dumps([s.run_id, s.seed, mission, s.preset, s.horizon,
                             dict(sorted(s.params.items())), dict(sorted(s.reforms.items())),
                             dict(sorted(s.factors.items())), *extra],
                            sort_keys=True, default=str).encode())
    return h.hexdigest()[:20]


def _tables(outputs: Sequence[RunOutput]) -> dict[str, pd.DataFrame]:
    return {
        "runs": pd.DataFrame([o.run for o in outputs]),
        "places": pd.concat([o.places for o in outputs], ignore_index=True),
        "months": pd.concat([o.months for o in outputs], ignore_index=True),
    }


def execute(specs: Sequence[RunSpec], manifest: Mapping[str, Any] | None = None,
            out: str | Path | None = None, resume: bool = False, workers: int | None = None,
            scheduler: Any = None, progress: bool = False,
            on_result: Callable[[int, int], None] | None = None) -> Results:
    """Run every spec (skipping those already stored when resuming) and return the results.

    While it runs, the study holds the output folder's lock
    (:meth:`~missionsim.experiments.store.Store.locked`): another study writing to the same folder
    is refused at once.

    Args:
        specs: The runs to do; their ``run_id`` values must be unique.
        manifest: Study description written to ``manifest.json`` (scenarios, design, ...).
        out: Output folder for the results store (``None``: keep results in memory only).
        resume: Continue a study already in ``out``.
        workers: Local worker processes (``None``: all cores; 1: serial).
        scheduler: A dask.distributed scheduler address or Client (overrides ``workers``).
        progress: Show a progress bar with an ETA on standard error.
        on_result: Called as ``on_result(done, total)`` after each run (for UIs).

    Returns:
        :class:`Results`; read back from the store when ``out`` is given.

    Raises:
        StoreError: The output folder cannot be used as asked: it holds other results or a
            different study (the message says what differs), another study is writing to it,
            a chunk in it is unreadable, or the file system refuses a write (the runs stored
            before are kept).
        RunError: A run failed in the model (runs completed before it are kept in the store).
        KeyboardInterrupt: Ctrl-C; the runs completed so far are written first.
    """
    specs = list(specs)
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ScenarioError(f"run {quote(dup)} is planned twice; give each scenario its own name")
    manifest = {
        **(manifest or {}),
        "study": study_digest(specs),
        "planned": len(specs),
        "seeds": {s.run_id: s.seed for s in specs},
    }
    manifest["version"] = __version__
    manifest["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["executor"] = describe(workers, scheduler)
    if out is None:
        return _run_all(specs, manifest, None, resume, workers, scheduler, progress, on_result)
    store = Store(Path(out))
    with store.locked():  # one writer per folder, for as long as the study runs
        return _run_all(specs, manifest, store, resume, workers, scheduler, progress,
                        on_result)


def _run_all(specs: list[RunSpec], manifest: dict[str, Any], store: Store | None,
             resume: bool, workers: int | None, scheduler: Any, progress: bool,
             on_result: Callable[[int, int], None] | None) -> Results:
    """The body of :func:`execute`, run while holding the store's lock when there is one."""
    done: set[str] = set()
    if store is not None:
        done = store.open(manifest, resume)
    todo = [s for s in specs if s.run_id not in done]
    kept: list[RunOutput] = []
    buffer: list[RunOutput] = []
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal buffer, last_flush
        waiting, buffer = buffer, []  # a chunk that fails to be written is not tried again
        if waiting and store is not None:
            store.write_chunk(_tables(waiting))
        last_flush = time.monotonic()

    bar = _progress(len(specs), len(done)) if progress else None
    runs = _guarded(todo, workers, scheduler)
    try:
        for count, (_, result) in enumerate(runs, 1):
            if store is None:
                kept.append(result)
            else:
                buffer.append(result)
                if len(buffer) >= FLUSH_RUNS or time.monotonic() - last_flush >= FLUSH_SECONDS:
                    flush()
            if bar is not None:
                bar.update(1)
            if on_result is not None:
                on_result(len(done) + count, len(specs))
    finally:
        try:
            flush()
        finally:
            runs.close()  # stops the workers now, not when the exception is forgotten
            if bar is not None:
                bar.close()
    if store is not None:
        return Results.load(store.root)
    if not kept:
        empty = pd.DataFrame(columns=ID_COLUMNS)
        return Results(empty, empty.copy(), empty.copy(), manifest)
    tables = _tables(kept)
    return Results(tables["months"], tables["runs"], tables["places"], manifest)._sorted()


def _safe_run(spec: RunSpec) -> RunOutput | BaseException:
    try:
        return execute_run(spec)
    except Exception as exc:  # noqa: BLE001 - returned to the caller with the run's name
        return RunError(f"run {spec.run_id} (seed {spec.seed}) failed: "
                        f"{type(exc).__name__}: {exc}")


def _guarded(todo: list[RunSpec], workers: int | None, scheduler: Any):
    for index, result in imap(_safe_run, todo, workers=workers, scheduler=scheduler):
        if isinstance(result, BaseException):
            raise result
        yield index, result


def _progress(total: int, initial: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="run", dynamic_ncols=True, smoothing=0.1,
                desc="runs", leave=True)


# --- studies --------------------------------------------------------------------------------
def _unique(scenarios: Sequence[Scenario]) -> None:
    names = [s.name for s in scenarios]
    for name in names:
        if names.count(name) > 1:
            raise ScenarioError(f"two scenarios are named {quote(name)}; give each a distinct "
                                "`name = ...` in its file")


def compare(scenarios: Sequence[Scenario | str | Path | Mapping[str, Any]],
            replicates: int | None = None, baseline: Any = None, seed: int | None = None,
            out: str | Path | None = None, resume: bool = False, workers: int | None = None,
            scheduler: Any = None, progress: bool = False,
            on_result: Callable[[int, int], None] | None = None) -> Results:
    """Run scenarios over the same replicates: common random numbers.

    Replicate ``r`` of every scenario runs with the same seed and the same uncertainty draws,
    so each scenario sees the same world and the same shocks, and paired differences measure
    the reforms alone.

    Args:
        scenarios: Scenarios, paths to scenario files, or mappings.
        replicates: Replicates per scenario (default: the baseline's ``replicates``).
        baseline: The scenario the others are compared with: one of ``scenarios`` (by
            name or object), or another scenario or file, which is then run first.
            Default: the first scenario.
        seed: Root seed shared by all scenarios (default: the baseline's ``seed``).
        out: Output folder for the results store; ``None`` keeps results in memory.
        resume: Continue a study already in ``out``.
        workers: Local worker processes (``None``: all cores; 1: serial).
        scheduler: A dask.distributed scheduler address or Client.
        progress: Show a progress bar on standard error.
        on_result: Progress callback ``(done, total)``.

    Returns:
        :class:`Results`; ``results.manifest["baseline"]`` names the baseline.
    """
    items = [as_scenario(s) for s in scenarios]
    if not items:
        raise ScenarioError("compare: expected at least one scenario")
    if baseline is None:
        base = items[0]
    elif isinstance(baseline, str) and any(s.name == baseline for s in items):
        base = next(s for s in items if s.name == baseline)
    else:
        base = as_scenario(baseline)
        if not any(s.name == base.name and s.digest() == base.digest() for s in items):
            items.insert(0, base)
    _unique(items)
    missions = {s.mission for s in items}
    if len(missions) > 1:
        raise ScenarioError(f"compare: scenarios pursue different missions "
                            f"({', '.join(sorted(missions))}); compare one mission at a time")
    try:
        n = whole_number(base.replicates if replicates is None else replicates, "replicates", 1,
                         MAX_REPLICATES)
        root = whole_number(base.seed if seed is None else seed, "seed", 0, MAX_SEED)
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None
    if n * len(items) > MAX_RUNS:
        raise ScenarioError(f"replicates = {n:,}: {len(items)} scenarios × {n:,} replicates = "
                            f"{n * len(items):,} runs; expected at most {MAX_RUNS:,} runs in "
                            "one study")
    specs = [spec_for(s, r, root=root) for r in range(n) for s in items]
    manifest = {
        "kind": "compare",
        "mission": base.mission,
        "baseline": base.name,
        "replicates": n,
        "root_seed": root,
        "scenarios": {s.name: {"digest": s.digest(), "source": s.source,
                               "description": s.description, "summary": s.summary(),
                               "content": s.content()} for s in items},
    }
    return execute(specs, manifest, out=out, resume=resume, workers=workers,
                   scheduler=scheduler, progress=progress, on_result=on_result)


def replicate(scenario: Scenario | str | Path | Mapping[str, Any], replicates: int | None = None,
              seed: int | None = None, **kwargs: Any) -> Results:
    """Run one scenario ``replicates`` times (see :func:`compare` for the other arguments)."""
    return compare([scenario], replicates=replicates, seed=seed, **kwargs)

