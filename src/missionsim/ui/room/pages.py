"""The room's routes and layout: the join page at ``/``, the facilitator's at ``/facilitator``.

In room mode the app serves these pages only (with Explain): Explore and Compare, which run
models and studies in each session, are not offered, so only the facilitator starts studies.
"""

from __future__ import annotations

import solara

from missionsim import __version__
from missionsim.ui.projector import ProjectorStyle
from missionsim.ui.room.launch import FACILITATOR_PATH, current

TITLE = "missionsim room"
"""The room's pages' title."""
COLOUR = "#1f4e79"
"""The app bar's colour (the app's blue)."""


@solara.component
def RoomLayout(children=[]):  # noqa: B006 - Solara's layout signature
    """The room's frame: a title with the room code, then the page."""
    room = current()
    code = f" · room {room.code}" if room is not None else ""
    solara.Title(TITLE)
    with solara.AppBarTitle():
        solara.Text(f"missionsim {__version__} · room{code}")
    page = solara.Column(children=[ProjectorStyle(), *children], style={"width": "100%"})
    solara.AppLayout(children=[page], navigation=False, color=COLOUR)


def room_routes() -> list[solara.Route]:
    """The room's routes (the server's one room is built here, from the command's opening)."""
    from missionsim.ui.explain import Explain
    from missionsim.ui.room.facilitator import Facilitator
    from missionsim.ui.room.participant import Participant

    current()
    return [solara.Route(path="/", component=Participant, label="Room", layout=RoomLayout),
            solara.Route(path=FACILITATOR_PATH, component=Facilitator, label="Facilitator"),
            solara.Route(path="explain", component=Explain, label="Explain")]


__all__ = ["RoomLayout", "room_routes"]
