"""The ``advise`` command: the best reform package within a budget, robust over many futures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from missionsim.cli.base import (
    OutOption,
    ProgressOption,
    ResumeOption,
    SchedulerOption,
    UserError,
    WorkersOption,
    _echo_err,
    _options,
    _study,
    app,
)
from missionsim.limits import MAX_REPLICATES

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from missionsim.analysis.advise import Advice

FLAGS = {"budget": "--budget", "horizon": "--horizon", "seed": "--seed",
         "discount_rate": "--discount-rate", "objectives": "--objectives",
         "measure": "--measure", "reforms": "--reforms", "intensities": "--intensities",
         "starts": "--starts", "max_reforms": "--max-reforms", "population": "--population",
         "generations": "--generations", "futures": "--futures", "factors": "--factors"}
"""The flag that sets each setting (messages name the flag)."""
FACTOR_SETS = ("all", "assumptions", "uncertainties")


@app.command()
@_study
def advise(
    out: OutOption,
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario the packages are added to (.toml, or a shipped name; default: the "
             "advice file's `scenario`).")] = None,
    settings: Annotated[Path | None, typer.Option(
        "--settings", help="Advice file (advise/*.toml): budget, search space, objectives, "
        "futures; the flags below override it.")] = None,
    budget: Annotated[str | None, typer.Option(
        "--budget", metavar="£Xm", help="Public money available: present value over the "
        "horizon, e.g. £40m.")] = None,
    reforms: Annotated[str | None, typer.Option(
        help="Reforms the search may include, separated by commas (default: all nine).")] = None,
    intensities: Annotated[str | None, typer.Option(
        help="Intensities each reform may take, separated by commas (e.g. 0.5,1; each "
        "reform's up to its largest).")] = None,
    starts: Annotated[str | None, typer.Option(
        help="Start months a reform may take, separated by commas (e.g. 0,12,24).")] = None,
    max_reforms: Annotated[int | None, typer.Option(
        "--max-reforms", help="At most this many reforms in a package.")] = None,
    objectives: Annotated[str | None, typer.Option(
        help="Objectives to optimise, separated by commas: deadline, horizon, "
        "most_deprived, p_target, cost (default: all five).")] = None,
    measure: Annotated[str | None, typer.Option(
        help="What the search optimises over the futures: mean or p10 (the worst tenth).")
    ] = None,
    futures: Annotated[int | None, typer.Option(
        help="Futures in the common ensemble (default 16).")] = None,
    factors: Annotated[str | None, typer.Option(
        help="What futures vary: all, assumptions, uncertainties, or factor names separated "
        "by commas.")] = None,
    population: Annotated[int | None, typer.Option(
        help="Packages per generation (default 24).")] = None,
    generations: Annotated[int | None, typer.Option(
        help="Generations, the initial population the first (default 10; with --resume, "
        "more extend the search).")] = None,
    horizon: Annotated[int | None, typer.Option(
        help="Months simulated (default: the scenario's; at least the mission's "
        "deadline).")] = None,
    seed: Annotated[int | None, typer.Option(
        help="Root seed of the futures and of the search (default: the scenario's).")] = None,
    discount_rate: Annotated[float | None, typer.Option(
        "--discount-rate", help="Discount rate a year for present values (default 0.035, "
        "the Green Book's).")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write the options appraisal: one self-contained HTML file in "
        "the Green Book's form (docs/appraisal.md).")] = None,
    shortlist: Annotated[int | None, typer.Option(
        "--shortlist", min=1, help="With --report: options shortlisted in the appraisal, "
        "besides business as usual (default 3).")] = None,
    report_replicates: Annotated[int | None, typer.Option(
        "--report-replicates", min=2, max=MAX_REPLICATES, help="With --report: paired "
        "replicates of the comparison at equal cost (default: one per future).")] = None,
    equal_cost: Annotated[str | None, typer.Option(
        "--equal-cost", metavar="£Xm|reachable", help="With --report: the public cost the "
        "options are scaled to (default: the budget; reachable: the largest every option "
        "can reach).")] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    resume: ResumeOption = False,
    progress: ProgressOption = True,
) -> None:
    """Search reform packages within a budget, robust over a common ensemble of futures.

    Prints the Pareto set and the robust preferred option; writes them with every
    evaluation to --out (docs/advise.md), and with --report the options appraisal.
    """
    from missionsim.analysis.advise import advise as run_advise

    changes: dict[str, Any] = {
        "budget": budget, "horizon": horizon, "seed": seed, "discount_rate": discount_rate,
        "objectives": _words(objectives), "measure": measure, "reforms": _words(reforms),
        "intensities": _numbers(intensities, "--intensities", float),
        "starts": _numbers(starts, "--starts", int), "max_reforms": max_reforms,
        "population": population, "generations": generations, "futures": futures,
        "factors": factors if factors in FACTOR_SETS else _words(factors)}
    level = None
    if report is not None:  # a bad path or appraisal flag fails in one line before the search
        from missionsim.writeup.appraisal import appraisal_path

        appraisal_path(report)
        level = _equal_cost(equal_cost)
        shortlist = _shortlist(shortlist)
    elif (shortlist, report_replicates, equal_cost) != (None, None, None):
        raise UserError("--shortlist, --report-replicates and --equal-cost shape the "
                        "appraisal: add --report FILE.html")
    log = (lambda line: _echo_err(f"advise: {line}")) if progress else None
    advice = run_advise(scenario, settings=settings, labels=FLAGS,
                        options=_options(out, resume, progress, workers, scheduler), log=log,
                        **changes)
    typer.echo(summary(advice))
    typer.echo(f"\nResults: {out} (pareto.csv, candidates.csv, evaluations.parquet, "
               "futures.csv, advice.json)")
    if report is not None:
        from missionsim.writeup.appraisal import write_appraisal

        written = write_appraisal(advice, report, shortlist=shortlist,
                                  replicates=report_replicates, equal_cost=level,
                                  options=_options(out, resume, progress, workers, scheduler))
        typer.echo(f"Appraisal: {written}")


def _shortlist(count: int | None) -> int:
    """``--shortlist``: the count, or the default; one line if it is more than can be named."""
    from missionsim.writeup.appraisal.gather import LETTERS, SHORTLIST

    if count is not None and count > len(LETTERS):
        raise UserError(f"--shortlist = {count}: expected 1 to {len(LETTERS)} options (each "
                        "is named by a letter)")
    return SHORTLIST if count is None else count


def _equal_cost(text: str | None) -> float | str | None:
    """``--equal-cost``: an amount in £m, ``reachable`` or nothing; else one line."""
    from missionsim.analysis.advise import parse_budget
    from missionsim.writeup.appraisal.gather import REACHABLE

    if text is None:
        return None
    if text.strip().lower() == REACHABLE:
        return REACHABLE
    try:
        return parse_budget(text)
    except ValueError as exc:
        raise UserError(f"--equal-cost: {exc}, or {REACHABLE}") from None


def _words(text: str | None) -> list[str] | None:
    return None if text is None else [w.strip() for w in text.split(",") if w.strip()]


def _numbers(text: str | None, flag: str, kind: type) -> list | None:
    """A flag's list of numbers (``0.5,1``), or one line naming the flag."""
    if text is None:
        return None
    try:
        return [kind(w) for w in _words(text)]
    except ValueError:
        what = "whole numbers" if kind is int else "numbers"
        raise UserError(f"{flag} = {text!r}: expected {what} separated by commas, such as "
                        f"{'0,12,24' if kind is int else '0.5,1'}") from None


def summary(advice: Advice) -> str:
    """The Pareto set as a Markdown table, and the robust preferred option in words."""
    from missionsim.analysis.advise import RULE

    plan = advice.plan
    unit = plan.scenario.mission_record().unit
    lines = [f"# Advice: {advice.settings.name}", "",
             f"{plan.scenario.mission_name()}, target {plan.target:g}{_unit(unit)} by month "
             f"{plan.deadline}; budget £{plan.budget:,.2f}m (present value over "
             f"{plan.scenario.horizon} months); {len(advice.futures)} futures; "
             f"{len(advice.candidates)} packages evaluated; "
             f"{len(advice.pareto)} on the Pareto set (★ the preferred option).", ""]
    header = ["", "candidate", "package", f"deadline ({unit})", "worst tenth",
              "largest regret", "P(target)", f"horizon ({unit})", f"most deprived ({unit})",
              "cost (£m PV)"]
    rows = [[("★" if name == advice.preferred else ""), name, row["package"],
             _num(row["deadline_mean"]), _num(row["deadline_p10"]),
             _num(row["deadline_regret"]), f"{row['p_target_satisficing']:.0%}",
             _num(row["horizon_mean"]), _num(row["most_deprived_mean"]),
             _num(row["cost_mean"])]
            for name, row in advice.pareto.iterrows()]
    lines += _table(header, rows) if rows else ["No package is within the budget."]
    if advice.preferred is not None:
        best = advice.candidates.loc[advice.preferred]
        lines += ["", f"Robust preferred option: {advice.preferred}, {best['package']}: "
                  f"P(target met) {best['p_target_satisficing']:.0%}, largest regret at the "
                  f"deadline {_num(best['deadline_regret'])}{_points(unit)}, cost "
                  f"£{best['cost_mean']:,.2f}m.", f"Rule: {RULE}."]
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join(":---" if i < 3 else "---:" for i in range(len(header))) + " |"]
    return out + ["| " + " | ".join(r) + " |" for r in rows]


def _num(value: float) -> str:
    return "–" if not math.isfinite(float(value)) else f"{float(value):,.2f}"


def _unit(unit: str) -> str:
    return unit if unit == "%" else f" {unit}"


def _points(unit: str) -> str:
    """The unit of a difference: percentage points for a percentage."""
    return " pp" if unit == "%" else f" {unit}"
