"""Place targeting: a reform that acts, and is paid for, only in some places.

A reform's ``target`` names the places it reaches, in one of five ways (one key each):

``deprivation_deciles = [8, 9, 10]``
    places in these tenths of deprivation (1 the least deprived tenth, 10 the most), by rank
    of deprivation among the world's places;
``capacity_below = 0.5`` / ``capacity_above = 0.5``
    places whose council capacity is below (above) the value when the reform begins;
``off_trajectory = true``
    places behind their own trajectory to the target, chosen when the reform begins and anew
    every year after (:data:`REVIEW_MONTHS`);
``places = ["Blackpool", "E06000009"]``
    a named list: names or codes from a places file ("Place 1", "Place 2" … on a drawn world).

The model keeps each targeted reform's place mask (:meth:`Target.mask`). A targeted reform
moves its levers only in its places (the levers become arrays over places, see
:class:`~missionsim.model.reforms.base.Levers`) and its cost counts only their councils,
charities or posts. Reforms that act on national money flows or on the centre
(``Reform.targetable`` false) cannot be targeted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from missionsim.limits import MAX_TARGET_PLACES, quote

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

DECILES = 10  # structural: tenths of deprivation
NAMES_SHOWN = 3  # structural: places named in a target's description before "and N more"
VALUES_SHOWN = 6  # structural: values of a bad list quoted in a message
REVIEW_MONTHS = 12  # unit: months in a year (off-trajectory places are chosen anew yearly)

KINDS: dict[str, str] = {
    "deprivation_deciles": "a list of whole numbers from 1 (least deprived tenth) to 10 (most)",
    "capacity_below": "a capacity between 0 and 1",
    "capacity_above": "a capacity between 0 and 1",
    "off_trajectory": "true",
    "places": "a list of place names or codes",
}
"""The ways of naming a reform's places, and what each expects."""


@dataclass(frozen=True)
class Target:
    """Which places a reform reaches.

    Attributes:
        kind: One of :data:`KINDS`.
        value: The deciles (a tuple of ints), the capacity threshold, ``True``, or the named
            places (a tuple of names or codes).
    """

    kind: str
    value: Any

    @classmethod
    def parse(cls, raw: Any, where: str) -> Target:
        """Check a ``target`` table from a scenario file or the Python API (one-line errors)."""
        if isinstance(raw, Target):
            return raw
        if not isinstance(raw, Mapping) or len(raw) != 1:
            raise ValueError(f"{where}: expected a table with exactly one of "
                             f"{', '.join(KINDS)}; got {_shown(raw)}")
        ((kind, value),) = raw.items()
        if kind not in KINDS:
            raise ValueError(f"{where}.{kind}: unknown targeting; expected one of "
                             f"{', '.join(KINDS)}")
        bad = ValueError(f"{where}.{kind}: expected {KINDS[kind]}; got {_shown(value)}")
        if kind == "deprivation_deciles":
            if (not isinstance(value, list | tuple) or not value
                    or not all(isinstance(d, int) and not isinstance(d, bool)
                               and 1 <= d <= DECILES for d in value)):
                raise bad
            return cls(kind, tuple(sorted(set(value))))
        if kind in ("capacity_below", "capacity_above"):
            if (isinstance(value, bool) or not isinstance(value, int | float)
                    or not math.isfinite(value) or not 0.0 <= value <= 1.0):
                raise bad
            return cls(kind, float(value))
        if kind == "off_trajectory":
            if value is not True:
                raise bad
            return cls(kind, True)
        if (not isinstance(value, list | tuple) or not value or len(value) > MAX_TARGET_PLACES
                or not all(isinstance(x, str) and x.strip() for x in value)):
            raise ValueError(f"{where}.places: expected {KINDS['places']} (1 to "
                             f"{MAX_TARGET_PLACES:,}); got {_shown(value)}")
        return cls(kind, tuple(value))

    def settings(self) -> dict[str, Any]:
        """The target as plain data, as a scenario file writes it."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {self.kind: value}

    def describe(self) -> str:
        """The target in words, for tables and reports."""
        if self.kind == "deprivation_deciles":
            return "deprivation tenths " + ", ".join(str(d) for d in self.value)
        if self.kind == "capacity_below":
            return f"capacity below {self.value:g}"
        if self.kind == "capacity_above":
            return f"capacity above {self.value:g}"
        if self.kind == "off_trajectory":
            return "places off their trajectory (chosen yearly)"
        shown = ", ".join(str(x) for x in self.value[:NAMES_SHOWN])
        more = (f" and {len(self.value) - NAMES_SHOWN} more" if len(self.value) > NAMES_SHOWN
                else "")
        return f"{shown}{more}"

    @property
    def dynamic(self) -> bool:
        """Whether the places are chosen anew each year (off trajectory)."""
        return self.kind == "off_trajectory"

    def check(self, model: MissionModel, where: str) -> None:
        """Check named places against the model's world (one-line error)."""
        if self.kind == "places":
            place_indices(model, self.value, where)

    def mask(self, model: MissionModel) -> np.ndarray:
        """Which places the reform reaches now (a boolean array over places)."""
        pl = model.places
        if self.kind == "deprivation_deciles":
            return np.isin(deprivation_deciles(pl.deprivation), self.value)
        if self.kind == "capacity_below":
            return pl.capacity < self.value
        if self.kind == "capacity_above":
            return pl.capacity > self.value
        if self.kind == "off_trajectory":
            return model.places_behind(reported=False) > 0.0
        chosen = np.zeros(pl.n, dtype=bool)
        chosen[place_indices(model, self.value, "target.places")] = True
        return chosen


def _shown(value: Any) -> str:
    """A value for a one-line message (a list without brackets, which messages cut at)."""
    if isinstance(value, list | tuple):
        return quote(", ".join(repr(x) for x in value[:VALUES_SHOWN])
                     + (", …" if len(value) > VALUES_SHOWN else ""))
    return quote(value)


def deprivation_deciles(deprivation: np.ndarray) -> np.ndarray:
    """Each place's tenth of deprivation by rank: 1 the least deprived, 10 the most.

    Ties keep the places' order (a stable sort), so every run of a world gives the same tenths.
    """
    n = deprivation.size
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(deprivation, kind="stable")] = np.arange(n)
    return 1 + (rank * DECILES) // max(n, 1)


def place_indices(model: MissionModel, names: tuple, where: str) -> np.ndarray:
    """0-based place numbers of names or codes (one-line error for an unknown one)."""
    pl = model.places
    lookup: dict[str, int] = {}
    for i in range(pl.n):
        lookup[pl.name(i).casefold()] = i
    for i, code in enumerate(pl.codes or ()):
        lookup[str(code).casefold()] = i
    out = []
    for x in names:
        i = lookup.get(x.strip().casefold())
        if i is None:
            raise ValueError(f"{where}: {quote(x)} is not a place in this world; expected a "
                             f"name or code such as {quote(pl.name(0))}")
        out.append(i)
    return np.array(sorted(set(out)), dtype=np.int64)
