"""Scenario discovery: the conditions under which a package misses its target.

Given an ensemble of futures (a row of uncertain inputs each) and whether the package missed
its target in each, :func:`discover` finds boxes (ranges of a few inputs) in which misses
concentrate, with one of two kept implementations:

- ``"prim"``: the EMA workbench's PRIM (Friedman & Fisher 1999; Bryant & Lempert 2010). From
  its peeling trajectory the box chosen is, among those with a restriction and a density of at
  least ``threshold``, the one with the highest harmonic mean of coverage (of the misses not in
  an earlier box) and density; ties go to the denser box, then to fewer restrictions. Its
  restrictions with a quasi-p value (the workbench's one-sided binomial test) above ``max_p``
  are then dropped, least significant first. PRIM repeats on the futures left, up to
  ``max_boxes``.
- ``"cart"``: scikit-learn's ``DecisionTreeClassifier``, ``max_depth`` deep with leaves of at
  least ``min_mass`` of the futures; each subtree whose leaves all have a density of at least
  ``threshold`` becomes a box.

A :class:`Box` reports *coverage* (share of all misses inside it), *density* (share of its
futures that miss) and *mass* (share of all futures inside it), over the whole ensemble.
:func:`describe` says it in words, with the names and units declared in
:data:`missionsim.model.params.PARAMETERS`. Bad input raises :class:`DiscoveryError` (a
one-line ``ValueError``). The guide is ``docs/discovery.md``.
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from missionsim.extras import MissingExtra
from missionsim.limits import quote, whole_number
from missionsim.model.params import PARAMETERS

__all__ = ["Box", "Discovery", "DiscoveryError", "Restriction", "describe", "discover"]

METHODS = ("prim", "cart")
"""The search methods :func:`discover` accepts."""

DEFAULT_THRESHOLD = 0.5  # least density of a box: most of its futures miss (a CART "miss" leaf)
DEFAULT_MIN_MASS = 0.05  # least share of futures in a box or leaf (the workbench's default)
DEFAULT_PEEL_ALPHA = 0.05  # share peeled per PRIM step (Friedman & Fisher advise 0.05-0.1)
DEFAULT_PASTE_ALPHA = 0.05  # share of futures one PRIM paste adds back (the workbench's default)
DEFAULT_MAX_P = 0.05  # largest quasi-p value of a kept restriction (the usual 5% level)
DEFAULT_MAX_BOXES = 3  # one to three conditions stay readable; later ones are mostly noise
DEFAULT_MAX_DEPTH = 3  # CART depth: at most three conditions a box, as readable as PRIM's
CART_RANDOM_STATE = 0  # fixed, so ties between inputs at a split break the same way each time
SIGNIFICANT_DIGITS = 3  # bounds in the plain-language text are rounded to these
LARGE_VALUE = 1000  # bounds this large are written as whole numbers with thousands separators

BOX_COLUMNS = ("box", "condition", "restricted", "coverage", "density", "mass", "n_futures",
               "n_misses")
"""Columns of :meth:`Discovery.to_frame`."""
TRAJECTORY_COLUMNS = ("box", "step", "coverage", "density", "mass", "n_futures", "n_misses",
                      "restricted", "chosen")
"""Columns of :attr:`Discovery.trajectory`."""


class DiscoveryError(ValueError):
    """The input to scenario discovery cannot be used; the message is one line."""


@dataclass(frozen=True)
class Restriction:
    """One input's range inside a box (bounds inclusive; ``None`` where it is open)."""

    variable: str
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class Box:
    """A condition under which the package misses: the inputs it restricts, with bounds.

    ``coverage`` is the share of all misses inside the box, ``density`` the share of the
    futures inside it that miss, ``mass`` the share of all futures inside it; ``n_futures``
    and ``n_misses`` count them.
    """

    restrictions: tuple[Restriction, ...]
    coverage: float
    density: float
    mass: float
    n_futures: int
    n_misses: int

    def contains(self, inputs: pd.DataFrame) -> np.ndarray:
        """Whether each row of ``inputs`` (one future each) lies inside the box."""
        inside = np.ones(len(inputs), dtype=bool)
        for r in self.restrictions:
            x = inputs[r.variable].to_numpy(dtype=float)
            inside &= (x >= (-math.inf if r.lower is None else r.lower)) & (
                x <= (math.inf if r.upper is None else r.upper))
        return inside

    def to_dict(self) -> dict[str, Any]:
        """The box as plain data (restrictions as a list of mappings)."""
        return asdict(self) | {"restrictions": [asdict(r) for r in self.restrictions]}


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found.

    Attributes:
        method: ``"prim"`` or ``"cart"``.
        boxes: The boxes found, best first; empty when none reached the threshold.
        trajectory: PRIM's peeling and pasting trajectory, a row per candidate box (columns
            :data:`TRAJECTORY_COLUMNS`; ``chosen`` marks the one selected, before insignificant
            restrictions are dropped), with PRIM's own statistics: they count only the
            futures outside earlier boxes. Empty for CART.
        n_futures: Futures in the ensemble; n_misses: those in which the package missed.
        settings: The settings used.
        labels: Readable names, and units: units, given to :func:`discover`.
    """

    method: str
    boxes: tuple[Box, ...]
    trajectory: pd.DataFrame
    n_futures: int
    n_misses: int
    settings: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Each box in plain language (see :func:`describe`)."""
        return [describe(b, self.labels, self.units) for b in self.boxes]

    def to_frame(self) -> pd.DataFrame:
        """One row per box: its number, condition in words, and statistics."""
        rows = [{"box": k, "condition": _condition(b, self.labels, self.units),
                 "restricted": len(b.restrictions)} | b.to_dict()
                for k, b in enumerate(self.boxes, start=1)]
        return pd.DataFrame(rows, columns=BOX_COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data, for a report or a JSON file."""
        return {"method": self.method, "n_futures": self.n_futures, "n_misses": self.n_misses,
                "settings": dict(self.settings), "boxes": [b.to_dict() for b in self.boxes],
                "descriptions": self.describe(),
                "trajectory": self.trajectory.to_dict(orient="records")}


def discover(inputs: pd.DataFrame, miss: Any, *, method: str = "prim",
             threshold: float = DEFAULT_THRESHOLD, min_mass: float = DEFAULT_MIN_MASS,
             peel_alpha: float = DEFAULT_PEEL_ALPHA, paste_alpha: float = DEFAULT_PASTE_ALPHA,
             max_p: float = DEFAULT_MAX_P, max_boxes: int = DEFAULT_MAX_BOXES,
             max_depth: int = DEFAULT_MAX_DEPTH, labels: Mapping[str, str] | None = None,
             units: Mapping[str, str] | None = None) -> Discovery:
    """Find the conditions under which a package misses its target.

    Args:
        inputs: A row per future, a numeric column per uncertain input or assumption
            (booleans count as 0 and 1).
        miss: Whether the package missed its target in each future (booleans, or 1 and 0),
            in the order of ``inputs``' rows (a Series is aligned on ``inputs``' index).
        method: ``"prim"`` or ``"cart"``.
        threshold: Least density of misses a reported box must have, in (0, 1].
        min_mass: Least share of the futures a box may hold (CART's smallest leaf).
        peel_alpha: Share of a PRIM box peeled off at each step, in (0, 0.5).
        paste_alpha: Share of the futures a PRIM paste adds back, in (0, 0.5).
        max_p: Largest quasi-p value a PRIM restriction may keep, in (0, 1].
        max_boxes: Most boxes reported (PRIM's successive boxes; CART's by coverage).
        max_depth: Depth of the CART tree.
        labels: Readable names by column, for :func:`describe`.
        units: Units by column, for :func:`describe`.

    Returns:
        A :class:`Discovery`, the same for the same input.

    Raises:
        DiscoveryError: One line: an empty ensemble, mismatched lengths, no misses or only
            misses, non-numeric or missing inputs, or a setting out of range.
        MissingExtra: The ``advise`` extra (EMA workbench, scikit-learn) is not installed.
    """
    if method not in METHODS:
        raise DiscoveryError(f"method = {quote(method)}: expected one of {', '.join(METHODS)}")
    for name, value, high, closed in (("threshold", threshold, 1, True),
                                      ("min_mass", min_mass, 1, False),
                                      ("peel_alpha", peel_alpha, 0.5, False),
                                      ("paste_alpha", paste_alpha, 0.5, False),
                                      ("max_p", max_p, 1, True)):
        if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                or not (0 < value and (value <= high if closed else value < high))):
            raise DiscoveryError(f"{name} = {quote(value)}: expected a number in (0, {high:g}"
                                 f"{']' if closed else ')'}")
    try:
        max_boxes = whole_number(max_boxes, "max_boxes", low=1)
        max_depth = whole_number(max_depth, "max_depth", low=1)
    except ValueError as exc:
        raise DiscoveryError(str(exc)) from None
    x, y = _checked(inputs, miss)
    settings = {"threshold": threshold, "min_mass": min_mass, "max_boxes": max_boxes}
    if method == "prim":
        settings |= {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "max_p": max_p}
        with warnings.catch_warnings():  # about the workbench's optional tools and pandas
            warnings.filterwarnings("ignore", module="ema_workbench")
            boxes, trajectory = _prim(x, y, settings)
    else:
        settings |= {"max_depth": max_depth}
        boxes, trajectory = _cart(x, y, settings), pd.DataFrame(columns=TRAJECTORY_COLUMNS)
    return Discovery(method, tuple(boxes), trajectory, len(y), int(y.sum()), settings,
                     dict(labels or {}), dict(units or {}))


def describe(box: Box, labels: Mapping[str, str] | None = None,
             units: Mapping[str, str] | None = None) -> str:
    """The box in plain language, with its coverage, density and mass.

    For example ``"misses the target when labour market tightness > 1.9 (ratio) and response
    lag > 1.4 (× mission response time) (covers 82% of misses; 91% of the futures in it
    miss; it holds 12% of the futures)"``. Names come from ``labels``, else the declared
    parameter's name in words, else the column; units from ``units``, else the declaration.
    """
    return (f"misses the target when {_condition(box, labels, units)} (covers "
            f"{box.coverage:.0%} of misses; {box.density:.0%} of the futures in it miss; it "
            f"holds {box.mass:.0%} of the futures)")


def _checked(inputs: Any, miss: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """The inputs as floats and the misses as booleans, or a one-line :class:`DiscoveryError`."""
    if not isinstance(inputs, pd.DataFrame):
        raise DiscoveryError(f"inputs: expected a pandas DataFrame, got {type(inputs).__name__}")
    if len(inputs) == 0 or inputs.shape[1] == 0:
        raise DiscoveryError(f"inputs: the ensemble is empty ({len(inputs)} futures, "
                             f"{inputs.shape[1]} inputs); discovery needs futures to compare")
    names = list(inputs.columns)
    if not all(isinstance(n, str) for n in names) or len(set(names)) < len(names):
        raise DiscoveryError(f"inputs: expected unique text column names, got {quote(names)}")
    for name in names:
        column = inputs[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_complex_dtype(column):
            raise DiscoveryError(f"inputs column {name!r} is not numeric ({column.dtype}): "
                                 "scenario discovery needs numbers (encode categories as codes)")
        values = column.to_numpy(dtype=float, na_value=np.nan)
        if not np.isfinite(values).all():
            raise DiscoveryError(f"inputs column {name!r} has {int((~np.isfinite(values)).sum())}"
                                 " missing or infinite values: every future needs every input")
    if isinstance(miss, pd.Series) and not miss.index.equals(inputs.index):
        if not (len(miss) == len(inputs) and inputs.index.is_unique
                and miss.index.sort_values().equals(inputs.index.sort_values())):
            raise DiscoveryError(f"miss: its index ({len(miss)} entries) does not match the "
                                 f"{len(inputs)} rows of inputs")
        miss = miss.reindex(inputs.index)
    y = np.asarray(miss)
    if y.ndim != 1 or y.shape[0] != len(inputs):
        raise DiscoveryError(f"miss: expected one value per future ({len(inputs)}), got shape "
                             f"{y.shape}")
    if y.dtype != bool and not (pd.api.types.is_numeric_dtype(y) and np.isin(y, (0, 1)).all()):
        raise DiscoveryError("miss: expected true or false (or 1 and 0) for each future")
    y = y == 1
    if not y.any():
        raise DiscoveryError(f"miss: the package meets its target in all {y.size} futures, so "
                             "there is nothing to discover (no condition leads to a miss)")
    if y.all():
        raise DiscoveryError(f"miss: the package misses its target in all {y.size} futures, "
                             "so there is nothing to discover (no condition separates misses)")
    x = pd.DataFrame({n: inputs[n].to_numpy(dtype=float) for n in names})
    return x, y


def _stats(x: pd.DataFrame, y: np.ndarray, restrictions: list[Restriction]) -> Box:
    """A box with its statistics over the whole ensemble."""
    inside = Box(tuple(restrictions), 0.0, 0.0, 0.0, 0, 0).contains(x)
    n, k = int(inside.sum()), int(y[inside].sum())
    return Box(tuple(restrictions), k / int(y.sum()), k / n if n else 0.0, n / len(y), n, k)


def _import(module: str) -> Any:
    """Import a module of the ``advise`` extra, or raise :class:`MissingExtra` in one line."""
    if importlib.util.find_spec(module.split(".")[0]) is None:
        raise MissingExtra(f"scenario discovery needs the 'advise' extra ({module.split('.')[0]}"
                           " not installed): pip install 'missionsim[advise]'")
    return importlib.import_module(module)


def _prim(x: pd.DataFrame, y: np.ndarray, settings: dict[str, Any]
          ) -> tuple[list[Box], pd.DataFrame]:
    """PRIM's successive boxes and their trajectories (the rule is in the module docstring)."""
    prim = _import("ema_workbench.analysis.prim")
    finder = prim.Prim(x, y.astype(int), mass_min=settings["min_mass"],
                       peel_alpha=settings["peel_alpha"], paste_alpha=settings["paste_alpha"])
    boxes: list[Box] = []
    trajectories: list[pd.DataFrame] = []
    taken = np.zeros(len(y), dtype=bool)  # futures in an earlier box
    while len(boxes) < settings["max_boxes"] and (left := int(y[~taken].sum())) > 0:
        if (found := finder.find_box()) is None:
            break
        t = found.peeling_trajectory
        names = {"id": "step", "n": "n_futures", "k": "n_misses", "res_dim": "restricted"}
        steps = t.rename(columns=names).astype(dict.fromkeys(names.values(), int)).assign(
            box=len(boxes) + 1, chosen=False)[list(TRAJECTORY_COLUMNS)]
        trajectories.append(steps)
        eligible = steps[(steps["density"] >= settings["threshold"]) & (steps["restricted"] > 0)]
        if eligible.empty:
            break
        recall = eligible["n_misses"] / left
        ranked = eligible.assign(f=2 * recall * eligible["density"]
                                 / (recall + eligible["density"]))
        chosen = int(ranked.sort_values(["f", "density", "restricted", "step"],
                                        ascending=[False, False, True, True]).index[0])
        steps.loc[chosen, "chosen"] = True
        found.select(chosen)
        restrictions = _significant(finder, found, chosen, settings["max_p"])
        if not restrictions:
            break
        boxes.append(_stats(x, y, restrictions))
        taken[found.yi] = True
    trajectory = (pd.concat(trajectories, ignore_index=True) if trajectories
                  else pd.DataFrame(columns=TRAJECTORY_COLUMNS))
    return boxes, trajectory


def _significant(finder: Any, found: Any, i: int, max_p: float) -> list[Restriction]:
    """Drop the box's restrictions with quasi-p above ``max_p``, least significant first."""
    initial = finder.box_init
    while True:
        limits, qp = found.box_lims[i], found.p_values[i]
        worst = max(((p, side, name) for name, sides in qp.items()
                     for side, p in enumerate(sides) if p > max_p), default=None)
        if worst is None:
            break
        _, side, name = worst
        limits = limits.copy()
        limits.loc[side, name] = initial.loc[side, name]
        x = finder.x.loc[finder.yi_remaining]
        inside = ((x >= limits.loc[0]) & (x <= limits.loc[1])).all(axis=1).to_numpy()
        found.update(limits, finder.yi_remaining[inside])
        i = len(found.box_lims) - 1
    bounds = {name: [None if v == initial.loc[side, name] else float(v)
                     for side, v in enumerate(found.box_lims[i][name])] for name in initial}
    return [Restriction(name, *b) for name, b in bounds.items() if b != [None, None]]


def _cart(x: pd.DataFrame, y: np.ndarray, settings: dict[str, Any]) -> list[Box]:
    """The boxes of a shallow classification tree (the rule is in the module docstring)."""
    tree_module = _import("sklearn.tree")
    model = tree_module.DecisionTreeClassifier(
        max_depth=settings["max_depth"], min_samples_leaf=settings["min_mass"],
        random_state=CART_RANDOM_STATE).fit(x.to_numpy(), y)
    tree, leaf, names = model.tree_, model.apply(x.to_numpy()), list(x.columns)
    found: list[list[Restriction]] = []

    def dense(node: int) -> bool:  # every leaf under node has a density >= threshold
        if tree.children_left[node] < 0:
            return bool(y[leaf == node].mean() >= settings["threshold"])
        return dense(tree.children_left[node]) and dense(tree.children_right[node])

    def walk(node: int, bounds: dict[str, tuple[float | None, float | None]]) -> None:
        # collect the dense subtrees under node, which is reached within bounds
        if dense(node):
            found.append([Restriction(n, *bounds[n]) for n in names if n in bounds])
            return
        if tree.children_left[node] < 0:
            return
        name, cut = names[tree.feature[node]], float(tree.threshold[node])
        lower, upper = bounds.get(name, (None, None))
        walk(tree.children_left[node], {**bounds, name: (lower, cut)})
        walk(tree.children_right[node], {**bounds, name: (cut, upper)})

    walk(0, {})
    boxes = [_stats(x, y, r) for r in found if r]
    boxes.sort(key=lambda b: (-b.coverage, -b.density, len(b.restrictions)))
    return boxes[:settings["max_boxes"]]


def _number(value: float) -> str:
    """A bound for the text: significant digits, or a whole number when large."""
    return f"{value:,.0f}" if abs(value) >= LARGE_VALUE else f"{value:.{SIGNIFICANT_DIGITS}g}"


def _condition(box: Box, labels: Mapping[str, str] | None,
               units: Mapping[str, str] | None) -> str:
    """The box's restrictions joined by "and", e.g. ``"response lag > 1.4 (× ...)"``.

    A name comes from ``labels``, else the declared parameter's name in words, else the
    column; a unit from ``units``, else the declared parameter's.
    """
    parts = []
    for r in box.restrictions:
        declared = PARAMETERS.get(r.variable)
        label = (labels or {}).get(r.variable) or (
            r.variable.replace("_", " ") if declared else r.variable)
        unit = (units or {}).get(r.variable) or (declared.unit if declared else "")
        low, high = (None if v is None else _number(v) for v in (r.lower, r.upper))
        text = (f"{label} = {low}" if r.lower == r.upper else
                f"{label} between {low} and {high}" if low and high else
                f"{label} > {low}" if low else f"{label} < {high}")
        parts.append(f"{text} ({unit})" if unit else text)
    return " and ".join(parts)
