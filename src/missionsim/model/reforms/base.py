"""Reforms as plug-in objects: a small lifecycle and a registry by name.

Each month the model resets its policy :class:`Levers` to the values the parameters give, then
every reform that is active that month adjusts them. Mechanisms read only the levers, so a
reform has no hidden back door into the outcome: it acts through the same levers a parameter
sweep could move, and stops acting when it ends (state it built, such as capacity or trust,
then fades at the model's own pace).

Lifecycle, called by the model:

``initialize(model)``
    once, when the model is built;
``begin(model)``
    the first month the reform is active;
``apply(model, levers)``
    every active month, before any mechanism runs;
``finish(model)``
    the first month after it stops being active.

``monthly_cost(model)`` is the new money the reform needs in an active month (£m); the model
adds it to the money available and to ``spend``.

A reform's intensity may be a number or a path of ``[month, value]`` points
(:mod:`missionsim.model.paths`); so may the policy settings of :data:`PATH_SETTINGS`, which
override the levers the parameters give, month by month, before reforms adjust them
(:mod:`missionsim.model.reforms.policy`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from missionsim.limits import MAX_INTENSITY, quote
from missionsim.model import paths
from missionsim.model.params import PARAMETERS
from missionsim.model.reforms.levers import Levers
from missionsim.model.reforms.targeting import REVIEW_MONTHS, Target

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel


COST_UNITS: dict[str, str] = {
    "place": "per council",
    "organisation": "per council and per charity",
    "post": "per frontline post",
    "programme": "for the whole programme",
}
"""What a reform's cost scales with (``Reform.cost_per``), as words for tables."""


@dataclass
class Reform:
    """Base class of all reforms. Subclasses set the class attributes and override hooks.

    Every number a reform uses is a declared parameter named after it (``<name>_cost``,
    ``<name>_council_share``, ``<name>_max_intensity`` and its strengths), read from the
    model's parameters, so scenario files can set them and sweeps can vary them.

    **Intensity.** Cost grows in proportion to intensity. Strength (how far the reform moves
    its levers) equals intensity up to 1 and grows with diminishing returns above it:
    ``1 + (1 - exp(-r (i - 1))) / r`` with ``r = reform_saturation``, so doubling a reform
    never doubles its effect and no reform's strength exceeds ``1 + 1/r``
    (:meth:`strength`). Each reform declares the largest intensity that makes sense for it.

    **Intensity paths.** The intensity may be a path of ``[month, value]`` points
    (:mod:`missionsim.model.paths`: straight lines between points, flat outside them). The
    reform is active in month ``m`` when ``start <= m < end`` and its intensity at ``m`` is
    above 0, so a path falling to 0 finishes the reform and one rising again begins it anew.
    Each month the ``policy`` phase sets :attr:`current` to the intensity at that month
    (:meth:`set_month`); :meth:`strength` and :meth:`monthly_cost` use it, so both follow the
    path. A path whose values are all equal runs exactly as that fixed intensity.

    Args:
        start: First month (0-based) in which the reform acts.
        end: First month in which it no longer acts (``None``: until the end of the run).
        intensity: Scale of the reform, ≥ 0 (1 is its design size); 0 reproduces the
            no-reform run exactly. At most the reform's ``<name>_max_intensity`` (for a
            path, its largest value). A number, or a path of ``[month, value]`` points (kept
            as a checked :data:`missionsim.model.paths.Path`).
        target: The places the reform reaches (:class:`~missionsim.model.reforms.targeting.
            Target`, or its table from a scenario file); None: every place. Its cost is
            booked only there.

    Attributes:
        current: The intensity in the month being simulated (set by :meth:`set_month`).
        places: A targeted reform's places this month (a boolean mask; set by
            :meth:`choose_places`); None when untargeted.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    mechanism: ClassVar[str] = ""
    tradeoff: ClassVar[str] = ""
    cost_note: ClassVar[str] = ""
    cost_per: ClassVar[str] = "place"  # a key of COST_UNITS
    cost_basis: ClassVar[str] = ""  # written by register() from the declared cost
    targetable: ClassVar[bool] = True  # False: acts on national money flows or the centre

    start: int = 0
    end: int | None = None
    intensity: float | paths.Path = 1.0
    target: Target | None = None
    current: float = field(default=0.0, init=False, repr=False)
    places: np.ndarray | None = field(default=None, init=False, repr=False)
    _running: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        where = f"reforms[{quote(self.name)}]"
        # numbers from NumPy or pandas (sweep tables) are plain numbers here
        for attr in ("start", "end", "intensity"):
            value = getattr(self, attr)
            if isinstance(value, np.integer):
                setattr(self, attr, int(value))
            elif isinstance(value, np.floating):
                setattr(self, attr, float(value))
        if isinstance(self.start, bool) or not isinstance(self.start, int) or self.start < 0:
            raise ValueError(f"{where}.start = {quote(self.start)}: expected a whole month ≥ 0")
        if self.end is not None:
            if isinstance(self.end, bool) or not isinstance(self.end, int):
                raise ValueError(f"{where}.end = {quote(self.end)}: expected a whole month or none")
            if self.end <= self.start:
                raise ValueError(f"{where}.end = {quote(self.end)}: expected a month after start "
                                 f"({self.start})")
        if paths.is_path(self.intensity):
            self.intensity = paths.check_path(self.intensity, f"{where}.intensity", 0.0,
                                              MAX_INTENSITY)
        else:
            ok = isinstance(self.intensity, int | float) and not isinstance(self.intensity, bool)
            if (not ok or not math.isfinite(self.intensity)
                    or not 0.0 <= self.intensity <= MAX_INTENSITY):
                raise ValueError(f"{where}.intensity = {quote(self.intensity)}: expected a number "
                                 f"in [0, {MAX_INTENSITY:g}] or a list of [month, value] points")
            self.intensity = float(self.intensity)
        if self.target is not None:
            if not self.targetable:
                raise ValueError(f"{where}.target: {self.name} acts on national money flows or "
                                 "the centre and cannot be targeted at places; remove target")
            self.target = Target.parse(self.target, f"{where}.target")
        self.set_month(self.start)

    def top_intensity(self) -> float:
        """The largest intensity the reform takes (a path's largest value)."""
        return paths.top(self.intensity) if paths.is_path(self.intensity) else self.intensity

    def check_intensity(self, params: dict[str, Any]) -> None:
        """Check the intensity against the reform's declared maximum (one-line error)."""
        top = params[f"{self.name}_max_intensity"]
        if self.top_intensity() > top:
            what = "'s largest value" if paths.is_path(self.intensity) else ""
            raise ValueError(f"reforms[{quote(self.name)}].intensity{what} = "
                             f"{self.top_intensity():g}: expected at most {top:g} "
                             f"({self.name}_max_intensity)")

    def intensity_at(self, month: int) -> float:
        """The intensity in ``month`` (a path's value there; a number in every month)."""
        if paths.is_path(self.intensity):
            return paths.value_at(self.intensity, month)
        return self.intensity

    def set_month(self, month: int) -> None:
        """Make :attr:`current` the intensity in ``month`` (the ``policy`` phase calls it)."""
        self.current = self.intensity_at(month)

    def param(self, model: MissionModel, key: str) -> Any:
        """The reform's declared parameter ``<name>_<key>`` in this run."""
        return model.p[f"{self.name}_{key}"]

    def strength(self, model: MissionModel) -> float:
        """How far the reform moves its levers.

        Its intensity this month (:attr:`current`) up to 1, with diminishing returns above
        (see the class docstring).
        """
        if self.current <= 1.0:
            return self.current
        r = model.p["reform_saturation"]
        return 1.0 + (1.0 - math.exp(-r * (self.current - 1.0))) / r

    def is_active(self, month: int) -> bool:
        """Whether the reform acts in ``month`` (0-based): in its window, intensity above 0."""
        if self.intensity_at(month) <= 0.0:
            return False
        return self.start <= month and (self.end is None or month < self.end)

    def settings(self) -> dict[str, Any]:
        """The reform's settings as plain data (for tables and files; a path as lists)."""
        intensity = (paths.as_lists(self.intensity) if paths.is_path(self.intensity)
                     else self.intensity)
        out = {"start": self.start, "end": self.end, "intensity": intensity}
        if self.target is not None:
            out["target"] = self.target.settings()
        return out

    def choose_places(self, model: MissionModel, month: int) -> None:
        """Set :attr:`places` (the mask of places reached) for ``month``.

        Untargeted: None (everywhere). Targeted: chosen when the reform begins, and anew each
        year after for a target that changes (places off their trajectory).
        """
        if self.target is None:
            return
        due = self.places is None or (self.target.dynamic and (month - self.start)
                                      % REVIEW_MONTHS == 0)
        if due:
            self.places = self.target.mask(model)

    # --- lifecycle hooks ----------------------------------------------------------------
    def initialize(self, model: MissionModel) -> None:
        """Prepare when the model is built (default: nothing)."""

    def begin(self, model: MissionModel) -> None:
        """Act on the first active month (default: nothing)."""

    def apply(self, model: MissionModel, levers: Levers) -> None:
        """Adjust this month's levers (every active month)."""
        raise NotImplementedError  # pragma: no cover - every registered reform overrides it

    def finish(self, model: MissionModel) -> None:
        """Act on the first month after the reform stops (default: nothing)."""

    def cost_units(self, model: MissionModel) -> float:
        """How many of what the cost scales with there are this month (``cost_per``)."""
        if self.places is not None:  # targeted: only the places reached
            return model.units_in(self.cost_per, self.places)
        if self.cost_per == "place":
            return model.n_localities
        if self.cost_per == "organisation":
            return model.n_localities + model.active_charities()
        if self.cost_per == "post":
            return model.staff.funded_count()
        return 1.0

    def monthly_cost(self, model: MissionModel) -> float:
        """New public money (£m) the reform needs in an active month.

        Its declared cost (``<name>_cost``, £m a year per unit of ``cost_per`` at intensity 1)
        × this month's intensity (:attr:`current`) × units.
        """
        return per_year(self.param(model, "cost") * self.current * self.cost_units(model))


REFORMS: dict[str, type[Reform]] = {}
"""Registered reforms by name."""


def register(cls: type[Reform]) -> type[Reform]:
    """Class decorator: register a reform under its ``name``."""
    if not cls.name or cls.name in REFORMS:
        raise ValueError(f"reform name {quote(cls.name)} is empty or already registered")
    if cls.cost_per not in COST_UNITS:
        raise ValueError(f"reform {quote(cls.name)}: cost_per = {quote(cls.cost_per)}; expected "
                         f"one of {', '.join(COST_UNITS)}")
    cost = PARAMETERS[f"{cls.name}_cost"].default
    cls.cost_basis = (f"{money(cost)} a year {COST_UNITS[cls.cost_per]} at intensity 1"
                      + (f" ({cls.cost_note})" if cls.cost_note else ""))
    REFORMS[cls.name] = cls
    return cls


def make_reform(name: str, settings: Any) -> Reform:
    """Build a registered reform from a name and settings.

    Args:
        name: A key of :data:`REFORMS`.
        settings: A mapping with optional ``start``, ``end``, ``intensity`` (a number or a
            path of ``[month, value]`` points) and ``target`` (a table, see
            :mod:`missionsim.model.reforms.targeting`); a number (the intensity); ``True``
            (intensity 1); ``False`` or ``None`` (off, intensity 0); or an existing
            :class:`Reform`.

    Raises:
        ValueError: For an unknown reform, an unknown setting or a bad value.
    """
    if name not in REFORMS:
        raise ValueError(f"reforms: {quote(name)} is not a reform; expected one of "
                         f"{', '.join(sorted(REFORMS))}")
    cls = REFORMS[name]
    if isinstance(settings, Reform):
        if not isinstance(settings, cls):
            raise ValueError(f"reforms[{quote(name)}]: got a {type(settings).__name__}, "
                             f"expected {cls.__name__}")
        return cls(start=settings.start, end=settings.end, intensity=settings.intensity,
                   target=settings.target)
    if settings is True:
        return cls()
    if settings is False or settings is None:
        return cls(intensity=0.0)  # switched off: reproduces the run without it
    if isinstance(settings, int | float | np.integer | np.floating) and not isinstance(
            settings, bool):
        return cls(intensity=float(settings))
    if paths.is_path(settings):  # an intensity path on its own
        return cls(intensity=settings)
    if not isinstance(settings, dict):
        raise ValueError(f"reforms[{quote(name)}] = {quote(settings)}: expected a table with "
                         "start, end and intensity")
    unknown = set(settings) - {"start", "end", "intensity", "target"}
    if unknown:
        raise ValueError(f"reforms[{quote(name)}].{sorted(unknown)[0]}: unknown setting; expected "
                         "start, end, intensity or target")
    return cls(**settings)


def per_year(amount_per_year: float) -> float:
    """Convert an annual amount to a monthly one."""
    return amount_per_year / 12.0  # unit: months per year


def money(amount: float) -> str:
    """£m as words for tables: ``£0.25m``, or ``£400`` below £10,000."""
    if 0 < amount < 0.01:  # structural: small amounts read better in pounds
        return f"£{amount * 1e6:,.0f}"  # unit: pounds per £m
    return f"£{amount:g}m"
