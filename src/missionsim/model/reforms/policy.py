"""Settings that change over a run: policy settings and reform intensities as paths.

A reform's intensity and the policy settings of :data:`PATH_SETTINGS` may be a number or a
path of ``[month, value]`` points (:mod:`missionsim.model.paths`). Each month the ``policy``
phase builds the levers from the parameters, replaces those of :data:`PATH_SETTINGS` by their
paths' values in that month, and then lets reforms adjust them, so a reform such as
``learning_accountability`` scales whatever pressure a path sets.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from missionsim.files import quote_key
from missionsim.limits import MAX_INTENSITY, quote
from missionsim.model import paths
from missionsim.model.params import PARAMETERS

PATH_SETTINGS: dict[str, str] = {
    "punitive_accountability": "punitive",
    "silo": "silo",
    "competitive_share": "competitive_share",
    "settlement_years": "settlement_years",
}
"""Policy settings that may change over a run (a scenario's ``[policy]`` table, the model's
``policy`` argument): parameter name to the :class:`~missionsim.model.reforms.base.Levers`
attribute it sets."""


def policy_value(name: str, path: paths.Path, month: int) -> float | int:
    """A policy path's value in ``month``, in its parameter's type (whole years rounded)."""
    value = paths.value_at(path, month)
    return round(value) if PARAMETERS[name].kind is int else value


def check_policy(policy: Any, where: str = "policy",
                 taken: Collection[str] = ()) -> dict[str, paths.Path]:
    """Policy settings as checked paths (a number is a constant path), or a one-line ValueError.

    Args:
        policy: A mapping of names of :data:`PATH_SETTINGS` to a number or a path, each value
            within its parameter's declared bounds.
        where: The key the settings were given under (for messages).
        taken: Parameters set elsewhere (overrides, uncertainties), which a policy setting
            may not also set.
    """
    if not isinstance(policy, Mapping):
        raise ValueError(f"{where} = {quote(policy)}: expected a mapping of policy settings to "
                         "numbers or paths")
    out: dict[str, paths.Path] = {}
    for name, value in policy.items():
        key = f"{where}.{quote_key(str(name))}"
        if name not in PATH_SETTINGS:
            raise ValueError(f"{key}: not a policy setting that can follow a path; expected one "
                             f"of {', '.join(PATH_SETTINGS)}")
        if name in taken:
            raise ValueError(f"{key}: also set as a parameter; set it in one place")
        p = PARAMETERS[name]
        if paths.is_path(value):
            out[name] = paths.check_path(value, key, p.low, p.high)
            continue
        if isinstance(value, np.integer | np.floating):
            value = value.item()
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or not p.low <= value <= p.high):
            raise ValueError(f"{key} = {quote(value)}: expected a number in [{p.low:g}, "
                             f"{p.high:g}] ({p.unit}) or a list of [month, value] points")
        out[name] = ((0, float(value)),)
    return out


@dataclass(frozen=True)
class Bounds:
    """Bounds of a number that may be a path.

    Its validator checks them (:func:`number_or_path`); the app and the EMA connector read
    them as they read pydantic's ``ge`` and ``le``.
    """

    ge: float
    le: float


def number_or_path(value: Any, high: float) -> Any:
    """A setting file's number in ``[0, high]`` as it is, or a path as a checked path.

    A path that does not check is returned as given, for the file's own check to report with
    its key; a bad number raises a one-line ValueError (``expected a value ≤ 10, got 11.0``).
    """
    if paths.is_path(value):
        try:
            return paths.check_path(value, "intensity", 0.0, high)
        except ValueError:
            return value
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"expected a number or a path (a list of month–value pairs), got "
                         f"{quote(value)}")
    if not value >= 0.0:
        raise ValueError(f"expected a value ≥ 0, got {quote(value)}")
    if not value <= high:
        raise ValueError(f"expected a value ≤ {high:g}, got {quote(value)}")
    return value


def highest(value: Any, where: str = "intensity", high: float = math.inf) -> float:
    """A number, or a path's largest value (the path checked: values in ``[0, high]``)."""
    return paths.top(paths.check_path(value, where, 0.0, high)) if paths.is_path(value) else value


def check_intensity(value: Any, where: str, top: float, name: str) -> None:
    """A checked number or path at most ``top`` (the declared ``name``), or a one-line error."""
    given = highest(value, where, MAX_INTENSITY)
    if given > top:
        largest = " (the path's largest value)" if paths.is_path(value) else ""
        raise ValueError(f"{where}: expected at most {top:g} ({name}), got {given:g}{largest}")


def plain(value: Any) -> Any:
    """A number as it is, a path as the lists a file writes (``[[month, value], ...]``)."""
    return paths.as_lists(paths.check_path(value, "intensity")) if paths.is_path(value) else value


def mean_over(value: Any, months: int) -> float:
    """A number, or a path's mean over months ``0`` to ``months - 1`` (for results tables)."""
    if not paths.is_path(value):
        return float(value)
    return float(paths.values(paths.check_path(value, "intensity"), np.arange(months)).mean())


def shown(value: Any) -> str:
    """A number, or a path's values in order (``0.3→1→0.5``; a value held is shown once)."""
    if not paths.is_path(value):
        return f"{value:g}"
    values = [f"{v:g}" for _, v in value]
    return "→".join(v for i, v in enumerate(values) if i == 0 or v != values[i - 1])
