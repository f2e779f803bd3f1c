"""Commands that build documents and fits: docs, calibrate (the early years, or any mission)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from missionsim.cli.base import (
    ProgressOption,
    ResumeOption,
    UserError,
    WorkersOption,
    _echo_err,
    app,
)
from missionsim.limits import MAX_REPLICATES

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from missionsim.analysis.calibration import Calibration
    from missionsim.experiments.options import RunOptions


@app.command()
def docs(
    name: Annotated[str | None, typer.Argument(
        help="The document (default: list them and whether each is current).")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Do not write; exit 1 if the committed file is out of date.")] = False,
    replicates: Annotated[int | None, typer.Option(
        min=1, max=MAX_REPLICATES, help="Replicates (or seeds) per comparison.")] = None,
    workers: WorkersOption = None,
    preset: Annotated[str | None, typer.Option(help="World preset.")] = None,
    horizon: Annotated[int | None, typer.Option(min=1, help="Months per run.")] = None,
    quick: Annotated[bool, typer.Option(
        "--quick", help="A reduced build, for a look (not for committing).")] = False,
    store: Annotated[Path | None, typer.Option(
        help="Keep the runs in this results folder (with --resume, continue them).")] = None,
    resume: ResumeOption = False,
    setting: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE", help="A setting of this document (repeatable).")] = None,
    root: Annotated[Path, typer.Option(
        help="The repository the documents live in.")] = Path("."),
) -> None:
    """Build a generated document (docs/*.md), or check that the committed one is current."""
    from missionsim.writeup import docs as registry

    extra = {}
    for item in setting or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--set {item!r}: expected KEY=VALUE")
        extra[key.strip()] = value.strip()
    settings = registry.DocSettings(replicates=replicates, workers=workers, preset=preset,
                                    horizon=horizon, quick=quick, store=store, resume=resume,
                                    extra=extra)
    if name is None:
        for doc in registry.DOCUMENTS.values():
            reason = registry.stale(doc, root, settings) if doc.check == "inputs" else None
            state = "stale: " + reason if reason else "ok"
            typer.echo(f"{doc.name:14} {doc.path:22} {doc.about} [{state}]")
        return
    if name not in registry.DOCUMENTS:
        raise UserError(f"docs {name!r}: expected one of {', '.join(registry.DOCUMENTS)}")
    doc = registry.DOCUMENTS[name]
    if check:
        reason = registry.stale(doc, root, settings)
        if reason:
            _echo_err(f"missionsim: {reason}; rebuild it with `missionsim docs {name}`")
            raise typer.Exit(1)
        typer.echo(f"{doc.path} is current")
        return
    registry.write(doc, root, settings, log=_echo_err)


@app.command()
def calibrate(
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON file for the fitted values, "
                                      "the fit per target and the provenance.")],
    mission: Annotated[str | None, typer.Option(
        help="Fit this mission (a shipped name or a mission file) to --observed instead of "
             "the early-years mission to CALIBRATION §A and §C.")] = None,
    observed: Annotated[Path | None, typer.Option(
        help="The observed series (CSV: month, value[, measure, tolerance, date, source]) "
             "that --mission is fitted to.")] = None,
    fit: Annotated[list[str] | None, typer.Option(
        "--fit", metavar="NAME", help="With --mission: a figure to fit (repeatable; default "
        "momentum and response_months).")] = None,
    scenario: Annotated[Path | None, typer.Option(
        help="With --mission: the scenario whose world, reforms and horizon to run (default: "
             "no reforms, to the last observed month).")] = None,
    seeds: Annotated[int, typer.Option(min=1, max=200, help="Seeds run at every evaluation "
                                       "(common random numbers).")] = 8,
    preset: Annotated[str | None, typer.Option(
        help="World preset (default: workshop, or the scenario's).")] = None,
    max_evaluations: Annotated[int, typer.Option(min=1, max=10_000, help="Most evaluations "
                                                 "of the objective (early years: per "
                                                 "block).")] = 80,
    history_preset: Annotated[str | None, typer.Option(
        help="World preset of the first profile with the squeeze (default: its scenario's, "
             "england).")] = None,
    workers: WorkersOption = 1,
    progress: ProgressOption = True,
) -> None:
    """Fit the early years to CALIBRATION §A and §C, or a mission to an observed series.

    Without --mission: the early-years funding response and baseline (the shipped defaults).
    With --mission and --observed: the figures named by --fit of any mission, fitted to the
    series (docs/calibration.md).
    """
    from missionsim.model.params import PRESETS
    from missionsim.writeup.calibration import fit_table

    if preset is not None and preset not in PRESETS:
        raise UserError(f"--preset {preset!r}: expected one of {', '.join(PRESETS)}")
    if history_preset is not None and history_preset not in PRESETS:
        raise UserError(f"--history-preset {history_preset!r}: expected one of "
                        f"{', '.join(PRESETS)}")
    if out.exists() and out.is_dir():
        raise UserError(f"--out {out}: is a folder; expected a file name")

    def report(count: int, value: float) -> None:
        if progress:
            _echo_err(f"evaluation {count}: objective {value:.4f}")

    from missionsim.experiments.options import RunOptions

    options = RunOptions(workers=workers or 1)
    if mission is not None or observed is not None or fit or scenario is not None:
        result = _fit_mission(mission, observed, fit, scenario, seeds, preset, max_evaluations,
                              history_preset, options, report)
    else:
        from missionsim.analysis.calibration import calibrate as fit_early_years

        result = fit_early_years(seeds=tuple(range(seeds)), preset=preset or "workshop",
                                 max_evaluations=max_evaluations, progress=report,
                                 history_preset=history_preset, options=options)
    from missionsim.experiments.store import write_atomic

    write_atomic(out, lambda tmp: tmp.write_text(result.to_json(), encoding="utf-8"))
    typer.echo(", ".join(f"{k} = {v:g}" for k, v in result.values.items())
               + f" (objective {result.objective:.3f}, {result.evaluations} evaluations)\n")
    typer.echo(fit_table(result))


def _fit_mission(mission: str | None, observed: Path | None, fit: list[str] | None,
                 scenario: Path | None, seeds: int, preset: str | None, max_evaluations: int,
                 history_preset: str | None, options: RunOptions,
                 report: Callable[[int, float], None]) -> Calibration:
    """``calibrate --mission --observed``: each input checked, each problem one line."""
    from missionsim.analysis import calibration_mission as cm
    from missionsim.analysis.series import read_series
    from missionsim.model.missionfile import FITTABLE
    from missionsim.model.missions import get_mission

    if mission is not None and observed is None:
        raise UserError("--mission: needs --observed FILE, the series to fit the mission to")
    if observed is not None and mission is None:
        raise UserError("--observed: needs --mission FILE, the mission to fit to it")
    if mission is None or observed is None:
        raise UserError(f"{'--fit' if fit else '--scenario'}: applies only with --mission FILE "
                        "and --observed FILE")
    if history_preset is not None:
        raise UserError("--history-preset: applies to the early-years calibration only "
                        "(without --mission)")
    for name in fit or ():
        if name not in FITTABLE:
            raise UserError(f"--fit {name!r}: expected one of {', '.join(FITTABLE)}")
    try:
        record = get_mission(mission)
    except ValueError as exc:
        raise UserError(f"--mission: {exc}") from None
    try:
        series = read_series(observed)
    except ValueError as exc:
        raise UserError(f"--observed: {exc}") from None
    run = None
    if scenario is not None:
        try:
            run = cm.run_scenario(scenario, preset, series.last_month)
        except ValueError as exc:
            raise UserError(f"--scenario: {exc}") from None
    return cm.calibrate_mission(record, series, fit=fit or cm.DEFAULT_FIT, scenario=run,
                                seeds=tuple(range(seeds)), preset=preset,
                                max_evaluations=max_evaluations, options=options,
                                progress=report)
