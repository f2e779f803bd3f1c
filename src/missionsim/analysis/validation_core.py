"""What every validation pattern shares: the checks, the pattern record and the fits.

:mod:`missionsim.analysis.validation` (patterns G2–G4 and the registries),
:mod:`missionsim.analysis.validation_g1` (the first profile, G1, with and without the squeeze)
and :mod:`missionsim.analysis.validation_history` (the held-out episodes) build on these;
:mod:`missionsim.analysis.calibration` reuses the saturating fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from missionsim.experiments.scenario import Scenario, load_scenario, shipped

MINUS = "\u2212"
"""The minus sign of observed changes in the checks' text."""
MONTHS_A_YEAR = 12.0
FIT_START = 1.0
"""Where the fit of A starts: this many points above the last observed value."""
FIT_K_START = 0.5
"""Where the fit of k starts (per year)."""
FIT_EVALUATIONS = 20_000
"""Most evaluations of the saturating fit (far more than it needs)."""


@dataclass
class Check:
    """One comparison of the model with the data.

    Attributes:
        label: What is compared.
        model: The model's value (mean over replicates), formatted.
        observed: The observed value or range, formatted.
        ok: Whether the model is within the tolerance.
        tolerance: The tolerance, in words.
        difference: The model's value minus the observed one, formatted (held-out episodes,
            whose misses are reported by how much; empty where it is not a number).
    """

    label: str
    model: str
    observed: str
    ok: bool
    tolerance: str
    difference: str = ""


@dataclass
class Pattern:
    """The checks of one pattern (or held-out episode) and the tables behind its figure."""

    key: str
    title: str
    checks: list[Check] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    held_out: bool = False

    @property
    def ok(self) -> bool:
        """Whether every check passes."""
        return all(c.ok for c in self.checks)


def scenario(name: str, **changes: Any) -> Scenario:
    """A shipped scenario, optionally with top-level fields changed (e.g. ``replicates``)."""
    s = load_scenario(shipped()[name])
    return s.with_changes(**changes) if changes else s


def saturating(t: np.ndarray, a: float, k: float, y0: float) -> np.ndarray:
    """``A − (A − y0)·e^(−k t)``, t in years: the first profile's shape."""
    return a - (a - y0) * np.exp(-k * t)


def fit_saturating(years: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """Fit A and k of :func:`saturating` with y0 fixed at the first value."""
    y0 = float(values[0])
    (a, k), _ = curve_fit(lambda t, a, k: saturating(t, a, k, y0), years, values,
                          p0=(values[-1] + FIT_START, FIT_K_START), maxfev=FIT_EVALUATIONS)
    return float(a), float(k)


def signed(x: float) -> str:
    """A change with its sign and one decimal, with a true minus sign."""
    return f"{x:+.1f}".replace("-", MINUS)


def split(early: float) -> str:
    """An early-intervention share as early:late spending, ``0.4`` → ``40:60``."""
    return f"{100 * early:.0f}:{100 * (1 - early):.0f}"
