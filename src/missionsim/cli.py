"""The ``missionsim`` command line.

Every command has ``--help``. Errors in what the user gave (a bad scenario file, an unusable
output folder, an unknown option value) print one line on standard error and exit with status
2; an interrupted study (Ctrl-C) prints how many runs it kept, exits with status 130 and keeps
every completed run for ``--resume``. ``missionsim repair DIR`` mends a results folder.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from missionsim.limits import MAX_REPLICATES, MAX_SEED, MAX_WORKERS

app = typer.Typer(
    name="missionsim",
    help="Simulate mission delivery systems: run scenarios, compare reforms, sweep designs, "
         "analyse sensitivity and write reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder for the results "
                                         "store (Parquet chunks and manifest.json).")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", "-w", min=1, max=MAX_WORKERS,
    help="Local worker processes (default: all cores; 1 = serial).")]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Address of a dask.distributed scheduler (e.g. tcp://10.0.0.5:8786); "
    "workers need missionsim installed.")]
ResumeOption = Annotated[bool, typer.Option(
    "--resume", help="Continue the study already in --out, skipping completed runs.")]
ProgressOption = Annotated[bool, typer.Option(
    "--progress/--no-progress", help="Show a progress bar with an ETA on standard error.")]


class UserError(Exception):
    """A problem with what the user asked for; printed as one line, exit status 2."""


def _executor(workers: int | None, scheduler: str | None) -> dict:
    if workers is not None and scheduler is not None:
        raise UserError("--workers and --scheduler: choose one (local processes or a cluster)")
    if scheduler is not None:
        from missionsim.extras import require

        require("cluster", "--scheduler (a dask cluster)")
    return {"workers": workers, "scheduler": scheduler}


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


class _Interrupted(Exception):  # noqa: N818 - named after what happened, like KeyboardInterrupt
    """Ctrl-C during a study, with the study's output folder (to count the runs kept).

    typer turns a :class:`KeyboardInterrupt` into a silent exit status 130, so the commands
    that run studies turn it into this exception first (:func:`_study`).
    """

    def __init__(self, out: Path | None) -> None:
        super().__init__("interrupted")
        self.out = out


def _study(command):
    """Decorate a command that runs a study into ``--out``: Ctrl-C becomes :class:`_Interrupted`."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            raise _Interrupted(kwargs.get("out")) from None

    return wrapper


class _Notes(logging.Handler):
    """Prints missionsim's notes (what resuming repaired in a store) on standard error."""

    def emit(self, record: logging.LogRecord) -> None:
        _echo_err(f"missionsim: note: {record.getMessage()}")


def _show_notes() -> None:
    logger = logging.getLogger("missionsim")
    if not any(isinstance(h, _Notes) for h in logger.handlers):
        logger.addHandler(_Notes(logging.INFO))


def _version(value: bool) -> None:
    if value:
        from missionsim import __version__

        typer.echo(f"missionsim {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version,
        help="Print the version and exit.")] = False,
) -> None:
    """Simulate mission delivery systems: run, compare, sweep, analyse and report.

    Scenario and sweep arguments are files, or the names of the shipped ones (``missionsim
    list``); ``missionsim init DIR`` copies the shipped files into a folder to edit.
    """


# --- commands ---------------------------------------------------------------------------------
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
    manifest = {"kind": "run", "mission": scn.mission, "baseline": scn.name, "replicates": 1,
                "root_seed": scn.seed,
                "scenarios": {scn.name: {"digest": scn.digest(), "source": scn.source,
                                         "description": scn.description,
                                         "summary": scn.summary(), "content": scn.content()}}}
    results = execute([spec], manifest, out=out, resume=resume, workers=1)
    row = results.runs.iloc[0]
    met = row["target_met"]
    verdict = "not reached" if met is None or met != met else (
        "met" if bool(met) else "missed")
    typer.echo(f"{scn.name}: seed {row['seed']}, {row['horizon']} months; outcome "
               f"{row['outcome_end']:.2f} at the end (reported {row['reported_end']:.2f}); "
               f"target {verdict} at the deadline; results in {out}")


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
    results = run_compare(items, replicates=replicates, baseline=base, seed=seed, out=out,
                          resume=resume, progress=progress, **_executor(workers, scheduler))
    typer.echo(summary_markdown(results))
    if report is not None:
        write_report(results, report)
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
    from missionsim.experiments.sweep import load_sweep, run_sweep

    design = load_sweep(sweep_file)
    typer.echo(design.summary(), err=True)
    results = run_sweep(design, out=out, resume=resume, progress=progress,
                        **_executor(workers, scheduler))
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
    from missionsim.experiments.sweep import load_sweep, run_sweep
    from missionsim.experiments.sweep import sensitivity as analyse

    design = load_sweep(sweep_file)
    results = run_sweep(design, out=out, resume=True, progress=progress,
                        **_executor(workers, scheduler))
    table = analyse(results, design, metric=metric, month=month)
    path = Path(out) / "sensitivity.csv"
    table.to_csv(path, index=False)
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
) -> None:
    """Write the HTML report of a stored study (reads the store; never re-runs the model)."""
    from missionsim.experiments.study import Results
    from missionsim.writeup.report import summary_markdown, write_report

    results = Results.load(folder)
    if results.runs.empty:
        raise UserError(f"{folder}: the study holds no completed runs yet")
    if baseline is not None and baseline not in results.scenarios:
        raise UserError(f"--baseline {baseline!r}: not a scenario of {folder} (expected one of "
                        f"{', '.join(results.scenarios)})")
    write_report(results, report, baseline=baseline)
    typer.echo(summary_markdown(results, baseline=baseline))
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


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario or sweep files (.toml), or "
                                                "names of shipped ones.")],
) -> None:
    """Check scenario and sweep files; print one line per file, exit 2 if any is invalid."""
    from missionsim.experiments.scenario import ScenarioError, load_scenario, read_chain
    from missionsim.resources import find_shipped

    bad = 0
    for path in files:
        path = find_shipped(path, "scenarios") or find_shipped(path, "sweeps") or path
        try:
            data = read_chain(path)
            if "design" in data or "factors" in data:
                from missionsim.experiments.sweep import load_sweep, specs

                design = load_sweep(path)
                typer.echo(f"ok {path}: sweep {design.name!r}, {len(specs(design))} runs")
            else:
                scn = load_scenario(path)
                typer.echo(f"ok {path}: {scn.summary()}")
        except ScenarioError as exc:
            _echo_err(str(exc))
            bad += 1
    if bad:
        raise typer.Exit(2)


LIST_WHAT = ("missions", "presets", "reforms", "parameters", "scenarios", "sweeps")


@app.command("list")
def list_cmd(
    what: Annotated[str | None, typer.Argument(
        help=f"One of: {', '.join(LIST_WHAT)} (default: all).")] = None,
) -> None:
    """List missions, presets, reforms, parameters, and the shipped scenarios and sweeps."""
    from missionsim.experiments.scenario import load_scenario, shipped
    from missionsim.model.missions import MISSIONS
    from missionsim.model.params import PARAMETERS, PRESET_DESCRIPTIONS, PRESETS
    from missionsim.model.reforms import REFORMS

    if what is not None and what not in LIST_WHAT:
        raise UserError(f"list {what!r}: expected one of {', '.join(LIST_WHAT)}")
    sections = []
    if what in (None, "missions"):
        rows = [f"| {m.name} | {m.title} | {m.baseline:g} → {m.target:g} {m.unit} "
                f"| month {m.deadline} |" for m in MISSIONS.values()]
        sections.append("## Missions\n\n| name | mission | baseline → target | deadline |\n"
                        "|---|---|---|---|\n" + "\n".join(rows))
    if what in (None, "presets"):
        rows = [f"| {name} | {PRESET_DESCRIPTIONS.get(name, '')} | "
                + ", ".join(f"{k} = {v:,}" for k, v in values.items()) + " |"
                for name, values in PRESETS.items()]
        sections.append("## Presets\n\n| name | world | parameters |\n|---|---|---|\n"
                        + "\n".join(rows))
    if what in (None, "reforms"):
        rows = [f"| {name} | {cls.title} | {cls.tradeoff} |" for name, cls in REFORMS.items()]
        sections.append("## Reforms\n\n| name | reform | trade-off |\n|---|---|---|\n"
                        + "\n".join(rows))
    if what in (None, "parameters"):
        rows = [f"| {p.name} | {p.default} | {p.low:g}–{p.high:g} | {p.unit} | {p.group} "
                f"| {'yes' if p.uncertainty else ''} | {p.source} |"
                for p in PARAMETERS.values()]
        sections.append("## Parameters\n\n| name | default | range | unit | group | uncertainty "
                        "| source |\n|---|---:|---|---|---|---|---|\n" + "\n".join(rows))
    if what in (None, "scenarios"):
        rows = []
        for name, path in shipped().items():
            try:
                rows.append(f"| {name} | {load_scenario(path).summary()} |")
            except ValueError as exc:  # pragma: no cover - shipped files are tested
                rows.append(f"| {name} | invalid: {exc} |")
        sections.append("## Shipped scenarios\n\n| name | summary |\n|---|---|\n"
                        + "\n".join(rows))
    if what in (None, "sweeps"):
        from missionsim.experiments.sweep import load_sweep
        from missionsim.resources import shipped as shipped_files

        rows = [f"| {name} | {load_sweep(path).summary()} |"
                for name, path in shipped_files("sweeps").items()]
        sections.append("## Shipped sweeps\n\n| name | summary |\n|---|---|\n"
                        + "\n".join(rows))
    typer.echo("\n\n".join(sections))


@app.command()
def ui(
    host: Annotated[str, typer.Option(
        help="Address to listen on. The default serves this machine only; 0.0.0.0 serves "
             "the network (anyone who can reach it can open the app).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
) -> None:
    """Start the workshop browser app (Explore, Compare, Explain) and print its address."""
    from missionsim.ui.server import ServeError, serve

    try:
        serve(host, port)
    except ServeError as exc:
        raise UserError(str(exc)) from None


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to create or fill.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite files that already exist.")] = False,
) -> None:
    """Copy the shipped scenarios and sweeps into DIR as editable templates."""
    from missionsim.resources import copy_templates

    try:
        written = copy_templates(folder, force=force)
    except (FileExistsError, NotADirectoryError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"{folder}: cannot write ({exc.strerror})") from None
    kinds = sorted({p.parent.name for p in written})
    typer.echo(f"Wrote {len(written)} files to {folder} ({', '.join(kinds)}). Edit a copy, "
               f"check it with `missionsim validate {folder}/scenarios/NAME.toml`, then run "
               f"`missionsim compare {folder}/scenarios/baseline.toml "
               f"{folder}/scenarios/NAME.toml --out results`.")


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
                                                 "of the objective.")] = 80,
    progress: ProgressOption = True,
) -> None:
    """Fit the early-years baseline's free parameters to CALIBRATION §A (method of moments)."""
    from missionsim.analysis.calibration import calibrate as fit
    from missionsim.model.params import PRESETS

    if preset not in PRESETS:
        raise UserError(f"--preset {preset!r}: expected one of {', '.join(PRESETS)}")
    if out.exists() and out.is_dir():
        raise UserError(f"--out {out}: is a folder; expected a file name")

    def report(count: int, value: float) -> None:
        if progress:
            _echo_err(f"evaluation {count}: objective {value:.4f}")

    result = fit(seeds=tuple(range(seeds)), preset=preset, max_evaluations=max_evaluations,
                 progress=report)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result.to_json(), encoding="utf-8")
    typer.echo(", ".join(f"{k} = {v:g}" for k, v in result.values.items())
               + f" (objective {result.objective:.3f}, {result.evaluations} evaluations)\n")
    typer.echo(result.table())


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


# --- entry point ----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (errors are one line on standard error)."""
    from missionsim.errors import ClusterError, RunError, ScenarioError, StoreError
    from missionsim.extras import MissingExtra

    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    _show_notes()
    try:
        status = app(args=argv, prog_name="missionsim", standalone_mode=False)
    except _Interrupted as exc:
        return _interrupted(exc.out)
    except KeyboardInterrupt:
        return _interrupted()
    except ClusterError as exc:
        _quiet_after_cluster_fault()
        _echo_err(f"missionsim: error: {exc}")
        return 2
    except (UserError, ScenarioError, StoreError, MissingExtra) as exc:
        _echo_err(f"missionsim: error: {exc}")
        return 2
    except RunError as exc:
        _echo_err(f"missionsim: error: {exc}")
        return 1
    except ValueError as exc:
        _echo_err(f"missionsim: error: {str(exc).splitlines()[0] if str(exc) else exc!r}")
        return 2
    except Exception as exc:  # noqa: BLE001 - never a traceback to the user
        # click's exceptions (typer may vendor click, so match by behaviour, not class)
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # usage errors: status 2
            _echo_err(_usage_line(exc))
            return int(exc.exit_code)
        if type(exc).__name__ == "Exit":
            return int(getattr(exc, "exit_code", 0))
        if type(exc).__name__ == "Abort":
            return _interrupted()
        if os.environ.get("MISSIONSIM_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        _echo_err(f"missionsim: internal error: {type(exc).__name__}: {first} (set "
                  "MISSIONSIM_DEBUG=1 to see the traceback)")
        return 1
    if status == INTERRUPTED:  # typer's answer to Ctrl-C outside a study
        return _interrupted()
    return status if isinstance(status, int) else 0


INTERRUPTED = 130
"""Exit status after Ctrl-C: 128 + SIGINT (2), as shells report a process SIGINT stopped."""


def _quiet_after_cluster_fault() -> None:
    """Keep a lost cluster's leftovers off the terminal while this process ends.

    A client cut off from its scheduler leaves asyncio tasks whose exceptions nobody collects;
    asyncio reports each with a traceback when the task is collected, which may be at exit.
    The one-line error has said what happened, so those reports are silenced from here on.
    """
    import gc
    import logging

    for name in ("asyncio", "distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    gc.collect()


def _usage_line(exc: Exception) -> str:
    """A command-line usage error as one line, with where to find the usage."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "missionsim"
    text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    text = " ".join(text.split())
    if len(text) > 300:
        text = text[:299] + "…"
    return f"{command}: error: {text} (see `{command} --help`)"


def _interrupted(out: Path | None = None) -> int:
    """Print the line for Ctrl-C (with the runs kept in ``out``) and return the status."""
    kept = None if out is None else _kept(out)
    if kept is not None:
        _echo_err(f"missionsim: interrupted; {kept[0]} of {kept[1]} runs are kept in {out}: "
                  "run the same command with --resume to finish")
    elif out is not None:
        _echo_err("missionsim: interrupted; completed runs are kept: run the same command "
                  "with --resume to finish")
    else:
        _echo_err("missionsim: interrupted")
    return INTERRUPTED


def _kept(out: Path) -> tuple[int, int] | None:
    """Runs stored in ``out`` and runs its study plans, or ``None`` when it holds no study."""
    from missionsim.errors import StoreError
    from missionsim.experiments.store import Store

    try:
        store = Store(out)
        planned = int(store.read_manifest()["planned"])
        return len(store.completed()), planned
    except (StoreError, OSError, KeyError, TypeError, ValueError):
        return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
