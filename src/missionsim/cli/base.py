"""What every command shares: the typer app, option types, one-line errors, interrupts.

The commands are in :mod:`~missionsim.cli.studies` (run, compare, sweep, sensitivity, report,
repair), :mod:`~missionsim.cli.files` (validate, list, ui, init) and
:mod:`~missionsim.cli.documents` (docs, calibrate); :func:`missionsim.cli.main` runs them.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from missionsim.limits import MAX_WORKERS

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from missionsim.experiments.options import RunOptions

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


def _options(out: Path, resume: bool = False, progress: bool = False, workers: int | None = None,
             scheduler: str | None = None) -> RunOptions:
    """The :class:`~missionsim.experiments.options.RunOptions` of a command's options."""
    from missionsim.experiments.options import RunOptions

    if workers is not None and scheduler is not None:
        raise UserError("--workers and --scheduler: choose one (local processes or a cluster)")
    if scheduler is not None:
        from missionsim.extras import require

        require("cluster", "--scheduler (a dask cluster)")
    return RunOptions(out=out, resume=resume, workers=workers, scheduler=scheduler,
                      progress=progress)


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
