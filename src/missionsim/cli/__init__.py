"""The ``missionsim`` command line.

Every command has ``--help``. Errors in what the user gave (a bad scenario file, an unusable
output folder, an unknown option value) print one line on standard error and exit with status
2; an interrupted study (Ctrl-C) prints how many runs it kept, exits with status 130 and keeps
every completed run for ``--resume``. ``missionsim repair DIR`` mends a results folder.

Importing this package loads typer and the commands' declarations only; each command imports
what it needs when it runs, so ``missionsim --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import os
from pathlib import Path

# isort: off
# the command modules register their commands on the app, in the order --help lists them
from missionsim.cli import studies, advise, files, documents  # noqa: F401
# isort: on
from missionsim.cli.base import UserError, _echo_err, _Interrupted, _show_notes, app

__all__ = ["app", "main"]


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
