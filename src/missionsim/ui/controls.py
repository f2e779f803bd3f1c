"""The Explore page's controls: the scenario picker, the run buttons, reforms, world, places.

Each control is labelled in plain words and explains its term on hover from the shared
glossary (:mod:`missionsim.writeup.glossary` through :mod:`missionsim.ui.labels`). The
controls are generated from the registered reforms and the declared parameters; each calls
``apply`` with new :class:`~missionsim.ui.live.Settings` (the page rebuilds the model at month
0) or ``refuse`` with a one-line message.

:func:`RunButtons` is the only control that reads the step counter, so each step redraws the
buttons (and shows what they can do now: Step and Run to end are off at the end of the run or
while playing, Play becomes Replay at the end, Reset is off at month 0) without re-rendering
the other controls.
"""

from __future__ import annotations

import dataclasses

import solara

from missionsim.experiments.scenario import MAX_REPLICATES
from missionsim.model.params import uncertainties
from missionsim.model.reforms import REFORMS
from missionsim.ui import labels
from missionsim.ui.fields import Field
from missionsim.ui.live import AS_FILE, NAMED, TARGET_CHOICES, LiveRun, Settings, reform_bounds

PLACE_LABEL = "Find a place"
"""The place picker's label."""
NOTE = {"font-size": "14px", "color": "#5f6368"}
"""The style of a short note under a control or a chart."""
RUN_LABEL = "Run number (same world and events for every setting)"
"""The replicate input's label: which world and chance events the live run shows."""
INTENSITY_STEP = 0.05
"""The intensity slider's step: 5% of a reform's designed size."""
WORLD_STEPS = 50
"""Steps across a world condition's range on its slider."""


@solara.component
def Explained(term: str, children=[]):  # noqa: B006 - Solara's signature
    """The children, with the glossary's explanation of ``term`` on hover."""
    with solara.Tooltip(labels.tip(term)):
        solara.Column(children=children, gap="0px", classes=["ms-explained"],
                      style={"flex": "1 1 auto", "min-width": "0"})


@solara.component
def ScenarioPicker(choices: list[str], choice: str, on_choice):
    """The "Start from" picker: scenarios by title, the picked one's description under it."""
    with Explained("Start from"):
        solara.v.Select(label="Start from", items=labels.items(choices), v_model=choice,
                        on_v_model=on_choice, hint=labels.choice_hint(choice),
                        persistent_hint=True, class_="ms-start-from")


@solara.component
def RunButtons(run: LiveRun | None, version: solara.Reactive[int],
               playing: solara.Reactive[bool], reset, replay, step):
    """Reset, Play (Pause while playing, Replay at the end), Step and Run to end.

    Args:
        run: The live run (``None`` when it could not be built).
        version: The step counter: read here, so each step redraws the buttons.
        playing: Whether the play loop is running.
        reset: Rebuilds the run at month 0.
        replay: Rebuilds the run at month 0 and plays it.
        step: Advances the run by a number of months.
    """
    _ = version.value
    month = run.month if run is not None else 0
    finished = run is None or run.finished
    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}, classes=["ms-run-buttons"]):
        solara.Button("Reset", color="primary", outlined=True, on_click=reset,
                      disabled=run is not None and month == 0 and not playing.value)
        if playing.value:
            solara.Button("Pause", color="primary", on_click=lambda: playing.set(False))
        elif finished:
            solara.Button("Replay", color="primary", on_click=replay, disabled=run is None)
        else:
            solara.Button("Play", color="primary", on_click=lambda: playing.set(True))
        solara.Button("Step", color="primary", outlined=True,
                      disabled=playing.value or finished, on_click=lambda: step(1))
        solara.Button("Run to end", color="primary", outlined=True,
                      disabled=playing.value or finished,
                      on_click=lambda: step(run.horizon if run else 0))


@solara.component
def PlacePicker(names: tuple[str, ...], place: solara.Reactive[str | None]):
    """A searchable list of the world's places by name: type a few letters, pick one."""
    with Explained("Find a place"):
        solara.v.Autocomplete(label=PLACE_LABEL, items=list(names), v_model=place.value,
                              on_v_model=place.set, clearable=True, dense=True,
                              no_data_text="No place has that name", class_="ms-place-picker")
    solara.Text("Shows the place's own trajectory and its statistical neighbours under the "
                "network, and outlines its tile.", style=NOTE)


@solara.component
def ReplicateInput(settings: Settings, apply, refuse):
    """The run number: which world and chance events (replicate r of ``missionsim compare``)."""

    def on_value(value):
        if value is None or not 0 <= value < MAX_REPLICATES:
            refuse(f"Run number: expected a whole number from 0 to {MAX_REPLICATES - 1}, got "
                   f"{value}")
            return
        apply(dataclasses.replace(settings, replicate=int(value)))

    with Explained("Run number"):
        Field(RUN_LABEL, value=settings.replicate, on_value=on_value, classes=["ms-replicate"])


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
                        with Explained("Intensity"):
                            solara.SliderFloat("intensity", value=intensity, min=lo_i,
                                               max=hi_i, step=INTENSITY_STEP, thumb_label=True,
                                               on_value=lambda v, name=name: apply(
                                                   settings.with_reform(name,
                                                                        intensity=float(v))))
                        with Explained("Start month"):
                            Field("start month", value=start, on_value=set_start, dense=True,
                                  style="max-width: 110px")
                    if REFORMS[name].targetable:
                        TargetControls(settings, name, names, apply)


@solara.component
def TargetControls(settings: Settings, name: str, names, apply):
    """Where a reform acts: a choice of places, and the places picked for "named places"."""
    where, picked = settings.target_of(name)
    values = [*TARGET_CHOICES, *([AS_FILE] if where == AS_FILE else [])]
    with Explained("Where it acts"):
        solara.Select("where it acts", values=values, value=where,
                      classes=[f"ms-where-{name}"],
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
    with solara.Details("World conditions (nobody in the room controls these)", expand=False):
        solara.Text(labels.tip("World conditions"), style=NOTE)
        for p in uncertainties():
            value = current.get(p.name, p.default)
            label = f"{p.meaning} ({p.unit})" if p.unit else p.meaning

            def on_value(v, p=p):
                apply(settings.with_param(p.name, p.kind(v)))

            if p.kind is int:
                solara.SliderInt(label, value=int(value), min=int(p.low), max=int(p.high),
                                 on_value=on_value, thumb_label=True)
            else:
                step = (p.high - p.low) / WORLD_STEPS
                solara.SliderFloat(label, value=float(value), min=p.low, max=p.high,
                                   step=step, on_value=on_value, thumb_label=True)
        solara.Text("Defaults come from docs/model.md section 8; the Explain page lists the "
                    "sources.", style=NOTE)
