"""The Compare page: comparing scenarios side by side (in development)."""

from __future__ import annotations

import solara


@solara.component
def Compare():
    """The Compare page."""
    solara.Text("Compare scenarios: use missionsim compare on the command line for now.")
