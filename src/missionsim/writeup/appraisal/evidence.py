"""The risks, read from the advice's own ensemble of futures: what to measure, when it switches.

Every candidate of an advice met the same futures (common random numbers), so each option's
**net benefit** in future ``k`` is its outcome at the mission's deadline, in the mission's
direction (a fall counts as a gain where the mission lowers its indicator), in the indicator's
unit. The options are business as usual, the shortlisted options and the runner-up; all cost
no more than the budget, so the decision is which to fund within it.

- **What to measure next** (:func:`information`): the expected value of partial perfect
  information (EVPPI) of every input that varies between futures, by the regression method of
  :func:`missionsim.analysis.robustness.information.evppi_table`, with its noise floor.
- **Switching values** (:func:`switching`): for the inputs with the largest EVPPI, each of the
  preferred option's and the runner-up's expected net benefit given the input (the same
  regression, :func:`~missionsim.analysis.robustness.information.smooth_fit`, over the
  ensemble, every other input varying), and the value of the input at which the better of the
  two changes (:func:`missionsim.analysis.robustness.choice.switching_table`), moving away from
  the scenario's own value.
- **Failure conditions** (:func:`failure`): PRIM (:func:`missionsim.analysis.discovery.discover`)
  on the preferred option's misses of the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from missionsim.analysis.advise import Advice
from missionsim.analysis.discovery import Discovery, DiscoveryError, discover
from missionsim.analysis.robustness import evppi_table, switching_table
from missionsim.analysis.robustness.information import smooth_fit
from missionsim.analysis.robustness.plan import default_values
from missionsim.extras import MissingExtra
from missionsim.model.params import PARAMETERS

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.writeup.appraisal.gather import Appraisal

SWITCHING = 5
"""Inputs, by EVPPI, whose switching value is sought."""
METHOD = "prim"
"""The scenario-discovery method of the failure conditions."""


def inputs(advice: Advice) -> pd.DataFrame:
    """The inputs that vary between the advice's futures (numbers only), by future."""
    table = advice.futures.drop(columns=["seed"])
    keep = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])
            and not pd.api.types.is_bool_dtype(table[c]) and table[c].nunique() > 1]
    return table[keep].astype(float)


def net_benefit(advice: Advice, names: list[str]) -> pd.DataFrame:
    """Each candidate's outcome at the deadline in the mission's direction, by future."""
    table = advice.evaluations.pivot(index="future", columns="candidate", values="deadline")
    return table[names].astype(float) * advice.plan.direction


def role(name: str) -> str:
    """A factor's role: ``uncertainty``, its declared role, or the scenario's own draw."""
    p = PARAMETERS.get(name)
    if p is None:
        return "scenario draw"
    return "uncertainty" if p.uncertainty else p.role


def information(advice: Advice, names: list[str]) -> tuple[pd.DataFrame | None, str]:
    """EVPPI of every varying input for choosing among ``names`` (or why there is none).

    Returns:
        The table of :func:`~missionsim.analysis.robustness.information.evppi_table` (its
        ``attrs`` hold ``evpi`` and ``floor``) with ``unit``, ``meaning`` and ``above_floor``;
        or ``None`` and the reason in words.
    """
    sample = inputs(advice)
    if len(names) < 2:
        return None, "there is only one option, so there is no choice to inform"
    if len(sample) < 2 or sample.empty:
        return None, (f"the ensemble holds {len(advice.futures)} future(s) and "
                      f"{sample.shape[1]} varying input(s): too few to estimate it")
    nb = net_benefit(advice, names).loc[sample.index]
    table = evppi_table(sample, nb, {n: role(n) for n in sample.columns})
    table["unit"] = [PARAMETERS[n].unit if n in PARAMETERS else "" for n in table.index]
    table["meaning"] = [PARAMETERS[n].meaning if n in PARAMETERS else "" for n in table.index]
    table["above_floor"] = table["evppi"] > table.attrs["floor"]
    return table, ""


def switching(advice: Advice, table: pd.DataFrame | None, first: str | None,
              second: str | None, count: int = SWITCHING) -> tuple[pd.DataFrame | None, str]:
    """Switching values between ``first`` and ``second`` along the inputs of most EVPPI.

    Returns:
        Index ``factor``: ``default`` (the scenario's value), ``low``/``high`` (the range
        drawn), ``preferred`` (which of the two leads at the default), ``below``/``above``
        (switching values; NaN when none within the range drawn), ``below_to``/``above_to``,
        ``switches``, ``evppi`` and ``above_floor``; or ``None`` and the reason in words.
    """
    if first is None or second is None:
        return None, "there is no runner-up to switch to"
    if table is None or table.empty:
        return None, "no input varies between the futures"
    sample = inputs(advice)
    nb = net_benefit(advice, [first, second]).loc[sample.index]
    chosen = list(table.index[:max(0, int(count))])
    levels, defaults, ranges = {}, {}, {}
    for name in chosen:
        theta = sample[name].to_numpy(float)
        fitted = smooth_fit(theta, nb.to_numpy(float))
        levels[name] = (pd.DataFrame(fitted, index=theta, columns=[first, second])
                        .groupby(level=0).mean().sort_index())
        ranges[name] = (float(theta.min()), float(theta.max()))
        defaults[name] = _default(advice, name, ranges[name])
    if not levels:
        return None, "no input was chosen"
    out = switching_table(levels, defaults, ranges)
    return out.join(table[["evppi", "above_floor"]]), ""


def _default(advice: Advice, name: str, span: tuple[float, float]) -> float:
    """The scenario's own value of an input (the middle of the range drawn if it has none)."""
    try:
        value = float(default_values(advice.plan.scenario, [name])[name])
    except (KeyError, ValueError):
        value = float(np.mean(span))
    return value


def failure(advice: Advice, candidate: str | None) -> tuple[Discovery | None, str]:
    """PRIM's failure conditions of ``candidate`` over the futures (or why there are none)."""
    if candidate is None:
        return None, "there is no preferred option"
    misses = advice.misses(candidate)
    missed = misses["missed"].astype(bool)
    n, k = len(missed), int(missed.sum())
    if k == 0:
        return None, (f"The preferred option meets the target in all {n} futures, so there "
                      "are no failure conditions to discover: no future in the ensemble "
                      "makes it miss.")
    if k == n:
        return None, (f"The preferred option misses the target in all {n} futures, so there "
                      "are no failure conditions to discover: it fails whatever the inputs "
                      "within their ranges, and nothing separates misses from hits.")
    x = inputs(advice).loc[misses.index]
    if x.empty:
        return None, "No input varies between the futures, so no condition can be found."
    try:
        found = discover(x, missed, method=METHOD)
    except (DiscoveryError, MissingExtra) as exc:
        return None, f"Scenario discovery could not run: {exc}."
    if not found.boxes:
        return found, (f"The preferred option misses the target in {k} of {n} futures, but "
                       "PRIM found no range of the inputs in which most futures miss: the "
                       "misses are spread across the ensemble.")
    return found, ""


def fill(out: Appraisal, count: int = SWITCHING) -> None:
    """Fill the appraisal's risks: information, switching values and failure conditions."""
    advice = out.advice
    out.information, why = information(advice, out.appraised())
    if why:
        out.why_not["information"] = why
    out.switching, why = switching(advice, out.information, out.preferred, out.runner_up,
                                   count)
    if why:
        out.why_not["switching"] = why
    out.discovery, why = failure(advice, out.preferred)
    if why:
        out.why_not["discovery"] = why
