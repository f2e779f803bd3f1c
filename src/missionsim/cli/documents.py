"""Commands that build documents and fits: docs, calibrate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    seeds: Annotated[int, typer.Option(min=1, max=200, help="Seeds run at every evaluation "
                                       "(common random numbers).")] = 8,
    preset: Annotated[str, typer.Option(help="World preset.")] = "workshop",
    max_evaluations: Annotated[int, typer.Option(min=1, max=10_000, help="Most evaluations "
                                                 "of the objective, per block.")] = 80,
    history_preset: Annotated[str | None, typer.Option(
        help="World preset of the first profile with the squeeze (default: its scenario's, "
             "england).")] = None,
    workers: WorkersOption = 1,
    progress: ProgressOption = True,
) -> None:
    """Fit the early-years funding response and baseline to CALIBRATION §A and §C."""
    from missionsim.analysis.calibration import calibrate as fit
    from missionsim.model.params import PRESETS
    from missionsim.writeup.calibration import fit_table

    if preset not in PRESETS:
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

    result = fit(seeds=tuple(range(seeds)), preset=preset, max_evaluations=max_evaluations,
                 progress=report, history_preset=history_preset,
                 options=RunOptions(workers=workers or 1))
    from missionsim.experiments.store import write_atomic

    write_atomic(out, lambda tmp: tmp.write_text(result.to_json(), encoding="utf-8"))
    typer.echo(", ".join(f"{k} = {v:g}" for k, v in result.values.items())
               + f" (objective {result.objective:.3f}, {result.evaluations} evaluations)\n")
    typer.echo(fit_table(result))
