"""The nine enabling reforms, registered by name in :data:`REFORMS`."""

from missionsim.model.reforms import delivery, funding, governance, partnership  # noqa: F401
from missionsim.model.reforms.base import REFORMS, Levers, Reform, make_reform, register

__all__ = ["REFORMS", "Levers", "Reform", "make_reform", "register"]
