"""The Explore page: one live model, stepped month by month while the room watches.

State lives in session-scoped reactive variables (:mod:`missionsim.ui.session`), so every
browser session has its own model (Mesa's ``SolaraViz`` shares one module-level model between
sessions) and finds it again, at the same month, after visiting another page. The controls
(:mod:`missionsim.ui.controls`) are generated from the registered reforms and the declared
parameters; any change rebuilds the model at month 0 through
:class:`missionsim.ui.live.LiveRun`, the same path as ``missionsim run``. "Add this set-up to
Compare" hands the current settings to the Compare page as one of its scenarios.

A place picker in the sidebar names every place of the world (England's councils on
``england_councils``, "Place 1", "Place 2", … on a drawn world); the picked place's own
trajectory and its statistical neighbours are shown under the network, and its tile is
outlined on the places chart.

Only :func:`LiveView` and the run buttons read the step counter, so stepping redraws the
charts, the headline and the buttons without re-rendering the other controls. The play loop
steps the model in its own thread while the page redraws in another, so a redraw reads the
run's latest
:class:`~missionsim.experiments.live.Snapshot` once and draws everything from it, never from the
model itself; and each panel draws inside its own guard
(:func:`missionsim.ui.guard.panel_markup`), so a failure shows a line in that panel rather than
replacing the page, with the whole view inside a second one (:func:`Boundary`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from html import escape

import solara

from missionsim.experiments.live import Snapshot
from missionsim.experiments.scenario import ScenarioError
from missionsim.ui import compare, session
from missionsim.ui.controls import (
    NOTE,
    PLACE_LABEL,
    Explained,
    PlacePicker,
    ReformControls,
    ReplicateInput,
    RunButtons,
    ScenarioPicker,
    WorldControls,
)
from missionsim.ui.figure import LiveChart, NetworkPanel
from missionsim.ui.guard import failure_markup, panel_markup
from missionsim.ui.labels import tip
from missionsim.ui.live import LiveRun, Settings, choices, headline_text
from missionsim.ui.places import neighbours_markup, place_index
from missionsim.ui.session import SPEEDS, model_error

log = logging.getLogger(__name__)


@solara.component
def Explore():
    """The Explore page; its state is the session's (:mod:`missionsim.ui.session`)."""
    settings, live, error = session.settings, session.live, session.error
    version, playing, speed, place = (session.version, session.playing, session.speed,
                                      session.place)

    def apply(new: Settings) -> bool:
        """Rebuild the model at month 0 with new settings, or say why not."""
        try:
            run = LiveRun(new.scenario(), new.replicate)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            if not isinstance(exc, ScenarioError | ValueError):
                log.exception("building the model failed")
            error.set(model_error(exc))
            return False
        playing.set(False)
        settings.set(new)
        live.set(run)
        session.start.set(None)  # the first run is no longer needed: let it go
        if place_index(run.places, place.value) is None:
            place.set(None)  # a place of the old world only
        error.set("")
        session.added.set("")
        version.set(version.value + 1)
        return True

    def refuse(message: str) -> None:
        error.set(message)

    def replay() -> None:
        if apply(settings.value):
            playing.set(True)

    def step(months: int) -> None:
        run = live.value
        if run is None:
            return
        try:
            run.step(months)
        except Exception as exc:  # noqa: BLE001
            log.exception("stepping the model failed")
            playing.set(False)
            error.set(model_error(exc))
        version.set(version.value + 1)

    def play_loop(cancel: threading.Event) -> None:
        if not playing.value:
            return
        run = live.value
        while not cancel.is_set() and playing.value and run is not None and not run.finished:
            months, pause = SPEEDS[speed.value]
            started = time.perf_counter()
            step(months)
            if run is not live.value:
                return
            # rest at least as long as the step and its redraw took, so clicks (Pause, Reset)
            # are handled promptly even when a slow machine cannot keep up with the speed
            elapsed = time.perf_counter() - started
            cancel.wait(max(0.02, pause - elapsed, elapsed))
        if not cancel.is_set():
            playing.set(False)

    def add_to_compare() -> None:
        try:
            session.added.set(compare.add_setup(settings.value))
        except Exception as exc:  # noqa: BLE001 - shown in the page
            if not isinstance(exc, ScenarioError | ValueError):
                log.exception("adding the set-up to Compare failed")
            error.set(model_error(exc))

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    run = live.value
    with solara.Sidebar():
        with solara.Card("Scenario", margin=0):
            ScenarioPicker(choices(), settings.value.choice,
                           lambda c: apply(Settings.start(c)))
            ReplicateInput(settings.value, apply, refuse)
            RunButtons(run, version, playing, lambda: apply(settings.value), replay, step)
            with Explained("Play speed"):
                solara.Select(label="Play speed", values=list(SPEEDS), value=speed)
            solara.Text("Changing any setting restarts the run at month 0.", style=NOTE)
            solara.Button("Add this set-up to Compare", color="primary", text=True,
                          on_click=add_to_compare, classes=["ms-add-to-compare"])
            if session.added.value:
                solara.Text(f"Added to Compare as \u201c{session.added.value}\u201d.",
                            style=NOTE, classes=["ms-added"])
        if run is not None:
            with solara.Card("Place", margin=0):
                PlacePicker(run.places.names, place)
        ReformControls(settings.value, run.horizon if run else 120, apply, refuse,
                       run.places.names if run is not None else ())
        WorldControls(settings.value, apply)
    if error.value:
        solara.Error(error.value, classes=["ms-error"])
    if run is not None:
        with Boundary("charts", run):
            LiveView(run, version, place)


HEADLINE_CSS = """
.ms-headline { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 8px; }
.ms-stat { background: #f1f3f4; border-radius: 6px; padding: 6px 12px; min-width: 120px; }
.ms-stat .label { font-size: 14px; color: #5f6368; }
.ms-stat .value { font-size: 1.5em; font-weight: 500; color: #202124; }
.ms-chart { width: 100%; }
.ms-panel-failed { color: #5f6368; font-size: 14px; margin: 8px 0; }
.ms-place-neighbours table { border-collapse: collapse; width: 100%; font-size: 14px; }
.ms-place-neighbours th, .ms-place-neighbours td { text-align: left; padding: 2px 8px 2px 0; }
.ms-place-neighbours th { color: #5f6368; font-weight: 500; border-bottom: 1px solid #e8eaed; }
.ms-place-neighbours .ms-ahead td:last-child { color: #1a9850; }
.ms-place-neighbours .ms-behind td:last-child { color: #d73027; }
.ms-note, .ms-no-neighbours, .ms-place-summary { color: #5f6368; font-size: 14px; }
"""


@solara.component
def Boundary(name: str, key: object, children=[]):  # noqa: B006 - Solara's signature
    """The children, or a one-line message in their place if rendering them raised.

    The second guard after :func:`~missionsim.ui.guard.panel_markup`, which catches every
    drawing's errors: an error raised while rendering the view itself (outside any panel's
    drawing) shows here, with a button to draw it again, instead of replacing the whole page
    with a traceback. Solara's renderer logs each such error with its traceback. The message
    stays until the button is pressed or ``key`` changes.

    Args:
        name: What the children show, for the message.
        key: Tried again when this changes (the live run: a new run at Reset or a new setting).
        children: The view.
    """
    exc, clear = solara.use_exception()
    solara.use_effect(lambda: clear() if exc is not None else None, [key])
    if exc is None:
        solara.Column(children=children, style={"width": "100%"})
        return
    # a Row: with a Column in both branches the renderer would render the failed children again
    with solara.Row(classes=["ms-view-failed"], style={"align-items": "center"}):
        solara.HTML(tag="div", unsafe_innerHTML=failure_markup(name, exc))
        solara.Button("Draw again", color="primary", outlined=True, on_click=clear)


@solara.component
def LiveView(run: LiveRun, version: solara.Reactive[int], place: solara.Reactive[str | None]):
    """Headline figures and every chart of the live run (redrawn at each step)."""
    _ = version.value  # redraw when the model steps
    frame = run.frame  # one snapshot for the whole redraw: every panel shows the same month
    picked = place_index(run.places, place.value)
    solara.Style(HEADLINE_CSS)
    Headline(run, frame)
    # two equal columns: at 1280 pixels every chart is wide enough for 14-pixel text
    with solara.Columns([1, 1]):
        with solara.Column():
            LiveChart(run, "trajectory_chart", "trajectory", frame)
            LiveChart(run, "workforce_chart", "workforce", frame)
            LiveChart(run, "finance_chart", "finance", frame)
            LiveChart(run, "charities_chart", "charities", frame)
        with solara.Column():
            NetworkPanel(run, frame, picked, place)
            Chart(lambda: run.places_svg(frame, picked), "places")
            PlaceView(run, frame, picked)


@solara.component
def PlaceView(run: LiveRun, frame: Snapshot, picked: int | None):
    """The picked place: its own trajectory and its statistical neighbours (or a hint)."""
    if picked is None:
        solara.Text(f"Pick a place in the sidebar ({PLACE_LABEL}) to see its own trajectory "
                    "to the target and its statistical neighbours.", style=NOTE,
                    classes=["ms-place-hint"])
        return
    name = run.places.names[picked]
    solara.HTML(tag="p", classes=["ms-place-summary"], unsafe_innerHTML=panel_markup(
        lambda: escape(run.place_summary(picked, frame)), "place summary"))
    LiveChart(run, "place_chart", "place", frame, (picked,))
    solara.HTML(tag="div", classes=["ms-place-neighbours"], unsafe_innerHTML=panel_markup(
        lambda: neighbours_markup(run.neighbours(picked, frame), name, run.mission),
        "neighbours"))


STATS = (("month", "month", "month"), ("true value", "true", "true"),
         ("reported value", "reported", "reported"), ("target", "target", "target"),
         ("on course for", "trajectory", "trajectory"),
         ("places on track", "on_track", "on-track"), ("spent so far", "spend", "spend"),
         ("charities closed", "closures", "closures"))
"""The headline figures: label (a glossary term, explained on hover), key of
:func:`headline_text`, and CSS class suffix."""


def headline_markup(run: LiveRun, frame: Snapshot) -> str:
    """The headline figures of a snapshot as HTML."""
    text = headline_text(run.headline(frame))
    return "".join(f'<div class="ms-stat ms-{name}" title="{escape(tip(label))}">'
                   f'<div class="label">{label}</div>'
                   f'<div class="value">{escape(text[key])}</div></div>'
                   for label, key, name in STATS)


@solara.component
def Headline(run: LiveRun, frame: Snapshot):
    """The headline figures, always on show."""
    solara.HTML(tag="div", classes=["ms-headline"],
                unsafe_innerHTML=panel_markup(lambda: headline_markup(run, frame), "headline"))


@solara.component
def Chart(draw: Callable[[], str], name: str):
    """An SVG chart (the places' tile map) in a div the tests and screenshots find by name.

    Args:
        draw: Builds the chart's markup; if it fails the div holds a one-line message.
        name: The chart's name (its div has the class ``ms-chart-<name>``).
    """
    solara.HTML(tag="div", classes=["ms-chart", f"ms-chart-{name}"],
                unsafe_innerHTML=panel_markup(draw, name))


__all__ = ["Explore"]
