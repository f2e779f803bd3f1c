"""The nine enabling reforms, registered by name in :data:`REFORMS`."""

from missionsim.model.reforms import delivery, funding, governance, partnership  # noqa: F401
from missionsim.model.reforms.base import REFORMS, Levers, Reform, make_reform, register
from missionsim.model.reforms.policy import PATH_SETTINGS, check_policy, policy_value

__all__ = ["PATH_SETTINGS", "REFORMS", "Levers", "Reform", "check_policy", "make_reform",
           "policy_value", "register"]
