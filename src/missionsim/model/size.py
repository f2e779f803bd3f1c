"""How large a world is, from its size parameters, and the limit on it.

A world's cost in time and memory grows with its organisations and frontline posts, so every
world a file, a sweep or a Python call asks for is checked against
:data:`~missionsim.limits.MAX_WORLD_AGENTS` before it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from missionsim.limits import MAX_WORLD_AGENTS

__all__ = ["WORLD_SIZE", "check_world_size", "world_agents"]

WORLD_SIZE = ("n_localities", "charities_per_locality", "staff_per_1000", "cohort_total")
"""The parameters that set how many agents a world has."""


def _number(value: float) -> str:
    """A number for a message: whole numbers with thousands separators."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def world_agents(values: Mapping[str, Any]) -> int:
    """Organisations and frontline posts of a world at month 0 (from its size parameters)."""
    organisations = values["n_localities"] * (1 + values["charities_per_locality"])
    posts = values["staff_per_1000"] * values["cohort_total"] / 1000.0  # unit: per 1,000
    return int(round(organisations + posts))


def check_world_size(values: Mapping[str, Any]) -> None:
    """Refuse a world larger than :data:`~missionsim.limits.MAX_WORLD_AGENTS`.

    Raises:
        ValueError: One line with the world's size, the parameters that set it and the limit.
    """
    agents = world_agents(values)
    if agents > MAX_WORLD_AGENTS:
        settings = ", ".join(f"{name} {_number(values[name])}" for name in WORLD_SIZE)
        raise ValueError(f"world: about {agents:,} organisations and frontline posts "
                         f"({settings}); expected at most {MAX_WORLD_AGENTS:,} (ten times "
                         "England)")
