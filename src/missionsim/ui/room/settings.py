"""A room's settings, its codes, and the checks of what participants type.

Nothing here depends on Solara. :class:`RoomSettings` holds what the facilitator sets (the
scenario, the budget, replicates, the horizon); :func:`room_code` and
:func:`facilitator_key` draw the room's secrets from :mod:`secrets`; :func:`proposal_name`
and :func:`make_package` check what a participant types, each refusing bad input with one
line. A :class:`Package` is what a participant proposes: reforms with an intensity and a start
month, added to the room's scenario.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from missionsim import limits
from missionsim.experiments.scenario import Scenario, ScenarioError
from missionsim.model.reforms import REFORMS
from missionsim.ui.live import base_scenario, choices, reform_bounds

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits of a room code: capitals and digits without the look-alikes 0/O, 1/I/L,
so a code read off a projector is typed right."""
CODE_CHARS = 6
"""Characters in a room code: 31⁶ ≈ 890 million codes, short enough to type on a phone."""
KEY_BYTES = 24
"""Random bytes of the facilitator key (32 URL-safe characters, never typed by hand)."""
NAME_PUNCTUATION = " -_.,'()&+"
"""Characters other than letters and digits a proposal's name may hold."""
INTENSITY_DECIMALS = 2
"""Decimals an intensity is kept to (the sliders step by 0.05), so equal packages match."""

DEFAULT_SCENARIO = "baseline"
"""The room's scenario unless the facilitator chooses another: the shipped baseline."""
DEFAULT_BUDGET = 30.0
"""The room's budget (£m, present value over the horizon): the shipped advice's
(``advise/early_years.toml``)."""
DEFAULT_HORIZON = 60
"""Months the room's runs simulate: the shipped advice's five years (the early-years deadline,
month 36, and two years after it)."""
DEFAULT_REPLICATES = 5
"""Paired replicates per proposal in the room's comparison (as the Compare page's default)."""
REPLICATES_RANGE = (2, limits.MAX_ROOM_REPLICATES)
"""Replicates the room accepts: two at least, for a confidence interval."""


class RoomError(ValueError):
    """What a room refuses (a wrong code, a limit reached, a bad input): one line."""


def room_code() -> str:
    """A new room code: :data:`CODE_CHARS` characters of :data:`CODE_ALPHABET`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))


def facilitator_key() -> str:
    """A new facilitator key (URL-safe), for the facilitator's link only."""
    return secrets.token_urlsafe(KEY_BYTES)


def typed_code(text: object) -> str:
    """A code as typed, tidied: capitals, without spaces or dashes ('' when not text)."""
    if not isinstance(text, str):
        return ""
    return "".join(text.split()).replace("-", "").upper()[:limits.MAX_QUOTED_CHARS]


def proposal_name(text: object) -> str:
    """A proposal's name, checked: letters, digits and :data:`NAME_PUNCTUATION`, not too long.

    Runs of spaces become one space.

    Raises:
        RoomError: One line saying what is wrong.
    """
    if not isinstance(text, str):
        raise RoomError("Name: expected some text")
    name = " ".join(text.split())
    top = limits.MAX_PROPOSAL_NAME_CHARS
    if not name:
        raise RoomError("Name: give the proposal a name")
    if len(name) > top:
        raise RoomError(f"Name: at most {top} characters ({len(name)} given)")
    bad = [c for c in name if not (c.isalnum() or c in NAME_PUNCTUATION)]
    if bad:
        raise RoomError(f"Name: {bad[0]!r} is not allowed; use letters, digits, spaces and "
                        f"{NAME_PUNCTUATION.strip()}")
    if not any(c.isalnum() for c in name):
        raise RoomError("Name: include at least one letter or digit")
    return name


def unique_names(names: list[str], taken: set[str]) -> list[str]:
    """``names`` made unique (and unlike ``taken``) by adding ' (2)', ' (3)', …."""
    out: list[str] = []
    used = set(taken)
    for name in names:
        candidate, n = name, 1
        while candidate in used:
            n += 1
            candidate = f"{name} ({n})"
        used.add(candidate)
        out.append(candidate)
    return out


@dataclass(frozen=True)
class Package:
    """Reforms a participant proposes: ``(reform, intensity, start month)``, by reform name.

    Build one with :func:`make_package`, which checks every value.
    """

    reforms: tuple[tuple[str, float, int], ...]

    def words(self) -> str:
        """The package in words, e.g. 'local_capacity ×0.5 from month 12; devolution ×1'."""
        parts = []
        for name, intensity, start in self.reforms:
            part = f"{name} ×{intensity:g}"
            parts.append(part + (f" from month {start}" if start else ""))
        return "; ".join(parts)

    def tables(self) -> dict[str, dict[str, Any]]:
        """The package as a scenario's ``[reforms]`` tables."""
        return {name: {"intensity": intensity, "start": start}
                for name, intensity, start in self.reforms}


def make_package(rows: object, horizon: int) -> Package:
    """A checked package from ``(reform, intensity, start)`` rows (reforms that are on).

    Bounds come from :func:`missionsim.ui.live.reform_bounds`, as on the Explore page.

    Raises:
        RoomError: One line naming the reform and the bound (or an empty package).
    """
    if not isinstance(rows, list | tuple):
        raise RoomError("Package: expected reforms with an intensity and a start month")
    if len(rows) > len(REFORMS):
        raise RoomError(f"Package: at most {len(REFORMS)} reforms")
    seen: dict[str, tuple[str, float, int]] = {}
    for row in rows:
        if not isinstance(row, list | tuple) or len(row) != 3:
            raise RoomError("Package: expected reforms with an intensity and a start month")
        name, intensity, start = row
        if name not in REFORMS:
            raise RoomError(f"Package: {limits.quote(name)} is not a reform; expected one "
                            f"of {limits.choices(list(REFORMS))}")
        title = REFORMS[name].title
        bounds = reform_bounds(horizon, name)
        lo, hi = bounds["intensity"]
        if (isinstance(intensity, bool) or not isinstance(intensity, int | float)
                or not lo < intensity <= hi):
            raise RoomError(f"{title}: intensity above {lo:g} and at most {hi:g} expected, "
                            f"got {limits.quote(intensity)}")
        lo_s, hi_s = bounds["start"]
        if (isinstance(start, bool) or not isinstance(start, int)
                or not lo_s <= start <= hi_s):
            raise RoomError(f"{title}: start month from {lo_s} to {hi_s} expected, got "
                            f"{limits.quote(start)}")
        if name in seen:
            raise RoomError(f"{title}: listed twice")
        seen[name] = (name, round(float(intensity), INTENSITY_DECIMALS), int(start))
    if not seen:
        raise RoomError("Package: switch on at least one reform")
    return Package(tuple(seen[n] for n in REFORMS if n in seen))


@dataclass(frozen=True)
class RoomSettings:
    """What the facilitator sets for the room.

    Attributes:
        scenario: The room's scenario: a choice of :func:`missionsim.ui.live.choices`
            (packages are added to it; the comparison's baseline is it as it is).
        budget: Public money a package may cost, £m in present value over the horizon.
        replicates: Paired replicates per proposal in the comparison.
        horizon: Months simulated (at least the mission's deadline).
    """

    scenario: str = DEFAULT_SCENARIO
    budget: float = DEFAULT_BUDGET
    replicates: int = DEFAULT_REPLICATES
    horizon: int = DEFAULT_HORIZON

    def base(self) -> Scenario:
        """The room's scenario at the room's horizon (the comparison's baseline)."""
        return base_scenario(self.scenario).with_changes(horizon=self.horizon)

    def scenario_of(self, package: Package, name: str) -> Scenario:
        """The room's scenario with ``package`` added (a reform it sets is replaced)."""
        base = self.base()
        reforms = {**base.model_dump(exclude={"source"})["reforms"], **package.tables()}
        return base.with_changes(name=name, title=name, description=package.words(),
                                 reforms=reforms)


def make_settings(scenario: object = DEFAULT_SCENARIO, budget: object = DEFAULT_BUDGET,
                  replicates: object = DEFAULT_REPLICATES,
                  horizon: object = DEFAULT_HORIZON) -> RoomSettings:
    """Checked room settings.

    Raises:
        RoomError: One line naming the setting and what it accepts.
    """
    if scenario not in choices():
        raise RoomError(f"Scenario: {limits.quote(scenario)} is not one of "
                        f"{limits.choices(choices())}")
    if (isinstance(budget, bool) or not isinstance(budget, int | float)
            or not 0 < budget <= limits.MAX_BUDGET):
        raise RoomError(f"Budget: expected an amount in £m above 0 and at most "
                        f"{limits.MAX_BUDGET:g}, got {limits.quote(budget)}")
    lo, hi = REPLICATES_RANGE
    try:
        limits.whole_number(replicates, "replicates", lo, hi)
    except ValueError:
        raise RoomError(f"Replicates: expected a whole number from {lo} to {hi}, got "
                        f"{limits.quote(replicates)}") from None
    try:
        low = int(base_scenario(str(scenario)).mission_record().deadline)
    except (ScenarioError, ValueError) as exc:
        raise RoomError(f"Scenario: {exc}") from None
    try:
        limits.whole_number(horizon, "horizon", low, limits.MAX_ROOM_HORIZON)
    except ValueError:
        raise RoomError(f"Horizon: expected a whole number of months from {low} (the "
                        f"mission's deadline) to {limits.MAX_ROOM_HORIZON}, got "
                        f"{limits.quote(horizon)}") from None
    return RoomSettings(str(scenario), float(budget), int(replicates), int(horizon))
