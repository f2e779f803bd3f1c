"""The participant's page: join with the room's code, propose packages, see what is shown.

A participant is a browser session (Solara's session id, kept in a cookie, so a reload keeps
one's proposals). After joining with the code the page offers the Explore page's reform
controls (on/off, intensity, start month, within :func:`missionsim.ui.live.reform_bounds`),
the package's cost against the room's budget (:meth:`~missionsim.ui.room.state.Room.cost`),
a name, and the participant's own proposals with Edit and Withdraw. A participant runs no
study: only the facilitator compares. The proposals and results of the whole room appear once
the facilitator shows them.
"""

from __future__ import annotations

import threading

import solara

from missionsim.model.reforms import REFORMS
from missionsim.ui.fields import Field
from missionsim.ui.live import reform_bounds
from missionsim.ui.room.launch import current
from missionsim.ui.room.settings import INTENSITY_DECIMALS, RoomError, make_package
from missionsim.ui.room.shared import CSS, POLL_SECONDS, ProposalTable, RoomResults
from missionsim.ui.room.state import Proposal, Room

INTENSITY_STEP = 0.05
"""The intensity sliders' step (as on the Explore page)."""
DEFAULT_INTENSITY = 1.0
"""A reform's intensity when first switched on (its design size)."""

Rows = tuple[tuple[str, bool, float, int], ...]


def blank_rows() -> Rows:
    """Every registered reform off, at its design size from month 0."""
    return tuple((name, False, DEFAULT_INTENSITY, 0) for name in REFORMS)


def rows_of(proposal: Proposal) -> Rows:
    """The controls' rows of a proposal (to edit it)."""
    chosen = {name: (i, s) for name, i, s in proposal.package.reforms}
    return tuple((name, name in chosen, *chosen.get(name, (DEFAULT_INTENSITY, 0)))
                 for name in REFORMS)


def package_rows(rows: Rows) -> list[tuple[str, float, int]]:
    """The reforms switched on, as :func:`~missionsim.ui.room.settings.make_package` reads."""
    return [(name, intensity, start) for name, on, intensity, start in rows if on]


@solara.component
def Participant():
    """The room's join page and, once joined, the participant's page."""
    solara.Style(CSS)
    room = current()
    session = solara.get_session_id()
    joined = solara.use_reactive(room is not None and room.joined(session))
    if room is None:
        solara.Error("This server has no room; start it with missionsim ui --room",
                     classes=["ms-room-error"])
        return
    if not joined.value:
        JoinForm(room, session, lambda: joined.set(True))
        return
    Proposals(room, session)


@solara.component
def JoinForm(room: Room, session: str, on_joined):
    """The room code, typed, and Join."""
    code = solara.use_reactive("")
    problem = solara.use_reactive("")

    def join() -> None:
        try:
            room.join(session, code.value)
        except RoomError as exc:
            problem.set(str(exc))
            return
        problem.set("")
        on_joined()

    with solara.Card("Join the room", margin=0, classes=["ms-room-joincard"],
                     style={"max-width": "480px"}):
        solara.Text("Type the room code the facilitator shows.", classes=["ms-room-note"])
        solara.InputText("Room code", value=code, continuous_update=True,
                         classes=["ms-room-code"])
        solara.Button("Join", color="primary", on_click=join, classes=["ms-room-join"])
    if problem.value:
        solara.Error(problem.value, classes=["ms-room-error"])


@solara.component
def Proposals(room: Room, session: str):
    """The package controls, the cost check, one's own proposals and what is shown."""
    settings = room.settings
    rows = solara.use_reactive(blank_rows())
    name = solara.use_reactive("")
    editing = solara.use_reactive(None)  # the number of the proposal being replaced
    checked = solara.use_reactive(None)  # (package, cost) of the last cost check
    problem = solara.use_reactive("")
    done = solara.use_reactive("")
    seen = solara.use_reactive(None)

    def poll(cancel: threading.Event) -> None:
        """Redraw when the room's shared view changes (shown, hidden, new results)."""
        while not cancel.is_set():
            shared = room.shared()
            state = None if shared is None else (
                len(shared.proposals), id(shared.run),
                shared.run.job.progress().state if shared.run is not None else None,
                shared.advice.reading()[0] if shared.advice is not None else None)
            if state != seen.value:
                seen.set(state)
            cancel.wait(POLL_SECONDS)

    solara.use_thread(poll, dependencies=[], intrusive_cancel=False)
    _ = seen.value

    def change(new: Rows) -> None:
        rows.set(new)
        checked.set(None)
        problem.set("")
        done.set("")

    def check() -> None:
        try:
            package = make_package(package_rows(rows.value), settings.horizon)
            cost = room.cost(package)
        except RoomError as exc:
            problem.set(str(exc))
            return
        checked.set((package, cost))
        problem.set(room.over_budget(cost))

    def submit() -> None:
        try:
            package = make_package(package_rows(rows.value), settings.horizon)
            made = room.propose(session, name.value, package, replace=editing.value)
        except RoomError as exc:
            problem.set(str(exc))
            return
        problem.set("")
        done.set(f"Proposal {made.number}, {made.name!r}, is in (£{made.cost:,.2f}m).")
        editing.set(None)
        change_after = blank_rows()
        rows.set(change_after)
        checked.set(None)
        name.set("")

    def edit(p: Proposal) -> None:
        change(rows_of(p))
        name.set(p.name)
        editing.set(p.number)

    def withdraw(p: Proposal) -> None:
        try:
            room.withdraw(session, p.number)
        except RoomError as exc:
            problem.set(str(exc))
            return
        if editing.value == p.number:
            editing.set(None)
        done.set(f"Proposal {p.number} withdrawn.")

    try:
        current_package = make_package(package_rows(rows.value), settings.horizon)
    except RoomError:
        current_package = None
    ready = (checked.value is not None and checked.value[0] == current_package
             and not room.over_budget(checked.value[1]))
    with solara.Sidebar():
        with solara.Card(f"Your package (budget £{settings.budget:,.2f}m)", margin=0,
                         classes=["ms-room-package"]):
            solara.Text(f"Public cost in present value over {settings.horizon} months; a "
                        "package over the budget cannot be submitted.",
                        classes=["ms-room-note"])
            ReformRows(rows.value, settings.horizon, change, problem.set)
    with solara.Card("Propose", margin=0, classes=["ms-room-propose"]):
        solara.InputText("Name of your proposal", value=name, continuous_update=True,
                         classes=["ms-room-name"])
        with solara.Row(gap="8px"):
            solara.Button("Check cost", color="primary", outlined=True, on_click=check,
                          disabled=current_package is None, classes=["ms-room-check"])
            label = f"Replace proposal {editing.value}" if editing.value else "Submit"
            solara.Button(label, color="primary", on_click=submit, disabled=not ready,
                          classes=["ms-room-submit"])
            if editing.value:
                solara.Button("Stop editing", outlined=True,
                              on_click=lambda: (editing.set(None), change(blank_rows())))
        if checked.value is not None and checked.value[0] == current_package:
            cost = checked.value[1]
            solara.Text(f"Costs £{cost:,.2f}m of the £{settings.budget:,.2f}m budget.",
                        classes=["ms-room-cost"])
        elif current_package is None:
            solara.Text("Switch on at least one reform in the sidebar.",
                        classes=["ms-room-note"])
        else:
            solara.Text("Check the cost before submitting.", classes=["ms-room-note"])
    if problem.value:
        solara.Error(problem.value, classes=["ms-room-error"])
    if done.value:
        solara.Success(done.value, classes=["ms-room-done"])
    Mine(room.mine(session), settings.budget, edit, withdraw)
    shared = room.shared()
    if shared is None:
        solara.Info("The facilitator has not shown the room's proposals and results yet.",
                    classes=["ms-room-waiting"])
        return
    with solara.Card("The room's proposals and results", margin=0,
                     classes=["ms-room-shared"]):
        ProposalTable(shared.proposals, settings.budget, "ms-room-all")
        RoomResults(shared.run, shared.advice, settings.budget, seen.value)


@solara.component
def Mine(proposals: tuple[Proposal, ...], budget: float, edit, withdraw):
    """One's own proposals, each with Edit and Withdraw."""
    with solara.Card("Your proposals", margin=0, classes=["ms-room-mine"]):
        if not proposals:
            solara.Text("None yet.", classes=["ms-room-note"])
        for p in proposals:
            with solara.Row(gap="8px", classes=[f"ms-room-mine-{p.number}"],
                            style={"align-items": "center"}):
                solara.Text(f"{p.number}. {p.name}: {p.package.words()} — £{p.cost:,.2f}m"
                            + (" (over the budget)" if p.cost > budget else ""))
                solara.Button("Edit", outlined=True, dense=True,
                              on_click=lambda p=p: edit(p))
                solara.Button("Withdraw", outlined=True, dense=True,
                              on_click=lambda p=p: withdraw(p))


@solara.component
def ReformRows(rows: Rows, horizon: int, change, refuse):
    """One row per registered reform: on/off, intensity and start month."""
    lo_s, hi_s = reform_bounds(horizon)["start"]

    def set_row(i: int, **values) -> None:
        row = dict(zip(("name", "on", "intensity", "start"), rows[i], strict=True))
        row.update(values)
        new = list(rows)
        new[i] = (row["name"], row["on"], row["intensity"], row["start"])
        change(tuple(new))

    for i, (name, on, intensity, start) in enumerate(rows):
        title = REFORMS[name].title

        def set_start(value, i=i, title=title) -> None:
            if (isinstance(value, bool) or not isinstance(value, int)
                    or not lo_s <= value <= hi_s):
                refuse(f"Start month of {title}: expected a whole month from {lo_s} to "
                       f"{hi_s}, got {value}")
                return
            set_row(i, start=value)

        with solara.Column(gap="0px", classes=[f"ms-room-reform-{name}"]):
            solara.Checkbox(label=title, value=on,
                            on_value=lambda v, i=i: set_row(i, on=bool(v)))
            if on:
                lo_i, hi_i = reform_bounds(horizon, name)["intensity"]
                with solara.Row(gap="8px"):
                    solara.SliderFloat("intensity", value=intensity,
                                       min=max(lo_i, INTENSITY_STEP), max=hi_i,
                                       step=INTENSITY_STEP, thumb_label=True,
                                       on_value=lambda v, i=i: set_row(
                                           i, intensity=round(float(v), INTENSITY_DECIMALS)))
                    Field("start month", value=start, dense=True, style="max-width: 110px",
                          on_value=set_start)


__all__ = ["Participant", "blank_rows", "package_rows", "rows_of"]
