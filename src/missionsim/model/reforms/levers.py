"""The month's policy levers, which reforms adjust and mechanisms read.

Each month the model resets its :class:`Levers` from the parameters and the policy paths;
every active reform then adjusts them (:mod:`missionsim.model.reforms.base`). A targeted
reform moves the levers of :data:`PLACE_LEVERS` only in its places
(:mod:`missionsim.model.reforms.targeting`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from missionsim.limits import quote
from missionsim.model import paths
from missionsim.model.reforms.policy import PATH_SETTINGS, policy_value
from missionsim.model.state import one_number

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel
    from missionsim.model.reforms.base import Reform

__all__ = ["PLACE_LEVERS", "Levers"]


PLACE_LEVERS = frozenset({
    "punitive", "autonomy", "capacity_boost", "partnership_drive", "data_sharing",
    "experimentation", "codesign", "mobilisation", "staff_time", "innovation"})
"""Levers that can differ between places (a targeted reform moves them only in its places).
The others (competitive share, settlement years, silos, focus protection, pooled share) act on
national money flows and departments."""


@dataclass
class Levers:
    """Policy levers for one month, reset from the parameters and then set by reforms.

    Attributes:
        competitive_share: Share of mission money allocated by competitive pots.
        settlement_years: Length of funding settlements and contracts (years).
        punitive: How punitive accountability is (0 learning, 1 fully punitive).
        silo: How little departments coordinate.
        autonomy: Local autonomy over how the mission is delivered (0 none, 1 full).
        capacity_boost: Addition to every council's capacity target.
        partnership_drive: Extra effort brokering and keeping cross-sector ties.
        data_sharing: Central data shared with charities to target their work.
        experimentation: Rigour and frequency of trials (0 none, 1 continuous).
        codesign: Reform done with staff rather than to them.
        mobilisation: Citizen mobilisation: uptake, volunteering, social trust.
        focus_protection: Share of distraction shocks deflected from departments.
        pooled_share: Share of department mission money pooled by a Missions Unit.
        staff_time: Share of frontline time taken by reform activities.
        innovation: Extra willingness to review and adopt better practice.

    **Targeted reforms.** A lever of :data:`PLACE_LEVERS` that a targeted reform moves becomes
    an array over places (its value in each place); every other lever stays a number. The
    mechanisms read levers through :meth:`at`, :meth:`on_ties` and :meth:`national`, which
    give a number back wherever the lever is one, so a run without targeting is exactly what
    it was before targeting existed.
    """

    competitive_share: float
    settlement_years: int
    punitive: float
    silo: float
    autonomy: float = 0.0
    capacity_boost: float = 0.0
    partnership_drive: float = 0.0
    data_sharing: float = 0.0
    experimentation: float = 0.0
    codesign: float = 0.0
    mobilisation: float = 0.0
    focus_protection: float = 0.0
    pooled_share: float = 0.0
    staff_time: float = 0.0
    innovation: float = 0.0
    untargeted: dict[str, float] = field(default_factory=dict, repr=False)

    def at(self, name: str, places: np.ndarray | None = None) -> Any:
        """The lever ``name`` in each of ``places`` (0-based; -1 a national organisation).

        A number where no targeted reform moves the lever. Otherwise an array: the value in
        each place (every place when ``places`` is None); national organisations (place -1)
        get the lever's value without targeted reforms.
        """
        value = getattr(self, name)
        if places is None or one_number(value):
            return value
        places = np.asarray(places)
        return np.where(places >= 0, value[np.maximum(places, 0)], self.untargeted[name])

    def on_ties(self, name: str, u_places: np.ndarray, v_places: np.ndarray) -> Any:
        """The lever on ties between places ``u_places`` and ``v_places``: the ends' mean."""
        value = getattr(self, name)
        if one_number(value):
            return value
        return 0.5 * (self.at(name, u_places) + self.at(name, v_places))  # structural: mean

    def national(self, name: str, weights: np.ndarray | None = None) -> float:
        """The lever over the whole country: its mean over places (weighted), or the number."""
        value = getattr(self, name)
        if one_number(value):
            return value
        return float(np.average(value, weights=weights))

    def targeted(self) -> bool:
        """Whether any lever varies by place this month."""
        return bool(self.untargeted)

    def spread(self, reform: Reform, model: MissionModel, mask: np.ndarray) -> None:
        """Apply a targeted reform: its change to each lever, only in the places of ``mask``.

        The change is measured against the levers as they stand (the parameters, the policy
        paths and every untargeted reform), so targeted reforms add their changes.
        """
        trial = Levers(**{f.name: getattr(self, f.name) for f in fields(self)
                          if f.name != "untargeted"})
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "untargeted" and np.ndim(value) > 0:
                setattr(trial, f.name, float(self.untargeted[f.name]))
        reform.apply(model, trial)
        for f in fields(self):
            if f.name == "untargeted":
                continue
            before = getattr(self, f.name)
            scalar = float(before) if np.ndim(before) == 0 else float(self.untargeted[f.name])
            change = float(getattr(trial, f.name)) - scalar
            if change == 0.0:
                continue
            if f.name not in PLACE_LEVERS:  # a registration contract; tested for every reform
                raise ValueError(f"reforms[{quote(reform.name)}]: moves the national lever "
                                 f"{f.name}, so it cannot be targeted at places")
            if np.ndim(before) == 0:
                self.untargeted[f.name] = scalar
                before = np.full(mask.size, scalar)
            setattr(self, f.name, before + np.where(mask, change, 0.0))

    @classmethod
    def from_params(cls, params: dict[str, Any], policy: Mapping[str, paths.Path] | None = None,
                    month: int = 0) -> Levers:
        """Build the no-reform levers from resolved parameters.

        Args:
            params: Resolved parameters.
            policy: Checked paths of policy settings
                (:func:`~missionsim.model.reforms.policy.check_policy`); each replaces its
                parameter with the path's value in ``month``.
            month: The month (0-based) whose path values are taken.
        """
        levers = cls(
            competitive_share=params["competitive_share"],
            settlement_years=params["settlement_years"],
            punitive=params["punitive_accountability"],
            silo=params["silo"],
        )
        for name, path in (policy or {}).items():
            setattr(levers, PATH_SETTINGS[name], policy_value(name, path, month))
        return levers
