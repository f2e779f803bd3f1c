"""The partnership network as a room can read it: places first, then one place's organisations.

Nothing here depends on Solara. Drawing every organisation (274 on the workshop world, over
1,500 on England) hid every place, so the Explore page's network shows two views, both
ECharts ``graph`` series (:mod:`missionsim.ui.echarts`) with a tooltip on every node and tie:

- :func:`places_view`: one node per place, sized by its deprivation (its need: fixed for the
  run, so a node keeps its size) and coloured by whether it is on track, with the place's
  organisations' ties to other places added up into one tie per pair of places;
- :func:`place_view`: an opened place's council and charities by name and role, the national
  bodies and other places' organisations they are tied to, and the trust on every tie (its
  shade and width, and its tooltip).

Positions are fixed per world (:class:`Layout`, :func:`layout`): the places evenly on a
spiral by deprivation, an opened place's organisations on rings around its council, with each
partner elsewhere in the direction of its own place. Nothing moves between frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from missionsim.experiments.live import (
    CHARITY,
    COUNCIL,
    DEPARTMENT,
    DEPARTMENTS,
    SECTOR_OF_KIND,
    Snapshot,
)
from missionsim.ui.echarts import Figure, base, text
from missionsim.ui.svg import BEHIND_A_LITTLE, SECTOR_COLOURS, SECTOR_LABELS, STATUS_COLOURS

NETWORK_HEIGHT = 560
"""Pixel height of the network panel."""

PLACE_SIZE = (10.0, 34.0)
"""Smallest and largest node diameter (pixels) of a place, least to most deprived."""

ORG_SIZE = (10.0, 40.0)
"""Smallest and largest node diameter (pixels) of an organisation, by staff in post."""

TIE_WIDTH = (0.6, 5.0)
"""Thinnest and thickest tie between places (pixels), by how many ties it adds up."""

TRUST_OPACITY = (0.25, 0.9)
"""Opacity of a tie at trust 0 and at trust 1."""

STATUS_NAMES = ("on track", "behind < 25%", "behind ≥ 25%")
"""Legend names of :data:`~missionsim.ui.svg.STATUS_COLOURS`."""

LABEL_ROOM = 96
"""Room (pixels) at the right of a network for the names beside the rightmost nodes."""

DRAWN_LINKS = 300
"""Most links between places drawn: those of the most ties, then of the most trust. ECharts
draws each link as its own element with its own style; England's 1,200 or so links between
councils (mostly one tie each) made a tangle no room could read and took several hundred
milliseconds a frame in the browser. Every place's tooltip still counts all its ties, and the
CSV has them."""

TIE_COLOUR = "#5f6368"
"""Colour of every tie (its opacity shows trust)."""

RING, OUTER = 1.0, 2.0
"""Radii of an opened place's charities around its council, and of its partners elsewhere."""

PARTNER_STEP = 0.12
"""Spacing along the outer ring between partners from the same other place (radians)."""

LABELLED_PLACES = 60
"""Most places whose names are all written on the view between places. Past this (England's
152 councils) only the most deprived tenth is named: laying out and hiding 152 overlapping
names cost about 100 ms a frame in the browser, and most would be hidden anyway."""

NATIONAL_SHIFT = 1.6
"""How far left of an opened place's council the national bodies stand, times :data:`OUTER`."""


# --- layouts --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Layout:
    """Fixed positions of a world's network views.

    Attributes:
        places: Each place's position in [0, 1]², one row per place.
        kind: Each organisation slot's kind (at month 0; slots keep their kind).
        locality: Each slot's place (negative: national).
    """

    places: np.ndarray
    kind: np.ndarray
    locality: np.ndarray

    def organisations(self, index: int) -> dict[int, tuple[float, float]]:
        """Positions of every slot that place ``index``'s view may show.

        Its council at the centre, its charities on a ring (in slot order), the national
        bodies in a column at the left, and every other place's organisations on an outer
        ring in the direction of their place from this one.
        """
        pos: dict[int, tuple[float, float]] = {}
        own = np.flatnonzero(self.locality == index)
        charities = own[self.kind[own] == CHARITY]
        for slot in own[self.kind[own] == COUNCIL]:
            pos[int(slot)] = (0.0, 0.0)
        for k, slot in enumerate(charities):
            angle = 2 * math.pi * k / max(charities.size, 1)
            pos[int(slot)] = (RING * math.cos(angle), RING * math.sin(angle))
        national = np.flatnonzero(self.locality < 0)
        for k, slot in enumerate(national):  # a column at the left, names to their right
            pos[int(slot)] = (-OUTER * NATIONAL_SHIFT, (k - (national.size - 1) / 2) * RING)
        centre = self.places[index]
        others = np.flatnonzero((self.locality >= 0) & (self.locality != index))
        rank = _rank_in_place(self.locality)
        for slot in others:
            dx, dy = self.places[self.locality[slot]] - centre
            angle = math.atan2(dy, dx) + PARTNER_STEP * rank[slot]
            pos[int(slot)] = (OUTER * math.cos(angle), OUTER * math.sin(angle))
        return pos


def _rank_in_place(locality: np.ndarray) -> np.ndarray:
    """Each slot's position among its place's slots (0, 1, 2, … in slot order)."""
    rank = np.zeros(locality.size, dtype=int)
    seen: dict[int, int] = {}
    for slot, loc in enumerate(locality.tolist()):
        rank[slot] = seen.get(loc, 0)
        seen[loc] = rank[slot] + 1
    return rank


def place_ties(frame: Snapshot, active_only: bool = True) -> dict[tuple[int, int], list[float]]:
    """The trust on each tie between two places' organisations, by pair of places (a < b)."""
    u, v, loc = frame.tie_u, frame.tie_v, frame.locality
    a, b = loc[u], loc[v]
    keep = (a >= 0) & (b >= 0) & (a != b)
    if active_only:
        keep &= frame.active[u] & frame.active[v]
    pairs: dict[tuple[int, int], list[float]] = {}
    for x, y, t in zip(a[keep].tolist(), b[keep].tolist(), frame.trust[keep].tolist(),
                       strict=True):
        pairs.setdefault((min(x, y), max(x, y)), []).append(t)
    return pairs


def spiral(deprivation: np.ndarray) -> np.ndarray:
    """Places evenly spread on a sunflower spiral in [-1, 1]², least deprived at the centre."""
    n = deprivation.size
    rank = np.empty(n, dtype=int)
    rank[np.argsort(deprivation, kind="stable")] = np.arange(n)
    golden = math.pi * (3.0 - math.sqrt(5.0))  # the golden angle
    radius = np.sqrt((rank + 0.5) / max(n, 1))
    return np.c_[radius * np.cos(rank * golden), radius * np.sin(rank * golden)]


def layout(frame: Snapshot) -> Layout:
    """The fixed layout of a world, from any of its snapshots.

    The places sit evenly spread on a spiral, least deprived at the centre (:func:`spiral`),
    scaled into [0, 1]²: every place has room for its name, and the picture depends only on
    the world (its places' deprivation), never on a run or a month. A spring layout of the
    ties between places was tried and dropped: the workshop world's few ties between places
    flung untied places to the edges, and England's 1,200 scattered ones made a tangle.
    """
    pos = spiral(frame.deprivation)
    if pos.size:
        span = np.ptp(pos, axis=0)
        pos = (pos - pos.min(axis=0)) / np.where(span > 0, span, 1.0)
    pos.setflags(write=False)
    return Layout(places=pos, kind=np.array(frame.kind), locality=np.array(frame.locality))


# --- the two views --------------------------------------------------------------------------
def status(behind: np.ndarray) -> np.ndarray:
    """Each place's status: 0 on track, 1 behind a little, 2 well behind."""
    return np.where(behind <= 0.0, 0, np.where(behind < BEHIND_A_LITTLE, 1, 2))


def _scale(values: np.ndarray, lo: float, hi: float, size: tuple[float, float]) -> np.ndarray:
    """Values from ``lo``–``hi`` mapped onto ``size`` (clipped)."""
    share = np.clip((values - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    return size[0] + (size[1] - size[0]) * share


def _tie_style(trust: float, width: float) -> dict[str, Any]:
    """Line style of a tie: more opaque with more trust (the series sets the thinnest width)."""
    lo, hi = TRUST_OPACITY
    style: dict[str, Any] = {"opacity": round(lo + (hi - lo) * trust, 2)}
    if width > TIE_WIDTH[0]:
        style["width"] = round(width, 1)
    return style


def _graph(title: str, subtitle: str, nodes: list[dict], links: list[dict],
           categories: list[tuple[str, str]], view: str) -> dict[str, Any]:
    """An ECharts option with one graph series at fixed positions.

    ``view`` is the series' id: a redraw of the same view updates the drawn series in place,
    a switch to the other view replaces it.
    """
    option = base(title, subtitle, tooltip="item")
    option["legend"] = {"data": [name for name, _ in categories], "bottom": 4,
                        "textStyle": text()}
    # nodes sit at their layout's [x, y] on hidden axes spanning the nodes (y downwards):
    # ECharts' own placement (layout "none") drew some ties off their nodes; the wheel zooms
    # and a drag pans, and no node is ever dropped by a zoom
    option["grid"] = {"top": 70, "bottom": 44, "left": 24, "right": LABEL_ROOM}
    span = {"type": "value", "show": False, "min": "dataMin", "max": "dataMax"}
    option["xAxis"], option["yAxis"] = span, {**span, "inverse": True}
    option["dataZoom"] = [{"type": "inside", "xAxisIndex": 0, "filterMode": "none"},
                          {"type": "inside", "yAxisIndex": 0, "filterMode": "none"}]
    option["series"] = [{
        "type": "graph", "id": view, "coordinateSystem": "cartesian2d", "draggable": False,
        "categories": [{"name": name, "itemStyle": {"color": colour}}
                       for name, colour in categories],
        "label": {"position": "right", **text()},
        # the view between places hides names that overlap; an opened place shows them all
        "labelLayout": {"hideOverlap": view == "places"},
        "lineStyle": {"color": TIE_COLOUR, "width": TIE_WIDTH[0], "opacity": TRUST_OPACITY[0]},
        "emphasis": {"focus": "adjacency", "lineStyle": {"width": 4}},
        "data": nodes, "links": links}]
    return option


def places_view(frame: Snapshot, lay: Layout, names: tuple[str, ...]) -> Figure:
    """Every place as one node at its fixed position, with the ties between places.

    A node's size is its deprivation (its need), its colour whether it is on track; a tie
    between two places adds up their organisations' ties (thicker: more ties, darker: more
    trust). Click a place to open it (:func:`place_view`).
    """
    dep, behind = frame.deprivation, frame.behind
    state = status(behind)
    size = _scale(dep, float(dep.min()), float(dep.max()), PLACE_SIZE)
    ties = place_ties(frame)
    count = np.zeros(dep.size, dtype=int)
    trust = np.zeros(dep.size)
    for (a, b), t in ties.items():
        count[[a, b]] += 1
        trust[[a, b]] += sum(t) / len(t)
    trust = trust / np.maximum(count, 1)
    nodes = []
    for i, name in enumerate(names):
        where = "on track" if behind[i] <= 0 else f"{behind[i]:.0%} behind its trajectory"
        nodes.append({
            "id": str(i), "name": name, "place": i, "category": int(state[i]),
            "value": [round(float(lay.places[i, 0]), 4), round(float(lay.places[i, 1]), 4)],
            "symbolSize": round(float(size[i]), 1),
            "tooltip": {"formatter": f"<b>{escape(name)}</b><br/>{where}<br/>deprivation "
                                     f"{dep[i]:.2f} · ties with {count[i]} other places"
                                     + (f", mean trust {trust[i]:.2f}" if count[i] else "")}})
    # links carry only what differs from the series' style, with the default tooltip
    # ("A > B : ties"); past DRAWN_LINKS only the strongest are drawn (see there)
    most = max((len(t) for t in ties.values()), default=1)
    strongest = sorted(ties.items(), key=lambda kv: (-len(kv[1]), -sum(kv[1]) / len(kv[1]),
                                                      kv[0]))[:DRAWN_LINKS]
    links = [{"source": a, "target": b, "value": len(t),
              "lineStyle": _tie_style(sum(t) / len(t),
                                      _scale(np.array(len(t)), 1, most, TIE_WIDTH).item())}
             for (a, b), t in strongest]
    on = int(np.count_nonzero(state == 0))
    shown = ("" if len(links) == len(ties) else
             f" · {len(links)} strongest of {len(ties):,} links")
    option = _graph(f"Partnerships between places — month {frame.month}",
                    f"{on} of {dep.size} on track · size: deprivation · click to open{shown}",
                    nodes, links, list(zip(STATUS_NAMES, STATUS_COLOURS, strict=True)),
                    "places")
    # set either way: a redraw merges into the drawn series, which keeps what is left out
    option["series"][0]["label"]["show"] = bool(dep.size <= LABELLED_PLACES)
    if dep.size > LABELLED_PLACES:  # the most deprived tenth only; hover names the rest
        for i in np.argsort(dep)[-max(1, dep.size // 10):]:
            nodes[i]["label"] = {"show": True}
    return Figure(option=option,
        height=NETWORK_HEIGHT, rows=lambda: pd.DataFrame({
            "place": names, "status": [STATUS_NAMES[k] for k in state],
            "behind its trajectory": behind, "deprivation": dep, "places tied to": count,
            "mean trust of those ties": np.where(count > 0, trust, np.nan)}))


def organisation_name(slot: int, lay: Layout, names: tuple[str, ...]) -> tuple[str, str]:
    """An organisation's name and role, derived from its slot."""
    kind, loc = int(lay.kind[slot]), int(lay.locality[slot])
    if kind == DEPARTMENT:
        dept = DEPARTMENTS[slot] if slot < len(DEPARTMENTS) else str(slot)
        return f"{dept.replace('_', ' ').capitalize()} department", "government department"
    if loc < 0:
        return "Missions Unit", "national unit"
    if kind == COUNCIL:
        return f"{names[loc]} council", "council"
    own = np.flatnonzero((lay.locality == loc) & (lay.kind == CHARITY))
    return f"{names[loc]} charity {int(np.searchsorted(own, slot)) + 1}", "charity"


def _short_label(name: str, home: int, index: int, names: tuple[str, ...], x: float,
                 council: bool) -> dict[str, Any]:
    """An opened place's node label, short and pointing away from its council.

    Only the place's own organisations and the national bodies are named, as "council",
    "charity 3" or "Education" (the full name is in the title and on hover), so that the
    names around the council do not run into each other.
    """
    if home not in (index, -1):
        return {"show": False}
    short = name.removeprefix(f"{names[index]} ").removesuffix(" department")
    side = "top" if council else ("left" if x < 0 and home == index else "right")
    return {"show": True, "formatter": short, "position": side}


def place_view(frame: Snapshot, lay: Layout, names: tuple[str, ...], index: int) -> Figure:
    """One place's organisations, the bodies they are tied to, and the trust on every tie.

    Args:
        frame: The snapshot.
        lay: The world's layout.
        names: Every place's name.
        index: The opened place's row.
    """
    pos = lay.organisations(index)
    active = frame.active
    u, v = frame.tie_u, frame.tie_v
    mine = frame.locality == index
    keep = active[u] & active[v] & (mine[u] | mine[v])
    tu, tv, trust = u[keep].tolist(), v[keep].tolist(), frame.trust[keep].tolist()
    shown = sorted({*np.flatnonzero(mine & active).tolist(), *tu, *tv})
    degree = dict.fromkeys(shown, 0)
    for a, b in zip(tu, tv, strict=True):
        degree[a] += 1
        degree[b] += 1
    staff = frame.filled
    top = float(max(1.0, staff[shown].max())) if shown else 1.0
    sectors = list(SECTOR_COLOURS)
    nodes = []
    for slot in shown:
        name, role = organisation_name(slot, lay, names)
        x, y = pos[slot]
        home = int(lay.locality[slot])
        where = "" if home in (index, -1) else f" in {escape(names[home])}"
        nodes.append({
            "id": str(slot), "name": name, "place": home, "value": [round(x, 4), round(y, 4)],
            "category": sectors.index(SECTOR_OF_KIND[lay.kind[slot]]),
            "symbolSize": round(float(_scale(np.array(math.sqrt(staff[slot])), 0.0,
                                             math.sqrt(top), ORG_SIZE)), 1),
            "label": _short_label(name, home, index, names, x, lay.kind[slot] == COUNCIL),
            "tooltip": {"formatter": f"<b>{escape(name)}</b><br/>{role}{where} · "
                                     f"{staff[slot]:.0f} staff in post · {degree[slot]} "
                                     f"tie{'s' if degree[slot] != 1 else ''} shown"}})
    links = [{"source": str(a), "target": str(b), "value": round(t, 2),
              "lineStyle": _tie_style(t, 1.0 + 3.0 * t),
              "tooltip": {"formatter": f"{escape(organisation_name(a, lay, names)[0])} — "
                                       f"{escape(organisation_name(b, lay, names)[0])}: "
                                       f"trust {t:.2f}"}}
             for a, b, t in zip(tu, tv, trust, strict=True)]
    local = int(np.count_nonzero(mine & active))
    mean = f", mean trust {np.mean(trust):.2f}" if trust else ""
    option = _graph(
        f"{names[index]}: {local} organisations, {len(tu)} ties{mean} — month {frame.month}",
        "darker, thicker tie: more trust · hover for values",
        nodes, links, [(SECTOR_LABELS[s], SECTOR_COLOURS[s]) for s in sectors], "place")
    return Figure(
        option=option, height=NETWORK_HEIGHT, rows=lambda: pd.DataFrame({
            "from": [organisation_name(a, lay, names)[0] for a in tu],
            "to": [organisation_name(b, lay, names)[0] for b in tv], "trust": trust}))


__all__ = ["Layout", "layout", "organisation_name", "place_view", "places_view", "status"]
