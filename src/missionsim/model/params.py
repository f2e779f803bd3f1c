"""The one source of model parameters: defaults, bounds, units, meanings and sources.

Every default the model uses is declared here exactly once. Validation of constructor
arguments (and, later, scenario files, CLI help and UI controls) is derived from these
declarations, never retyped.

Sources are short keys into ``docs/model.md`` (section "Sources"), which quotes the
figures from the calibration brief: ``A`` early years, ``B`` rough sleeping, ``C`` capacity
and money, ``D`` workforce, ``E`` evidence, ``F`` trust and accountability, ``G`` patterns.
``assumption`` marks a modelling choice with no direct data, stated as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from missionsim.limits import quote
from missionsim.model.size import (  # the size check, and names re-exported with PARAMETERS
    WORLD_SIZE,  # noqa: F401
    check_world_size,
    world_agents,  # noqa: F401
)


@dataclass(frozen=True)
class Parameter:
    """A declared model parameter.

    Attributes:
        name: Identifier used in code, scenario files and the CLI.
        default: Default value (int, float or bool).
        low: Smallest allowed value (inclusive).
        high: Largest allowed value (inclusive).
        unit: Unit of measurement, for tables and controls.
        group: Which part of the model it belongs to.
        meaning: One line saying what it does.
        source: Where the default comes from (calibration key or ``assumption``).
        uncertainty: True for the uncertainties that sweeps vary (not levers).
    """

    name: str
    default: float | int | bool
    low: float
    high: float
    unit: str
    group: str
    meaning: str
    source: str
    uncertainty: bool = False

    @property
    def kind(self) -> type:
        """The Python type of the parameter's values."""
        return type(self.default)

    def check(self, value: Any, where: str = "parameter") -> float | int | bool:
        """Validate ``value`` against the declaration and return it in the declared type.

        Args:
            value: Proposed value.
            where: Prefix used in the error message (e.g. the argument name).

        Returns:
            The value converted to the declared type.

        Raises:
            ValueError: One line naming the parameter, the value and what is allowed.
        """
        label = f"{where} {quote(self.name)}" if where else repr(self.name)
        if isinstance(value, np.bool_):
            value = bool(value)
        elif isinstance(value, np.integer):
            value = int(value)
        elif isinstance(value, np.floating):
            value = float(value)
        if self.kind is bool:
            if not isinstance(value, bool | int) or value not in (0, 1, True, False):
                raise ValueError(f"{label} = {quote(value)}: expected true or false")
            return bool(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{label} = {_short(value)}: expected a number in [{self.low:g}, "
                             f"{self.high:g}]")
        if isinstance(value, int) and abs(value) > 1e15:  # beyond every range; float() may fail
            raise ValueError(f"{label} = {_short(value)}: expected a value in [{self.low:g}, "
                             f"{self.high:g}] ({self.unit})")
        if not math.isfinite(float(value)):
            raise ValueError(f"{label} = {quote(value)}: expected a finite value in [{self.low:g}, "
                             f"{self.high:g}] ({self.unit})")
        if self.kind is int and float(value) != int(value):
            raise ValueError(f"{label} = {quote(value)}: expected a whole number in "
                             f"[{int(self.low)}, {int(self.high)}]")
        if not self.low <= value <= self.high:
            raise ValueError(f"{label} = {quote(value)}: expected a value in [{self.low:g}, "
                             f"{self.high:g}] ({self.unit})")
        return self.kind(value)


def _short(value: Any) -> str:
    """``repr(value)``, shortened for one-line messages."""
    return quote(value)


def _p(name, default, low, high, unit, group, meaning, source, uncertainty=False) -> Parameter:
    return Parameter(name, default, low, high, unit, group, meaning, source, uncertainty)


_DECLARATIONS: tuple[Parameter, ...] = (
    # --- world -------------------------------------------------------------------------
    _p("n_localities", 30, 1, 400, "places", "world",
       "number of localities (upper-tier council areas)", "A: 153 upper-tier authorities"),
    _p("charities_per_locality", 8, 0, 40, "charities", "world",
       "mission-relevant charities per locality at the start", "assumption"),
    _p("cohort_total", 589_471, 1_000, 5_000_000, "children", "world",
       "national target population (England's cohort for the default preset)",
       "A: 589,471 children assessed in 2024/25"),
    _p("staff_per_1000", 50.0, 1.0, 500.0, "posts per 1,000", "world",
       "frontline posts per 1,000 of the target population at the start", "assumption"),
    _p("deprivation_mean", 0.17, 0.01, 0.9, "share", "world",
       "mean share of the population in deprivation (free school meals)", "A: FSM 17%"),
    _p("deprivation_sd", 0.07, 0.0, 0.3, "share", "world",
       "spread of the deprived share across places", "A: FSM share by council"),
    _p("cohort_size_sd", 0.55, 0.0, 2.0, "log units", "world",
       "log-normal spread of place populations", "A: council cohort sizes"),
    _p("need_deprivation", 2.0, 0.0, 10.0, "× per deprived share", "world",
       "extra need per unit of deprived share (deprived children need more support)",
       "A: FSM gap ≈ 20 pp"),
    # --- money and councils --------------------------------------------------------------
    _p("staff_cost", 0.04, 0.01, 0.2, "£m per post-year", "finance",
       "employment cost of one frontline post", "assumption (≈ £40k)"),
    _p("overhead", 0.15, 0.0, 1.0, "share of staff cost", "finance",
       "organisational overhead on top of staff costs", "assumption"),
    _p("crisis_share", 0.75, 0.0, 0.95, "share", "finance",
       "share of core council spending absorbed by crisis (late) services at the start",
       "C: early:late 40:60 → 20:80 (2010/11→2020/21)"),
    _p("mission_grant_share", 0.5, 0.0, 1.0, "share", "finance",
       "share of council early-intervention money that comes from department mission grants",
       "assumption"),
    _p("commission_share", 0.35, 0.0, 1.0, "share", "finance",
       "share of council early-intervention money commissioned from charities",
       "C: NCVO Almanac (government income 26%, 74% of it contracts)"),
    _p("competitive_share", 0.1, 0.0, 1.0, "share", "finance",
       "share of department mission money allocated through competitive pots",
       "C: IfG 2024 (≈25% of streams but 8% of money competitive)"),
    _p("settlement_years", 1, 1, 10, "years", "finance",
       "length of funding settlements and contracts", "C: 48% of grants one-year; 13% ≥ 3 years"),
    _p("pots_per_locality", 0.6, 0.0, 5.0, "pots per place-year", "finance",
       "competitive pots offered each year per locality", "C: 448 grants over 4 years"),
    _p("bid_cost", 0.025, 0.0, 0.5, "£m per bid", "finance",
       "money cost of preparing one bid", "C: £20–30k typical (Localis)"),
    _p("bid_capacity_cost", 0.02, 0.0, 0.2, "capacity per bid", "finance",
       "council capacity consumed by preparing one bid", "assumption"),
    _p("matthew_exponent", 2.0, 0.0, 6.0, "exponent", "finance",
       "how strongly capacity raises the odds of winning a pot (Matthew effect)",
       "C: IfG/LGA on bidding capacity"),
    _p("deprivation_funding_penalty", 0.15, 0.0, 0.5, "share per SD", "finance",
       "funding per unit of need lower in deprived places (deeper cuts)",
       "C: IFS −26% most deprived vs −11% least"),
    _p("capacity_mean", 0.5, 0.05, 0.95, "index 0–1", "finance",
       "mean council capacity after the squeeze", "C: headcount −28.8% 2012→2020"),
    _p("capacity_deprivation", 0.12, 0.0, 0.5, "index per SD", "finance",
       "lower capacity in deprived places", "C: IFS −26% vs −11%"),
    _p("capacity_months", 24.0, 1.0, 120.0, "months", "finance",
       "time for council capacity to move to its target", "assumption"),
    _p("crisis_feedback", 0.3, 0.0, 3.0, "ratio", "finance",
       "extra crisis demand when outcomes fall behind their start", "C: early:late shift"),
    _p("contract_income_share", 0.45, 0.0, 1.0, "share", "finance",
       "share of a contracted charity's income from council contracts at the start",
       "C: NCVO Almanac (26% from government, 74% of it contracts)"),
    _p("donation_volatility", 0.04, 0.0, 0.5, "log SD per month", "finance",
       "month-to-month volatility of charity donations", "assumption"),
    _p("contract_churn", 0.4, 0.0, 1.0, "chance per tender", "finance",
       "chance an incumbent charity loses its contract at a fully competitive one-year tender",
       "C: 48% of grants one-year; ≈ 1.4%/yr of mission charities close (register exits 2.7%/yr)"),
    _p("reserves_median", 3.0, 0.0, 24.0, "months of costs", "finance",
       "median charity reserves at the start", "C: > half of small grantees < 3 months"),
    _p("no_reserves_share", 0.23, 0.0, 1.0, "share", "finance",
       "share of charities with (almost) no reserves at the start",
       "C: 23% of small charities hold none"),
    _p("charity_entry_months", 30.0, 1.0, 600.0, "months", "finance",
       "mean time until a closed charity's place is taken by a new charity",
       "C: ≈ 2.7%/yr leave the register, with similar entry"),
    _p("extra_mission_money", 0.0, 0.0, 5000.0, "£m a year", "finance",
       "additional ring-fenced mission money for the whole modelled world, paid to councils by "
       "formula while it flows (0: none)", "B: RSU ≈ £200m over 3 years from April 1999"),
    _p("extra_money_start", 0, 0, 600, "month", "finance",
       "first month the extra mission money flows", "B: April 1999 = month 10 from June 1998"),
    _p("extra_money_months", 0, 0, 600, "months", "finance",
       "months the extra mission money flows (0: to the end of the run)",
       "B: three years (36 months)"),
    _p("pooling_rate", 0.1, 0.0, 1.0, "share per month", "network",
       "share of a partner's surplus reserves pooled to a partner in distress", "assumption"),
    # --- workforce --------------------------------------------------------------------------
    _p("annual_turnover", 0.15, 0.0, 0.8, "share per year", "workforce",
       "staff turnover at the starting morale", "D: social workers 13.8–15.9%; EY 16–21%"),
    _p("morale_turnover", 3.0, 0.0, 10.0, "log hazard per morale", "workforce",
       "how steeply quitting rises as morale falls", "D: NHS 'often think of leaving'"),
    _p("vacancy_fill_months", 5.0, 0.5, 36.0, "months", "workforce",
       "mean time to fill a vacancy", "D: vacancies 18.9% with 17.8% agency cover"),
    _p("skill_growth_months", 36.0, 1.0, 240.0, "months", "workforce",
       "time constant of skill growth with tenure", "D: 32.5% of new teachers gone in 5 years"),
    _p("new_hire_skill", 0.45, 0.0, 1.0, "index 0–1", "workforce",
       "skill of a new hire relative to a fully experienced worker", "assumption"),
    _p("morale_base", 0.62, 0.0, 1.0, "index 0–1", "workforce",
       "morale with standard workload, no stress and secure funding", "D: burnout 34%"),
    _p("workload_start", 1.15, 0.2, 3.0, "× standard caseload", "workforce",
       "caseload relative to the recommended standard at the start",
       "D: 44% of health visitors over 400 children vs 250"),
    _p("workload_morale", 0.4, 0.0, 2.0, "morale per unit", "workforce",
       "morale lost per unit of workload above the standard", "D: burnout"),
    _p("accountability_stress", 0.12, 0.0, 1.0, "morale", "workforce",
       "morale lost under fully punitive accountability", "D: 78% of school staff stressed"),
    _p("insecurity_morale", 0.1, 0.0, 1.0, "morale", "workforce",
       "morale lost by charity staff on short-term, competitive funding", "assumption"),
    _p("codesign_morale", 0.15, 0.0, 1.0, "morale", "workforce",
       "morale gained under full workforce co-design", "D: Wigan Deal engagement +18.5%"),
    _p("volunteer_effort", 0.05, 0.0, 1.0, "share of charity effort", "workforce",
       "volunteer effort relative to charities' paid effort at the start",
       "F: formal volunteering 16% monthly"),
    _p("morale_months", 6.0, 1.0, 60.0, "months", "workforce",
       "time for morale to move to its target", "assumption"),
    _p("labour_market_tightness", 1.0, 0.25, 4.0, "ratio", "uncertainty",
       "tightness of the labour market: raises quits, slows hiring", "D", uncertainty=True),
    # --- evidence -------------------------------------------------------------------------
    _p("programme_success_share", 0.2, 0.0, 1.0, "share", "uncertainty",
       "share of programmes that truly work", "E: ≈ 1 in 5 trials (EEF)", uncertainty=True),
    _p("effect_working", 0.22, 0.0, 1.0, "SD", "evidence",
       "mean effect size of a programme that works", "E: 3 months ≈ 0.19–0.26 SD"),
    _p("effect_other", 0.01, -0.2, 0.2, "SD", "evidence",
       "mean effect size of a programme that does little", "E: average 0.06 SD"),
    _p("practice_gain", 2.5, 0.0, 10.0, "× per SD", "evidence",
       "extra effective delivery per SD of programme effect", "assumption"),
    _p("scale_loss", 0.25, 0.0, 1.0, "share", "evidence",
       "effect lost when a programme is taken up by another organisation",
       "E: NELI +4 → +3 months"),
    _p("evidence_rigour", 0.01, 0.0, 1.0, "information per staff-month", "evidence",
       "information a programme yields per staff-month without trials ('patchy proof')",
       "E: 40% of trials uninformative"),
    _p("trial_rigour", 1.0, 0.0, 10.0, "information per staff-month", "evidence",
       "information a programme yields per staff-month under full experimentation",
       "E: EEF trials (a year's trial of a small service gives SE ≈ 0.1 SD)"),
    _p("uncontrolled_bias", 0.1, 0.0, 0.5, "SD", "evidence",
       "optimism of uncontrolled outcome claims", "E: FBB 78% vs 56% (not controlled)"),
    _p("prior_effect", 0.06, -0.2, 0.5, "SD", "evidence",
       "what commissioners expect of an untested programme", "E: average 0.06 SD"),
    _p("prior_sd", 0.1, 0.01, 1.0, "SD", "evidence",
       "commissioners' uncertainty about an untested programme", "E: spread of trial effects"),
    _p("diffusion_rate", 0.03, 0.0, 1.0, "per month", "evidence",
       "monthly chance an organisation reviews its partners' practices",
       "E: EEF Toolkit use +3 pp/yr"),
    # --- network ----------------------------------------------------------------------------
    _p("trust_start", 0.35, 0.0, 1.0, "index 0–1", "network",
       "mean trust on ties at the start", "F: local government trusted by 34%"),
    _p("ties_per_charity", 2.0, 0.0, 20.0, "ties", "network",
       "mean partnership ties per charity at the start", "F: 47% vs 18% feel engaged"),
    _p("council_contract_share", 0.6, 0.0, 1.0, "share", "network",
       "share of charities with a council contract at the start", "C: NCVO Almanac"),
    _p("tie_formation", 0.03, 0.0, 1.0, "per org-month", "network",
       "monthly chance an organisation explores a new tie", "assumption"),
    _p("cross_sector_penalty", 0.4, 0.0, 1.0, "ratio", "network",
       "relative odds of forming a cross-sector tie versus a same-sector one",
       "F: 93% compacts but few engaged"),
    _p("trust_growth", 0.03, 0.0, 0.5, "per month", "network",
       "trust gained per month of successful joint delivery", "assumption"),
    _p("trust_decay", 0.02, 0.0, 0.5, "per month", "network",
       "trust lost per month without contact", "assumption"),
    _p("competition_erosion", 0.02, 0.0, 0.5, "per month", "network",
       "trust lost between charities competing for the same pots", "C; assumption"),
    _p("tie_cost", 0.004, 0.0, 0.1, "capacity per tie", "network",
       "council capacity used to maintain one cross-sector tie", "assumption"),
    _p("referral_gain", 0.5, 0.0, 3.0, "ratio", "network",
       "extra reach from trusted cross-sector referral ties", "assumption"),
    _p("base_reach", 0.6, 0.05, 1.0, "share", "network",
       "share of need reached without joined-up referrals", "assumption"),
    _p("universal_share", 0.5, 0.0, 0.95, "share", "world",
       "share of what supports the outcome that comes from universal services outside the "
       "modelled delivery system (schools, NHS, families)", "assumption"),
    _p("devolution_gain", 0.8, 0.0, 3.0, "fit per capacity", "government",
       "better local fit per unit of capacity above the threshold under full autonomy",
       "CfEY (DESIGN §1); assumption"),
    _p("capacity_threshold", 0.45, 0.0, 1.0, "index 0–1", "government",
       "capacity below which autonomy hurts (loss of central programme support)",
       "assumption"),
    _p("realloc_strength", 2.0, 0.0, 10.0, "ratio", "government",
       "how strongly a Missions Unit moves pooled money to places off trajectory",
       "F: PMDU stocktakes; assumption"),
    # --- national government ------------------------------------------------------------------
    _p("silo", 0.7, 0.0, 1.0, "index 0–1", "government",
       "how little departments coordinate with each other", "assumption (DESIGN §1)"),
    _p("silo_penalty", 0.2, 0.0, 1.0, "share", "government",
       "delivery lost to uncoordinated departments at full silo", "assumption"),
    _p("distraction_rate", 0.1, 0.0, 1.0, "per month", "government",
       "monthly chance a department is hit by a day-to-day distraction", "assumption"),
    _p("distraction_size", 0.15, 0.0, 1.0, "focus", "government",
       "focus lost to one distraction", "assumption"),
    _p("punitive_accountability", 0.6, 0.0, 1.0, "index 0–1", "government",
       "how punitive inspection and targets are", "F: Bevan & Hood 2006"),
    _p("gaming_strength", 0.25, 0.0, 1.0, "share of gap", "government",
       "share of the gap to the best value hidden by gaming under full pressure",
       "F: A&E 96% reported vs 77% surveyed"),
    _p("pressure_effort", 0.06, 0.0, 0.5, "share", "government",
       "extra short-run effort from punitive pressure", "assumption"),
    # --- uncertainties ----------------------------------------------------------------------
    _p("funding_shock", 0.0, 0.0, 0.6, "share cut", "uncertainty",
       "cut to council core and mission money from the shock year on",
       "C: −18% to −49% real 2010→2024", uncertainty=True),
    _p("funding_shock_month", 24, 0, 600, "month", "uncertainty",
       "month the funding shock starts", "assumption", uncertainty=True),
    _p("demand_shock", 0.0, 0.0, 2.0, "share extra need", "uncertainty",
       "extra need during a Covid-like year", "assumption", uncertainty=True),
    _p("demand_shock_month", 24, 0, 600, "month", "uncertainty",
       "month the demand shock starts (it lasts 12 months)", "assumption", uncertainty=True),
    _p("response_lag", 1.0, 0.25, 4.0, "× mission response time", "uncertainty",
       "multiplier on how slowly outcomes respond to delivery", "A: k ≈ 0.58/yr",
       uncertainty=True),
)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _DECLARATIONS}

PRESETS: dict[str, dict[str, Any]] = {
    "workshop": {"n_localities": 30, "charities_per_locality": 8, "cohort_total": 115_600},
    "england": {"n_localities": 153, "charities_per_locality": 9},
    "small": {"n_localities": 10, "charities_per_locality": 6, "cohort_total": 38_500},
}
"""Named worlds. ``workshop`` plays live in the browser; ``england`` mirrors the 153
upper-tier authorities; ``small`` is a quick world for tests and teaching."""

PRESET_DESCRIPTIONS: dict[str, str] = {
    "workshop": "30 localities the size of English authorities, about 5,800 frontline posts",
    "england": "153 upper-tier authorities, about 1,500 organisations and 29,000 posts",
    "small": "10 localities (about 1,900 posts), for quick tests and teaching",
}


def defaults() -> dict[str, Any]:
    """Return a fresh dict of every parameter at its default value."""
    return {name: p.default for name, p in PARAMETERS.items()}


def resolve(preset: str, overrides: Mapping[str, Any] | None = None,
            world: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Combine defaults, a preset, a mission's world and overrides into a validated dict.

    Args:
        preset: Name of a preset in :data:`PRESETS`.
        overrides: Parameter values that replace the preset's and the mission's.
        world: A mission's own delivery system (:attr:`missionsim.model.missions.Mission.world`),
            which replaces the preset's values for the parameters it names.

    Returns:
        A complete, validated mapping from parameter name to value.

    Raises:
        ValueError: For an unknown preset or parameter, or a value out of range.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset = {quote(preset)}: expected one of {', '.join(sorted(PRESETS))}")
    values = defaults()
    values.update(PRESETS[preset])
    values.update(world or {})
    for name, value in (overrides or {}).items():
        if name not in PARAMETERS:
            raise ValueError(f"parameter {quote(name)} is unknown: expected one of the parameters "
                             "listed by missionsim.model.params.PARAMETERS")
        values[name] = PARAMETERS[name].check(value)
    check_world_size(values)
    return values


def uncertainties() -> list[Parameter]:
    """Return the parameters declared as uncertainties (what sweeps vary, not levers)."""
    return [p for p in _DECLARATIONS if p.uncertainty]
