"""Studies: many runs executed together, stored, and read back as tidy tables.

:func:`compare` runs several scenarios over the same replicates (common random numbers);
:func:`replicate` runs one scenario many times; :mod:`missionsim.experiments.sweeps` runs
designs. All three build a list of :class:`~missionsim.experiments.runner.RunSpec` and call
:func:`execute`, which runs them on the chosen executor, writes completed runs to the results
store in atomic chunks when an output folder is given (holding the folder's lock, so that one
study writes there at a time), skips runs already stored when resuming, and returns
:class:`~missionsim.experiments.results.Results`. How a study runs (where results go, resuming,
the executor, progress) is one :class:`~missionsim.experiments.options.RunOptions`.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim import __version__
from missionsim.errors import RunError
from missionsim.experiments import options as run_options
from missionsim.experiments.executors import describe, imap
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.runner import ID_COLUMNS, RunOutput, RunSpec, execute_run, spec_for
from missionsim.experiments.scenario import Scenario, ScenarioError, as_scenario
from missionsim.experiments.scenario_tables import pairing_problem
from missionsim.experiments.store import Store
from missionsim.limits import MAX_REPLICATES, MAX_RUNS, MAX_SEED, quote, whole_number

__all__ = ["FLUSH_RUNS", "FLUSH_SECONDS", "Results", "RunOptions", "compare", "execute",
           "replicate", "study_digest"]

FLUSH_RUNS = int(os.environ.get("MISSIONSIM_FLUSH_RUNS", "25"))
"""Completed runs buffered before a chunk is written (environment: MISSIONSIM_FLUSH_RUNS)."""
FLUSH_SECONDS = 20.0
"""Longest time completed runs wait in memory before a chunk is written."""
ETA_SMOOTHING = 0.1
"""Weight of the latest run in the progress bar's moving average of run times (its ETA)."""
STUDY_DIGEST_CHARS = 20
"""Hexadecimal characters kept of a study's SHA-256 digest (80 bits)."""


def study_digest(specs: Iterable[RunSpec]) -> str:
    """A hash of everything that determines a study's results (and the package version)."""
    h = hashlib.sha256(__version__.encode())
    for s in specs:
        mission = s.mission if isinstance(s.mission, str) else repr(s.mission)
        extra = [list(s.snapshots)] if s.snapshots else []  # older stores: none, same digest
        if s.policy:  # policy paths (none in older stores: the same digest)
            extra.append({"policy": dict(sorted(s.policy.items()))})
        if s.places:  # a places file (none in older stores: the same digest)
            extra.append({"places": s.places})
        h.update(json.dumps([s.run_id, s.seed, mission, s.preset, s.horizon,
                             dict(sorted(s.params.items())), dict(sorted(s.reforms.items())),
                             dict(sorted(s.factors.items())), *extra],
                            sort_keys=True, default=str).encode())
    return h.hexdigest()[:STUDY_DIGEST_CHARS]


def _tables(outputs: Sequence[RunOutput]) -> dict[str, pd.DataFrame]:
    return {
        "runs": pd.DataFrame([o.run for o in outputs]),
        "places": pd.concat([o.places for o in outputs], ignore_index=True),
        "months": pd.concat([o.months for o in outputs], ignore_index=True),
    }


def execute(specs: Sequence[RunSpec], manifest: Mapping[str, Any] | None = None,
            options: RunOptions | None = None) -> Results:
    """Run every spec (skipping those already stored when resuming) and return the results.

    While it runs, the study holds the output folder's lock
    (:meth:`~missionsim.experiments.store.Store.locked`): another study writing to the same
    folder is refused at once.

    Args:
        specs: The runs to do; their ``run_id`` values must be unique.
        manifest: Study description written to ``manifest.json`` (scenarios, design, ...).
        options: Where results go, resuming, the executor and progress (default: in memory,
            on every core).

    Returns:
        :class:`~missionsim.experiments.results.Results`; read back from the store when
        ``options.out`` is given.

    Raises:
        StoreError: The output folder cannot be used as asked: it holds other results or a
            different study (the message says what differs), another study is writing to it,
            a chunk in it is unreadable, or the file system refuses a write (the runs stored
            before are kept).
        RunError: A run failed in the model (runs completed before it are kept in the store).
        KeyboardInterrupt: Ctrl-C; the runs completed so far are written first.
    """
    options = run_options.resolve(options, {}, "execute")
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
    manifest["executor"] = describe(options.workers, options.scheduler)
    if options.out is None:
        return _run_all(specs, manifest, None, options)
    store = Store(Path(options.out))
    with store.locked():  # one writer per folder, for as long as the study runs
        return _run_all(specs, manifest, store, options)


def _run_all(specs: list[RunSpec], manifest: dict[str, Any], store: Store | None,
             options: RunOptions) -> Results:
    """The body of :func:`execute`, run while holding the store's lock when there is one."""
    done: set[str] = set()
    if store is not None:
        done = store.open(manifest, options.resume)
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

    bar = _progress(len(specs), len(done)) if options.progress else None
    runs = _guarded(todo, options)
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
            if options.on_result is not None:
                options.on_result(len(done) + count, len(specs))
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
    return Results(tables["months"], tables["runs"], tables["places"], manifest).ordered()


def _safe_run(spec: RunSpec) -> RunOutput | BaseException:
    """The worker function: one run, or the error it raised (named after the run)."""
    try:
        return execute_run(spec)
    except Exception as exc:  # noqa: BLE001 - returned to the caller with the run's name
        return RunError(f"run {spec.run_id} (seed {spec.seed}) failed: "
                        f"{type(exc).__name__}: {exc}")


def _guarded(todo: list[RunSpec], options: RunOptions) -> Iterator[tuple[int, RunOutput]]:
    for index, result in imap(_safe_run, todo, workers=options.workers,
                              scheduler=options.scheduler, max_chunk=options.max_chunk):
        if isinstance(result, BaseException):
            raise result
        yield index, result


def _progress(total: int, initial: int):
    from tqdm.auto import tqdm

    class Bar(tqdm):
        # no monitor thread (it only retunes bars that stall): with no other thread running,
        # the local workers can be forked from this process (executors.local)
        monitor_interval = 0

    return Bar(total=total, initial=initial, unit="run", dynamic_ncols=True,
               smoothing=ETA_SMOOTHING, desc="runs", leave=True)


# --- studies --------------------------------------------------------------------------------
def _unique(scenarios: Sequence[Scenario]) -> None:
    names = [s.name for s in scenarios]
    for name in names:
        if names.count(name) > 1:
            raise ScenarioError(f"two scenarios are named {quote(name)}; give each a distinct "
                                "`name = ...` in its file")


AS_SET = " (as set)"
"""Suffix of an option run at its intensities as set, beside its equal-cost version."""


def as_set_name(name: str) -> str:
    """The name of an option's run at its intensities as set (in an equal-cost comparison)."""
    return f"{name}{AS_SET}"


def compare(scenarios: Sequence[Scenario | str | Path | Mapping[str, Any]],
            replicates: int | None = None, baseline: Any = None, seed: int | None = None,
            options: RunOptions | None = None, equal_cost: float | str | None = None,
            discount_rate: float | None = None, **deprecated: Any) -> Results:
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
        options: Where results go, resuming, the executor and progress
            (:class:`~missionsim.experiments.options.RunOptions`; default: in memory, on
            every core).
        equal_cost: Give every scenario but the baseline this public cost (£m, present value
            over the horizon) by scaling its intensities
            (:func:`~missionsim.experiments.equalcost.equal_cost`); ``"reachable"``: the
            largest budget every option can reach; default: the baseline's ``equal_cost``
            setting, else no scaling.
        discount_rate: The discount rate a year of the equal-cost budget's present value
            (default: the Green Book's, :data:`~missionsim.experiments.costs.GREEN_BOOK_RATE`).
        **deprecated: The keywords of :class:`~missionsim.experiments.options.RunOptions`
            (``out=``, ``workers=``, ...), as earlier versions took them; with a warning.

    Returns:
        :class:`~missionsim.experiments.results.Results`; ``results.manifest["baseline"]``
        names the baseline, and ``results.manifest["equal_cost"]`` the budget, the factors
        and the costs reached when options were scaled. Options are then also run at their
        intensities as set, named ``"NAME (as set)"`` (``manifest["equal_cost"]["as_set"]``),
        so that the full-intensity ranking can be shown beside the equal-cost one.
    """
    options = run_options.resolve(options, deprecated, "compare")
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
    unpaired = pairing_problem(items)
    if unpaired:
        raise ScenarioError(f"compare: {unpaired}")
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
    budget = base.equal_cost if equal_cost is None else equal_cost
    scaling = None
    if budget is not None:
        from missionsim.experiments.equalcost import equal_cost as scale_to  # it runs studies

        rate = {} if discount_rate is None else {"rate": discount_rate}
        scaling = scale_to({s.name: s for s in items}, None if budget == "reachable" else budget,
                           replicates=n, seed=root, options=options, baseline=base.name, **rate)
        as_set = [s.with_changes(name=as_set_name(s.name), equal_cost=None) for s in items
                  if s.name in scaling.scale]  # the full-intensity ranking, beside
        items = [*scaling.scenarios.values(), *as_set]
    specs = [spec_for(s, r, root=root) for r in range(n) for s in items]
    manifest = {
        "kind": "compare",
        **base.mission_manifest(),
        "baseline": base.name,
        "replicates": n,
        "root_seed": root,
        "scenarios": {s.name: s.manifest_entry() for s in items},
    }
    if scaling is not None:
        manifest["equal_cost"] = {**scaling.manifest(),
                                  "as_set": {n: as_set_name(n) for n in scaling.scale}}
    return execute(specs, manifest, options)


def replicate(scenario: Scenario | str | Path | Mapping[str, Any], replicates: int | None = None,
              seed: int | None = None, options: RunOptions | None = None,
              **deprecated: Any) -> Results:
    """Run one scenario ``replicates`` times (see :func:`compare` for the other arguments)."""
    options = run_options.resolve(options, deprecated, "replicate")
    return compare([scenario], replicates=replicates, seed=seed, options=options)
