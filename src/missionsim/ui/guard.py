"""Guards around what the browser app draws: a failure shows in its own panel, logged once.

Nothing here depends on Solara. Each panel of the Explore page is drawn inside
:func:`panel_markup`: if its drawing raises, the panel shows a one-line message instead and the
rest of the page carries on; the server's log gets the error with its traceback once
(:func:`first_report`), however often the panel fails (a failing panel fails at every frame
of a play, five a second, in every session).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable
from html import escape

log = logging.getLogger(__name__)

PANEL_MESSAGE_CHARS = 200
"""Longest error text shown in a panel that could not be drawn (the log has the rest)."""

LOGGED_FAILURES = 256
"""Distinct drawing failures remembered, so each is logged once (the oldest are forgotten)."""

_logged: OrderedDict[tuple[str, str, str, int], None] = OrderedDict()
_logged_lock = threading.Lock()


def first_report(name: str, exc: BaseException) -> bool:
    """Whether this failure of panel ``name`` is new: not yet logged by this server.

    A failure is the panel, the error's type and the line that raised it, so a panel that
    fails at every frame of a play (five a second, in every session) is logged once, not
    thousands of times.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = (frames[-1].filename, frames[-1].lineno or 0) if frames else ("", 0)
    key = (name, type(exc).__name__, *where)
    with _logged_lock:
        if key in _logged:
            _logged.move_to_end(key)
            return False
        _logged[key] = None
        while len(_logged) > LOGGED_FAILURES:
            _logged.popitem(last=False)
        return True


def failure_markup(name: str, exc: BaseException) -> str:
    """The one-line message shown in place of a panel that failed."""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:PANEL_MESSAGE_CHARS]
    return (f'<p class="ms-panel-failed">The {escape(name)} panel could not be drawn '
            f"this month ({escape(detail)}).</p>")


def report_failure(name: str, exc: BaseException) -> None:
    """Log a drawing failure: with its traceback the first time, at debug level after."""
    if first_report(name, exc):
        log.warning("drawing the %s panel failed", name, exc_info=exc)
    else:
        log.debug("drawing the %s panel failed again: %s: %s", name, type(exc).__name__, exc)


def panel_markup(draw: Callable[[], str], name: str) -> str:
    """The markup ``draw`` returns, or a one-line message in its place if it fails.

    The failure is logged to the server's log with its traceback at warning level, once
    (:func:`first_report`); the page keeps every other panel and the controls.

    Args:
        draw: Builds the panel's markup.
        name: The panel's name, for the message and the log.
    """
    try:
        return draw()
    except Exception as exc:  # noqa: BLE001 - one panel's failure must not take the page down
        report_failure(name, exc)
        return failure_markup(name, exc)


__all__ = ["failure_markup", "first_report", "panel_markup", "report_failure"]
