"""The Explore page: one live model, stepped month by month while the room watches.

State lives in the page's own hooks, so every browser session has its own model (Mesa's
``SolaraViz`` shares one module-level model between sessions). The controls are generated from
the registered reforms and the declared parameters; any change rebuilds the model at month 0
through :class:`missionsim.ui.live.LiveRun`, the same path as ``missionsim run``.

A place picker in the sidebar names every place of the world (England's councils on
``england_councils``, "Place 1", "Place 2", … on a drawn world); the picked place's own
trajectory and its statistical neighbours are shown under the network, and its tile is
outlined on the places chart.

Only :func:`LiveView` reads the step counter, so stepping redraws the charts and the headline
without re-rendering the controls. The play loop steps the model in its own thread while the
page redraws in another, so a redraw reads the run's latest
:class:`~missionsim.experiments.live.Snapshot` once and draws everything from it, never from the
model itself; and each panel draws inside its own guard
(:func:`missionsim.ui.guard.panel_markup`), so a failure shows a line in that panel rather than
replacing the page, with the whole view inside a second one (:func:`Boundary`).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from html import escape

import solara

from missionsim.experiments.live import Snapshot
from missionsim.experiments.scenario import MAX_REPLICATES, ScenarioError
from missionsim.model.params import uncertainties
from missionsim.model.reforms import REFORMS
from missionsim.ui.guard import failure_markup, panel_markup
from missionsim.ui.live import (
    AS_FILE,
    NAMED,
    TARGET_CHOICES,
    LiveRun,
    Settings,
    choices,
    headline_text,
    reform_bounds,
)
from missionsim.ui.places import neighbours_markup, place_index

log = logging.getLogger(__name__)

DEFAULT_CHOICE = "baseline"
SPEEDS = {"slow (2 months a second)": (1, 0.5), "normal (5 a second)": (1, 0.2),
          "fast (20 a second)": (2, 0.1), "fastest": (6, 0.0)}
"""Play speeds: months per frame and seconds between frames."""

PLACE_LABEL = "Find a place"
"""The place picker's label."""
NOTE = {"font-size": "0.85em", "color": "#5f6368"}
"""The style of a short note under a control or a chart."""


def model_error(exc: BaseException) -> str:
    """A readable one-line message for an error raised while building or stepping."""
    if isinstance(exc, ScenarioError | ValueError):
        return str(exc)
    return f"The model stopped with an error: {type(exc).__name__}: {exc}"


def _initial_run() -> tuple[Settings, LiveRun | None, str]:
    choice = DEFAULT_CHOICE if DEFAULT_CHOICE in choices() else choices()[0]
    settings = Settings.start(choice)
    try:
        return settings, LiveRun(settings.scenario(), settings.replicate), ""
    except Exception as exc:  # noqa: BLE001 - shown in the page
        log.exception("building the initial model failed")
        return settings, None, model_error(exc)


@solara.component
def Explore():
    """The Explore page."""
    first = solara.use_memo(_initial_run, [])
    settings = solara.use_reactive(first[0])
    live = solara.use_reactive(first[1])
    error = solara.use_reactive(first[2])
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal (5 a second)")
    place = solara.use_reactive(None)  # the picked place's name

    def apply(new: Settings) -> None:
        """Rebuild the model at month 0 with new settings, or say why not."""
        try:
            run = LiveRun(new.scenario(), new.replicate)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            if not isinstance(exc, ScenarioError | ValueError):
                log.exception("building the model failed")
            error.set(model_error(exc))
            return
        playing.set(False)
        settings.set(new)
        live.set(run)
        if place_index(run.places, place.value) is None:
            place.set(None)  # a place of the old world only
        error.set("")
        version.set(version.value + 1)

    def refuse(message: str) -> None:
        error.set(message)

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

    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    run = live.value
    finished = run is None or run.finished
    with solara.Sidebar():
        with solara.Card("Scenario", margin=0):
            solara.Select(label="Start from", values=choices(), value=settings.value.choice,
                          on_value=lambda c: apply(Settings.start(c)))
            ReplicateInput(settings.value, apply, refuse)
            with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
                solara.Button("Reset", color="primary", outlined=True,
                              on_click=lambda: apply(settings.value))
                solara.Button("Pause" if playing.value else "Play", color="primary",
                              disabled=finished and not playing.value,
                              on_click=lambda: playing.set(not playing.value))
                solara.Button("Step", color="primary", outlined=True,
                              disabled=playing.value or finished, on_click=lambda: step(1))
                solara.Button("Run to end", color="primary", outlined=True,
                              disabled=playing.value or finished,
                              on_click=lambda: step(run.horizon if run else 0))
            solara.Select(label="Play speed", values=list(SPEEDS), value=speed)
            solara.Text("Changing any setting restarts the run at month 0.", style=NOTE)
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


@solara.component
def PlacePicker(names: tuple[str, ...], place: solara.Reactive[str | None]):
    """A searchable list of the world's places by name: type a few letters, pick one."""
    solara.v.Autocomplete(label=PLACE_LABEL, items=list(names), v_model=place.value,
                          on_v_model=place.set, clearable=True, dense=True,
                          no_data_text="No place has that name", class_="ms-place-picker")
    solara.Text("Shows the place's own trajectory and its statistical neighbours under the "
                "network, and outlines its tile.", style=NOTE)


@solara.component
def ReplicateInput(settings: Settings, apply, refuse):
    """The replicate number: which world and shocks (as in ``missionsim compare``)."""

    def on_value(value):
        if value is None or not 0 <= value < MAX_REPLICATES:
            refuse(f"Replicate: expected a whole number from 0 to {MAX_REPLICATES - 1}, got "
                   f"{value}")
            return
        apply(dataclasses.replace(settings, replicate=int(value)))

    solara.InputInt("Replicate (world and shocks)", value=settings.replicate,
                    on_value=on_value, continuous_update=False, classes=["ms-replicate"])


@solara.component
def ReformControls(settings: Settings, horizon: int, apply, refuse, names=()):
    """One row per registered reform: on/off, intensity, start month and where it acts."""
    bounds = reform_bounds(horizon)
    lo_s, hi_s = bounds["start"]
    with solara.Card("Reforms", margin=0, classes=["ms-reforms"]):
        for name, on, intensity, start in settings.reforms:
            title = REFORMS[name].title

            def set_start(value, name=name, title=title):
                if value is None or not lo_s <= value <= hi_s:
                    refuse(f"Start month of {title}: expected a whole month from {lo_s} to "
                           f"{hi_s}, got {value}")
                    return
                apply(settings.with_reform(name, start=int(value)))

            with solara.Column(gap="0px", classes=[f"ms-reform-{name}"]):
                solara.Checkbox(label=title, value=on,
                                on_value=lambda v, name=name: apply(
                                    settings.with_reform(name, on=bool(v))))
                if on:
                    lo_i, hi_i = reform_bounds(horizon, name)["intensity"]
                    with solara.Row(gap="8px"):
                        solara.SliderFloat("intensity", value=intensity, min=lo_i, max=hi_i,
                                           step=0.05, thumb_label=True,
                                           on_value=lambda v, name=name: apply(
                                               settings.with_reform(name, intensity=float(v))))
                        solara.InputInt("start month", value=start, on_value=set_start,
                                        continuous_update=False, dense=True,
                                        style={"max-width": "110px"})
                    if REFORMS[name].targetable:
                        TargetControls(settings, name, names, apply)


@solara.component
def TargetControls(settings: Settings, name: str, names, apply):
    """Where a reform acts: a choice of places, and the places picked for "named places"."""
    where, picked = settings.target_of(name)
    values = [*TARGET_CHOICES, *([AS_FILE] if where == AS_FILE else [])]
    solara.Select("where it acts", values=values, value=where, classes=[f"ms-where-{name}"],
                  on_value=lambda v: apply(settings.with_target(name, v, picked)))
    if where == NAMED:
        solara.SelectMultiple("places", values=list(picked), all_values=list(names),
                              classes=[f"ms-places-{name}"],
                              on_value=lambda v: apply(settings.with_target(name, NAMED,
                                                                            tuple(v))))
        if not picked:
            solara.Text("Pick at least one place; until then it acts everywhere.", style=NOTE)


@solara.component
def WorldControls(settings: Settings, apply):
    """Uncertain conditions of the world, bounded by the parameter definitions."""
    current = dict(settings.params)
    with solara.Details("World conditions (uncertainties)", expand=False):
        for p in uncertainties():
            value = current.get(p.name, p.default)
            label = f"{p.meaning} ({p.unit})" if p.unit else p.meaning

            def on_value(v, p=p):
                apply(settings.with_param(p.name, p.kind(v)))

            if p.kind is int:
                solara.SliderInt(label, value=int(value), min=int(p.low), max=int(p.high),
                                 on_value=on_value, thumb_label=True)
            else:
                step = (p.high - p.low) / 50
                solara.SliderFloat(label, value=float(value), min=p.low, max=p.high,
                                   step=step, on_value=on_value, thumb_label=True)
        solara.Text("Defaults come from docs/model.md section 8; the Explain page lists the "
                    "sources.", style=NOTE)


HEADLINE_CSS = """
.ms-headline { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 8px; }
.ms-stat { background: #f1f3f4; border-radius: 6px; padding: 6px 12px; min-width: 120px; }
.ms-stat .label { font-size: 0.8em; color: #5f6368; }
.ms-stat .value { font-size: 1.5em; font-weight: 500; color: #202124; }
.ms-chart { width: 100%; }
.ms-panel-failed { color: #5f6368; font-size: 0.9em; margin: 8px 0; }
.ms-place-neighbours table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
.ms-place-neighbours th, .ms-place-neighbours td { text-align: left; padding: 2px 8px 2px 0; }
.ms-place-neighbours th { color: #5f6368; font-weight: 500; border-bottom: 1px solid #e8eaed; }
.ms-place-neighbours .ms-ahead td:last-child { color: #1a9850; }
.ms-place-neighbours .ms-behind td:last-child { color: #d73027; }
.ms-note, .ms-no-neighbours, .ms-place-summary { color: #5f6368; font-size: 0.9em; }
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
    with solara.Columns([3, 2]):
        with solara.Column():
            Chart(lambda: run.trajectory_svg(frame), "trajectory")
            with solara.Columns([1, 1]):
                Chart(lambda: run.workforce_svg(frame), "workforce")
                Chart(lambda: run.finance_svg(frame), "finance")
            with solara.Columns([1, 1]):
                Chart(lambda: run.charities_svg(frame), "charities")
                Chart(lambda: run.places_svg(frame, picked), "places")
        with solara.Column():
            Chart(lambda: run.network_svg(frame), "network")
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
    Chart(lambda: run.place_svg(picked, frame), "place")
    solara.HTML(tag="div", classes=["ms-place-neighbours"], unsafe_innerHTML=panel_markup(
        lambda: neighbours_markup(run.neighbours(picked, frame), name, run.mission),
        "neighbours"))


STATS = (("month", "month", "month"), ("true value", "true", "true"),
         ("reported value", "reported", "reported"), ("target", "target", "target"),
         ("trajectory now", "trajectory", "trajectory"),
         ("places on track", "on_track", "on-track"), ("spent so far", "spend", "spend"),
         ("charities closed", "closures", "closures"))
"""The headline figures: label, key of :func:`headline_text`, and CSS class suffix."""


def headline_markup(run: LiveRun, frame: Snapshot) -> str:
    """The headline figures of a snapshot as HTML."""
    text = headline_text(run.headline(frame))
    return "".join(f'<div class="ms-stat ms-{name}"><div class="label">{label}</div>'
                   f'<div class="value">{escape(text[key])}</div></div>'
                   for label, key, name in STATS)


@solara.component
def Headline(run: LiveRun, frame: Snapshot):
    """The headline figures, always on show."""
    solara.HTML(tag="div", classes=["ms-headline"],
                unsafe_innerHTML=panel_markup(lambda: headline_markup(run, frame), "headline"))


@solara.component
def Chart(draw: Callable[[], str], name: str):
    """An SVG chart in a div the tests and screenshots can find by name.

    Args:
        draw: Builds the chart's markup; if it fails the div holds a one-line message.
        name: The chart's name (its div has the class ``ms-chart-<name>``).
    """
    solara.HTML(tag="div", classes=["ms-chart", f"ms-chart-{name}"],
                unsafe_innerHTML=panel_markup(draw, name))


__all__ = ["Explore"]
