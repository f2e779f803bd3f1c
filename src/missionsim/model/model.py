"""MissionModel: the mission delivery system as a Mesa model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import networkx as nx
import numpy as np

from missionsim.limits import MAX_HORIZON, MAX_SEED, quote, whole_number
from missionsim.model import outcomes, workforce, world
from missionsim.model.agents import Department, MissionUnit
from missionsim.model.ledger import Ledger
from missionsim.model.missions import MISSIONS, Mission, get_mission
from missionsim.model.organisations import Organisations
from missionsim.model.params import PRESET_PLACES, PRESETS, resolve
from missionsim.model.phases import PHASES
from missionsim.model.placesfile import PlacesData, load_places
from missionsim.model.queries import Queries
from missionsim.model.reforms import (
    REFORMS,
    Levers,
    Reform,
    check_policy,
    make_reform,
    policy_value,
)
from missionsim.model.reporters import REPORTERS, MonthlyCollector, months_to_record
from missionsim.model.state import CHARITY, FILLED

STREAMS = ("world", "government", "budget", "finance", "entry", "workforce", "evidence",
           "adoption", "network", "outcome")
"""Named random streams, each derived from the run's seed. The world is drawn from its own
stream and every phase draws from its own, one draw per post, tie or organisation, so two
scenarios run with the same seed share the same world and the same shocks, and a difference
in one phase does not shift the draws of another (common random numbers). Once scenarios
differ in their numbers of posts or ties, the draws of the phases concerned are no longer
paired one for one, but the world, the shocks and the other phases still are."""

DEFAULT_HORIZON = 120  # structural: run length when none is given (ten years of months)
PLACE_PARAMS = ("n_localities", "cohort_total", "cohort_size_sd", "deprivation_mean",
                "deprivation_sd", "need_deprivation", "takeup_reach_weight",
                "fsm_gap_reach_weight")
"""Parameters that define the places themselves rather than the delivery system."""
LATER_PARAMS = ("funding_shock", "funding_shock_month", "core_funding_trend", "demand_shock",
                "demand_shock_month", "demand_shock_months",
                "response_lag", "extra_mission_money", "extra_money_start", "extra_money_months")
"""Parameters that cannot change month 0 (shocks, the outcome's response time and extra
mission money, which flows only from the first step on)."""


class MissionModel(Queries, Organisations, mesa.Model):
    """Agent-based model of a mission delivery system.

    Build it with keyword arguments, step it like any Mesa model, read
    ``model.datacollector.get_model_vars_dataframe()``::

        model = MissionModel(preset="workshop", reforms={"devolution": {"start": 12}}, rng=1)
        model.run()
        model.target_met()

    Args:
        preset: World size: ``"workshop"`` (30 places), ``"england"`` (153), ``"small"`` (10),
            or ``"england_councils"`` (England's 152 real councils, from a places file).
        mission: A mission's name in :data:`missionsim.model.missions.MISSIONS` (default
            ``"early_years"``), the path of a mission file (``.toml``), or a
            :class:`~missionsim.model.missions.Mission` record (a variant, as calibration
            builds them).
        reforms: Mapping of reform name to settings (``start``, ``end``, ``intensity``), to an
            intensity, or to ``True``.
        params: Parameter overrides (see :mod:`missionsim.model.params`).
        horizon: Months :meth:`run` simulates by default (120).
        rng: Seed or generator, as for :class:`mesa.Model` (Mesa's deprecated ``seed`` keyword
            is passed on too).
        policy: Policy settings that change over the run: a name of
            :data:`~missionsim.model.reforms.base.PATH_SETTINGS` (``punitive_accountability``,
            ``silo``, ``competitive_share``, ``settlement_years``) to a path of ``[month,
            value]`` points or a number, within the parameter's bounds. Month 0 is built with
            each path's first value as the parameter; every month the path's value there
            replaces the parameter's lever before reforms adjust the levers. A setting given
            here may not also be given as a parameter.
        places: A places file (:mod:`missionsim.model.placesfile`) to build the places from:
            a shipped name (``"england_councils_2018"``), a path to a ``.csv`` file, or a
            :class:`~missionsim.model.placesfile.PlacesData`. Default: the preset's own (only
            ``england_councils`` has one); other presets draw their places at random. The file
            sets the number of places and the cohort; each place keeps its name, code,
            deprivation (FSM share), statistical neighbours and, where the mission says which
            column measures it, its observed starting value.
        record_months: The months at which the DataCollector records the reporters (month 0
            is the state before the first step). Default: every month. Where only some months
            are read (the end of a run, a deadline), recording just those spares the record
            phase (about a fifth of a workshop month). The reporters' frame is indexed by the
            recorded months, and the model's state is the same either way.
        **overrides: Parameter overrides given directly as keywords (as ``batch_run`` does).

    Each call to :meth:`step` advances one month through these phases, in this order:

    1. **policy** – reset the levers from the parameters and the month's policy paths;
       reforms begin, apply or finish at their intensity this month; their costs are
       booked; the month's funding and demand shocks are set.
    2. **government** – each Department recovers focus or is distracted; the Missions Unit
       (if any) holds its quarterly stocktake and re-weights pooled money.
    3. **budget** – in months 12, 24, …: settlements (renewed when they run out),
       competitive pots (bids cost money and capacity, capacity wins), department grants
       to charities, council plans (crisis first, then teams and commissioning), contract
       tenders, and every employer's funded posts.
    4. **capacity** – council capacity moves towards its target.
    5. **finance** – councils pay crisis demand, then staff and contracts; charities take
       income, pay staff, pool reserves with trusted partners, shrink, close; new charities
       are founded in the place of closed ones.
    6. **workforce** – workload and conditions set morale; quits, hires, skill growth.
    7. **evidence** – programmes in use yield evidence; organisations adopt better-evidenced
       practice from trusted partners (and drop practice shown not to work under trials).
    8. **partnerships** – contact, trust growth and erosion, ties break and form (the
       networkx graph's trust is brought up to date when it is read).
    9. **outcome** – effective delivery in each place; the true indicator moves towards what
       delivery supports, with a lag; gaming sets the reported indicator.
    10. **record** – the month's spending is totalled and the DataCollector records the
        model-level reporters (every month, or the months asked for).
    """

    def __init__(
        self,
        preset: str = "workshop",
        mission: str | Mission = "early_years",
        reforms: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        horizon: int = DEFAULT_HORIZON,
        rng: Any = None,
        policy: Mapping[str, Any] | None = None,
        places: str | PlacesData | None = None,
        record_months: Iterable[int] | None = None,
        **overrides: Any,
    ) -> None:
        if not isinstance(preset, str) or preset not in PRESETS:
            raise ValueError(f"preset = {quote(preset)}: expected one of "
                             f"{', '.join(sorted(PRESETS))}")
        if not isinstance(mission, Mission) and (not isinstance(mission, str)
                                                 or (mission not in MISSIONS
                                                     and not mission.endswith(".toml"))):
            raise ValueError(f"mission = {quote(mission)}: expected one of "
                             f"{', '.join(sorted(MISSIONS))} or a mission file (.toml)")
        whole_number(horizon, "horizon", 1, MAX_HORIZON)
        record_months = months_to_record(record_months)
        if params is not None and not isinstance(params, Mapping):
            raise ValueError(f"params = {quote(params)}: expected a mapping of parameter names to "
                             "values")
        if reforms is not None and not isinstance(reforms, Mapping):
            raise ValueError(f"reforms = {quote(reforms)}: expected a mapping of reform names to "
                             "settings")
        seed = overrides.pop("seed", None)  # Mesa's deprecated spelling of rng
        if rng is not None and not isinstance(rng, np.random.Generator | np.random.SeedSequence):
            rng = whole_number(rng, "rng", 0, MAX_SEED)  # or a generator, as Mesa allows
        if seed is not None:
            seed = whole_number(seed, "seed", 0, MAX_SEED)
        super().__init__(rng=rng, seed=seed)
        self.record_months: frozenset[int] | None = record_months
        self.preset = preset
        self.mission: Mission = get_mission(mission)
        given = {**(params or {}), **overrides}
        self.policy = check_policy({} if policy is None else policy, taken=given)
        start = {name: policy_value(name, path, 0) for name, path in self.policy.items()}
        if places is None:
            places = PRESET_PLACES.get(preset)
        self.places_data: PlacesData | None = None if places is None else load_places(places)
        size = (None if self.places_data is None
                else (self.places_data.n, float(self.places_data.cohort.sum())))
        self.p = resolve(preset, {**given, **start}, self.mission.world, size)
        self.horizon = horizon
        order = list(REFORMS)
        built = [make_reform(name, s) for name, s in (reforms or {}).items()]
        self.reforms: list[Reform] = sorted(built, key=lambda r: order.index(r.name))
        for reform in self.reforms:
            reform.check_intensity(self.p)
            reform.places = None
        self.streams = _streams(self._seed)
        self.levers = Levers.from_params(self.p)
        self.month = 0
        self.demand_mult = 1.0
        self.funding_mult = 1.0
        self.reform_cost = 0.0
        self.ledger = Ledger()
        self.spend_month = 0.0
        self.spend_month_recorded = 0.0
        self.spend_total = 0.0
        self.available_total = 0.0
        self.pool_total = 0.0
        self.adoptions = 0
        self.contracts_lost = 0
        self.closures_month = 0
        self.bids_last_round = np.zeros(self.p["n_localities"], dtype=np.int64)
        self.pooled_last_month = 0.0
        self.mission_unit: MissionUnit | None = None
        self._outcome_at_deadline: float | None = None
        self._dept_draws = np.zeros((0, 2))  # structural: two draws a department

        self.expected_vacancy = world.steady_vacancy(self.p)
        world.build(self)
        self.extra_money_places = np.zeros(self.places.n)
        self.extra_money_change = np.zeros(self.places.n)
        self.departments: list[Department] = [a for a in self.org_agents
                                              if isinstance(a, Department)]
        self._init_reference_state()
        self._anchor_to_calibrated_system()
        for reform in self.reforms:
            if reform.target is not None:  # named places exist in this world
                reform.target.check(self, f"reforms[{quote(reform.name)}].target")
            reform.initialize(self)
        self.datacollector = MonthlyCollector(model_reporters=dict(REPORTERS))
        self.record()

    # --- construction helpers -------------------------------------------------------------
    def _init_reference_state(self) -> None:
        """Put morale, reach and gaming at their month-0 levels; record reference values."""
        pl, s = self.places, self.staff
        pl.reach0 = outcomes.reach(self)
        pl.reach = pl.reach0.copy()
        pl.filled0 = np.bincount(s.loc[s.status == FILLED], minlength=pl.n).astype(float)
        self.morale_ref = 0.0
        target = workforce.morale_target(self)
        noise = self.streams["world"].normal(0.0, self.p["morale_sd"], s.n)
        s.morale[:] = np.clip(target + noise, 0.0, 1.0)
        s.staff_changed()
        # the morale at which the mean quit hazard over all posts equals the calibrated rate
        k = max(self.p["morale_turnover"], 1e-9)  # structural: no division by zero
        self.morale_ref = float(-np.log(np.mean(np.exp(-k * s.morale))) / k)
        charity_slots = np.flatnonzero(self.orgs.kind == CHARITY)
        charity_effort = np.bincount(s.loc[(s.status == FILLED)
                                           & (self.orgs.kind[s.org] == CHARITY)],
                                     minlength=pl.n).astype(float)
        p = self.p
        self.volunteers0 = p["volunteer_effort"] * charity_effort * p["charity_post_effort"]
        self.n_charity_slots = charity_slots.size
        pl.d0 = np.maximum(outcomes.delivery(self), world.TINY)
        pl.delivery = np.ones(pl.n)
        pl.gaming = outcomes.gaming_target(self, stocktakes=False)
        pl.y_hist.append(pl.y.copy())
        # councils' opening balances (working reserves) are money available to the mission
        self.available_total = float(pl.balance.sum())

    def _anchor_to_calibrated_system(self) -> None:
        """Measure delivery and turnover against the calibrated system in the same places.

        The mission indicator starts at its observed value in each place. What moves it is
        effective delivery relative to what the *calibrated default* system delivers in the
        same places at month 0 (and quitting relative to that system's morale). With default
        parameters that reference is this model itself; otherwise a reference model with the
        same places, seed and mission but default behavioural parameters is built once, so a
        worse system (say, more silos) starts below its reference and the indicator drifts
        down from month 0, while a better one drifts up.
        """
        data = self.places_data
        place_values = {k: self.p[k] for k in PLACE_PARAMS if data is None
                        or k not in ("n_localities", "cohort_total")}
        size = None if data is None else (data.n, float(data.cohort.sum()))
        reference_params = resolve(self.preset, place_values, self.mission.world, size)
        if all(reference_params[k] == v for k, v in self.p.items() if k not in LATER_PARAMS):
            return
        reference = MissionModel(preset=self.preset, mission=self.mission,
                                 rng=self._seed, params=place_values, places=data)
        pl = self.places
        own = pl.d0
        pl.d0 = reference.places.d0
        pl.delivery = own / pl.d0
        self.morale_ref = reference.morale_ref

    # --- Mesa's agents, the frontline staff's made when first read -------------------------
    @property
    def staff_agents(self) -> list:
        """Every post's :class:`~missionsim.model.agents.FrontlineStaff` agent, in post order."""
        return self.staff_views.all()

    def _all_read(self) -> None:
        views = self.__dict__.get("staff_views")  # none yet while the world is built
        if views is not None:
            views.all()

    @property
    def agents(self):
        """All of Mesa's agents (as :attr:`mesa.Model.agents`), every post's agent included."""
        self._all_read()
        return mesa.Model.agents.fget(self)

    @property
    def agent_count(self) -> int:
        """How many agents :attr:`agents` holds, counted without making any post's agent.

        Mesa's registered agents plus the posts whose agents are not made yet: reading
        :attr:`agents` makes every post's agent, and from then on the agents of posts as they
        open, which a run then pays for.
        """
        registered = len(mesa.Model.agents.fget(self))
        views = self.__dict__.get("staff_views")
        return registered + (views.unmade if views is not None else 0)

    @agents.setter
    def agents(self, value) -> None:
        mesa.Model.agents.fset(self, value)  # Mesa refuses it

    @property
    def agents_by_type(self):
        """Mesa's agents by type (as :attr:`mesa.Model.agents_by_type`), staff included."""
        self._all_read()
        return mesa.Model.agents_by_type.fget(self)

    @property
    def agent_types(self) -> list:
        """The types of Mesa's agents (as :attr:`mesa.Model.agent_types`), staff included."""
        self._all_read()
        return mesa.Model.agent_types.fget(self)

    def remove_all_agents(self) -> None:
        """Remove every agent (as :meth:`mesa.Model.remove_all_agents`), staff included."""
        self._all_read()
        super().remove_all_agents()

    @property
    def partnerships(self) -> nx.Graph:
        """The partnership network as a networkx graph (section 2.3 of docs/model.md).

        Nodes are organisations' ``unique_id``; edges carry ``kind`` and ``trust``. The
        monthly update works on arrays; the graph's trust is brought up to date here, when it
        is read, rather than every month.
        """
        self.net.sync_trust()
        return self.net.graph

    # --- the step ---------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month: run each of :data:`~missionsim.model.phases.PHASES` in order."""
        self.month = self.steps - 1
        self.closures_month = 0
        for phase in PHASES:
            phase.run(self)

    def record(self) -> None:
        """Record the reporters now, if this month is one of :attr:`record_months`."""
        if self.record_months is None or self.month in self.record_months:
            self.datacollector.collect(self)

    def run(self, steps: int | None = None) -> MissionModel:
        """Run ``steps`` months (default: to the horizon) and return the model."""
        if steps is None:
            steps = max(0, self.horizon - self.month)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps = {quote(steps)}: expected a whole number of months ≥ 0")
        for _ in range(steps):
            self.step()
        return self

    # --- money ledger -------------------------------------------------------------------------
    def ledger_spend(self, amount: float) -> None:
        """Book mission spending this month (£m)."""
        self.spend_month += amount

    def ledger_available(self, amount: float) -> None:
        """Book money made available to the mission this month (£m)."""
        self.available_total += amount

    def mission_money(self) -> float:
        """Department mission money for councils this year (£m), after any funding shock."""
        return self.mission_money0 * self.funding_mult

    def extra_money(self, month: int | None = None) -> float:
        """Ring-fenced extra mission money flowing in ``month`` (£m a year; default: now).

        It flows from ``extra_money_start`` for ``extra_money_months`` months (0: to the end
        of the run), is not cut by the funding shock, and is 0 outside that window.
        """
        p = self.p
        t = self.month if month is None else month
        start, months = p["extra_money_start"], p["extra_money_months"]
        flowing = t >= start and (months == 0 or t < start + months)
        return float(p["extra_mission_money"]) if flowing else 0.0

    def _set_extra_money(self) -> None:
        """Share this month's extra mission money among councils by the formula weights."""
        new = self.extra_money() * self.places.formula_weight
        self.extra_money_change = new - self.extra_money_places
        self.extra_money_places = new

def _streams(seed: Any) -> dict[str, np.random.Generator]:
    """Independent named generators derived from the run's seed."""
    seq = np.random.SeedSequence(int(seed) % 2**64)  # structural: the seed modulus
    return {name: np.random.default_rng(child)
            for name, child in zip(STREAMS, seq.spawn(len(STREAMS)), strict=True)}
