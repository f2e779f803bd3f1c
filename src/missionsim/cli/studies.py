"""Commands that run and read studies: run, compare, sweep, sensitivity, report, repair."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from missionsim.limits import MAX_BUDGET, MAX_REPLICATES, MAX_SEED


@app.command()
@_study
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (.toml).")],
    out: OutOption,
    seed: Annotated[int | None, typer.Option(
        min=0, max=MAX_SEED, help="The model's seed (default: replicate 0's seed under the "
        "scenario's root seed).")] = None,
    resume: ResumeOption = False,
) -> None:
    """Run one scenario once and store its month-by-month results."""
    from missionsim.experiments.runner import spec_for
    from missionsim.experiments.scenario import load_scenario
    from missionsim.experiments.study import execute

    scn = load_scenario(scenario)
    spec = spec_for(scn, 0, seed=seed)
    manifest = {"kind": "run", **scn.mission_manifest(), "baseline": scn.name, "replicates": 1,
                "root_seed": scn.seed, "scenarios": {scn.name: scn.manifest_entry()}}
    results = execute([spec], manifest, _options(out, resume, workers=1))
    row = results.runs.iloc[0]
    met = row["target_met"]
    verdict = "not reached" if met is None or met != met else (
        "met" if bool(met) else "missed")
    typer.echo(f"{scn.name}: seed {row['seed']}, {row['horizon']} months; outcome "
               f"{row['outcome_end']:.2f} at the end (reported {row['reported_end']:.2f}); "
               f"target {verdict} at the deadline; results in {out}")


def parse_budget(text: str) -> float | str:
    """``£12m``, ``12m``, ``12.5`` as £m; ``reachable`` as itself; else a one-line error."""
    cleaned = text.strip().lower().replace(",", "").removeprefix("£").removesuffix("m")
    if cleaned == "reachable":
        return "reachable"
    try:
        value = float(cleaned)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_BUDGET:  # also refuses nan and inf
        raise UserError(f"--equal-cost = {text!r}: expected an amount in £m such as £12m "
                        f"(more than 0, at most {MAX_BUDGET:g}), or 'reachable'")
    return value


@app.command()
@_study
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files (.toml).")],
    out: OutOption,
    baseline: Annotated[Path | None, typer.Option(
        help="Baseline scenario file (default: the first scenario).")] = None,
    replicates: Annotated[int | None, typer.Option(
        min=1, max=MAX_REPLICATES, help="Replicates per scenario (default: the "
        "baseline's).")] = None,
    seed: Annotated[int | None, typer.Option(
        min=0, max=MAX_SEED, help="Root seed shared by all scenarios (default: the "
        "baseline's).")] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    report: Annotated[Path | None, typer.Option(help="Also write an HTML report here.")] = None,
    resume: ResumeOption = False,
    progress: ProgressOption = True,
    equal_cost: Annotated[str | None, typer.Option(
        "--equal-cost", metavar="£Xm", help="Scale every option but the baseline to this "
        "public cost (present value over the horizon, e.g. £12m), by its intensities; "
        "'reachable': the largest budget every option can reach.")] = None,
    discount_rate: Annotated[float, typer.Option(
        "--discount-rate", min=0.0, max=0.5, help="Discount rate a year for present values "
        "(HM Treasury Green Book: 0.035; 0 gives undiscounted sums).")] = 0.035,
) -> None:
    """Compare scenarios over the same seeds (common random numbers) and print the effects."""
    from missionsim.experiments.scenario import load_scenario
    from missionsim.experiments.study import compare as run_compare
    from missionsim.writeup.report import summary_markdown, write_report

    items = [load_scenario(p) for p in scenarios]
    base = None
    if baseline is not None:
        base_scn = load_scenario(baseline)
        same = [s for s in items if Path(s.source).resolve() == baseline.resolve()]
        base = same[0].name if same else base_scn
    budget = None if equal_cost is None else parse_budget(equal_cost)
    results = run_compare(items, replicates=replicates, baseline=base, seed=seed,
                          options=_options(out, resume, progress, workers, scheduler),
                          equal_cost=budget, discount_rate=discount_rate)
    typer.echo(summary_markdown(results, rate=discount_rate))
    if report is not None:
        write_report(results, report, rate=discount_rate)
        typer.echo(f"\nReport: {report}")
    typer.echo(f"Results: {out}")


@app.command()
@_study
def sweep(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP", help="Sweep file (.toml).")],
    out: OutOption,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    resume: ResumeOption = False,
    progress: ProgressOption = True,
) -> None:
    """Run a sweep design (factorial, Latin hypercube, Morris or Sobol) and store the runs."""
    from missionsim.experiments.sweeps import load_sweep, run_sweep

    design = load_sweep(sweep_file)
    typer.echo(design.summary(), err=True)
    results = run_sweep(design, _options(out, resume, progress, workers, scheduler))
    typer.echo(f"{design.name}: {len(results.runs)} runs ({results.runs['point'].nunique()} "
               f"design points) in {out}")


@app.command()
@_study
def sensitivity(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP", help="Sweep file (.toml), any "
                                               "design.")],
    out: OutOption,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    metric: Annotated[str | None, typer.Option(
        help="Reporter to analyse (default: the sweep's [output] metric).")] = None,
    month: Annotated[int | None, typer.Option(
        min=0, help="Month to analyse (default: the sweep's [output] month).")] = None,
    progress: ProgressOption = True,
) -> None:
    """Run (or finish) a sweep in --out and compute its sensitivity indices (SALib).

    Morris and Sobol designs give their indices; Latin hypercube and factorial designs give
    standardised regression coefficients and partial rank correlations.
    """
    from missionsim.analysis.sensitivity import sensitivity as analyse
    from missionsim.experiments.sweeps import load_sweep, run_sweep

    design = load_sweep(sweep_file)
    results = run_sweep(design, _options(out, True, progress, workers, scheduler))
    table = analyse(results, design, metric=metric, month=month)
    path = Path(out) / "sensitivity.csv"
    from missionsim.experiments.store import write_atomic

    write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))
    described = ", ".join(f"{k} = {v}" for k, v in table.attrs.items()
                          if k != "note" and isinstance(v, str | int | float))
    note = table.attrs.get("note")
    typer.echo(f"# Sensitivity: {design.name}\n\n{described}\n")
    if note:
        typer.echo(f"{note}\n")
    typer.echo(table.to_markdown(index=False, floatfmt=".3f") if _has_tabulate()
               else table.to_string(index=False))
    typer.echo(f"\nIndices: {path}")


@app.command("report")
def report_cmd(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A results folder (--out of "
                                           "compare or run).")],
    report: Annotated[Path, typer.Option(help="The HTML file to write.")],
    baseline: Annotated[str | None, typer.Option(
        help="Name of the baseline scenario (default: the study's).")] = None,
    discount_rate: Annotated[float, typer.Option(
        "--discount-rate", min=0.0, max=0.5, help="Discount rate a year for present values "
        "(HM Treasury Green Book: 0.035; 0 gives undiscounted sums).")] = 0.035,
) -> None:
    """Write the HTML report of a stored study; print its summary and places by name.

    Reads the store; never re-runs the model.
    """
    from missionsim.experiments.results import Results
    from missionsim.writeup.report import places_markdown, summary_markdown, write_report

    results = Results.load(folder)
    if results.runs.empty:
        raise UserError(f"{folder}: the study holds no completed runs yet")
    if baseline is not None and baseline not in results.scenarios:
        raise UserError(f"--baseline {baseline!r}: not a scenario of {folder} (expected one of "
                        f"{', '.join(results.scenarios)})")
    write_report(results, report, baseline=baseline, rate=discount_rate)
    typer.echo(summary_markdown(results, baseline=baseline, rate=discount_rate))
    typer.echo("\n" + places_markdown(results, baseline=baseline))
    if not results.complete:
        _echo_err(f"note: {folder} holds {len(results.runs)} of "
                  f"{results.manifest.get('planned')} planned runs; resume the study to finish")
    typer.echo(f"\nReport: {report}")


@app.command()
def repair(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A results folder (--out of a "
                                           "study).")],
) -> None:
    """Mend a results folder: keep one copy of runs stored twice, set unreadable chunks aside.

    Also removes leftovers of chunks a stopped study did not finish. It takes the folder's
    lock, so it waits for no one: a folder a study is writing to is refused. Running it again
    changes nothing. Chunks set aside go to DIR/corrupt; resume the study to run their runs
    again.
    """
    from missionsim.experiments.store import Store

    typer.echo(str(Store(folder).repair()))


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True
