"""The Solara app: ``solara run missionsim.ui.app`` (``missionsim ui`` does this for you).

Four pages share one layout: **Explore** (one live model, stepped month by month),
**Compare** (2–4 scenarios over paired replicates, run in the background), **Advise** (the
best package within a budget, searched in the background) and **Explain** (the model in plain
language, read from ``docs/model.md``). ``missionsim ui --room`` serves the room's pages
instead (:mod:`missionsim.ui.room`). Every piece of state is per browser session: Explore's
in :mod:`missionsim.ui.session`, Compare's and Advise's in session-scoped reactive variables
(so a study keeps running while the user visits another page).
"""

from __future__ import annotations

import os

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import solara  # noqa: E402

from missionsim import __version__  # noqa: E402
from missionsim.ui.advice import Advise  # noqa: E402
from missionsim.ui.compare import Compare  # noqa: E402
from missionsim.ui.explain import Explain  # noqa: E402
from missionsim.ui.explore import Explore  # noqa: E402
from missionsim.ui.projector import ProjectorStyle  # noqa: E402
from missionsim.ui.room.launch import room_mode  # noqa: E402


@solara.component
def Navigation(current, all_routes):
    """The title and one tab per page, placed in the app bar."""
    label = current.label if current is not None else all_routes[0].label
    solara.Title(f"missionsim — {label}")
    with solara.AppBarTitle():
        solara.Text(f"missionsim {__version__} · mission delivery workshop")
    with solara.AppBar():
        # inside a row, the tabs sit in the bar itself rather than in a second row under it,
        # which leaves 48 px more of a 720 px projector for the page
        with solara.Row(style={"background": "transparent"}):
            with solara.lab.Tabs(align="center", dark=True, background_color="#1f4e79"):
                for route in all_routes:
                    solara.lab.Tab(route.label, path_or_route=route)


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """The app's frame: the app bar with the page tabs, then the page."""
    current, all_routes = solara.use_route()
    page = solara.Column(children=[ProjectorStyle(), Navigation(current, all_routes), *children],
                         style={"width": "100%"})
    solara.AppLayout(children=[page], navigation=False, color="#1f4e79")  # our tabs, not its own


routes = [
    # the root route's layout frames every page
    solara.Route(path="/", component=Explore, label="Explore", layout=Layout),
    solara.Route(path="compare", component=Compare, label="Compare"),
    solara.Route(path="advise", component=Advise, label="Advise"),
    solara.Route(path="explain", component=Explain, label="Explain"),
]

if room_mode():  # missionsim ui --room: the room's pages (join, facilitator) and Explain only
    from missionsim.ui.room.pages import room_routes

    routes = room_routes()
