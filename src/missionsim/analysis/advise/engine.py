"""``advise``: the search for the best package under a budget, robust over many futures.

1. **Plan** (:mod:`~.plan`): the settings (a file, flags or keywords; :mod:`~.settings`)
   checked against the scenario packages are added to.
2. **Futures** (:mod:`~.futures`): one common ensemble, the same for every candidate.
3. **Search** (:mod:`~.search`): NSGA-II proposes packages generation by generation; each new
   package runs in every future (:mod:`~.evaluate`), stored per generation and resumable.
4. **Measures** (:mod:`~.measures`): every candidate's mean, p10, regret and satisficing share
   of each objective; the Pareto set over the candidates within the budget; the robust
   preferred option.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import platform
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim import __version__
from missionsim.analysis.advise import futures as futures_
from missionsim.analysis.advise import search
from missionsim.analysis.advise.evaluate import STORE, Archive
from missionsim.analysis.advise.measures import measures, pareto, preferred, scores
from missionsim.analysis.advise.plan import Plan, make_plan
from missionsim.analysis.advise.result import FILES, Advice, candidate_table
from missionsim.analysis.advise.settings import AdviseSettings, load_settings
from missionsim.errors import StoreError
from missionsim.experiments import options as run_options
from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.store import MANIFEST, Store, write_atomic
from missionsim.extras import MissingExtra

RECORD = "advice.json"
"""The file that marks an output folder as an advice's and records its identity."""
VERSIONS = ("pymoo", "numpy", "pandas", "pyarrow", "mesa", "scipy")
"""Packages whose versions an advice records."""


def advise(scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
           budget: float | str | None = None,
           settings: AdviseSettings | str | Path | Mapping[str, Any] | None = None,
           options: RunOptions | None = None, log: Callable[[str], None] | None = None,
           labels: Mapping[str, str] | None = None, **changes: Any) -> Advice:
    """Search reform packages within a public-money budget, robust over an ensemble of futures.

    Args:
        scenario: The scenario packages are added to (a file, a shipped name, a mapping or a
            :class:`~missionsim.Scenario`); default: the settings' ``scenario``.
        budget: Public money available, £m in present value over the horizon (``40`` or
            ``"£40m"``); default: the settings' ``budget``.
        settings: An advice file (``advise/*.toml``), a mapping with its keys, or
            :class:`~missionsim.analysis.advise.settings.AdviseSettings`.
        options: Where the evaluations are stored (``options.out``, the output folder),
            resuming, the executor and progress; default: in memory, on every core.
        log: Called with one line per generation (and when the search is done).
        labels: How messages name each keyword (the command line passes its flags).
        **changes: Settings that override the file: ``horizon``, ``seed``,
            ``discount_rate``, ``objectives``, ``measure``, ``reforms``, ``intensities``,
            ``reform_intensities``, ``starts``, ``targets``, ``max_reforms``,
            ``population``, ``generations``, ``futures`` (the number of futures) and
            ``factors``.

    Returns:
        :class:`~missionsim.analysis.advise.result.Advice`, written to ``options.out`` when
        given (``pareto.csv``, ``candidates.csv``, ``evaluations.parquet``,
        ``futures.csv``, ``advice.json`` beside the stores in ``OUT/store``).

    Raises:
        ScenarioError: A bad setting or scenario (one line naming the file and key, or flag).
        StoreError: The output folder holds other results, or a different advice when
            resuming, or cannot be written.
        MissingExtra: pymoo is not installed (``pip install 'missionsim[advise]'``).
    """
    if importlib.util.find_spec("pymoo") is None:
        raise MissingExtra("missionsim advise needs the 'advise' extra (pymoo not installed): "
                           "pip install 'missionsim[advise]'")
    options = run_options.resolve(options, {}, "advise")
    valid = load_settings(settings, {"budget": budget, **changes}, labels)
    plan = make_plan(valid, scenario)
    start = time.perf_counter()
    ensemble = futures_.draw(plan)
    archive = Archive(plan, ensemble, options, log=log)
    if options.out is None:
        history = search.run(archive)
        return _advice(plan, ensemble, archive, history, start, None)
    out = Path(options.out)
    holder = Store(out)
    with holder.locked():
        _check_folder(out, plan, options.resume)
        _write_record(out, {"identity": plan.identity(), "status": "running",
                            "settings": valid.model_dump(exclude={"given", "labels"})})
        history = search.run(archive)
        advice = _advice(plan, ensemble, archive, history, start, out)
        advice.write(out)
    return advice


def _advice(plan: Plan, ensemble: futures_.Ensemble, archive: Archive, history: list[dict],
            start: float, out: Path | None) -> Advice:
    """The measures, the Pareto set and the preferred option of the archive's candidates."""
    table = archive.evaluations()
    names = [c.name for c in archive.candidates.values()]
    packages = {c.name: c.package for c in archive.candidates.values()}
    cost = table.groupby("candidate")["cost"].mean().reindex(names)
    feasible = cost <= plan.budget
    if plan.space.max_reforms is not None:
        sizes = pd.Series({n: len(packages[n]) for n in names})
        feasible &= sizes <= plan.space.max_reforms
    within = [n for n in names if feasible[n]]
    found = measures(table, plan.direction, plan.target, plan.budget,
                     reference=within or None)
    optimised = scores(table[table["candidate"].isin(set(within))], plan.objectives,
                       plan.settings.measure, plan.direction)
    front = pareto(optimised.reindex(within)) if within else []
    best = preferred(found.loc[front]) if front else None
    candidates = candidate_table(plan, packages,
                                 {c.name: c.generation for c in archive.candidates.values()},
                                 found, feasible, front, best)
    info = {"created": datetime.now(UTC).isoformat(timespec="seconds"),
            "seeds": {"root": plan.seed, "search": search.search_seed(plan.seed),
                      "futures_sample": ensemble.sample_seed,
                      "futures": [int(s) for s in ensemble.table["seed"]]},
            "versions": versions(),
            "executor": _executor(archive.options),
            "counts": {"candidates": len(names), "evaluations": len(table),
                       "ran": archive.ran, "reused": archive.reused,
                       "generations": len(history)},
            "seconds": round(time.perf_counter() - start, 3)}
    if archive.log is not None:
        archive.log(f"done: {len(names)} packages, {len(table)} evaluations ({archive.ran} run, "
                    f"{archive.reused} read back), {len(front)} on the Pareto set")
    return Advice(settings=plan.settings, plan=plan, futures=ensemble.table, evaluations=table,
                  candidates=candidates, pareto=candidates.loc[front], preferred=best,
                  packages=packages, ranges=dict(ensemble.ranges), history=history, info=info,
                  out=out)


def versions() -> dict[str, str]:
    """The versions of Python, missionsim and the packages of :data:`VERSIONS`."""
    return {"python": platform.python_version(), "missionsim": __version__,
            **package_versions(VERSIONS)}


def package_versions(names) -> dict[str, str]:
    """Installed versions of the packages ``names`` ("not installed" where absent)."""
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _executor(options: RunOptions) -> str:
    from missionsim.experiments.executors import describe

    return describe(options.workers, options.scheduler)


def _check_folder(out: Path, plan: Plan, resume: bool) -> None:
    """Refuse a folder with other results, or another advice (or this one, unless resuming)."""
    record = out / RECORD
    if not record.is_file():
        if (out / MANIFEST).is_file() or (out / STORE).exists():
            raise StoreError(f"{out}: holds other results; choose an empty --out folder for "
                             "the advice")
        return
    if not resume:
        raise StoreError(f"{out}: already holds an advice; pass --resume to continue it, or "
                         "choose another --out folder")
    try:
        old = json.loads(record.read_text(encoding="utf-8")).get("identity", {})
    except (OSError, ValueError) as exc:
        raise StoreError(f"{record}: not a readable advice record ({exc}); choose another "
                         "--out folder") from None
    new = plan.identity()
    differ = [k for k in new if old.get(k) != new[k]]
    if differ:
        key = differ[0]
        raise StoreError(f"{out}: holds a different advice ({key}: {old.get(key)!r} there, "
                         f"{new[key]!r} now); choose another --out folder to run this one")


def _write_record(out: Path, record: dict[str, Any]) -> None:
    text = json.dumps(record, indent=1, default=str) + "\n"
    write_atomic(out / RECORD, lambda p: p.write_text(text, encoding="utf-8"))


__all__ = ["FILES", "RECORD", "advise", "versions"]
