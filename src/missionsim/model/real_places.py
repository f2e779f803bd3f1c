"""Places built from a places file: cohorts, deprivation, starting outcomes, neighbours, reach.

A world built from a places file (:mod:`missionsim.model.placesfile`; the shipped one is
England's 152 councils) keeps what the file observes and draws only what it does not:

* **cohort** — each place's children in the measured cohort (the file's ``cohort_YYYY``);
* **deprivation** — the share of them eligible for free school meals (``fsm_cohort_YYYY`` ÷
  cohort, the same measure as ``deprivation_mean``); a suppressed share takes the national
  (cohort-weighted) share, and a file without FSM counts gives every place
  ``deprivation_mean``;
* **starting outcome** — where the mission names the column that measures it
  (:class:`~missionsim.model.missionfile.PlacesSpec`), each place starts at its observed
  value, or at its observed position rescaled to the mission's baseline and spread; a
  suppressed value takes the national value. Other missions draw places' outcomes from the
  real deprivation, as on a drawn world;
* **statistical neighbours** — the first ``neighbour_ties`` of each place's listed
  neighbours become ties between councils (:data:`~missionsim.model.network.NEIGHBOUR`);
* **starting reach** — ``exp(takeup_reach_weight × z(take-up) − fsm_gap_reach_weight ×
  z(FSM gap))`` times what the formula gives, with cohort-weighted z-scores of the latest
  take-up of funded places by two-year-olds (three- and four-year-olds where absent) and of
  the FSM gap (other minus FSM GLD); a missing value counts as average.

Capacity, organisations, staff and programmes are drawn as on any world.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from missionsim.model.placesfile import PlacesData, PlacesError

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.missions import Mission


def _filled(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``values`` with each missing entry replaced by the weighted mean of the others."""
    missing = np.isnan(values)
    if not missing.any():
        return values
    out = values.copy()
    out[missing] = np.average(values[~missing], weights=weights[~missing])
    return out


def _z(values: np.ndarray | None, weights: np.ndarray) -> np.ndarray:
    """Cohort-weighted z-scores, 0 where a value is missing (or for a column absent)."""
    if values is None or np.isnan(values).all():
        return np.zeros(weights.size)
    v = _filled(values, weights)
    mean = np.average(v, weights=weights)
    sd = np.sqrt(np.average((v - mean) ** 2, weights=weights))  # structural: a variance
    return (v - mean) / sd if sd > 0 else np.zeros(weights.size)


def cohort_and_deprivation(data: PlacesData, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Each place's cohort and deprived (FSM-eligible) share, from the file."""
    cohort = data.cohort
    years = data.years.get("fsm_cohort", ())
    if not years:
        return cohort, np.full(data.n, float(p["deprivation_mean"]))
    year = data.cohort_year if data.cohort_year in years else years[-1]
    fsm = data.values("fsm_cohort", year)
    if np.isnan(fsm).all():
        return cohort, np.full(data.n, float(p["deprivation_mean"]))
    return cohort, _filled(fsm / cohort, cohort)


def observed_outcomes(data: PlacesData, mission: Mission, cohort: np.ndarray,
                      drawn: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each place's starting outcome and best value, from the column the mission names.

    Args:
        data: The places file.
        mission: The mission; without a ``places`` entry the drawn values are kept.
        cohort: Each place's cohort (the weights of national values).
        drawn: Starting outcomes drawn as on any world (kept when the mission names no column).
        best: Best values drawn as on any world.

    Raises:
        PlacesError: The file lacks the column and year the mission starts places from.
    """
    spec = mission.places
    if spec is None:
        return drawn, best
    column, year = spec["column"], spec.get("year")
    values = data.values(column, year)
    if values is None or np.isnan(values).all():
        have = ", ".join(f"{column}_{y}" for y in data.years.get(column, ())) or "none"
        raise PlacesError(f"{data.path}: mission {mission.name!r} starts places from column "
                          f"{column}_{year if year is not None else 'YYYY'}, which the file "
                          f"does not have (it has: {have})")
    v = _filled(values, cohort)
    if mission.aggregate == "sum":
        share = v / v.sum()
        y0 = mission.baseline * share if spec.get("rescale") else v
        return y0, mission.best * y0 / y0.sum()
    y0 = mission.baseline + spec["sd"] * _z(v, cohort) if spec.get("rescale") else v
    return y0, np.full(y0.size, mission.best)


def identity(data: PlacesData, p: dict[str, Any]) -> dict[str, Any]:
    """Names, codes, neighbour rows and starting-reach factors of the places (``Places`` fields)."""
    cohort = data.cohort
    takeup = data.values("takeup_2yo")
    if takeup is None:
        takeup = data.values("takeup_3_4yo")
    gap_years = sorted(set(data.years.get("gld_fsm", ())) & set(data.years.get("gld_other", ())))
    gap = (data.values("gld_other", gap_years[-1]) - data.values("gld_fsm", gap_years[-1])
           if gap_years else None)
    factor = np.exp(p["takeup_reach_weight"] * _z(takeup, cohort)
                    - p["fsm_gap_reach_weight"] * _z(gap, cohort))
    return {"names": data.names, "codes": data.codes,
            "neighbours": data.neighbour_index(int(p["neighbour_ties"])),
            "reach_factor": factor}
