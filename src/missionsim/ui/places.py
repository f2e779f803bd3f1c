"""One place of a live run: its own trajectory to the target and its statistical neighbours.

Pure functions of a run's :class:`~missionsim.experiments.live.PlaceFacts` (names, neighbours,
starting values) and a :class:`~missionsim.experiments.live.Snapshot`'s outcomes; nothing here
reads the model or depends on Solara. The Explore page's place picker
(:mod:`missionsim.ui.explore`) shows what these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np

from missionsim.experiments.live import PlaceFacts
from missionsim.model.missions import Mission
from missionsim.writeup.summary import level

AHEAD, BEHIND, LEVEL = "ahead", "behind", "level"
"""How a neighbour compares with the picked place."""

NO_NEIGHBOURS = ("This world has no statistical neighbours: its places are drawn at random, "
                 "not real councils. Start from “world: england_councils” to see England’s "
                 "councils and their neighbours.")
"""What the page says instead of a neighbour table on a drawn world."""

NOT_SHOWN = "–"
"""Shown for a change that cannot be worked out (a count that started at zero)."""


def place_index(facts: PlaceFacts, name: str | None) -> int | None:
    """The row of the place called ``name``, or ``None`` when no place has that name."""
    if not name:
        return None
    try:
        return facts.names.index(name)
    except ValueError:
        return None


def place_path(facts: PlaceFacts, place: int, months: np.ndarray) -> np.ndarray:
    """Place ``place``'s own trajectory at each of ``months`` (as the model computed it)."""
    return facts.paths[np.asarray(months, dtype=int), place]


def amount(delta: float, mission: Mission, signed: bool = True) -> str:
    """A difference in the indicator's unit: "+1.2 points" for a share, "-35 people" for a count."""
    sign = "+" if signed else ""
    if mission.unit == "%":
        return f"{delta:{sign}.1f} points"
    return f"{delta:{sign},.0f} {mission.unit}"


def change(value: float, start: float, mission: Mission) -> str:
    """A place's change since month 0 as the page shows it.

    For a rate, the difference in the indicator's unit (:func:`amount`); for a count, the
    change relative to the place's own start ("-8%"), so places of any size compare fairly.
    """
    if mission.aggregate == "sum":
        return f"{value / start - 1.0:+.0%}" if start > 0 else NOT_SHOWN
    return amount(value - start, mission)


@dataclass(frozen=True)
class NeighbourRow:
    """One statistical neighbour of the picked place, as the page lists it.

    Attributes:
        name: The neighbour's name.
        now: Its true outcome now, formatted ("66.2%").
        since_start: Its change since month 0 (:func:`change`).
        compared: Whether it is :data:`AHEAD` of the picked place, :data:`BEHIND` it or
            :data:`LEVEL` with it, in the mission's direction: on the outcome as shown for a
            rate, on the change since month 0 as shown for a count (:data:`NOT_SHOWN` when
            that change cannot be worked out).
    """

    name: str
    now: str
    since_start: str
    compared: str


def neighbour_rows(facts: PlaceFacts, outcomes: np.ndarray, place: int,
                   mission: Mission) -> list[NeighbourRow] | None:
    """The picked place's statistical neighbours, closest first, against the place itself.

    Args:
        facts: The run's places.
        outcomes: Each place's true outcome now (one value per place).
        place: The picked place's row.
        mission: The run's mission (unit, direction, and whether it is a rate or a count).

    Returns:
        One row per neighbour, or ``None`` when the world has no statistical neighbours.
    """
    if facts.neighbours is None:
        return None
    start = facts.start

    def basis(i: int) -> tuple[str, float]:
        """What two places are compared on: the figure as shown, and its value."""
        if mission.aggregate == "sum":
            ratio = outcomes[i] / start[i] if start[i] > 0 else np.nan
            return change(outcomes[i], start[i], mission), ratio
        return level(outcomes[i], mission.unit), outcomes[i]

    own_text, own = basis(place)
    rows = []
    for j in facts.neighbours[place]:
        if j < 0:
            continue
        text, value = basis(int(j))
        if not (np.isfinite(value) and np.isfinite(own)):
            compared = NOT_SHOWN
        elif text == own_text:
            compared = LEVEL
        else:
            compared = AHEAD if mission.direction * (value - own) > 0 else BEHIND
        rows.append(NeighbourRow(facts.names[j], level(outcomes[j], mission.unit),
                                 change(outcomes[j], start[j], mission), compared))
    return rows


def summary_text(facts: PlaceFacts, outcomes: np.ndarray, place: int, mission: Mission,
                 month: int) -> str:
    """One line on the picked place now: its outcome, its own trajectory and the gap."""
    now = float(outcomes[place])
    aim = float(place_path(facts, place, np.array([month]))[0])
    gap = mission.direction * (now - aim)
    where = "on track" if gap >= 0 else f"{amount(-gap, mission, signed=False)} behind"
    return (f"{facts.names[place]} at month {month}: {level(now, mission.unit)}, against "
            f"{level(aim, mission.unit)} on its own trajectory to the target: {where}.")


def neighbours_markup(rows: list[NeighbourRow] | None, name: str, mission: Mission) -> str:
    """The neighbour table as HTML, or the line saying the world has none."""
    if rows is None:
        return f'<p class="ms-no-neighbours">{escape(NO_NEIGHBOURS)}</p>'
    if not rows:
        return f"<p>{escape(name)} has no statistical neighbours in this world.</p>"
    better = "higher" if mission.direction > 0 else "lower"
    basis = (f"a {better} {mission.indicator} now" if mission.aggregate == "mean" else
             f"a {better} change since month 0, relative to its own start")
    head = ("<tr><th>statistical neighbour</th><th>now</th><th>since month 0</th>"
            f"<th>compared with {escape(name)}</th></tr>")
    body = "".join(
        f'<tr class="ms-neighbour ms-{r.compared}"><td class="ms-neighbour-name">'
        f"{escape(r.name)}</td><td>{escape(r.now)}</td><td>{escape(r.since_start)}</td>"
        f"<td>{r.compared}</td></tr>" for r in rows)
    return (f"<table>{head}{body}</table>"
            f'<p class="ms-note">Closest neighbour first. Ahead means {escape(basis)} than '
            f"{escape(name)}.</p>")


__all__ = ["AHEAD", "BEHIND", "LEVEL", "NOT_SHOWN", "NO_NEIGHBOURS", "NeighbourRow", "amount",
           "change", "neighbour_rows", "neighbours_markup", "place_index", "place_path",
           "summary_text"]
