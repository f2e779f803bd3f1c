"""Sections 4 and 5: the Pareto front, and the robust preferred option and why.

The front and the measures are the advice's own (its candidates table); nothing is
recomputed here, so every figure matches ``candidates.csv`` and ``pareto.csv``.
"""

from __future__ import annotations

from missionsim.analysis.advise import RULE
from missionsim.writeup import summary as words
from missionsim.writeup.appraisal import figures
from missionsim.writeup.appraisal import text as t
from missionsim.writeup.appraisal.gather import Appraisal
from missionsim.writeup.report import html as h

MEASURE_WORDS = {"mean": "mean over the futures",
                 "p10": "worst tenth of futures (10th percentile)",
                 "regret": "largest regret (shortfall from the best in a future)",
                 "satisficing": "share of futures meeting the mark"}
"""Each robustness measure in words."""


def objective_words(a: Appraisal) -> dict[str, str]:
    """Each objective in words, with its unit."""
    plan = a.advice.plan
    unit = a.unit
    return {"deadline": f"outcome at the deadline, month {plan.deadline} ({unit})",
            "horizon": f"outcome at the horizon, month {plan.scenario.horizon} ({unit})",
            "most_deprived": f"most deprived tenth at the horizon ({unit})",
            "p_target": "target met (share of futures)",
            "cost": "public cost (£m PV)"}


def _cell(objective: str, statistic: str, x: float) -> str:
    if statistic == "satisficing" or objective == "p_target":
        return t.percent(x)
    if objective == "cost":
        return t.money(x)
    return t.number(x)


def pareto(a: Appraisal) -> str:
    """Section 4: the front as a chart (one point per candidate) and as a table."""
    advice = a.advice
    front = advice.pareto
    if front.empty:
        return t.section("pareto", 4, "The Pareto front", [t.para(
            "No package is within the budget, so there is no Pareto front.")])
    plan = advice.plan
    intro = (f"A package is on the Pareto front when no other package within the budget is at "
             f"least as good on every objective the search optimised "
             f"({', '.join(plan.objectives)}, each as its {plan.settings.measure} over the "
             f"futures) and better on one. Of {t.plural(len(advice.candidates), 'package')} "
             f"evaluated, {int(advice.candidates['feasible'].sum())} are within the budget and "
             f"{len(front)} are on the front. Moving along the front buys more of one "
             "objective only by giving up some of another.")
    figure = (f'<figure class="pareto" data-points="{len(front)}">{figures.pareto(a)}'
              "<figcaption>" + h.escape(
                  "Every package evaluated: mean public cost over the futures against P(target "
                  "met) (left) and against the mean outcome at the deadline (right). Blue: the "
                  "Pareto front; red star: the robust preferred option; grey: within the "
                  "budget, not on the front; pink crosses: over the budget; dotted red line: "
                  "the budget; dashed grey line: the target. Letters mark the shortlisted "
                  "options.") + "</figcaption></figure>")
    names = objective_words(a)
    header = ["", "candidate", "package", "mean public cost (£m PV)", "P(target met)",
              names["deadline"], names["horizon"], names["most_deprived"]]
    rows, attrs = [], []
    for name, row in front.sort_values(["cost_mean"]).iterrows():
        rows.append(["★" if name == a.preferred else "", name, row["package"],
                     t.money(row["cost_mean"]), t.percent(row["p_target_satisficing"]),
                     t.number(row["deadline_mean"]), t.number(row["horizon_mean"]),
                     t.number(row["most_deprived_mean"])])
        attrs.append({"data-candidate": name})
    return t.section("pareto", 4, "The Pareto front", [
        t.para(intro), figure,
        h.table(header, rows, numeric_from=3, cls="pareto-set", row_attributes=attrs)])


def preferred(a: Appraisal) -> str:
    """Section 5: the rule, the preferred option's measures against the runner-up, and why."""
    if a.preferred is None:
        return t.section("preferred", 5, "The robust preferred option and why", [t.para(
            "No package is within the budget, so no option can be preferred.")])
    table = a.advice.candidates
    names = [a.preferred] + ([a.runner_up] if a.runner_up else [])
    objectives = objective_words(a)
    rows = []
    for objective, label in objectives.items():
        for statistic, said in MEASURE_WORDS.items():
            column = f"{objective}_{statistic}"
            if objective == "p_target" and statistic != "mean":
                continue  # its p10, regret and satisficing restate the share
            rows.append([f"{label}: {said}",
                         *(_cell(objective, statistic, table.loc[n, column]) for n in names)])
    header = ["measure", *(f"{a.label(n)}" for n in names)]
    mark = (f"The marks are the target ({words.level(a.advice.plan.target, a.unit)}) for the "
            f"outcomes and the budget ({t.money(a.advice.plan.budget)}) for cost; regret is "
            "measured against the best package within the budget in each future.")
    parts = [t.para(f"The rule: {RULE}."), t.para(_why(a)),
             h.table(header, rows, numeric_from=1, cls="preferred-measures"),
             t.para(mark, "note")]
    words_ = [f"{a.label(n)}: {table.loc[n, 'package']}." for n in names]
    return t.section("preferred", 5, "The robust preferred option and why",
                     [t.listing(words_), *parts])


def _why(a: Appraisal) -> str:
    """Which step of the rule separates the preferred option from the runner-up."""
    table = a.advice.candidates
    best = table.loc[a.preferred]
    if a.runner_up is None:
        return (f"{a.label(a.preferred)} is the only package on the Pareto front within the "
                "budget, so it is preferred.")
    other = table.loc[a.runner_up]
    p, q = best["p_target_satisficing"], other["p_target_satisficing"]
    if p != q:
        return (f"{a.label(a.preferred)} meets the target in {t.percent(p)} of the futures, "
                f"the runner-up {a.label(a.runner_up)} in {t.percent(q)}: it gives the best "
                "chance of meeting the mission.")
    r, s = best["deadline_regret"], other["deadline_regret"]
    if r != s:
        return (f"Both meet the target in {t.percent(p)} of the futures; {a.label(a.preferred)}"
                f" falls at most {t.number(r)} {words.effect_unit(a.unit)} short of the best "
                f"package in any future, the runner-up {t.number(s)}: it is the safer choice.")
    return (f"Both meet the target in {t.percent(p)} of the futures with the same largest "
            f"regret; {a.label(a.preferred)} costs less on average "
            f"({t.money(best['cost_mean'])} against {t.money(other['cost_mean'])}).")

