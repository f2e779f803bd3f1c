"""Sections 7 and 8: risks (switching values, failure conditions) and what to measure next.

The numbers come from :mod:`.evidence`; this module says them in words and tables.
"""

from __future__ import annotations

import math

from missionsim.writeup import summary as words
from missionsim.writeup.appraisal import text as t
from missionsim.writeup.appraisal.evidence import METHOD, net_benefit
from missionsim.writeup.appraisal.gather import Appraisal
from missionsim.writeup.report import html as h

LISTED = 15
"""Inputs listed in the value-of-information table (the largest EVPPI first)."""


def _unit(name: str, a: Appraisal) -> str:
    info = a.information
    if info is not None and name in info.index and info.loc[name, "unit"]:
        return str(info.loc[name, "unit"])
    return ""


def _side(a: Appraisal, value: float, to: str, name: str) -> str:
    if not to or not math.isfinite(value):
        return "none within the range drawn"
    unit = _unit(name, a)
    return f"{value:.3g}{' ' + unit if unit else ''} (then {a.label(to)} leads)"


def risks(a: Appraisal) -> str:
    """Section 7: switching values, then the failure conditions of the preferred option."""
    return t.section("risks", 7, "Risks", [
        "<h3>Switching values</h3>", *_switching(a),
        "<h3>Failure conditions</h3>", *_failure(a)])


def _switching(a: Appraisal) -> list[str]:
    table = a.switching
    if table is None:
        return [t.para("No switching values: " + a.why_not.get("switching", "none found")
                       + ".")]
    plan = a.advice.plan
    intro = (f"A switching value is the value of an input at which the choice between the "
             f"preferred option, {a.label(a.preferred)}, and the runner-up, "
             f"{a.label(a.runner_up)}, would change. For each of the inputs with the most "
             "value of information (section 8), each option's expected outcome at month "
             f"{plan.deadline} given the input is estimated from the "
             f"{len(a.advice.futures)} futures (a regression on the input, every other input "
             "varying as drawn), and the crossing nearest the scenario's own value is read, "
             "below and above it. An input with no crossing within the range drawn cannot, "
             "alone, reverse the choice.")
    rows, attrs = [], []
    for name, r in table.iterrows():
        unit = _unit(str(name), a)
        rows.append([name, f"{r['low']:.3g} to {r['high']:.3g}" + (f" {unit}" if unit else ""),
                     f"{r['default']:.3g}" + (f" {unit}" if unit else ""),
                     a.label(r["preferred"]), _side(a, r["below"], r["below_to"], str(name)),
                     _side(a, r["above"], r["above_to"], str(name)),
                     "yes" if r["above_floor"] else "no"])
        attrs.append({"data-factor": str(name)})
    header = ["input", "range drawn", "scenario's value",
              f"leads at that value (outcome at month {plan.deadline})",
              "switching value below", "switching value above",
              "value of information above the noise floor"]
    switching = table[table["switches"]]
    said = (f"{len(switching)} of the {len(table)} inputs can reverse the choice within the "
            "range drawn." if len(switching) else
            f"None of the {len(table)} inputs reverses the choice within the range drawn.")
    return [t.para(intro), h.table(header, rows, numeric_from=1, cls="switching",
                                   row_attributes=attrs), t.para(said)]


def _failure(a: Appraisal) -> list[str]:
    found = a.discovery
    why = a.why_not.get("discovery", "")
    if found is None or not found.boxes:
        return [t.para(why or "No failure conditions were found.")]
    intro = (f"Scenario discovery (PRIM, the patient rule induction method) looked for ranges "
             f"of the inputs in which {a.label(a.preferred)} misses the target. It misses in "
             f"{found.n_misses} of {found.n_futures} futures. Each condition below is a box: "
             "coverage is the share of all misses that fall inside it, density the share of "
             "the futures inside it that miss.")
    frame = found.to_frame()
    rows = [[int(r["box"]), r["condition"], t.percent(r["coverage"]), t.percent(r["density"]),
             t.percent(r["mass"]), f"{int(r['n_misses'])} of {int(r['n_futures'])}"]
            for _, r in frame.iterrows()]
    header = ["box", "misses the target when", "coverage", "density",
              "share of futures in the box", "misses in the box"]
    settings = found.settings
    note = (f"Method: {METHOD.upper()} (EMA workbench), least density "
            f"{settings['threshold']:.0%}, least share of futures in a box "
            f"{settings['min_mass']:.0%}, at most {settings['max_boxes']} boxes; restrictions "
            f"with a quasi-p value above {settings.get('max_p', 0.05):g} dropped. With few "
            "futures a box can arise by chance: read it as a lead to test, not a finding.")
    return [t.para(intro), t.listing(found.describe()),
            h.table(header, rows, numeric_from=2, cls="failure",
                    row_attributes=[{"data-box": int(b)} for b in frame["box"]]),
            t.para(note, "note")]


def information(a: Appraisal) -> str:
    """Section 8: the EVPPI of each input, with the noise floor."""
    title = "What to measure next"
    table = a.information
    if table is None:
        return t.section("information", 8, title, [t.para(
            "The value of information is not estimated: "
            + a.why_not.get("information", "no choice to inform") + ".")])
    unit = words.effect_unit(a.unit)
    evpi, floor = table.attrs["evpi"], table.attrs["floor"]
    options = ", ".join(a.label(n) for n in net_benefit(a.advice, a.appraised()).columns)
    intro = (f"Before committing, which uncertainty is most worth reducing? The choice is "
             f"among {options}, judged by the outcome at month {a.advice.plan.deadline}. The "
             "expected value of perfect information (EVPI) is how much better the choice "
             f"would be, on average, if every input were known: {t.number(evpi, 3)} {unit}. "
             "The expected value of partial perfect information (EVPPI) of one input is the "
             "same for knowing that input alone. The noise floor "
             f"({t.number(floor, 3)} {unit}) is what the estimate gives an input with no "
             "bearing on the outcome at this number of futures; an EVPPI near it cannot be "
             "told from nothing.")
    above = list(table.index[table["above_floor"]])
    verdict = (f"Measure first: {', '.join(above[:5])}." if above else
               "No input's EVPPI is above the noise floor: with this many futures, no single "
               "measurement can be shown to be worth making; a larger ensemble would tell.")
    rows, attrs = [], []
    for name, r in table.head(LISTED).iterrows():
        rows.append([name, r["meaning"] or t.DASH, r["unit"] or t.DASH, r["role"] or t.DASH,
                     t.number(r["evppi"], 3), t.percent(r["share"]),
                     "yes" if r["above_floor"] else "no"])
        attrs.append({"data-factor": str(name)})
    header = ["input", "meaning", "unit", "role", f"EVPPI ({unit})", "share of the EVPI",
              "above the noise floor"]
    note = (f"The {min(LISTED, len(table))} inputs with the largest EVPPI of "
            f"{len(table)} that vary between the futures. Estimated by regressing each option's "
            "outcome on the input (Strong, Oakley & Brennan 2014): a straight line with few "
            "futures, a smooth spline with many.")
    return t.section("information", 8, title, [
        t.para(intro), t.para(verdict),
        h.table(header, rows, numeric_from=4, cls="evppi", row_attributes=attrs),
        t.para(note, "note")])
