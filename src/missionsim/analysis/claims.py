"""Claims to evidence: what the model shows for each claim it was built to express.

The six claims about mission-led government that the model must be able to express (design
brief §1) are broken into *sub-claims*, each a testable statement with

- the **mechanism**: the model element that carries it and the section of ``docs/model.md``
  that implements it;
- a **comparison**: a treatment scenario against a control scenario (an :class:`Arm` each,
  built from a shipped file in ``scenarios/`` with stated changes), run over the same paired
  seeds by :func:`missionsim.experiments.study.compare` (common random numbers);
- a **measure**: a reporter (section 7.9 of ``docs/model.md``) read at the mission's deadline,
  at the end of the run, or averaged over a window (:data:`MEASURES`, :data:`TIMINGS`);
- the **direction** the claim predicts for the paired difference treatment − control.

:func:`evaluate` computes each effect with :func:`missionsim.analysis.stats.paired_effect` (the mean
paired difference and its 95% t interval, as ``missionsim compare`` reports it) and applies
the one verdict rule, :func:`verdict`:

- **supported**: the 95% confidence interval lies entirely on the predicted side of zero;
- **contradicted**: it lies entirely on the opposite side;
- **not shown**: it includes zero (or there are too few replicates for an interval).

:func:`render` writes the Markdown of ``docs/claims.md``; ``scripts/make-claims`` runs the
whole chain. The verdicts are consequences of the model's stated assumptions, not forecasts.

Example::

    from missionsim.analysis import claims

    study = claims.run(replicates=3, horizon=40, preset="small", workers=1)
    table = claims.evaluate(study)
    print(claims.render(table, study))
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from missionsim import __version__
from missionsim.analysis.stats import paired_effect
from missionsim.experiments.scenario import Scenario, load_scenario, shipped
from missionsim.experiments.study import Results, compare
from missionsim.model.missions import MISSIONS

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
NOT_SHOWN = "not shown"
VERDICTS = (SUPPORTED, NOT_SHOWN, CONTRADICTED)
"""The three verdicts, in the order they are counted and listed."""

VERDICT_RULE = (
    "**supported** when the 95% confidence interval of the paired difference (treatment − "
    "control) lies entirely on the side of zero that the claim predicts; **contradicted** when "
    "it lies entirely on the opposite side; **not shown** when it includes zero (the model "
    "cannot tell the effect from replicate noise at this number of replicates).")
"""The verdict rule in words (rendered into ``docs/claims.md``); :func:`verdict` applies it."""

DEFAULT_REPLICATES = 20
DEFAULT_SEED = 2026
DEFAULT_PRESET = "workshop"


# --- the claims -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One claim of the design brief's §1 table.

    Attributes:
        key: Short identifier (``C1`` … ``C6``), the prefix of its sub-claims' ids.
        title: A few words for headings.
        source: The article the claim comes from.
        text: The claim as the brief states it.
        needs: What the brief says the model needs to express it.
        gaps: Parts of the claim the model does not express (empty: none).
    """

    key: str
    title: str
    source: str
    text: str
    needs: str
    gaps: str = ""


CLAIMS: dict[str, Claim] = {c.key: c for c in (
    Claim("C1", "Partnerships with charities and shared data", "Impetus / LabourList",
          "Government can't achieve missions alone; charities fill gaps and need partnerships "
          "with the state; centrally held data could help charities target their work.",
          "cross-sector partnership ties; data sharing improving targeting"),
    Claim("C2", "Evidence-gated scaling and focus", "Impetus",
          "Charities that hold themselves accountable, work with patchy proof, test their "
          "hypotheses, and scale only when the evidence compels deliver lasting impact; "
          "day-to-day distractions pull organisations off mission.",
          "programme effectiveness that is unknown and learned from evidence; evidence-gated "
          "scaling; distraction shocks that consume focus"),
    Claim("C3", "Localism, funding and accountability", "CfEY",
          "A genuinely localist turn: local flexibility and innovation, devolved powers, "
          "long-term integrated funding settlements instead of bidding and \"begging bowl\" "
          "culture; punitive accountability and centralised programmes disable localities; "
          "simple targets ignore the \"other 10%\".",
          "council autonomy; funding mode (short-term competitive pots vs long-term integrated "
          "settlements) with bidding costs; accountability regime; outcome inequality across "
          "places"),
    Claim("C4", "Mission readiness and enabling reforms", "Demos",
          "Socioeconomic missions need cross-sectoral mobilisation; the country isn't \"mission "
          "ready\": hollowed-out local government capacity, fragile charity finances, low "
          "trust, few formal cooperation structures; missions need enabling reforms.",
          "council capacity; charity reserves and closures; trust; citizen mobilisation; "
          "reforms as switchable, timed interventions"),
    Claim("C5", "What worked before", "New Statesman",
          "What worked before: a unit cutting across departments with power and resources; "
          "stretching targets taken literally; trajectories to the goal; continuous "
          "experimentation; energy of frontline staff, reform done with them, not to them.",
          "cross-departmental coordination; trajectory monitoring; experimentation raising "
          "learning speed; staff morale / discretionary effort / turnover",
          "stretching targets taken literally: each mission has one fixed target and no lever "
          "sets how stretching it is or how literally it is taken"),
    Claim("C6", "Missions as moonshots", "Reform",
          "Missions as moonshots: mission CEOs, a Missions Unit at the centre, single business "
          "case, protected from business-as-usual.",
          "a mission-leadership reform: pooled budget, protected focus, reallocation to places "
          "off trajectory",
          "the mission CEO and the single business case are part of the one Missions Unit "
          "reform and cannot be switched on separately"),
)}
"""The six claims of the design brief's §1, by key."""

SECTIONS: dict[str, str] = {
    "5": "Initialization",
    "7.1": "Policy: levers, reforms, costs and shocks",
    "7.2": "Government focus and the Missions Unit",
    "7.3.1": "The annual budget round",
    "7.3.2": "Council capacity",
    "7.3.3": "Monthly flows",
    "7.3.4": "Extra mission money",
    "7.4": "Workforce",
    "7.5": "Evidence",
    "7.6": "Partnership ties",
    "7.7": "Delivery and outcome",
}
"""Titles of the ``docs/model.md`` sections that sub-claims cite as their mechanism."""


# --- scenarios ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a shipped scenario file with stated changes.

    Attributes:
        name: Scenario name in the study (unique; the same name always means the same arm).
        base: Stem of the shipped scenario file it starts from (``scenarios/<base>.toml``).
        label: A few words for tables ("devolution, high-capacity world").
        params: Parameter overrides added to the file's ``[world.params]``.
        reforms: Reforms added (or replaced) with their settings (``start``, ``intensity``, …).
        pinned: Keep the file's preset even when the study runs another world (for arms whose
            parameters are national figures, such as extra mission money in £m).
    """

    name: str
    base: str
    label: str
    params: Mapping[str, Any] = field(default_factory=dict)
    reforms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    pinned: bool = False

    def describe(self) -> str:
        """The arm as a reader can rebuild it: the file plus its changes."""
        changes = [f"`{k}` = {v:g}" if isinstance(v, int | float) else f"`{k}` = {v}"
                   for k, v in self.params.items()]
        for name, settings in self.reforms.items():
            extra = ", ".join(f"{k} {v}" for k, v in settings.items())
            changes.append(f"`{name}`" + (f" ({extra})" if extra else ""))
        text = f"`scenarios/{self.base}.toml`"
        return text + (" with " + ", ".join(changes) if changes else "")

    def scenario(self, preset: str | None = None, horizon: int | None = None) -> Scenario:
        """The validated :class:`~missionsim.experiments.scenario.Scenario` of this arm.

        Args:
            preset: Run in this world instead of the file's (ignored for a pinned arm).
            horizon: Months to run instead of the file's; never shorter than the mission's
                deadline, so that effects at the deadline always exist.

        Raises:
            KeyError: ``base`` is not a shipped scenario file.
            ScenarioError: The changes do not make a valid scenario.
        """
        files = shipped()
        if self.base not in files:
            raise KeyError(f"arm {self.name!r}: no shipped scenario {self.base!r} "
                           f"(expected one of {', '.join(files)})")
        path = files[self.base]
        data = load_scenario(path).model_dump(exclude={"source"})
        data["name"] = self.name
        data["description"] = f"{self.label}: {self.describe()}"
        world = dict(data["world"])
        world["params"] = {**world["params"], **self.params}
        if preset is not None and not self.pinned:
            world["preset"] = preset
        data["world"] = world
        data["reforms"] = {**data["reforms"],
                           **{k: {"start": 0, "intensity": 1.0, **v}
                              for k, v in self.reforms.items()}}
        if horizon is not None:
            data["horizon"] = max(int(horizon), MISSIONS[data["mission"]].deadline)
        return Scenario.from_mapping(data, source=str(path))


def _arm(name: str, label: str, base: str | None = None, **changes: Any) -> Arm:
    return Arm(name=name, base=base or name, label=label, **changes)


HIGH_CAPACITY = {"capacity_mean": 0.7}
LOW_CAPACITY = {"capacity_mean": 0.3}

ARMS: dict[str, Arm] = {a.name: a for a in (
    _arm("baseline", "the current system"),
    _arm("no_charities", "the same money and posts, all in council teams", "baseline",
         params={"charities_per_locality": 0}),
    _arm("civil_society_partnerships", "civil-society partnerships and data sharing"),
    _arm("experimentation", "continuous experimentation"),
    _arm("frequent_distractions", "departments distracted three times as often", "baseline",
         params={"distraction_rate": 0.3}),
    _arm("devolution", "devolution"),
    _arm("baseline_high_capacity", "high-capacity world", "baseline", params=HIGH_CAPACITY),
    _arm("devolution_high_capacity", "devolution, high-capacity world", "devolution",
         params=HIGH_CAPACITY),
    _arm("baseline_low_capacity", "hollowed-out world", "baseline", params=LOW_CAPACITY),
    _arm("devolution_low_capacity", "devolution, hollowed-out world", "devolution",
         params=LOW_CAPACITY),
    _arm("long_term_funding", "long-term integrated funding"),
    _arm("competitive_pots", "half of mission money in competitive pots", "baseline",
         params={"competitive_share": 0.5}),
    _arm("learning_accountability", "learning accountability"),
    _arm("punitive_high", "highly punitive accountability", "baseline",
         params={"punitive_accountability": 0.9}),
    _arm("punitive_low", "mildly punitive accountability", "baseline",
         params={"punitive_accountability": 0.2}),
    _arm("local_capacity", "investment in local capacity"),
    _arm("fragile_reserves", "charities with thin reserves", "baseline",
         params={"reserves_median": 1.0, "no_reserves_share": 0.5}),
    _arm("high_trust", "high trust on ties at the start", "baseline",
         params={"trust_start": 0.6}),
    _arm("citizen_mobilisation", "citizen mobilisation"),
    _arm("mission_ready", "the sequenced mission-ready package"),
    _arm("mission_leadership", "a Missions Unit"),
    _arm("mission_leadership_no_realloc", "a Missions Unit that does not reallocate",
         "mission_leadership", params={"realloc_strength": 0.0}),
    _arm("workforce_codesign", "workforce co-design"),
    _arm("rough_sleeping_1998", "the 1998 Rough Sleepers Unit with its new money",
         pinned=True),
    _arm("rough_sleeping_1998_without_unit", "the same world without the unit or its money",
         pinned=True),
)}
"""Every arm used by a sub-claim, by name."""


# --- measures -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """What a sub-claim measures in each run.

    Attributes:
        name: Key in :data:`MEASURES`.
        label: Words for tables.
        formula: The reporter column(s) it reads, as shown to readers.
        unit: Unit of an effect; ``None``: the mission indicator's (points for a %).
        scale: Factor applied to effects for display (100 turns shares into points).
        digits: Decimals shown.
        value: Computes the measure from the month table (default: the column ``name``).
    """

    name: str
    label: str
    formula: str
    unit: str | None = None
    scale: float = 1.0
    digits: int = 2
    value: Callable[[pd.DataFrame], pd.Series] | None = None

    def series(self, months: pd.DataFrame) -> pd.Series:
        """The measure's value in every row of ``months``."""
        if self.value is not None:
            return self.value(months)
        return months[self.name]

    def unit_for(self, mission: str) -> str:
        """The unit of an effect on this measure for ``mission``."""
        if self.unit is not None:
            return self.unit
        unit = MISSIONS[mission].unit
        return "pp" if unit == "%" else unit


def _deprived_gap(months: pd.DataFrame) -> pd.Series:
    return months["outcome_most_deprived"] - months["outcome"]


MEASURES: dict[str, Measure] = {m.name: m for m in (
    Measure("outcome", "true national indicator", "`outcome`"),
    Measure("outcome_most_deprived", "true indicator, most deprived tenth of places",
            "`outcome_most_deprived`"),
    Measure("inequality", "gap between best and worst decile of places", "`inequality`"),
    Measure("deprived_gap", "most deprived tenth minus the national value",
            "`outcome_most_deprived` − `outcome`", value=_deprived_gap),
    Measure("gaming_gap", "reported minus true indicator", "`gaming_gap`"),
    Measure("on_track_share", "share of places on their trajectory", "`on_track_share`",
            unit="pp of places", scale=100.0, digits=2),
    Measure("reach", "share of need reached", "`reach`", unit="pp of need", scale=100.0),
    Measure("practice_effect", "true effect of the practice in use", "`practice_effect`",
            unit="SD", digits=3),
    Measure("evidence_adoption", "staff using evidence-backed practice",
            "`evidence_adoption`", unit="pp of staff", scale=100.0, digits=1),
    Measure("department_focus", "departments' focus on the mission", "`department_focus`",
            unit="focus (0–1)", digits=3),
    Measure("staff_morale", "frontline staff morale", "`staff_morale`", unit="morale (0–1)",
            digits=3),
    Measure("staff_turnover", "staff turnover", "`staff_turnover`", unit="pp a year",
            scale=100.0),
    Measure("charity_closures", "charities closed since month 0", "`charity_closures`",
            unit="charities", digits=1),
    Measure("mean_trust", "mean trust on ties", "`mean_trust`", unit="trust (0–1)", digits=3),
)}
"""Measures sub-claims can use, by name."""

TIMINGS = {
    "deadline": "at the mission's deadline",
    "end": "at the end of the run",
    "last_year": "mean over the last 12 months",
    "to_deadline": "mean over the months up to the deadline",
    "whole_run": "mean over every month of the run",
}
"""When a measure is read, by key."""


# --- sub-claims -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SubClaim:
    """A testable part of a claim.

    Attributes:
        id: Identifier, ``<claim key>.<n>`` (``C3.2``).
        claim: Key of the :class:`Claim` it belongs to.
        source: Where this statement comes from (the article, or the brief's trade-offs).
        statement: The sub-claim in one sentence.
        mechanism: The model element that carries it.
        sections: ``docs/model.md`` sections that implement the mechanism (keys of
            :data:`SECTIONS`).
        treatment: Name of the treatment arm (a key of :data:`ARMS`).
        control: Name of the control arm.
        measure: Key of :data:`MEASURES`.
        at: When the measure is read (a key of :data:`TIMINGS`).
        direction: +1 if the claim predicts treatment − control > 0, −1 if < 0.
        built_in: The predicted sign is written into one of the model's formulas, so the
            comparison checks that the mechanism survives the rest of the model rather than
            testing the claim; ``False`` when the sign emerges from several mechanisms and
            their trade-offs.
    """

    id: str
    claim: str
    source: str
    statement: str
    mechanism: str
    sections: tuple[str, ...]
    treatment: str
    control: str
    measure: str
    at: str
    direction: int
    built_in: bool = False

    def arms(self) -> tuple[Arm, Arm]:
        """The treatment and control arms."""
        return ARMS[self.treatment], ARMS[self.control]


def _sub(id: str, source: str, statement: str, mechanism: str, sections: str,  # noqa: A002
         treatment: str, control: str, measure: str, at: str, direction: int,
         built_in: bool = False) -> SubClaim:
    return SubClaim(id=id, claim=id.split(".")[0], source=source, statement=statement,
                    mechanism=mechanism, sections=tuple(sections.split()),
                    treatment=treatment, control=control, measure=measure, at=at,
                    direction=direction, built_in=built_in)


_TRADE_OFF = "DESIGN §3, trade-off"

SUBCLAIMS: tuple[SubClaim, ...] = (
    # C1 — partnerships and data (Impetus / LabourList)
    _sub("C1.1", "Impetus / LabourList",
         "Government cannot deliver alone: the same money and posts without charities deliver "
         "a lower outcome.",
         "charities bring their own programmes, volunteers and council–charity referral ties "
         "that widen reach", "5 7.6 7.7",
         "no_charities", "baseline", "outcome", "end", -1),
    _sub("C1.2", "Impetus / LabourList",
         "Partnerships between the state and charities, with shared data, reach more of the "
         "people in need.",
         "brokered council–charity ties carry referrals; data sharing multiplies their value",
         "7.6 7.7", "civil_society_partnerships", "baseline", "reach", "end", +1, built_in=True),
    _sub("C1.3", "Impetus / LabourList",
         "Partnerships and data sharing raise the mission outcome by the deadline.",
         "wider reach raises effective delivery; more ties cost council capacity",
         "7.6 7.7", "civil_society_partnerships", "baseline", "outcome", "deadline", +1),
    _sub("C1.4", "Impetus / LabourList",
         "Partnerships and data sharing raise the mission outcome in the long run.",
         "wider reach raises effective delivery; more ties cost council capacity",
         "7.6 7.7", "civil_society_partnerships", "baseline", "outcome", "end", +1),
    # C2 — evidence and focus (Impetus)
    _sub("C2.1", "Impetus",
         "Testing hypotheses and scaling only when the evidence compels puts more effective "
         "practice into use.",
         "trials sharpen the evidence; funding and adoption follow it; councils drop practice "
         "shown not to work", "7.5 7.3.1", "experimentation", "baseline", "practice_effect",
         "end", +1),
    _sub("C2.2", "Impetus",
         "Working with evidence rather than patchy proof delivers lasting impact on the "
         "outcome.",
         "better practice raises effective delivery; trials take staff time", "7.5 7.7",
         "experimentation", "baseline", "outcome", "end", +1),
    _sub("C2.3", "Impetus",
         "Day-to-day distractions pull organisations off mission: more frequent distractions "
         "lower the outcome by the deadline.",
         "distractions cut departments' focus, which enters coordination in every place",
         "7.2 7.7", "frequent_distractions", "baseline", "outcome", "deadline", -1, built_in=True),
    # C3 — localism (CfEY)
    _sub("C3.1", "CfEY",
         "Devolved powers raise the outcome where councils have the capacity to use them.",
         "autonomy improves local fit in proportion to capacity above a threshold",
         "7.7 7.3.2", "devolution_high_capacity", "baseline_high_capacity", "outcome", "end",
         +1, built_in=True),
    _sub("C3.2", _TRADE_OFF,
         "Devolution lowers the outcome where council capacity is hollowed out.",
         "below the capacity threshold autonomy worsens local fit", "7.7 7.3.2",
         "devolution_low_capacity", "baseline_low_capacity", "outcome", "end", -1, built_in=True),
    _sub("C3.3", _TRADE_OFF,
         "In today's system devolution widens inequality between places.",
         "deprived places have less capacity, so autonomy helps the strong and hurts the weak",
         "7.7 7.3.2", "devolution", "baseline", "inequality", "end", +1),
    _sub("C3.4", "CfEY",
         "Long-term integrated settlements instead of bidding raise the outcome.",
         "no bids (money and capacity kept), fewer contract tenders, stable charity income, "
         "less insecurity for staff", "7.3.1 7.4", "long_term_funding", "baseline", "outcome",
         "end", +1),
    _sub("C3.5", "CfEY",
         "\"Begging bowl\" culture: more money in competitive pots lowers the outcome.",
         "bids cost money and capacity; short competitive funding churns charity contracts",
         "7.3.1 7.3.3", "competitive_pots", "baseline", "outcome", "end", -1),
    _sub("C3.6", _TRADE_OFF,
         "Competitive pots favour strong councils and widen inequality between places.",
         "capacity wins pots (Matthew effect); deprived places have less capacity",
         "7.3.1", "competitive_pots", "baseline", "inequality", "end", +1),
    _sub("C3.7", "CfEY",
         "Punitive accountability disables localities: learning accountability raises the "
         "true outcome.",
         "less stress on staff and more innovation, against the short-run effort pressure "
         "buys", "7.4 7.5 7.7", "learning_accountability", "baseline", "outcome", "end", +1),
    _sub("C3.8", "CfEY",
         "Punitive accountability burns out frontline staff.",
         "accountability stress lowers the morale target", "7.4", "punitive_high",
         "punitive_low", "staff_morale", "last_year", -1, built_in=True),
    _sub("C3.9", _TRADE_OFF,
         "Punitive targets raise the reported indicator above the true one (gaming).",
         "pressure on places behind their trajectory opens a gaming gap", "7.7",
         "punitive_high", "punitive_low", "gaming_gap", "deadline", +1, built_in=True),
    _sub("C3.10", "CfEY",
         "Simple targets ignore the \"other 10%\": steering to a national target leaves the "
         "most deprived places further behind the national value.",
         "a Missions Unit steers pooled money by each place's reported distance from its "
         "trajectory", "7.2 7.7", "mission_leadership", "baseline", "deprived_gap", "end", -1),
    # C4 — not mission ready (Demos)
    _sub("C4.1", "Demos",
         "Hollowed-out local government capacity holds the mission back: investing in it "
         "raises the outcome.",
         "capacity wins pots, keeps ties alive, speeds hiring and turns autonomy into fit",
         "7.3.2 7.6 7.4", "local_capacity", "baseline", "outcome", "end", +1),
    _sub("C4.2", "Demos",
         "Fragile charity finances hold the mission back: charities with thin reserves "
         "deliver a lower outcome.",
         "charities with little reserve shrink, freeze hiring and close when income falls",
         "7.3.3", "fragile_reserves", "baseline", "outcome", "end", -1),
    _sub("C4.3", "Demos",
         "Long-term funding makes charity finances less fragile: fewer charities close.",
         "longer contracts and settled grants cut contract churn", "7.3.1 7.3.3",
         "long_term_funding", "baseline", "charity_closures", "end", -1),
    _sub("C4.4", "Demos",
         "Low trust holds the mission back: a system that starts with more trust delivers a "
         "higher outcome.",
         "trusted ties carry referrals, evidence and pooled reserves", "7.6 7.7",
         "high_trust", "baseline", "outcome", "end", +1, built_in=True),
    _sub("C4.5", "Demos",
         "Citizen mobilisation builds trust in the delivery system.",
         "mobilisation speeds trust growth on ties in contact", "7.6",
         "citizen_mobilisation", "baseline", "mean_trust", "end", +1, built_in=True),
    _sub("C4.6", "Demos",
         "Cross-sectoral mobilisation of citizens raises the outcome.",
         "more uptake, volunteers and donations; more workload for staff", "7.7 7.4",
         "citizen_mobilisation", "baseline", "outcome", "end", +1),
    _sub("C4.7", _TRADE_OFF,
         "Mobilisation raises frontline workload and lowers staff morale.",
         "reaching more of the need raises workload, which lowers the morale target", "7.4",
         "citizen_mobilisation", "baseline", "staff_morale", "last_year", -1, built_in=True),
    _sub("C4.8", "Demos",
         "Missions need enabling reforms: a sequenced package raises the outcome by the "
         "deadline.",
         "capacity and long-term funding first, then partnerships, a Missions Unit and "
         "learning accountability", "7.1", "mission_ready", "baseline", "outcome",
         "deadline", +1),
    # C5 — what worked before (New Statesman)
    _sub("C5.1", "New Statesman",
         "A unit cutting across departments with power and resources cut rough sleeping by "
         "the deadline (1998–2002).",
         "the Missions Unit (pooled money, focus, reallocation) plus ring-fenced new money",
         "7.2 7.3.4", "rough_sleeping_1998", "rough_sleeping_1998_without_unit", "outcome",
         "deadline", -1),
    _sub("C5.2", "New Statesman",
         "Trajectories to the goal: moving money to places off trajectory keeps more places "
         "on track on the way to the deadline.",
         "quarterly stocktakes weight pooled money by the distance behind trajectory",
         "7.2", "mission_leadership", "mission_leadership_no_realloc", "on_track_share",
         "to_deadline", +1),
    _sub("C5.3", "New Statesman",
         "Continuous experimentation raises the speed of learning: more staff use "
         "evidence-backed practice by the deadline.",
         "trials add information per staff-month, so beliefs settle sooner", "7.5",
         "experimentation", "baseline", "evidence_adoption", "deadline", +1),
    _sub("C5.4", "New Statesman",
         "Reform done with frontline staff raises their morale.",
         "co-design raises the morale target (halved under punitive accountability)", "7.4",
         "workforce_codesign", "baseline", "staff_morale", "last_year", +1, built_in=True),
    _sub("C5.5", "New Statesman",
         "Reform done with frontline staff lowers turnover.",
         "the quit hazard falls as morale rises", "7.4", "workforce_codesign", "baseline",
         "staff_turnover", "last_year", -1, built_in=True),
    _sub("C5.6", "New Statesman",
         "The energy of frontline staff, engaged by co-design, raises the outcome.",
         "higher morale means more discretionary effort and more experienced staff; "
         "co-design takes staff time", "7.4 7.7", "workforce_codesign", "baseline",
         "outcome", "end", +1),
    # C6 — moonshots (Reform)
    _sub("C6.1", "Reform",
         "A Missions Unit protects departments from business as usual.",
         "focus protection deflects distractions", "7.2", "mission_leadership", "baseline",
         "department_focus", "whole_run", +1, built_in=True),
    _sub("C6.2", "Reform",
         "A Missions Unit with a pooled budget raises the outcome by the deadline.",
         "lower silos, protected focus, brokered ties, pooled money moved to places off "
         "trajectory", "7.2 7.7", "mission_leadership", "baseline", "outcome", "deadline",
         +1),
    _sub("C6.3", _TRADE_OFF,
         "Under punitive accountability a Missions Unit's stocktakes open the gaming gap.",
         "stocktakes make accountability pressure 1.5 times as strong", "7.2 7.7",
         "mission_leadership", "baseline", "gaming_gap", "deadline", +1, built_in=True),
)
"""Every sub-claim, in the order they are reported."""


def subclaims(ids: Iterable[str] | None = None) -> tuple[SubClaim, ...]:
    """The sub-claims with the given ids (all when ``ids`` is ``None``), in registry order.

    Raises:
        KeyError: An id is not in :data:`SUBCLAIMS`.
    """
    if ids is None:
        return SUBCLAIMS
    wanted = list(ids)
    known = {s.id for s in SUBCLAIMS}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise KeyError(f"unknown sub-claim id(s): {', '.join(unknown)}")
    return tuple(s for s in SUBCLAIMS if s.id in set(wanted))


# --- running --------------------------------------------------------------------------------
@dataclass
class ClaimStudy:
    """The runs behind a set of sub-claims and how they were made.

    Attributes:
        subclaims: The sub-claims the study serves.
        results: One :class:`~missionsim.experiments.study.Results` per mission, by mission name.
        replicates: Paired replicates per arm.
        seed: Root seed shared by every arm (replicate ``r`` of every arm runs on the same
            seed).
        preset: World of the arms that are not pinned to their file's preset.
        horizon: Horizon override (``None``: each file's own horizon).
        elapsed: Seconds the runs took.
        created: When the study was run (UTC, ISO 8601).
        version: missionsim version.
    """

    subclaims: tuple[SubClaim, ...]
    results: dict[str, Results]
    replicates: int
    seed: int
    preset: str
    horizon: int | None
    elapsed: float
    created: str
    version: str = __version__

    def horizons(self) -> dict[str, int]:
        """The horizon the runs of each mission used."""
        return {m: int(r.runs["horizon"].min()) for m, r in self.results.items()}


def scenarios_for(items: Sequence[SubClaim], preset: str | None = DEFAULT_PRESET,
                  horizon: int | None = None) -> dict[str, list[Scenario]]:
    """The scenarios to run for ``items``, grouped by mission, each arm once.

    Args:
        items: Sub-claims.
        preset: World of the arms that are not pinned.
        horizon: Horizon override (see :meth:`Arm.scenario`).

    Returns:
        Mission name to its scenarios, in the order the arms are first used.

    Raises:
        ValueError: Two arms of a comparison pursue different missions.
    """
    built: dict[str, Scenario] = {}
    for sub in items:
        pair = []
        for arm in sub.arms():
            if arm.name not in built:
                built[arm.name] = arm.scenario(preset=preset, horizon=horizon)
            pair.append(built[arm.name])
        if pair[0].mission != pair[1].mission:
            raise ValueError(f"{sub.id}: {sub.treatment} and {sub.control} pursue different "
                             "missions")
    groups: dict[str, list[Scenario]] = {}
    for scenario in built.values():
        groups.setdefault(scenario.mission, []).append(scenario)
    return groups


def run(items: Sequence[SubClaim] | None = None, replicates: int = DEFAULT_REPLICATES,
        seed: int = DEFAULT_SEED, preset: str = DEFAULT_PRESET, horizon: int | None = None,
        workers: int | None = None, progress: bool = False) -> ClaimStudy:
    """Run every arm the sub-claims need over the same paired seeds.

    Each mission's arms run together in one :func:`missionsim.experiments.study.compare`, so every
    arm runs once however many sub-claims use it, and replicate ``r`` of every arm sees the same
    world and the same shocks.

    Args:
        items: Sub-claims (default: all of :data:`SUBCLAIMS`).
        replicates: Paired replicates per arm.
        seed: Root seed.
        preset: World of the arms that are not pinned to their file's preset.
        horizon: Months to run instead of each file's horizon (at least the deadline).
        workers: Worker processes (``None``: all cores; 1: serial).
        progress: Show a progress bar on standard error.

    Returns:
        The :class:`ClaimStudy`.
    """
    items = SUBCLAIMS if items is None else tuple(items)
    start = time.perf_counter()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    results = {mission: compare(group, replicates=replicates, seed=seed, workers=workers,
                                progress=progress)
               for mission, group in scenarios_for(items, preset, horizon).items()}
    return ClaimStudy(subclaims=items, results=results, replicates=replicates, seed=seed,
                      preset=preset, horizon=horizon, elapsed=time.perf_counter() - start,
                      created=created)


# --- statistics -----------------------------------------------------------------------------
def verdict(lo: float, hi: float, direction: int) -> str:
    """Apply the verdict rule (:data:`VERDICT_RULE`) to a 95% confidence interval.

    Args:
        lo: Lower bound of the interval of treatment − control.
        hi: Upper bound.
        direction: +1 if the claim predicts a positive difference, −1 if negative.

    Returns:
        :data:`SUPPORTED`, :data:`CONTRADICTED` or :data:`NOT_SHOWN`.
    """
    if direction not in (1, -1):
        raise ValueError(f"direction = {direction!r}: expected +1 or -1")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return NOT_SHOWN
    low, high = sorted((direction * lo, direction * hi))
    if low > 0:
        return SUPPORTED
    if high < 0:
        return CONTRADICTED
    return NOT_SHOWN


def values(results: Results, arm: str, measure: str, at: str) -> pd.Series:
    """One value of a measure per replicate of an arm, indexed by replicate.

    Args:
        results: The mission's study results.
        arm: Scenario name.
        measure: Key of :data:`MEASURES`.
        at: Key of :data:`TIMINGS`.

    Raises:
        KeyError: The arm, measure or timing is unknown.
    """
    if at not in TIMINGS:
        raise KeyError(f"at = {at!r}: expected one of {', '.join(TIMINGS)}")
    m = results.months
    frame = m[m["scenario"] == arm]
    if frame.empty:
        raise KeyError(f"no runs of {arm!r} in the results")
    value = MEASURES[measure].series(frame)
    month, replicate = frame["month"], frame["replicate"]
    end = frame.groupby("replicate")["month"].transform("max")
    if at == "deadline":
        deadline = MISSIONS[str(results.runs["mission"].iloc[0])].deadline
        keep = month == np.minimum(deadline, end)
    elif at == "end":
        keep = month == end
    elif at == "last_year":
        keep = month > end - 12
    elif at == "to_deadline":
        deadline = MISSIONS[str(results.runs["mission"].iloc[0])].deadline
        keep = (month >= 1) & (month <= np.minimum(deadline, end))
    else:
        keep = month >= 1
    return value[keep].groupby(replicate[keep]).mean()


def effect(results: Results, sub: SubClaim) -> dict[str, Any]:
    """The paired effect of one sub-claim: mean, 95% CI, replicates, levels and verdict.

    Values are in the measure's display unit (shares scaled to points).
    """
    measure = MEASURES[sub.measure]
    treat = values(results, sub.treatment, sub.measure, sub.at)
    control = values(results, sub.control, sub.measure, sub.at)
    common = treat.index.intersection(control.index)
    t = treat.loc[common].to_numpy() * measure.scale
    c = control.loc[common].to_numpy() * measure.scale
    mean, lo, hi = paired_effect(t, c)
    mission = str(results.runs["mission"].iloc[0])
    return {"n": len(common), "effect": mean, "lo": lo, "hi": hi,
            "treatment_level": float(np.mean(t)) if len(t) else math.nan,
            "control_level": float(np.mean(c)) if len(c) else math.nan,
            "unit": measure.unit_for(mission), "mission": mission,
            "verdict": verdict(lo, hi, sub.direction)}


def evaluate(study: ClaimStudy) -> pd.DataFrame:
    """One row per sub-claim with its effect, 95% CI and verdict.

    Columns: ``id``, ``claim``, ``source``, ``statement``, ``mechanism``, ``sections``,
    ``treatment``, ``control``, ``measure``, ``at``, ``direction``, ``built_in``,
    ``mission``, ``n``, ``effect``, ``lo``, ``hi``, ``unit``, ``treatment_level``,
    ``control_level``, ``verdict``.
    """
    rows = []
    for sub in study.subclaims:
        mission = next((m for m, r in study.results.items()
                        if sub.treatment in set(r.runs["scenario"])), None)
        if mission is None:
            raise KeyError(f"{sub.id}: no runs of {sub.treatment!r} in the study")
        row = {"id": sub.id, "claim": sub.claim, "source": sub.source,
               "statement": sub.statement, "mechanism": sub.mechanism,
               "sections": " ".join(sub.sections), "treatment": sub.treatment,
               "control": sub.control, "measure": sub.measure, "at": sub.at,
               "direction": sub.direction, "built_in": sub.built_in}
        row.update(effect(study.results[mission], sub))
        rows.append(row)
    return pd.DataFrame(rows)


def counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of sub-claims with each verdict, in the order of :data:`VERDICTS`."""
    found = table["verdict"].value_counts()
    return {v: int(found.get(v, 0)) for v in VERDICTS}


# --- rendering ------------------------------------------------------------------------------
def _cell(text: Any) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _digits(row: Mapping[str, Any]) -> int:
    return 0 if row["unit"] == "people" else MEASURES[row["measure"]].digits


def format_effect(row: Mapping[str, Any], digits: int | None = None) -> str:
    """``+0.45 [+0.30, +0.60] pp``: the effect and its 95% CI with the unit.

    Args:
        row: A row of :func:`evaluate`'s table.
        digits: Decimals (default: the measure's; none for counts of people).
    """
    d = _digits(row) if digits is None else digits
    mean, lo, hi = row["effect"], row["lo"], row["hi"]
    if not math.isfinite(mean):
        return "–"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{mean:+.{d}f} [no CI] {row['unit']}"
    return f"{mean:+.{d}f} [{lo:+.{d}f}, {hi:+.{d}f}] {row['unit']}"


def _level(row: Mapping[str, Any]) -> str:
    measure = MEASURES[row["measure"]]
    if measure.name in ("outcome", "outcome_most_deprived"):
        unit = "%" if row["unit"] == "pp" else f" {row['unit']}"
    elif row["unit"] == "pp":
        unit = " pp"
    elif measure.scale == 100.0:
        unit = "%"
    else:
        unit = ""
    return f"{row['control_level']:.{_digits(row)}f}{unit}"


def _sections(keys: str) -> str:
    return "; ".join(f"§{k} {SECTIONS[k]}" for k in keys.split())


def _mark(v: str) -> str:
    return {SUPPORTED: "**supported**", CONTRADICTED: "**contradicted**"}.get(v, "not shown")


def _command(study: ClaimStudy) -> str:
    parts = ["scripts/make-claims"]
    if study.replicates != DEFAULT_REPLICATES:
        parts.append(f"--replicates {study.replicates}")
    if study.seed != DEFAULT_SEED:
        parts.append(f"--seed {study.seed}")
    if study.preset != DEFAULT_PRESET:
        parts.append(f"--preset {study.preset}")
    if study.horizon is not None:
        parts.append(f"--horizon {study.horizon}")
    if tuple(s.id for s in study.subclaims) != tuple(s.id for s in SUBCLAIMS):
        parts.append("--only " + " ".join(s.id for s in study.subclaims))
    return " ".join(parts)


def _kind(built_in: bool) -> str:
    return "built in" if built_in else "emergent"


def render(table: pd.DataFrame, study: ClaimStudy) -> str:
    """The Markdown of ``docs/claims.md`` for an evaluated study.

    Args:
        table: :func:`evaluate`'s table.
        study: The study it was computed from (for the size, seeds, version and date).

    Returns:
        The page, ending with a newline.
    """
    tally = counts(table)
    horizons = study.horizons()
    size = "; ".join(f"`{m}` {h} months" for m, h in horizons.items())
    pinned = any(a.pinned for s in study.subclaims for a in s.arms())
    out = [
        "# Claims and what the model shows",
        "",
        "<!-- Generated by scripts/make-claims from src/missionsim/analysis/claims.py: do not edit "
        "by hand. -->",
        "",
        f"Generated by `{_command(study)}` with missionsim {study.version} on "
        f"{study.created[:10]}: {study.replicates} paired replicates per scenario, root seed "
        f"{study.seed} (replicate `r` of every scenario runs on the same seed), "
        f"`{study.preset}` world"
        + (" (the rough sleeping scenarios run on their mission's own world, model.md §7.8)"
           if pinned else "")
        + f", horizons {size}. The runs took {study.elapsed / 60:.1f} minutes.",
        "",
        "The design brief (§1) lists six claims about mission-led government that the model "
        "must be able to express. This page breaks each into testable sub-claims and says what "
        "the model shows for each: the mechanism that carries it (with the section of "
        "[the model description](model.md) that implements it), the comparison that tests it, "
        "the measure, the effect and the verdict. Every figure here is a consequence of the "
        "model's stated assumptions ([model.md](model.md), sections 8, 10 and 11), not a "
        "forecast and not evidence about the world: a *supported* sub-claim is one the "
        "model's mechanisms reproduce as parameterised; a *not shown* or *contradicted* one is "
        "one they do not.",
        "",
        "**How to read a row.** Each comparison runs a treatment scenario and a control "
        "scenario on the same paired seeds (common random numbers, as `missionsim compare` "
        "does): replicate `r` of both sees the same world and the same shocks. The *effect* is "
        "the mean over replicates of treatment − control, with its 95% confidence interval "
        "from the t distribution (`missionsim.analysis.stats.paired_effect`, the statistic "
        "`missionsim compare` reports). Effects on the early-years indicator are in percentage "
        "points (pp) of children reaching a good level of development, effects on rough "
        "sleeping in people; shares are shown in points; *control* is the control scenario's "
        "mean level of the measure. *Predicted* is the sign the claim expects (↑ treatment "
        "higher, ↓ lower). A scenario that changes a parameter rather than switching on a "
        "reform is a different delivery system from month 0: its indicator starts at the "
        "observed value and drifts as its delivery differs from the calibrated system's "
        "([model.md](model.md) §5).",
        "",
        "**Built in or emergent.** A sub-claim is *built in* when its predicted sign is "
        "written into one of the model's formulas (morale falls under punitive "
        "accountability, for example): its row checks that the mechanism survives the rest of "
        "the model, not the claim. It is *emergent* when the sign depends on several "
        "mechanisms and their trade-offs (capacity spent on ties, staff time spent on trials, "
        "money locked into settlements), so the model could have shown the opposite.",
        "",
        f"**Verdict rule.** {VERDICT_RULE}",
        "",
        "Regenerate the page with `scripts/make-claims` (the size above; "
        "`scripts/make-claims --help` for the options). The tests run a reduced form "
        "(`tests/validation/test_claims.py`: 3 replicates, 40 months, the `small` world), "
        "which checks the machinery, not these numbers.",
        "",
        "## Summary",
        "",
        f"{len(table)} sub-claims: " + ", ".join(f"{tally[v]} {v}" for v in VERDICTS) + ".",
        "",
        "| claim | source | sub-claims | " + " | ".join(VERDICTS) + " |",
        "|---|---|---:|" + "---:|" * len(VERDICTS),
    ]
    for key, claim in CLAIMS.items():
        rows = table[table["claim"] == key]
        c = counts(rows) if len(rows) else dict.fromkeys(VERDICTS, 0)
        out.append(f"| [{key} {claim.title}](#{key.lower()}) | {claim.source} | {len(rows)} | "
                   + " | ".join(str(c[v]) for v in VERDICTS) + " |")
    for built_in in (False, True):
        rows = table[table["built_in"] == built_in]
        c = counts(rows) if len(rows) else dict.fromkeys(VERDICTS, 0)
        out.append(f"| all, {_kind(built_in)} | | {len(rows)} | "
                   + " | ".join(str(c[v]) for v in VERDICTS) + " |")
    weak = table[table["verdict"] != SUPPORTED]
    out += ["", "**What the model does not support under its assumptions.**", ""]
    if weak.empty:
        out.append("Every sub-claim is supported at this size.")
    for _, r in weak.iterrows():
        out.append(f"- {r['id']} ({r['verdict']}): {r['statement']} Effect "
                   f"{format_effect(r)}, predicted {'↑' if r['direction'] > 0 else '↓'} "
                   f"(`{r['treatment']}` vs `{r['control']}`).")
    for key, claim in CLAIMS.items():
        rows = table[table["claim"] == key]
        out += ["", f'<a id="{key.lower()}"></a>', "", f"## {key} {claim.title}", "",
                f"> {claim.text} — *{claim.source}*", "",
                f"What the model needs to express it: {claim.needs}."
                + (f" Not expressed by the model: {claim.gaps}." if claim.gaps else ""), ""]
        if rows.empty:
            out.append("No sub-claim of this claim was run.")
            continue
        out += ["| id | sub-claim (source) | mechanism (model.md) | comparison: treatment vs "
                "control | measure | predicted | effect [95% CI] | control | sign | verdict |",
                "|---|---|---|---|---|:---:|---|---:|---|---|"]
        for _, r in rows.iterrows():
            m = MEASURES[r["measure"]]
            cells = [r["id"], f"{r['statement']} ({r['source']})",
                     f"{r['mechanism']} ({_sections(r['sections'])})",
                     f"`{r['treatment']}` vs `{r['control']}`",
                     f"{m.label} ({m.formula}), {TIMINGS[r['at']]}",
                     "↑" if r["direction"] > 0 else "↓", format_effect(r), _level(r),
                     _kind(bool(r["built_in"])), _mark(r["verdict"])]
            out.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    used = [a for a in ARMS.values()
            if any(a.name in (s.treatment, s.control) for s in study.subclaims)]
    out += ["", "## Scenarios", "",
            "Each scenario is a shipped file in `scenarios/` with the changes shown; the "
            "parameters are those of [model.md](model.md) §8 and the reforms those of §7.1 "
            "(each file's reforms act at full intensity from month 0, except the sequenced "
            "`mission_ready` package and the 1998 unit from month 10).", "",
            "| scenario | what it is | built from |", "|---|---|---|"]
    for a in used:
        out.append(f"| `{a.name}` | {_cell(a.label)} | {_cell(a.describe())} |")
    return "\n".join(out) + "\n"
