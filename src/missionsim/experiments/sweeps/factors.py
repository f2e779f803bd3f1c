"""Sweep factors: what a factor name refers to, its range or levels, and their checks.

A factor is a model parameter (``punitive_accountability``) or a reform setting
(``<reform>.start``, ``<reform>.end`` or ``<reform>.intensity``); :func:`target` says which,
with the type, bounds and unit of its values. A factor gives a range (``low`` and ``high``,
sampled by LHS, Morris and Sobol designs) or levels (``values``, for factorial designs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import field_validator

from missionsim.errors import ScenarioError
from missionsim.files import Strict, as_float, is_number, quote_key, short
from missionsim.limits import MAX_HORIZON
from missionsim.model.params import PARAMETERS
from missionsim.model.reforms import REFORMS

REFORM_FIELDS = ("start", "end", "intensity")
"""Reform settings a factor ``<reform>.<field>`` may vary."""


class Factor(Strict):
    """What one factor varies over.

    Attributes:
        low: Lower bound (lhs, morris and sobol sample in ``[low, high]``).
        high: Upper bound, greater than ``low``.
        values: Levels of a factorial design (a factorial factor with only ``low`` and
            ``high`` has those two levels).
    """

    low: float | None = None
    high: float | None = None
    values: list[Any] | None = None

    @field_validator("low", "high", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return as_float(value)

    @field_validator("values")
    @classmethod
    def _levels(cls, values: list[Any] | None) -> list[Any] | None:
        if values is None:
            return None
        if not values:
            raise ValueError("expected at least one value, got none")
        for value in values:
            ok = isinstance(value, bool) or (is_number(value) and math.isfinite(value))
            if not ok:
                raise ValueError(f"expected numbers or true/false, got {short(value)}")
        if len({(type(v) is bool, v) for v in values}) != len(values):
            twice = next(v for v in values if values.count(v) > 1)
            raise ValueError(f"expected distinct values, got {short(twice)} twice")
        return values



@dataclass(frozen=True)
class Target:
    """What a factor name refers to.

    Attributes:
        name: The factor name.
        kind: ``int``, ``float`` or ``bool``: values are converted to it.
        low: Smallest value allowed.
        high: Largest value allowed.
        unit: Unit, for messages.
        reform: The reform of a reform setting (``None`` for a parameter).
        field: ``start``, ``end`` or ``intensity`` for a reform setting.
    """

    name: str
    kind: type
    low: float
    high: float
    unit: str
    reform: str | None = None
    field: str | None = None

    def convert(self, value: Any) -> bool | int | float:
        """A sampled value in the factor's type (whole numbers rounded half up, in range)."""
        if self.kind is bool:
            return bool(value)
        if self.kind is int:
            return int(min(self.high, max(self.low, math.floor(float(value) + 0.5))))
        return float(value)


def target(name: str) -> Target | None:
    """The :class:`Target` a factor name refers to, or ``None`` for an unknown name."""
    if name in PARAMETERS:
        p = PARAMETERS[name]
        return Target(name, p.kind, p.low, p.high, p.unit)
    reform, _, field = name.partition(".")
    if reform in REFORMS and field in REFORM_FIELDS:
        if field == "intensity":
            return Target(name, float, 0.0, 1.0, "intensity", reform, field)
        low = 0 if field == "start" else 1
        return Target(name, int, low, MAX_HORIZON, "month", reform, field)
    return None


def factor_levels(name: str, factor: Factor) -> list[Any]:
    """The levels of factor ``name`` in a factorial design, in its type, each once."""
    tgt = target(name)
    raw = factor.values if factor.values is not None else [factor.low, factor.high]
    out: list[Any] = []
    for value in raw:
        value = tgt.convert(value) if tgt is not None else value
        if value not in out or tgt is None:
            out.append(value)
    return out


def check_factor(name: str, factor: Factor, design: str, source: str) -> None:
    """Check one factor of a sweep: its name, its range or levels, and their type and bounds.

    Args:
        name: The factor's name.
        factor: Its range or levels.
        design: The sweep's design (factorial designs take levels; the others, ranges).
        source: Name used in messages (the sweep file).

    Raises:
        ScenarioError: One line naming the file, the factor and what was expected.
    """
    continuous = design != "factorial"
    where = f"{source}: factors.{quote_key(name)}"
    if (factor.low is None) != (factor.high is None):
        missing = "high" if factor.high is None else "low"
        raise ScenarioError(f"{where}.{missing}: required key is missing (low and high "
                            "go together)")
    if factor.low is None and factor.values is None:
        raise ScenarioError(f"{where}: expected low and high, or values")
    if factor.low is not None:
        if not math.isfinite(factor.low):
            raise ScenarioError(f"{where}.low: expected a finite number, got {factor.low}")
        if not math.isfinite(factor.high) or factor.high <= factor.low:
            raise ScenarioError(f"{where}.high: expected a finite number > low "
                                f"({factor.low:g}), got {factor.high:g}")
    tgt = target(name)
    if tgt is None:
        reform, dot, field = name.partition(".")
        if dot and reform in REFORMS:
            raise ScenarioError(f"{where}: unknown reform setting {short(field)}; expected "
                                f"{', '.join(REFORM_FIELDS)}")
        if dot:
            raise ScenarioError(f"{where}: unknown reform {short(reform)}; expected one of "
                                f"{', '.join(sorted(REFORMS))}")
        raise ScenarioError(f"{where}: unknown factor; expected a parameter (see "
                            "`missionsim list parameters`) or <reform>.start, "
                            "<reform>.end or <reform>.intensity")
    if tgt.kind is bool:
        if continuous or factor.values is None or factor.low is not None:
            raise ScenarioError(f"{where}: a true/false parameter can only be a factor of "
                                "a factorial design, with values = [true, false]")
        bad = [v for v in factor.values if not isinstance(v, bool)]
        if bad:
            raise ScenarioError(f"{where}.values: expected true or false, got {short(bad[0])}")
        return
    if continuous and factor.low is None:
        raise ScenarioError(f"{where}: design {short(design)} needs low and high (values "
                            "are the levels of factorial designs)")
    if factor.low is not None and (factor.low < tgt.low or factor.high > tgt.high):
        raise ScenarioError(f"{where}: expected low and high within [{tgt.low:g}, "
                            f"{tgt.high:g}] ({tgt.unit}), got [{factor.low:g}, "
                            f"{factor.high:g}]")
    if factor.values is not None and not continuous:
        for value in factor.values:
            if isinstance(value, bool):
                raise ScenarioError(f"{where}.values: expected numbers, got {short(value)}")
            if tgt.kind is int and float(value) != int(value):
                raise ScenarioError(f"{where}.values: expected whole numbers, got "
                                    f"{short(value)}")
            if not tgt.low <= value <= tgt.high:
                raise ScenarioError(f"{where}.values: expected values in [{tgt.low:g}, "
                                    f"{tgt.high:g}] ({tgt.unit}), got {short(value)}")
