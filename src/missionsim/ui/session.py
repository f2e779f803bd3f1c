"""The Explore page's state for one browser session, kept while the user visits other pages.

Solara's module-level reactive variables are scoped to the browser session (its kernel), like
the Compare page's (:mod:`missionsim.ui.compare`): every session has its own values, and they
outlive the page's component, so going to Explain and back finds the same settings, the same
live run at the same month, the same picked place and play speed. The first live run of a
session is built when the session first reads it (:func:`initial_run`), never shared.
"""

from __future__ import annotations

import logging
from typing import Any

import solara
from solara.toestand import KernelStoreFactory, Reactive

from missionsim.experiments.scenario import ScenarioError
from missionsim.ui.live import LiveRun, Settings, choices

log = logging.getLogger(__name__)

DEFAULT_CHOICE = "baseline"
"""The scenario the page starts from (else the first choice)."""
SPEEDS = {"slow (2 months a second)": (1, 0.5), "normal (5 a second)": (1, 0.2),
          "fast (20 a second)": (2, 0.1), "fastest": (6, 0.0)}
"""Play speeds: months per frame and seconds between frames."""
DEFAULT_SPEED = "normal (5 a second)"
"""The play speed when a session starts."""


def model_error(exc: BaseException) -> str:
    """A readable one-line message for an error raised while building or stepping."""
    if isinstance(exc, ScenarioError | ValueError):
        return str(exc)
    return f"The model stopped with an error: {type(exc).__name__}: {exc}"


def initial_run() -> tuple[Settings, LiveRun | None, str]:
    """A new session's settings, live run (``None`` if it failed) and message."""
    choice = DEFAULT_CHOICE if DEFAULT_CHOICE in choices() else choices()[0]
    settings = Settings.start(choice)
    try:
        return settings, LiveRun(settings.scenario(), settings.replicate), ""
    except Exception as exc:  # noqa: BLE001 - shown in the page
        log.exception("building the initial model failed")
        return settings, None, model_error(exc)


def _per_session(name: str, factory) -> Reactive[Any]:
    """A reactive variable of each browser session, first set by ``factory()`` in it."""
    return Reactive(KernelStoreFactory(factory, key=f"{__name__}:{name}"))


start: Reactive[tuple[Settings, LiveRun | None, str] | None] = _per_session("start", initial_run)
"""The session's first settings, run and message (built once, on first reading; the page sets
it to ``None`` once it has built another run, so that the first is not kept)."""
settings: Reactive[Settings] = _per_session("settings", lambda: start.value[0])
"""What the controls set."""
live: Reactive[LiveRun | None] = _per_session("live", lambda: start.value[1])
"""The live run the page shows."""
error: Reactive[str] = _per_session("error", lambda: start.value[2])
"""The one-line message on show ('' for none)."""
version: Reactive[int] = solara.reactive(0)
"""The step counter: bumped at each step, so the charts and the run buttons redraw."""
playing: Reactive[bool] = solara.reactive(False)
"""Whether the play loop runs (it resumes when the user comes back to the page)."""
speed: Reactive[str] = solara.reactive(DEFAULT_SPEED)
"""The play speed (a key of :data:`SPEEDS`)."""
place: Reactive[str | None] = solara.reactive(None)
"""The picked place's name."""
added: Reactive[str] = solara.reactive("")
"""The title of the set-up last added to the Compare page ('' for none)."""
