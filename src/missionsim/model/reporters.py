"""Named model-level reporters, shared by the DataCollector, the CLI and the UI.

Each is a plain function of the model. Units: the mission indicator's own unit for outcome
measures; £m a month for ``spend`` and for the money kinds of the month's ledger
(:mod:`missionsim.model.ledger`); shares in [0, 1] unless stated.
"""

from __future__ import annotations

import copy
import itertools
import types
from collections.abc import Iterable

import mesa
import numpy as np
import pandas as pd

from missionsim.limits import MAX_HORIZON, quote, whole_number
from missionsim.model import finance, kernels, record_kernels, reporter_kernels, ties

_mean = reporter_kernels.mean


def _once(model, name: str, compute):
    """``compute()``, worked out once while the DataCollector records a month.

    Several reporters share a value (the national outcome, the staff in post); inside
    :meth:`MonthlyCollector.collect` the first to ask computes it and the others reuse it.
    Outside a record, each call computes it afresh.
    """
    shared = getattr(model, "_recording", None)
    if shared is None:
        return compute()
    if name not in shared:
        shared[name] = compute()
    return shared[name]


def _places(model) -> record_kernels.PlaceFigures:
    """The record's figures of the places, worked out together (:mod:`record_kernels`)."""
    def compute():
        pl, m = model.places, model.mission
        d, count = m.displacement, m.aggregate == "sum"
        mission = record_kernels.Mission(
            float(m.direction), count, min(1.0, model.month / m.deadline),
            float(m.target), float(m.baseline), d is not None,
            float(d["share"]) if d else 0.0,
            float(d["per"]) if d and not count else 1.0)  # a count's cases need no base
        return record_kernels.places(kernels.COMPILED, pl.y, pl.best, pl.gaming, pl.y0,
                                     pl.cohort, pl.capacity, pl.early_share, pl.core,
                                     pl.reach, pl.need0, pl.most_deprived[0], mission)
    return _once(model, "places", compute)


def outcome(model) -> float:
    """True national value of the mission indicator."""
    return _places(model).outcome


def outcome_reported(model) -> float:
    """Reported national value (the true value plus what gaming hides)."""
    return _places(model).reported


def trajectory_gap(model) -> float:
    """True national value minus the trajectory, in the mission's direction (+ ahead)."""
    return model.mission.direction * (outcome(model) - model.trajectory())


def on_track_share(model) -> float:
    """Share of places at or ahead of their own trajectory (true indicator)."""
    return float(_places(model).on_track / model.places.n)


def inequality(model) -> float:
    """Gap between the best and the worst decile of places' true indicator (≥ 0).

    For count missions the places are compared per 10,000 of their population.
    """
    return _places(model).inequality


def outcome_most_deprived(model) -> float:
    """True indicator in the most deprived tenth of places (mean, or sum for counts)."""
    return _places(model).most_deprived


def spend(model) -> float:
    """Public money spent on the mission this month (£m), reform costs included."""
    return float(model.spend_month)


def spend_total(model) -> float:
    """Public money spent on the mission so far (£m)."""
    return float(model.spend_total)


def reform_cost(model) -> float:
    """Cost of active reforms this month (£m), part of ``spend``."""
    return float(model.reform_cost)


def extra_money(model) -> float:
    """Extra ring-fenced mission money paid to councils this month (£m), counted as available."""
    return float(model.extra_money_places.sum() / 12.0)  # unit: months per year


def _staff_in_post(model) -> record_kernels.InPost:
    """The staff in post's means and the posts' counts (:class:`~record_kernels.InPost`).

    From the sums by employer (``StaffArrays.sums_by_org``), shared by the staff reporters
    (:func:`~missionsim.model.record_kernels.in_post_reference` says how).
    """
    def compute():
        o, s, pr, p = model.orgs, model.staff, model.programmes, model.p
        sums = s.sums_by_org(o.n)
        return record_kernels.in_post(
            kernels.COMPILED, sums.filled, sums.morale, s.funded_by_org(o.n),
            (pr.mean, pr.prec, p["meaningful_effect"], p["evidence_backed_z"]), o.programme,
            o.own_programme, o.rollout, o.practice)
    return _once(model, "staff_in_post", compute)


def staff_morale(model) -> float:
    """Mean morale of frontline staff in post."""
    return _staff_in_post(model).morale


def staff_turnover(model) -> float:
    """Quits this month as an annual rate of staff in post."""
    s = model.staff
    before = getattr(s, "filled_before", 0)
    return 12.0 * getattr(s, "quits_month", 0) / before if before else 0.0  # unit: months/year


def vacancy_rate(model) -> float:
    """Share of funded posts that are vacant."""
    posts = _staff_in_post(model)
    return float(posts.vacant / posts.funded) if posts.funded else 0.0


def staff_headcount(model) -> int:
    """Frontline staff in post."""
    return _staff_in_post(model).filled


def charity_closures(model) -> int:
    """Charities closed since month 0 (cumulative)."""
    return int(model.orgs.closed)


def _charity_reserves(model) -> tuple[int, float]:
    """The number of operating charities and the median of their reserves' months.

    The months are the values of ``model.charity_reserves_months()`` at the operating
    charities; both are worked out once for the record.
    """
    def compute():
        o = model.orgs
        return reporter_kernels.reserves_median(kernels.COMPILED, o.kind, o.active, o.reserves,
                                                model.staff.funded_by_org(o.n),
                                                finance.post_bill(model.p))
    return _once(model, "charity_reserves", compute)


def charities_active(model) -> int:
    """Charities operating."""
    return _charity_reserves(model)[0]


def charity_reserves_median(model) -> float:
    """Median charity reserves, in months of current costs."""
    return _charity_reserves(model)[1]


def partnership_density(model) -> float:
    """Mean density of ties among each locality's council and charities."""
    net, o = model.net, model.orgs
    if net.n_edges == 0:
        return 0.0
    return _mean(reporter_kernels.densities(kernels.COMPILED, net.u, net.v, o.locality, o.kind,
                                            o.active, model.places.n))


def cross_sector_ties(model) -> float:
    """Share of ties that join two sectors."""
    if model.net.n_edges == 0:
        return 0.0
    cross = ties.cross_sector(model)
    return float(np.count_nonzero(cross) / cross.size)  # the mean of 0s and 1s, exactly


def reach(model) -> float:
    """Share of need reached (mean over places): referrals, data sharing and uptake."""
    return _places(model).reach


def mean_trust(model) -> float:
    """Mean trust over all ties."""
    return _mean(model.net.trust) if model.net.n_edges else 0.0


def evidence_adoption(model) -> float:
    """Share of frontline staff in post using an evidence-backed practice."""
    return _staff_in_post(model).evidence


def practice_effect(model) -> float:
    """Mean true effect (SD) of the practice used by frontline staff in post."""
    return _staff_in_post(model).practice


def department_focus(model) -> float:
    """Mean focus of departments on the mission (0–1)."""
    return _mean(np.array([d.focus for d in model.departments], dtype=np.float64))


def council_capacity(model) -> float:
    """Mean council capacity (0–1)."""
    return _places(model).capacity


def early_intervention_share(model) -> float:
    """Share of councils' spending this month on early intervention rather than crisis."""
    return _places(model).early


def gaming_gap(model) -> float:
    """Reported minus true national indicator, in the mission's direction."""
    return model.mission.direction * (outcome_reported(model) - outcome(model))


def cost_department(model) -> float:
    """New public money for reforms paid by departments this month (£m)."""
    return float(model.ledger.recorded["reform_department"])


def cost_council(model) -> float:
    """New public money for reforms paid by councils this month (£m)."""
    return float(model.ledger.recorded["reform_council"])


def donations(model) -> float:
    """Charitable donations received by charities this month (£m)."""
    return float(model.ledger.recorded["donations"])


def volunteer_value(model) -> float:
    """Volunteer time given to charities this month, at the value of a volunteer's year (£m)."""
    return float(model.ledger.recorded["volunteer_value"])


def capacity_used(model) -> float:
    """Council capacity spent on bids and cross-sector ties this month (capacity units).

    One council at full strength has a capacity of 1.
    """
    return float(model.ledger.recorded["capacity_used"])


def transfers(model) -> float:
    """Money moved rather than new this month (£m): pooled mission money, shared reserves."""
    return float(model.ledger.recorded["transfers"])


def displaced(model) -> float:
    """Cases the mission's gaming has moved elsewhere, nationally.

    They go to a hidden stock or another indicator (the mission file's ``displacement``); 0 for
    missions without displacement.
    """
    return _places(model).displaced


def displacement_cost(model) -> float:
    """Public cost of the displaced cases this month (£m)."""
    return float(model.ledger.recorded["displacement"])


REPORTERS = {
    f.__name__: f
    for f in (outcome, outcome_reported, trajectory_gap, on_track_share, inequality, spend,
              staff_morale, staff_turnover, vacancy_rate, charity_closures,
              charity_reserves_median, partnership_density, cross_sector_ties, mean_trust,
              evidence_adoption, outcome_most_deprived, gaming_gap, spend_total, reform_cost,
              staff_headcount, charities_active, council_capacity, early_intervention_share,
              practice_effect, reach, department_focus, extra_money, cost_department,
              cost_council, donations, volunteer_value, capacity_used, transfers,
              displaced, displacement_cost)
}
"""Model-level reporters by name, in the order of the data frame's columns."""


_NUMBERS = frozenset((float, int, bool, np.float64, np.int64, type(None)))
"""Types of reporter value that are recorded as they are (immutable, so a copy is the same)."""


class MonthlyCollector(mesa.DataCollector):
    """Mesa's DataCollector that notes the month of each record.

    Its frame is indexed by month: ``0, 1, …`` when every month is recorded, as Mesa's own,
    or the months recorded when the model records only some
    (:attr:`~missionsim.model.model.MissionModel.record_months`).
    """

    def __init__(self, model_reporters: dict) -> None:
        super().__init__(model_reporters=model_reporters)
        self._plain = all(isinstance(r, types.FunctionType) for r in model_reporters.values())
        self.months: list[int] = []

    def collect(self, model) -> None:
        """Record every model reporter now, and the month.

        Values several reporters share are worked out once for the record (:func:`_once`).
        The first record is Mesa's own, which checks every reporter. When every reporter is a
        function of the model, later records append each value as it is: Mesa would deep-copy
        it, and a number is unchanged by a copy; any other value is copied as Mesa does.
        """
        model._recording = {}
        try:
            if self._validated and self._plain:
                self._collection_steps.append(model.time)
                for var, reporter in self.model_reporters.items():
                    value = reporter(model)
                    self.model_vars[var].append(
                        value if type(value) in _NUMBERS else copy.deepcopy(value))
            else:
                super().collect(model)
        finally:
            model._recording = None
        self.months.append(int(model.month))

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per recorded month, indexed by month."""
        frame = super().get_model_vars_dataframe()
        if self.months != list(range(len(self.months))):  # some months not recorded
            frame.index = pd.Index(self.months, dtype=np.int64)
        return frame


def months_to_record(months: Iterable[int] | None) -> frozenset[int] | None:
    """The months a model should record, checked: ``None`` for every month.

    Raises:
        ValueError: One line naming ``record_months`` when it is not a collection of whole
            numbers from 0 to the longest horizon.
    """
    if months is None:
        return None
    if isinstance(months, str | bytes | dict) or not isinstance(months, Iterable):
        raise ValueError(f"record_months = {quote(months)}: expected a list of months "
                         f"(whole numbers from 0 to {MAX_HORIZON:,}), or None for every month")
    most = MAX_HORIZON + 1  # structural: months 0 to the longest horizon
    given = list(itertools.islice(months, most + 1))  # an endless iterable is cut short
    if len(given) > most:
        raise ValueError(f"record_months: expected at most {most:,} months (0 to "
                         f"{MAX_HORIZON:,}), got more")
    return frozenset(whole_number(m, "record_months", 0, MAX_HORIZON) for m in given)
