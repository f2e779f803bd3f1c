"""Time paths: a value that changes over the months of a run.

A path is a list of ``[month, value]`` points with strictly increasing whole months, as
scenario and mission files write it::

    intensity = [[0, 0.3], [24, 1.0], [96, 0.5]]

Between two points the value moves in a straight line; before the first point it is the first
value and after the last point the last value. A step is two points a month apart
(``[[23, 0.3], [24, 1.0]]``); a single point is a constant. Reform intensities, policy settings
(:data:`missionsim.model.reforms.base.PATH_SETTINGS`) and a mission's secular trend are paths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from missionsim.limits import MAX_HORIZON, MAX_PATH_POINTS, quote

Path = tuple[tuple[int, float], ...]
"""A checked path: ``((month, value), ...)`` with strictly increasing months."""


def is_path(value: Any) -> bool:
    """Whether ``value`` is written as a path (a list or tuple), not as a single number."""
    return isinstance(value, list | tuple)


def check_path(value: Any, where: str, low: float = -math.inf, high: float = math.inf) -> Path:
    """``value`` as a :data:`Path`, or a one-line ``ValueError`` naming ``where``.

    Args:
        value: A sequence of ``[month, value]`` pairs.
        where: The key the path was given under (for the message).
        low: Smallest value allowed.
        high: Largest value allowed.
    """
    if not is_path(value) or not value:
        raise ValueError(f"{where} = {quote(value)}: expected a list of [month, value] points")
    if len(value) > MAX_PATH_POINTS:
        raise ValueError(f"{where}: {len(value):,} points; expected at most {MAX_PATH_POINTS}")
    points: list[tuple[int, float]] = []
    for i, point in enumerate(value):
        if not is_path(point) or len(point) != 2:  # structural: a point is [month, value]
            raise ValueError(f"{where}[{i}] = {quote(point)}: expected [month, value]")
        month, amount = point
        if (isinstance(month, bool) or not isinstance(month, int | np.integer)
                or not 0 <= month <= MAX_HORIZON):
            raise ValueError(f"{where}[{i}]: month {quote(month)}; expected a whole month in "
                             f"[0, {MAX_HORIZON}]")
        if (isinstance(amount, bool) or not isinstance(amount, int | float | np.number)
                or not math.isfinite(amount) or not low <= amount <= high):
            raise ValueError(f"{where}[{i}]: value {quote(amount)}; expected a number in "
                             f"[{low:g}, {high:g}]")
        if points and month <= points[-1][0]:
            raise ValueError(f"{where}[{i}]: month {month} is not after month {points[-1][0]}; "
                             "expected strictly increasing months")
        points.append((int(month), float(amount)))
    return tuple(points)


def value_at(path: Path, month: float) -> float:
    """The path's value at ``month``: straight lines between points, flat outside them."""
    months = [m for m, _ in path]
    values = [v for _, v in path]
    return float(np.interp(month, months, values))


def values(path: Path, months: Sequence[int] | np.ndarray) -> np.ndarray:
    """The path's values at several months (see :func:`value_at`)."""
    return np.interp(np.asarray(months, dtype=float), [m for m, _ in path],
                     [v for _, v in path])


def top(path: Path) -> float:
    """The largest value on the path."""
    return max(v for _, v in path)


def as_lists(path: Path) -> list[list[float]]:
    """The path as TOML writes it (``[[month, value], ...]``)."""
    return [[m, v] for m, v in path]
