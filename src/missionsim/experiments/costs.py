"""What options cost: public money by payer, resources drawn from others, present values.

Every run's ``months`` table carries the model's monthly accounts (:mod:`missionsim.model.ledger`
through the reporters ``cost_department``, ``cost_council``, ``donations``,
``volunteer_value``, ``displacement_cost``, ``transfers`` and ``capacity_used``). This module
turns them into the figures an appraisal reports:

- **public cost**: the new public money the reforms need (departments' and councils' shares),
  in present value;
- **resources drawn from others**: the *paired* change, against the baseline, in the donations
  charities receive and in the volunteer time they are given (valued at
  ``volunteer_year_value``), in present value;
- **displacement**: the paired change in the public cost of cases that gaming moves elsewhere
  rather than helps (a mission file's ``displacement``: a hidden stock at its declared cost
  a case-year), in present value;
- **total resource cost**: the public cost plus those resources and the displacement;
- **transfers**: money moved rather than new money (pooled and reallocated mission money,
  reserves shared between charities), reported beside the costs and never added to them.

Present values follow HM Treasury's Green Book: the discount rate (3.5% a year by default)
applies per whole year from the start, so the first twelve months are undiscounted, months
13–24 are divided by 1.035, and so on.

Money is reported for the modelled world and, labelled as such, as an *England equivalent*:
scaled by the children (or people) served in England over those served in the modelled world
(``cohort_total`` at its declared default over the run's ``cohort_total``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from missionsim.model.params import PARAMETERS

GREEN_BOOK_RATE = 0.035
"""HM Treasury Green Book social time preference rate (a year) for the first 30 years."""

MONTHS_PER_YEAR = 12  # unit: months per year

PUBLIC = ("cost_department", "cost_council")
"""Monthly columns of new public money, by payer."""
DRAWN = ("donations", "volunteer_value")
"""Monthly columns of resources drawn from others (their paired change is what counts)."""
REPORTED = ("transfers", "capacity_used")
"""Monthly columns reported beside the costs and never added to them."""
DISPLACED = "displacement_cost"
"""Monthly column of the public cost of cases gaming moves elsewhere (a mission file's
``displacement``); its paired change against the baseline counts in the total resource cost.
Results stored before it existed are read as having none."""


def discount_factors(months: np.ndarray | pd.Series, rate: float = GREEN_BOOK_RATE) -> np.ndarray:
    """Green Book discount factor of each month (1-based months; month 0 holds no flows)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"discount rate = {rate!r}: expected a share a year in [0, 1)")
    month = np.asarray(months, dtype=float)
    year = np.floor(np.maximum(month - 1.0, 0.0) / MONTHS_PER_YEAR)
    return (1.0 + rate) ** -year


def run_costs(months: pd.DataFrame, rate: float = GREEN_BOOK_RATE) -> pd.DataFrame:
    """Present value of each monthly account, one row per run.

    Args:
        months: A study's ``months`` table (one row per run × month).
        rate: Discount rate a year (0: undiscounted sums).

    Returns:
        Indexed by ``scenario`` and ``replicate`` (and ``point`` when a sweep): the present
        values of :data:`PUBLIC`, :data:`DRAWN` and ``transfers`` (£m), ``public`` (their
        sum by payer), and ``capacity_used`` (capacity units × months, undiscounted).
    """
    missing = [c for c in (*PUBLIC, *DRAWN, *REPORTED) if c not in months.columns]
    if missing:
        raise ValueError(f"months table: column {missing[0]!r} is missing; results from an "
                         "older version hold no cost accounts")
    keys = [k for k in ("scenario", "point", "replicate") if k in months.columns]
    factor = discount_factors(months["month"], rate)
    months = months if DISPLACED in months.columns else months.assign(**{DISPLACED: 0.0})
    flows = months[[*PUBLIC, *DRAWN, "transfers", DISPLACED]].mul(factor, axis=0)
    flows["capacity_used"] = months["capacity_used"]
    flows[keys] = months[keys]
    out = flows.groupby(keys, sort=False).sum()
    out["public"] = out["cost_department"] + out["cost_council"]
    return out


def england_factor(runs: pd.DataFrame) -> float:
    """England equivalent ÷ modelled world.

    The people England serves (``cohort_total`` at its declared default) over those the runs'
    world serves (their ``people_served``).
    """
    served = runs["people_served"].dropna() if "people_served" in runs.columns else []
    if not len(served):
        raise ValueError("runs table: column 'people_served' is missing; results from an "
                         "older version cannot be scaled to England")
    return float(PARAMETERS["cohort_total"].default / np.mean(served))


def option_costs(months: pd.DataFrame, baseline: str, rate: float = GREEN_BOOK_RATE,
                 scenarios: Sequence[str] | None = None) -> pd.DataFrame:
    """Costs of each scenario against the baseline, means over paired replicates.

    Returns:
        One row per scenario: ``public``, ``department``, ``council`` (£m PV of new public
        money), ``donations``, ``volunteers`` and ``displacement`` (paired change against the
        baseline, £m PV), ``resource`` (public + donations + volunteers + displacement),
        ``transfers`` (£m PV, not a cost)
        and ``capacity`` (paired change in council capacity used, capacity-years).
    """
    costs = run_costs(months, rate)
    if "point" in costs.index.names:
        costs = costs.droplevel("point")
    base = costs.xs(baseline, level="scenario")
    rows = []
    for name in scenarios or list(dict.fromkeys(costs.index.get_level_values("scenario"))):
        own = costs.xs(name, level="scenario")
        pair = own.index.intersection(base.index)
        drawn = own.loc[pair, [*DRAWN, DISPLACED]] - base.loc[pair, [*DRAWN, DISPLACED]]
        row = {"scenario": name,
               "public": float(own["public"].mean()),
               "department": float(own["cost_department"].mean()),
               "council": float(own["cost_council"].mean()),
               "donations": float(drawn["donations"].mean()) if len(pair) else np.nan,
               "volunteers": float(drawn["volunteer_value"].mean()) if len(pair) else np.nan,
               "displacement": float(drawn[DISPLACED].mean()) if len(pair) else np.nan,
               "transfers": float(own["transfers"].mean()),
               "capacity": float((own.loc[pair, "capacity_used"]
                                  - base.loc[pair, "capacity_used"]).mean() / MONTHS_PER_YEAR)
               if len(pair) else np.nan}
        row["resource"] = (row["public"] + row["donations"] + row["volunteers"]
                           + row["displacement"])
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")
