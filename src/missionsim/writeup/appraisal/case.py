"""Sections 1 to 3: the strategic case, the options, and their costs and benefits in present value.

Section 3 has two tables. The first reads the advice's own evaluations: every appraised
package over the common ensemble of futures, at its cost as found (the means, intervals and
P(target met) of the candidates table, exactly). The second reads the paired comparison at
equal cost (:mod:`.gather`): each option scaled to one public cost, against business as usual
on the same replicates, with value for money as public cost per point gained.
"""

from __future__ import annotations

import numpy as np

from missionsim.analysis.advise.settings import EVERYWHERE
from missionsim.analysis.advise.space import target_words
from missionsim.model.reforms import REFORMS
from missionsim.writeup import summary as words
from missionsim.writeup.appraisal import text as t
from missionsim.writeup.appraisal.gather import REACHABLE, Appraisal, scaled
from missionsim.writeup.report import html as h


def _when(a: Appraisal) -> str:
    m = a.advice.plan.scenario.mission_record()
    start = m.start_label.split(" ")[0]
    return f"month {m.deadline} (month 0 is {start})"


def strategic(a: Appraisal) -> str:
    """Section 1: the mission, its target and deadline, the budget, the question."""
    plan = a.advice.plan
    m = plan.scenario.mission_record()
    rise = "raise" if m.direction > 0 else "lower"
    facts = [
        f"Mission: {m.title} ({m.name}).",
        f"Indicator: {m.indicator}, in {m.unit}; the mission is to {rise} it from "
        f"{words.level(m.baseline, m.unit)} at month 0 to {words.level(m.target, m.unit)}.",
        f"Deadline: {_when(a)}; the runs go on to month {plan.scenario.horizon} (the horizon).",
        f"Budget: {t.money(plan.budget)} of public money, in present value over "
        f"{plan.scenario.horizon} months at {plan.rate:.1%} a year (HM Treasury Green Book "
        "discounting).",
        f"System the packages are added to: scenario {plan.scenario.name} "
        f"({plan.scenario.world.preset} world"
        + (f"; reforms already in place in every option: "
           f"{', '.join(plan.scenario.reform_settings())}" if plan.scenario.reform_settings()
           else "; no reforms in place") + ").",
    ]
    question = (f"With {t.money(plan.budget)}, which package of enabling reforms, in which "
                "order and in which places, gives the best chance of meeting the mission by "
                "its deadline, and what would make it fail?")
    return t.section("strategic-case", 1, "Strategic case", [
        t.para(question), t.listing(facts), _headline(a)])


def _headline(a: Appraisal) -> str:
    table = a.advice.candidates
    if a.preferred is None:
        return t.para("No package is within the budget: the advice has no preferred option.",
                      "headline")
    row = table.loc[a.preferred]
    n = len(a.advice.futures)
    text = (f"The robust preferred option is {a.label(a.preferred)}: {row['package']}. It "
            f"meets the target in {t.percent(row['p_target_satisficing'])} of the {n} "
            f"futures, at a mean public cost of {t.money(row['cost_mean'])} in present value.")
    return t.para(text, "headline")


def options(a: Appraisal) -> str:
    """Section 2: the long list searched and the shortlist, each package in words."""
    advice = a.advice
    space = advice.plan.space
    search = advice.settings.search
    reforms = [[REFORMS[g.reform].title if g.reform in REFORMS else g.reform, g.reform,
                t.value(list(g.intensities)), t.value(list(g.starts))] for g in space.genes]
    where = [("every place" if o == EVERYWHERE else target_words(o)) for o in space.targets]
    places = (f"in {where[0]}" if len(where) == 1 else
              f"in one of {len(where)} targeting options ({'; '.join(where)})")
    counts = advice.info.get("counts", {})
    long_list = (
        f"The long list is every package the search could propose: any combination of the "
        f"{len(space.genes)} reforms below, each at one of its intensities, from one of its "
        f"start months (which sets the order in which reforms begin), {places}"
        + (f", at most {space.max_reforms} reforms a package" if space.max_reforms else "")
        + f": {space.size():,} packages in all. NSGA-II searched it with "
        f"{t.plural(search.population, 'package')} a generation over "
        f"{t.plural(search.generations, 'generation')}, "
        f"and evaluated {t.plural(len(advice.candidates), 'distinct package')} in each of the "
        f"{len(advice.futures)} futures ({counts.get('evaluations', len(advice.evaluations)):,} "
        "runs).")
    out = [t.para(long_list),
           h.table(["reform", "name", "intensities searched", "start months searched"],
                   reforms, numeric_from=2, cls="long-list")]
    table = advice.candidates
    rows, attrs = [], []
    for name in a.appraised():
        row = table.loc[name]
        rows.append([a.label(name), in_words(a, name), row["package"],
                     "yes" if row["pareto"] else "no", "yes" if row["feasible"] else "no",
                     t.money(row["cost_mean"])])
        attrs.append({"data-candidate": name})
    first = ("first package" if len(a.options) == 1 else
             f"first {len(a.options)} packages")
    out += [t.para(f"The shortlist is the {first} with reforms in the order of the advice's "
                   "rule (the Pareto front first, see section 5), with business as usual "
                   "(no new reforms) as the comparator"
                   + (" and the runner-up" if a.runner_up and a.runner_up not in a.options
                      and a.runner_up != a.base else "") + "."),
            h.table(["option", "what it does", "package (as the search writes it)",
                     "on the Pareto front", "within the budget", "mean public cost (£m PV)"],
                    rows, numeric_from=5, cls="shortlist", row_attributes=attrs)]
    out += [_equal_note(a), _reforms(a)]
    return t.section("options", 2, "Options", out)


def in_words(a: Appraisal, name: str) -> str:
    """A package in plain words: each reform by its title, how strongly, from when, where."""
    space = a.advice.plan.space
    package = a.advice.packages[name]
    if not package:
        return "No new reforms: the system as it is."
    parts = []
    for c in sorted(package, key=lambda c: (c.start, c.reform)):
        title = REFORMS[c.reform].title if c.reform in REFORMS else c.reform
        option = space.targets[c.target]
        where = "every place" if option == EVERYWHERE else target_words(option)
        parts.append(f"{title} at {c.intensity:g} times its standard intensity from month "
                     f"{c.start}, in {where}")
    return "; then ".join(parts) + "."


def _reforms(a: Appraisal) -> str:
    """What each reform in the shortlist does, what it trades off, and what it costs."""
    used = sorted({c.reform for n in a.options for c in a.advice.packages[n]})
    items = []
    for reform in used:
        cls = REFORMS.get(reform)
        if cls is None:
            continue
        items.append(f"<dt>{h.escape(cls.title)} ({h.escape(reform)})</dt><dd>"
                     f"{h.escape(cls.mechanism)} Trade-off: {h.escape(cls.tradeoff)} Cost: "
                     f"{h.escape(cls.cost_basis)}.</dd>")
    if not items:
        return ""
    return ("<h3>What the shortlisted reforms do</h3>"
            f'<dl class="glossary reforms">{"".join(items)}</dl>')


def _equal_note(a: Appraisal) -> str:
    scale = scaled(a)
    notes = " ".join(a.notes)
    if not scale:
        return t.para(notes) if notes else ""
    level = (f"the largest public cost every option can reach, {t.money(scale['budget'])}"
             if a.level == REACHABLE else t.money(scale["budget"]))
    capped = scale.get("capped") or []
    text = (f"At equal cost, each option's intensities are scaled together, by one factor, "
            f"until its public cost in present value is {level}; the factor is in section 3."
            + (f" Capped at their largest intensities, below that cost: "
               f"{', '.join(a.label(n) for n in capped)}." if capped else "")
            + (" " + notes if notes else ""))
    return t.para(text)


def costs(a: Appraisal) -> str:
    """Section 3: costs and benefits in present value, over the futures and at equal cost."""
    return t.section("costs-benefits", 3, "Costs and benefits in present value", [
        "<h3>Over the futures, as found by the search</h3>", _futures_table(a),
        "<h3>At equal cost: value for money</h3>", _equal_table(a)])


def _futures_table(a: Appraisal) -> str:
    advice = a.advice
    plan = advice.plan
    unit = a.unit
    evaluations = advice.evaluations
    base = (evaluations[evaluations["candidate"] == a.base].set_index("future")["deadline"]
            if a.base else None)
    header = ["option", "public cost (£m PV)",
              f"outcome at the deadline, month {plan.deadline} ({unit})",
              f"outcome at the horizon, month {plan.scenario.horizon} ({unit})",
              f"most deprived tenth at the horizon ({unit})",
              "P(target met)", f"change at month {plan.deadline} against business as usual "
              f"({words.effect_unit(unit)}, 95% CI)",
              f"{words.per_unit(unit)} gained at the deadline (PV)"]
    rows, attrs = [], []
    for name in a.appraised():
        own = evaluations[evaluations["candidate"] == name].set_index("future").sort_index()
        met = int(own["target_met"].astype(bool).sum())
        change, per_point = t.DASH, t.DASH
        if base is not None and name != a.base:
            diff = own["deadline"] - base.loc[own.index]
            change = t.mean_interval(diff, signed=True)
            gain = plan.direction * float(np.mean(diff))
            per_point = t.money(own["cost"].mean() / gain) if gain > 0 else "no gain"
        rows.append([a.label(name), t.mean_interval(own["cost"]),
                     t.mean_interval(own["deadline"]), t.mean_interval(own["horizon"]),
                     t.mean_interval(own["most_deprived"]), t.share_of(met, len(own)),
                     "reference" if name == a.base else change, per_point])
        attrs.append({"data-candidate": name})
    note = (f"Means over the {len(advice.futures)} futures of the advice's ensemble (each "
            "option met the same futures), with 95% intervals of the mean (t distribution). "
            "P(target met) is the share of futures in which the target was met at the "
            "deadline, with a 95% Wilson interval. Public cost is the reforms' new public "
            f"money in present value over {plan.scenario.horizon} months at {plan.rate:.1%} a "
            "year. The change against business as usual is paired future by future; cost per "
            "point divides the mean public cost by the mean gain at the deadline.")
    return h.table(header, rows, cls="cba-futures", row_attributes=attrs) + t.para(note,
                                                                                    "note")


def _equal_table(a: Appraisal) -> str:
    if a.summary is None:
        return t.para(" ".join(a.notes) or "No comparison at equal cost was run.")
    s = a.summary.set_index("scenario")
    scale = scaled(a)
    as_set = scale.get("as_set", {})
    unit = a.unit
    end = int(a.summary.attrs["end"])
    deadline = int(a.summary.attrs["deadline"])
    header = ["option", "intensity factor", "public cost (£m PV)",
              f"change at the deadline, month {deadline} ({words.effect_unit(unit)}, 95% CI)",
              f"change at the horizon, month {end} ({words.effect_unit(unit)}, 95% CI)",
              f"change in the most deprived tenth at month {end} ({words.effect_unit(unit)}, "
              "95% CI)", "P(target met)",
              f"{words.per_unit(unit)} gained by month {end} (PV)",
              "total resource cost (£m PV)"]
    rows, attrs = [], []
    names = [a.base, *[n for n in a.options if n in s.index]]
    names += [as_set[n] for n in a.options if as_set.get(n) in s.index]
    for name in names:
        r = s.loc[name]
        own = next((n for n, v in as_set.items() if v == name), name)
        factor = ("as found" if name in as_set.values() else
                  f"× {scale['scale'][name]:.3g}" if name in scale.get("scale", {}) else
                  t.DASH)
        label = a.label(own) + (" as found" if own != name else "")
        effects = (["reference"] * 3 if name == a.base else
                   [words.format_effect(r, k) for k in ("effect_deadline", "effect_end",
                                                        "effect_most_deprived")])
        rows.append([label, "none" if name == a.base else factor,
                     t.number(r["public_cost"]), *effects, words.format_target(r),
                     t.DASH if name == a.base else (t.money(r["cost_per_point"])
                                                    if np.isfinite(r["cost_per_point"])
                                                    else "no gain"),
                     t.number(r["resource_cost"])])
        attrs.append({"data-scenario": name})
    note = (f"A paired comparison: business as usual and every option over the same "
            f"{a.replicates} replicates (the same worlds and shocks, common random numbers), "
            "at the scenario's declared assumptions. Changes are paired differences from "
            "business as usual with 95% intervals (t distribution); P(target met) is the share "
            "of replicates meeting the target at the deadline (95% Wilson interval). Value for "
            f"money is the public cost in present value divided by the gain at month {end}: "
            "the smaller, the better the value. The total resource "
            "cost adds the donations and volunteer time the option draws from others. "
            + " ".join(a.notes))
    return (h.table(header, rows, cls="cba-equal", row_attributes=attrs) + t.para(note, "note")
            + _value_for_money(a))


def _value_for_money(a: Appraisal) -> str:
    s = a.summary
    if s is None:
        return ""
    rows = s[~s["baseline"] & ~s["as_set"]]
    rows = rows[np.isfinite(rows["cost_per_point"])]
    if rows.empty:
        return t.para("No option gains on business as usual by the end at equal cost, so no "
                      "cost per point can be given.")
    best = rows.sort_values(["cost_per_point", "scenario"]).iloc[0]
    return t.para(f"Best value for money at equal cost: {a.label(best['scenario'])}, at "
                  f"{t.money(best['cost_per_point'])} of public money (present value) per "
                  f"{words.effect_unit(a.unit).removesuffix('s')} gained by month "
                  f"{int(s.attrs['end'])}.")
