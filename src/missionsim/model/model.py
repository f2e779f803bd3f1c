"""MissionModel: the mission delivery system as a Mesa model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from missionsim.limits import MAX_HORIZON, MAX_SEED, quote, whole_number
from missionsim.model import evidence, finance, outcomes, ties, workforce, world
from missionsim.model.agents import Charity, Department, FrontlineStaff, MissionUnit
from missionsim.model.agents.department import DEPARTMENTS
from missionsim.model.missions import MISSIONS, Mission
from missionsim.model.network import COORDINATION, FUNDING, PARTNERSHIP
from missionsim.model.params import PRESETS, resolve
from missionsim.model.reforms import REFORMS, Levers, Reform, make_reform
from missionsim.model.reporters import REPORTERS
from missionsim.model.state import CHARITY, COUNCIL, FILLED, UNFUNDED, UNIT, VACANT

STREAMS = ("world", "government", "budget", "finance", "entry", "workforce", "evidence",
           "adoption", "network", "outcome")
"""Named random streams, each derived from the run's seed. The world is drawn from its own
stream and every phase draws from its own, one draw per post, tie or organisation, so two
scenarios run with the same seed share the same world and the same shocks, and a difference
in one phase does not shift the draws of another (common random numbers). Once scenarios
differ in their numbers of posts or ties, the draws of the phases concerned are no longer
paired one for one, but the world, the shocks and the other phases still are."""

DEFAULT_HORIZON = 120
PLACE_PARAMS = ("n_localities", "cohort_total", "cohort_size_sd", "deprivation_mean",
                "deprivation_sd", "need_deprivation")
"""Parameters that define the places themselves rather than the delivery system."""
LATER_PARAMS = ("funding_shock", "funding_shock_month", "demand_shock", "demand_shock_month",
                "response_lag", "extra_mission_money", "extra_money_start", "extra_money_months")
"""Parameters that cannot change month 0 (shocks, the outcome's response time and extra
mission money, which flows only from the first step on)."""


class MissionModel(mesa.Model):
    """Agent-based model of a mission delivery system.

    Build it with keyword arguments, step it like any Mesa model, read
    ``model.datacollector.get_model_vars_dataframe()``::

        model = MissionModel(preset="workshop", reforms={"devolution": {"start": 12}}, rng=1)
        model.run()
        model.target_met()

    Args:
        preset: World size: ``"workshop"`` (30 places), ``"england"`` (153), ``"small"`` (10).
        mission: A mission's name in :data:`missionsim.model.missions.MISSIONS` (default
            ``"early_years"``), or a :class:`~missionsim.model.missions.Mission` record (a variant,
            as calibration builds them).
        reforms: Mapping of reform name to settings (``start``, ``end``, ``intensity``), to an
            intensity, or to ``True``.
        params: Parameter overrides (see :mod:`missionsim.model.params`).
        horizon: Months :meth:`run` simulates by default (120).
        rng: Seed or generator, as for :class:`mesa.Model` (Mesa's deprecated ``seed`` keyword
            is passed on too).
        **overrides: Parameter overrides given directly as keywords (as ``batch_run`` does).

    Each call to :meth:`step` advances one month through these phases, in this order:

    1. **policy** – reset the levers from the parameters; reforms begin, apply or finish;
       their costs are booked; the month's funding and demand shocks are set.
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
    8. **partnerships** – contact, trust growth and erosion, ties break and form; the
       networkx graph is synchronised.
    9. **outcome** – effective delivery in each place; the true indicator moves towards what
       delivery supports, with a lag; gaming sets the reported indicator.
    10. **record** – the DataCollector records the model-level reporters.
    """

    def __init__(
        self,
        preset: str = "workshop",
        mission: str | Mission = "early_years",
        reforms: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        horizon: int = DEFAULT_HORIZON,
        rng: Any = None,
        **overrides: Any,
    ) -> None:
        if not isinstance(preset, str) or preset not in PRESETS:
            raise ValueError(f"preset = {quote(preset)}: expected one of "
                             f"{', '.join(sorted(PRESETS))}")
        if not isinstance(mission, Mission) and (not isinstance(mission, str)
                                                 or mission not in MISSIONS):
            raise ValueError(f"mission = {quote(mission)}: expected one of "
                             f"{', '.join(sorted(MISSIONS))}")
        whole_number(horizon, "horizon", 1, MAX_HORIZON)
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
        self.preset = preset
        self.mission: Mission = mission if isinstance(mission, Mission) else MISSIONS[mission]
        self.p = resolve(preset, {**(params or {}), **overrides}, self.mission.world)
        self.horizon = horizon
        order = list(REFORMS)
        built = [make_reform(name, s) for name, s in (reforms or {}).items()]
        self.reforms: list[Reform] = sorted(built, key=lambda r: order.index(r.name))
        self.streams = _streams(self._seed)
        self.levers = Levers.from_params(self.p)
        self.month = 0
        self.demand_mult = 1.0
        self.funding_mult = 1.0
        self.reform_cost = 0.0
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
        self._dept_draws = np.zeros((0, 2))

        self.expected_vacancy = world.steady_vacancy(self.p)
        world.build(self)
        self.extra_money_places = np.zeros(self.places.n)
        self.extra_money_change = np.zeros(self.places.n)
        self.departments: list[Department] = [a for a in self.org_agents
                                              if isinstance(a, Department)]
        self._init_reference_state()
        self._anchor_to_calibrated_system()
        for reform in self.reforms:
            reform.initialize(self)
        self.datacollector = mesa.DataCollector(model_reporters=dict(REPORTERS))
        self.datacollector.collect(self)

    # --- construction helpers -------------------------------------------------------------
    def _init_reference_state(self) -> None:
        """Put morale, reach and gaming at their month-0 levels; record reference values."""
        pl, s = self.places, self.staff
        pl.reach0 = outcomes.reach(self)
        pl.reach = pl.reach0.copy()
        pl.filled0 = np.bincount(s.loc[s.status == FILLED], minlength=pl.n).astype(float)
        self.morale_ref = 0.0
        target = workforce.morale_target(self)
        noise = self.streams["world"].normal(0.0, 0.08, s.n)
        s.morale[:] = np.clip(target + noise, 0.0, 1.0)
        # the morale at which the mean quit hazard over all posts equals the calibrated rate
        k = max(self.p["morale_turnover"], 1e-9)
        self.morale_ref = float(-np.log(np.mean(np.exp(-k * s.morale))) / k)
        charity_slots = np.flatnonzero(self.orgs.kind == CHARITY)
        charity_effort = np.bincount(s.loc[(s.status == FILLED)
                                           & (self.orgs.kind[s.org] == CHARITY)],
                                     minlength=pl.n).astype(float)
        self.volunteers0 = self.p["volunteer_effort"] * charity_effort * 0.6
        self.n_charity_slots = charity_slots.size
        pl.d0 = np.maximum(outcomes.delivery(self), 1e-12)
        pl.delivery = np.ones(pl.n)
        behind = self.places_behind(reported=False)
        pressure = self.levers.punitive * (0.5 + 0.5 * np.tanh(3.0 * behind))
        pl.gaming = np.clip(self.p["gaming_strength"] * pressure, 0.0, 0.9)
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
        place_values = {k: self.p[k] for k in PLACE_PARAMS}
        reference_params = resolve(self.preset, place_values, self.mission.world)
        if all(reference_params[k] == v for k, v in self.p.items() if k not in LATER_PARAMS):
            return
        reference = MissionModel(preset=self.preset, mission=self.mission,
                                 rng=self._seed, params=place_values)
        pl = self.places
        own = pl.d0
        pl.d0 = reference.places.d0
        pl.delivery = own / pl.d0
        self.morale_ref = reference.morale_ref

    # --- the step ---------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month (see the class docstring for the phases and their order)."""
        self.month = self.steps - 1
        self.closures_month = 0
        self._phase_policy()
        self._phase_government()
        if self.month > 0 and self.month % 12 == 0:
            finance.annual_budget(self)
        elif self.extra_money_change.any():  # extra money started or stopped mid-year
            finance.replan_extra_money(self, self.extra_money_change)
        self._phase_capacity()
        finance.monthly_flows(self)
        workforce.update(self)
        evidence.update(self)
        ties.update(self)
        outcomes.update(self)
        self.spend_total += self.spend_month
        self.month = self.steps
        if self.month == self.mission.deadline:
            self._outcome_at_deadline = outcomes.national(self, self.places.y)
        self.datacollector.collect(self)
        self.spend_month_recorded = self.spend_month
        self.spend_month = 0.0
        if self.month >= self.horizon:
            self.running = False

    def run(self, steps: int | None = None) -> MissionModel:
        """Run ``steps`` months (default: to the horizon) and return the model."""
        if steps is None:
            steps = max(0, self.horizon - self.month)
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps = {quote(steps)}: expected a whole number of months ≥ 0")
        for _ in range(steps):
            self.step()
        return self

    def _phase_policy(self) -> None:
        p, m = self.p, self.month
        self.levers = Levers.from_params(self.p)
        cost = 0.0
        for reform in self.reforms:
            active = reform.is_active(m)
            if active and not reform._running:
                reform._running = True
                reform.begin(self)
            elif not active and reform._running:
                reform._running = False
                reform.finish(self)
            if active:
                reform.apply(self, self.levers)
                cost += reform.monthly_cost(self)
        lv = self.levers
        lv.autonomy = min(1.0, lv.autonomy)
        lv.pooled_share = min(0.9, lv.pooled_share)
        lv.focus_protection = min(1.0, lv.focus_protection)
        self.reform_cost = cost
        self.ledger_available(cost)
        self.ledger_spend(cost)
        shock_on = p["demand_shock_month"] <= m < p["demand_shock_month"] + 12
        self.demand_mult = 1.0 + p["demand_shock"] * shock_on
        self.funding_mult = 1.0 - p["funding_shock"] * (m >= p["funding_shock_month"])
        self._set_extra_money()

    def _phase_government(self) -> None:
        self._dept_draws = self.streams["government"].random((len(self.departments), 2))
        for dept in self.departments:
            dept.step()
        if self.mission_unit is not None:
            self.mission_unit.step()

    def _phase_capacity(self) -> None:
        pl = self.places
        target = np.clip(pl.capacity_base + self.levers.capacity_boost, 0.0, 1.0)
        pl.capacity += (target - pl.capacity) / self.p["capacity_months"]

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

    # --- queries used by mechanisms, agents and reporters -----------------------------------
    def draws_for_department(self, slot: int) -> tuple[float, float]:
        """This month's two uniform draws for department ``slot``."""
        row = self._dept_draws[slot]
        return float(row[0]), float(row[1])

    @property
    def n_localities(self) -> int:
        """Number of localities."""
        return self.places.n

    def council_slot(self, locality):
        """Organisation slot of the council of ``locality`` (array or int)."""
        return locality + len(DEPARTMENTS)

    def org_agent(self, slot: int):
        """The Mesa agent in organisation ``slot`` (None if closed)."""
        return self.org_agents[slot]

    def active_charities(self) -> int:
        """Number of charities operating."""
        return int(np.count_nonzero((self.orgs.kind == CHARITY) & self.orgs.active))

    def need(self) -> np.ndarray:
        """Need in each place this month (demand shocks included)."""
        return self.places.need0 * self.demand_mult

    def effective_capacity(self) -> np.ndarray:
        """Council capacity net of what maintaining cross-sector ties uses."""
        net, o = self.net, self.orgs
        cross = ties.cross_sector(self) & ((o.kind[net.u] == COUNCIL) | (o.kind[net.v] == COUNCIL))
        cross &= (net.kind != FUNDING) & (net.kind != COORDINATION)  # kept by the centre
        deg = net.degree(o.n, cross)
        used = self.p["tie_cost"] * deg[self.council_slot(np.arange(self.places.n))]
        return np.clip(self.places.capacity - used, 0.0, 1.0)

    def charity_focus(self) -> np.ndarray:
        """Charities' focus on the mission, eroded by funders' demands (per org slot)."""
        lv = self.levers
        return np.full(self.orgs.n, 1.0 - 0.15 * lv.competitive_share - 0.05 * lv.punitive)

    def charity_reserves_months(self) -> np.ndarray:
        """Reserves in months of current costs, per org slot (0 for non-charities)."""
        o = self.orgs
        cost = self.staff.funded_by_org(o.n) * finance.post_bill(self.p)
        months = o.reserves / np.maximum(cost, 1e-9)
        return np.where((o.kind == CHARITY) & o.active, months, 0.0)

    def orgs_by_locality(self) -> list[np.ndarray]:
        """Active council and charity slots in each locality."""
        o = self.orgs
        ok = ((o.kind == CHARITY) | (o.kind == COUNCIL)) & o.active
        slots = np.flatnonzero(ok)
        order = np.argsort(o.locality[slots], kind="stable")
        slots = slots[order]
        bounds = np.searchsorted(o.locality[slots], np.arange(self.places.n + 1))
        return [slots[bounds[i]:bounds[i + 1]] for i in range(self.places.n)]

    def local_trust(self) -> np.ndarray:
        """Mean trust on ties within each locality (0 where there are none)."""
        net, o, n = self.net, self.orgs, self.places.n
        if net.n_edges == 0:
            return np.zeros(n)
        lu, lv_ = o.locality[net.u], o.locality[net.v]
        same = (lu == lv_) & (lu >= 0)
        tot = np.bincount(lu[same], weights=net.trust[same], minlength=n)
        cnt = np.bincount(lu[same], minlength=n)
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)

    def cross_sector_strength(self) -> np.ndarray:
        """Trusted cross-sector ties per local organisation, in [0, 1], per place."""
        net, o, n = self.net, self.orgs, self.places.n
        if net.n_edges == 0:
            return np.zeros(n)
        cross = ties.cross_sector(self)
        loc = o.locality[net.u]
        m = cross & (loc >= 0) & (loc == o.locality[net.v])  # local ties carry referrals
        tot = np.bincount(loc[m], weights=net.trust[m], minlength=n)
        orgs = np.bincount(o.locality[((o.kind == CHARITY) | (o.kind == COUNCIL)) & o.active
                                      & (o.locality >= 0)], minlength=n)
        return np.clip(tot / np.maximum(orgs, 1), 0.0, 1.0)

    def improving(self) -> np.ndarray:
        """1 where a place's true indicator improved over the last months, else 0."""
        h = self.places.y_hist
        return (self.mission.direction * (h[-1] - h[0]) > 0).astype(float)

    def national_improving(self) -> float:
        """1 if the national true indicator improved over the last months, else 0."""
        h = self.places.y_hist
        change = outcomes.national(self, h[-1]) - outcomes.national(self, h[0])
        return float(self.mission.direction * change > 0)

    def trajectory(self, month: int | None = None) -> float:
        """National trajectory to the target: a straight line from the baseline."""
        return float(self.mission.trajectory(self.month if month is None else month))

    def place_trajectory(self) -> np.ndarray:
        """Each place's trajectory: its start plus its pro-rata share of the required change."""
        m, pl = self.mission, self.places
        frac = min(1.0, self.month / m.deadline)
        if m.aggregate == "mean":
            required = np.full(pl.n, m.target - m.baseline)
        else:
            required = (m.target / m.baseline - 1.0) * pl.y0
        return pl.y0 + frac * required

    def places_behind(self, reported: bool) -> np.ndarray:
        """How far each place is behind its trajectory, as a share of the required change."""
        m, pl = self.mission, self.places
        y = outcomes.reported(self) if reported else pl.y
        if m.aggregate == "mean":
            scale = np.full(pl.n, abs(m.target - m.baseline))
        else:
            scale = np.abs(m.target / m.baseline - 1.0) * pl.y0
        shortfall = m.direction * (self.place_trajectory() - y)
        return np.maximum(0.0, shortfall / np.maximum(scale, 1e-9))

    def target_met(self) -> bool:
        """Whether the national true indicator met the target at the mission's deadline.

        Raises:
            ValueError: If the run has not yet reached the deadline.
        """
        if self._outcome_at_deadline is None:
            raise ValueError(f"target_met: the run is at month {self.month}; the deadline is "
                             f"month {self.mission.deadline}")
        return bool(self.mission.direction * (self._outcome_at_deadline - self.mission.target)
                    >= 0)

    # --- structural changes -----------------------------------------------------------------
    def set_establishment(self, slots: np.ndarray, targets: np.ndarray) -> None:
        """Set the number of funded posts of each employer in ``slots`` to ``targets``.

        Cuts take vacant posts first, then the most recent hires. Growth reuses the employer's
        own unfunded posts first, then any unfunded post (which moves to the employer), and
        only then adds new posts (with new FrontlineStaff agents). The number of agents is
        therefore the most posts ever funded at once, not the sum of all posts ever opened.
        """
        s = self.staff
        slots = np.asarray(slots, dtype=np.int64)
        targets = np.maximum(np.asarray(targets, dtype=np.int64), 0)
        funded = s.funded_by_org(self.orgs.n)[slots]
        change = targets - funded
        if not change.any():
            return
        mine = np.flatnonzero(np.isin(s.org, slots[change != 0]))
        order = mine[np.argsort(s.org[mine], kind="stable")]
        starts = np.searchsorted(s.org[order], slots, side="left")
        ends = np.searchsorted(s.org[order], slots, side="right")
        new_org: list[int] = []
        for i in np.flatnonzero(change):
            posts = order[starts[i]:ends[i]]
            d = int(change[i])
            if d < 0:
                st = s.status[posts]
                live = posts[st != UNFUNDED]
                # vacant first (status 1 < 2), then shortest tenure
                key = np.lexsort((s.tenure[live], s.status[live]))
                s.status[live[key[:-d]]] = UNFUNDED
            else:
                spare = posts[s.status[posts] == UNFUNDED][:d]
                s.status[spare] = VACANT
                new_org.extend([int(slots[i])] * (d - spare.size))
        if new_org:
            orgs = np.array(new_org, dtype=np.int64)
            pool = np.flatnonzero(s.status == UNFUNDED)[: orgs.size]
            s.org[pool] = orgs[: pool.size]
            s.loc[pool] = self.orgs.locality[orgs[: pool.size]]
            s.status[pool] = VACANT
            orgs = orgs[pool.size:]
        if new_org and orgs.size:
            new = s.append(orgs, self.orgs.locality[orgs])
            s.status[new] = VACANT
            self.staff_agents.extend(FrontlineStaff(self, int(k)) for k in new)

    def close_charity(self, slot: int) -> None:
        """Close the charity in ``slot``: its posts, contracts and ties go."""
        o = self.orgs
        self.set_establishment(np.array([slot]), np.array([0]))
        o.active[slot] = False
        o.reserves[slot] = o.contract[slot] = o.grant[slot] = o.grant_settled[slot] = 0.0
        self.net.remove_node(slot)
        agent = self.org_agents[slot]
        if agent is not None:
            agent.remove()
        self.org_agents[slot] = None
        o.closed += 1
        self.closures_month += 1

    def found_charity(self, slot: int) -> None:
        """Found a new, small charity in the empty ``slot`` with a new programme."""
        o, p = self.orgs, self.p
        rng = self.streams["entry"]
        agent = Charity(self, slot)
        self.org_agents[slot] = agent
        o.node[slot] = agent.unique_id
        o.active[slot] = True
        bill = finance.post_bill(p)
        o.donations0[slot] = o.donations[slot] = 1.5 * bill * (0.5 + rng.random())
        o.contract[slot] = o.grant[slot] = o.grant_settled[slot] = 0.0
        o.reserve_target[slot] = world.draw_reserves(rng, 1, p)[0]
        o.reserves[slot] = o.reserve_target[slot] * 2 * bill
        prog = self.programmes.add(world.draw_effects(rng, 1, p))[0]
        o.programme[slot] = o.own_programme[slot] = prog
        o.rollout[slot] = 1.0
        o.practice[slot] = self.programmes.theta[prog]
        self.net.add_node(slot, **world.node_attrs(o, slot))
        council = int(self.council_slot(int(o.locality[slot])))
        self.net.add_edges([council], [slot], [PARTNERSHIP], [0.2])
        self.set_establishment(np.array([slot]), np.array([2]))
        o.founded += 1

    def create_mission_unit(self, reform: Reform) -> None:
        """Create the Missions Unit (called by the mission-leadership reform)."""
        if self.mission_unit is not None:
            return
        o = self.orgs
        slot = int(np.flatnonzero(o.kind == UNIT)[0])
        self.mission_unit = MissionUnit(self, slot, reform.intensity)
        o.node[slot] = self.mission_unit.unique_id
        o.active[slot] = True
        self.org_agents[slot] = self.mission_unit
        self.net.add_node(slot, **world.node_attrs(o, slot))
        # the unit works with every department and every council (it brokers local ties)
        partners = [d.slot for d in self.departments] + [
            int(c) for c in self.council_slot(np.arange(self.places.n))]
        self.net.add_edges([slot] * len(partners), partners, [COORDINATION] * len(partners),
                           [0.5] * len(partners))
        finance.pool_now(self, getattr(reform, "pooled", 0.0) * reform.intensity)

    def remove_mission_unit(self) -> None:
        """Dissolve the Missions Unit (when the reform ends)."""
        unit = self.mission_unit
        if unit is None:
            return
        self.net.remove_node(unit.slot)
        self.orgs.active[unit.slot] = False
        self.org_agents[unit.slot] = None
        unit.remove()
        self.mission_unit = None


def _streams(seed: Any) -> dict[str, np.random.Generator]:
    """Independent named generators derived from the run's seed."""
    seq = np.random.SeedSequence(int(seed) % 2**64)
    return {name: np.random.default_rng(child)
            for name, child in zip(STREAMS, seq.spawn(len(STREAMS)), strict=True)}
