"""What the appraisal shows, gathered once: the shortlist, its comparison at equal cost, the risks.

:func:`gather` reads an :class:`~missionsim.analysis.advise.Advice` and runs what the advice
does not hold:

1. **The shortlist.** The candidates in the order of the advice's own rule
   (:data:`~missionsim.analysis.advise.RULE`): the Pareto set first, then the other packages
   within the budget; the first ``shortlist`` that hold reforms are the options, the package
   of no reforms is business as usual, and the second in that order is the runner-up.
2. **A paired comparison at equal cost** (:func:`missionsim.experiments.study.compare` with
   ``equal_cost``): business as usual and every option over ``replicates`` replicates with the
   advice's root seed, each option scaled by its intensities to one public cost (the advice's
   budget, by default), and also run as found. It gives the per-place results the
   distribution section reads (by tenth of deprivation, and the places helped most and
   least).
3. **The risks** (:mod:`.evidence`): switching values, failure conditions and the value of
   information, from the advice's own ensemble of futures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from missionsim.analysis import stats
from missionsim.analysis.advise import Advice
from missionsim.analysis.advise import preferred as rule_first
from missionsim.errors import ScenarioError
from missionsim.experiments.options import RunOptions
from missionsim.limits import MAX_REPLICATES, quote, whole_number
from missionsim.writeup.appraisal import evidence
from missionsim.writeup.report import places

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.analysis.discovery import Discovery
    from missionsim.experiments.results import Results

SHORTLIST = 3
"""Options shortlisted by default (besides business as usual)."""
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Option letters, in the order of the rule (A: the preferred option)."""
TENTHS = 10
"""Groups of places by deprivation in the distribution section."""
REACHABLE = "reachable"
"""The equal-cost level every option can reach (see :mod:`missionsim.experiments.equalcost`)."""


@dataclass
class Appraisal:
    """Everything the page shows.

    Attributes:
        advice: The advice appraised.
        ranked: Candidates within the budget (and every Pareto candidate) in the rule's order.
        options: The shortlisted candidates with reforms, in the rule's order.
        base: The package of no reforms (business as usual), or ``None`` if not evaluated.
        runner_up: The second candidate in the rule's order (``None`` with fewer than two).
        replicates: Replicates of the comparison at equal cost.
        results: The comparison (``None`` without options).
        summary: :func:`~missionsim.analysis.stats.summarise` of the comparison.
        tenths: :func:`~missionsim.analysis.stats.by_deprivation` in tenths.
        places: The places each option helps most and least (``None``: not available).
        level: The equal cost asked for (£m PV, or ``"reachable"``).
        notes: Sentences on how the comparison was made (fallbacks included).
        information: EVPPI of each input (:func:`~.evidence.information`), or ``None``.
        switching: Switching values (:func:`~.evidence.switching`), or ``None``.
        discovery: Failure conditions of the preferred option, or ``None``.
        why_not: Why a risk part is missing, by part (``information``, ``switching``,
            ``discovery``).
        generated: When the page was made (UTC).
        call: The Python call that made the page, in words.
    """

    advice: Advice
    ranked: list[str]
    options: list[str]
    base: str | None
    runner_up: str | None
    replicates: int
    results: Results | None = None
    summary: pd.DataFrame | None = None
    tenths: pd.DataFrame | None = None
    places: places.PlaceLists | None = None
    level: float | str | None = None
    notes: list[str] = field(default_factory=list)
    information: pd.DataFrame | None = None
    switching: pd.DataFrame | None = None
    discovery: Discovery | None = None
    why_not: dict[str, str] = field(default_factory=dict)
    generated: str = ""
    call: str = ""

    @property
    def preferred(self) -> str | None:
        """The robust preferred option (the advice's)."""
        return self.advice.preferred

    @property
    def unit(self) -> str:
        """The mission indicator's unit."""
        return self.advice.plan.scenario.mission_record().unit

    def label(self, name: str) -> str:
        """How the page names a candidate: ``Option A (c0003)``, ``Business as usual``."""
        if name == self.base:
            return f"Business as usual ({name})"
        if name in self.options:
            return f"Option {LETTERS[self.options.index(name) % len(LETTERS)]} ({name})"
        if name == self.runner_up:
            return f"Runner-up ({name})"
        return name

    def appraised(self) -> list[str]:
        """Business as usual, the options and (when not among them) the runner-up."""
        names = ([self.base] if self.base else []) + list(self.options)
        if self.runner_up and self.runner_up not in names:
            names.append(self.runner_up)
        return names


def ranked(advice: Advice) -> list[str]:
    """The Pareto candidates in the rule's order, then the others within the budget."""
    table = advice.candidates
    out: list[str] = []
    for rows in (table[table["pareto"]], table[table["feasible"] & ~table["pareto"]]):
        while not rows.empty:
            first = rule_first(rows)
            out.append(first)
            rows = rows.drop(index=first)
    return out


def choose(advice: Advice, shortlist: int | Sequence[str]) -> tuple[list[str], str | None]:
    """The options (candidates with reforms) and business as usual.

    Raises:
        ValueError: One line: ``shortlist`` is not a count of at least 1, or names a
            candidate the advice did not evaluate.
    """
    table = advice.candidates
    none = table.index[table["n_reforms"] == 0]
    base = str(none[0]) if len(none) else None
    if isinstance(shortlist, str) or not isinstance(shortlist, Sequence):
        count = whole_number(shortlist, "shortlist", 1, len(LETTERS))
        with_reforms = [n for n in ranked(advice) if table.loc[n, "n_reforms"] > 0]
        return with_reforms[:count], base
    if not shortlist or len(shortlist) > len(LETTERS):
        raise ValueError(f"shortlist = {quote(list(shortlist))}: expected 1 to {len(LETTERS)} "
                         "candidate names (such as 'c0003') or a count")
    for name in shortlist:
        if name not in table.index:
            raise ValueError(f"shortlist: {quote(name)} is not a candidate of this advice; "
                             f"expected names from candidates.csv, such as "
                             f"{', '.join(map(str, table.index[:3]))}")
    chosen = list(dict.fromkeys(str(n) for n in shortlist if table.loc[n, "n_reforms"] > 0))
    return chosen, base


def gather(advice: Advice, *, shortlist: int | Sequence[str] = SHORTLIST,
           replicates: int | None = None, equal_cost: float | str | None = None,
           options: RunOptions | None = None, switching: int = evidence.SWITCHING,
           call: str = "") -> Appraisal:
    """Gather the appraisal of ``advice`` (see the module docstring).

    Raises:
        ValueError: One line naming the argument and what was expected.
    """
    if not isinstance(advice, Advice):
        raise ValueError(f"advice = {quote(advice)}: expected the Advice that "
                         "missionsim.analysis.advise.advise() returns")
    chosen, base = choose(advice, shortlist)
    reps = whole_number(max(2, len(advice.futures)) if replicates is None else replicates,
                        "replicates", 2, MAX_REPLICATES)
    if options is not None and not isinstance(options, RunOptions):
        raise ValueError(f"options = {quote(options)}: expected a RunOptions")
    order = ranked(advice)
    runner = next((n for n in order if n != advice.preferred), None)
    out = Appraisal(advice=advice, ranked=order, options=chosen, base=base, runner_up=runner,
                    replicates=reps, level=_level(advice, equal_cost),
                    generated=datetime.now(UTC).isoformat(timespec="seconds"), call=call)
    if chosen and base is not None:  # held in memory: the advice's folder holds the advice
        _compare(out, (options or RunOptions()).but(out=None, resume=False))
    elif not chosen:
        out.notes.append("No package with reforms is within the budget, so there is nothing "
                         "to compare with business as usual at equal cost.")
    evidence.fill(out, switching)
    return out


def _level(advice: Advice, equal_cost: float | str | None) -> float | str:
    """The equal cost asked for: the budget by default, a number of £m, or "reachable"."""
    if equal_cost is None:
        return float(advice.plan.budget)
    if equal_cost == REACHABLE:
        return REACHABLE
    if (isinstance(equal_cost, bool) or not isinstance(equal_cost, int | float)
            or not 0 < equal_cost < math.inf):
        raise ValueError(f"equal_cost = {quote(equal_cost)}: expected a public cost in £m "
                         f"(present value), \"{REACHABLE}\", or None for the advice's budget")
    return float(equal_cost)


def _compare(out: Appraisal, options: RunOptions) -> None:
    """Run business as usual and the options at equal cost, and read their places."""
    from missionsim.experiments.study import compare

    advice, plan = out.advice, out.advice.plan
    scenarios = [advice.scenario(out.base), *(advice.scenario(n) for n in out.options)]
    kwargs: dict[str, Any] = {"replicates": out.replicates, "baseline": out.base,
                              "seed": plan.seed, "options": options,
                              "discount_rate": plan.rate}
    try:
        results = compare(scenarios, equal_cost=out.level, **kwargs)
    except ScenarioError as exc:
        if "no option can reach" in str(exc) and out.level != REACHABLE:
            out.notes.append(f"No shortlisted option can cost £{out.level:,.2f}m even at its "
                             "reforms' largest intensities, so they are compared at the "
                             "largest public cost every one of them can reach.")
            out.level = REACHABLE
            results = compare(scenarios, equal_cost=REACHABLE, **kwargs)
        else:
            out.notes.append(f"The options could not be brought to equal cost ({exc}); they "
                             "are compared as found, at their own costs.")
            out.level = None
            results = compare(scenarios, **kwargs)
    out.results = results
    out.summary = stats.summarise(results, out.base, plan.rate)
    out.tenths = stats.by_deprivation(results, groups=TENTHS, baseline=out.base)
    try:
        lists = places.place_lists(results, out.base, [out.base, *out.options])
    except ValueError as exc:
        out.notes.append(f"Places by name are not listed: {exc}.")
    else:  # the lists name each package as the page does
        out.places = replace(lists, base=out.label(out.base),
                             packages={out.label(k): v for k, v in lists.packages.items()})


def scaled(out: Appraisal) -> dict[str, Any]:
    """The equal-cost record of the comparison (``{}`` when options were not scaled)."""
    if out.results is None:
        return {}
    return dict(out.results.manifest.get("equal_cost") or {})


def comparison_seeds(out: Appraisal) -> pd.DataFrame:
    """The comparison's seed of each replicate (shared by every scenario)."""
    if out.results is None:
        return pd.DataFrame(columns=["replicate", "seed"])
    runs = out.results.runs
    return (runs.groupby("replicate")["seed"].first().reset_index()
            .astype({"replicate": int, "seed": "int64"}))
