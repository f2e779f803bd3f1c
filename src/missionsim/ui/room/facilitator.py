"""The facilitator's page: the room's code, settings, proposals, comparison and advice.

Opened only through the facilitator's link (``/facilitator?key=…``, printed by ``missionsim
ui --room``); any other key gets one line and nothing else. The page shows the room code to
put on the projector, a small form of the room's settings, every proposal (names, packages,
costs against the budget), and runs in the background the room's one paired comparison
(:meth:`~missionsim.ui.room.state.Room.compare`) and a small advice search
(:class:`~missionsim.ui.room.advice.AdviceJob`). "Show to the room" hands the proposals and
results to every participant's page.

The comparison and the search belong to the room, not to the page: they carry on if the
facilitator reloads the page or opens it on another device.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qs

import solara

from missionsim.ui.fields import Field
from missionsim.ui.jobs import FINAL_STATES, failure_message
from missionsim.ui.live import choices
from missionsim.ui.room.advice import ADVICE_FUTURES, ADVICE_GENERATIONS, ADVICE_POPULATION
from missionsim.ui.room.launch import KEY_PARAMETER, current
from missionsim.ui.room.settings import REPLICATES_RANGE, RoomError
from missionsim.ui.room.shared import CSS, POLL_SECONDS, Line, ProposalTable, RoomResults
from missionsim.ui.room.state import Room


@solara.component
def Facilitator():
    """The facilitator's page, or one line when the link's key is not the room's."""
    solara.Style(CSS)
    room = current()
    router = solara.use_router()
    keys = parse_qs(router.search or "").get(KEY_PARAMETER, [])
    key = keys[0] if len(keys) == 1 else ""
    if room is None or not room.is_facilitator(key):
        solara.Error("This page needs the facilitator's link, as missionsim ui --room "
                     "printed it.", classes=["ms-room-denied"])
        return
    Console(room, key)


@solara.component
def Console(room: Room, key: str):
    """Everything the facilitator sees and does, redrawn as the room changes."""
    seen = solara.use_reactive(None)
    problem = solara.use_reactive("")

    def reading() -> tuple:
        run = room.latest(key)
        advice = room.advice(key)
        return (tuple(room.proposals(key)), room.participants(key), room.shown(),
                room.settings, run.job.progress() if run is not None else None, id(run),
                advice.reading() if advice is not None else None, id(advice))

    def poll(cancel: threading.Event) -> None:
        while not cancel.is_set():
            now = reading()
            if now != seen.value:
                seen.set(now)
            cancel.wait(POLL_SECONDS)

    solara.use_thread(poll, dependencies=[], intrusive_cancel=False)
    _ = seen.value
    settings = room.settings
    proposals = room.proposals(key)
    run = room.latest(key)
    advice = room.advice(key)
    running = run is not None and run.job.progress().state not in FINAL_STATES
    searching = advice is not None and not advice.over

    def compare() -> None:
        try:
            room.compare(key)
        except RoomError as exc:
            problem.set(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown on the page
            problem.set(failure_message(exc))
            return
        problem.set("")
        seen.set(reading())

    def search() -> None:
        from missionsim.ui.room.advice import AdviceJob

        try:
            room.start_advice(key, AdviceJob)
        except RoomError as exc:
            problem.set(str(exc))
            return
        problem.set("")
        seen.set(reading())

    def show(value: bool) -> None:
        room.show(key, value)
        seen.set(reading())

    with solara.Sidebar():
        with solara.Card("Room", margin=0, classes=["ms-room-card"]):
            Line("Room code", ["ms-room-note"])
            Line(room.code, ["ms-room-big", "ms-room-code-shown"])
            Line(f"Participants join at this server's address with the code. "
                 f"{room.participants(key)} joined.", ["ms-room-note", "ms-room-count"])
        SettingsForm(room, key, problem.set)
    if problem.value:
        solara.Error(problem.value, classes=["ms-room-error"])
    with solara.Card(f"Proposals ({len(proposals)})", margin=0,
                     classes=["ms-room-proposals-card"]):
        ProposalTable(proposals, settings.budget, "ms-room-proposals")
        with solara.Row(gap="8px", style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Button("Run the comparison", color="primary", on_click=compare,
                          disabled=running or not proposals, classes=["ms-room-compare"])
            solara.Button("Cancel", outlined=True, disabled=not running,
                          on_click=lambda: run.job.cancel(), classes=["ms-room-cancel"])
            solara.Button("Search for advice", color="primary", outlined=True,
                          on_click=search, disabled=searching, classes=["ms-room-advise"])
            solara.Switch(label="Show to the room", value=room.shown(), on_value=show,
                          classes=["ms-room-show"])
        Line(f"The comparison runs every proposal beside the baseline, "
             f"{settings.replicates} paired replicates each (common random numbers). "
             f"The advice search tries {ADVICE_POPULATION} packages a generation for "
             f"{ADVICE_GENERATIONS} generations in {ADVICE_FUTURES} futures within the "
             "budget, and draws its Pareto front beside the proposals.", ["ms-room-note"])
        if advice is not None:
            state, done, error = advice.reading()
            text = (f"Advice search: {state}, {done} of at most {advice.total} runs"
                    + (f" in {advice.seconds:.1f} s" if advice.over else "")
                    + (f": {error}" if error else ""))
            Line(text, ["ms-room-note", "ms-room-advice-state"])
    RoomResults(run, advice, settings.budget, seen.value)


@solara.component
def SettingsForm(room: Room, key: str, refuse):
    """The room's settings: scenario, budget, replicates and horizon, applied together."""
    now = room.settings
    scenario = solara.use_reactive(now.scenario)
    budget = solara.use_reactive(now.budget)
    replicates = solara.use_reactive(now.replicates)
    horizon = solara.use_reactive(now.horizon)
    saved = solara.use_reactive("")

    def apply() -> None:
        try:
            room.configure(key, scenario=scenario.value, budget=budget.value,
                           replicates=replicates.value, horizon=horizon.value)
        except RoomError as exc:
            refuse(str(exc))
            saved.set("")
            return
        refuse("")
        saved.set("Settings applied.")

    lo, hi = REPLICATES_RANGE
    with solara.Card("Room settings", margin=0, classes=["ms-room-settings"]):
        solara.Select("Scenario", values=choices(), value=scenario,
                      classes=["ms-room-scenario"])
        Field("Budget (£m, present value over the horizon)", value=budget, kind=float,
              optional=True, classes=["ms-room-budget"])
        Field(f"Replicates ({lo} to {hi})", value=replicates, optional=True,
              classes=["ms-room-replicates"])
        Field("Horizon (months)", value=horizon, optional=True, classes=["ms-room-horizon"])
        solara.Button("Apply", color="primary", on_click=apply, classes=["ms-room-apply"])
        if saved.value:
            solara.Text(saved.value, classes=["ms-room-note"])


__all__ = ["Facilitator"]
