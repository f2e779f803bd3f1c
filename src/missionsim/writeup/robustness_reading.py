"""The robustness write-up in words: the reading paragraphs and the phrases the tables share."""

from __future__ import annotations

import math

from missionsim.analysis.robustness import Analysis, Study
from missionsim.model.params import PARAMETERS
from missionsim.writeup import markdown as md
from missionsim.writeup.markdown import number, percent

NAMED = 3
"""Factors named in the reading."""


def unit_words(study: Study) -> str:
    """The outcome's unit in words (``percentage points`` for a share)."""
    unit = study.info.get("unit", "")
    return "percentage points" if unit == "%" else unit


def value_text(name: str, value: float) -> str:
    """A factor's value: whole for whole-number parameters, else 3 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0f}" if PARAMETERS[name].kind is int else f"{value:.3g}"


def range_text(name: str, low: float, high: float) -> str:
    """A factor's range."""
    return f"{value_text(name, low)} – {value_text(name, high)}"


def switch_text(value: float, to: str, name: str) -> str:
    """One side of a switching value: the value and the reform that takes over."""
    if not to:
        return "none within the plausible range"
    return f"{value_text(name, value)} → `{to}`"


def count_words(n: int) -> str:
    """A small count in words (``3`` → ``three``), larger ones in digits."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)


def when(study: Study, a: Analysis) -> str:
    """``at the deadline (month 36)`` or ``at ten years (month 120)``."""
    if a.month == study.info.get("deadline"):
        return f"at the deadline (month {a.month})"
    return f"at ten years (month {a.month})" if a.month == 120 else f"at month {a.month}"


def _ranking(study: Study, a: Analysis) -> str:
    top = a.best.iloc[0]
    name = a.best.index[0]
    text = (f"{when(study, a).capitalize()}, `{name}` is best in "
            f"{percent(top['p_best'])} of the draws (95% interval {percent(top['low'])} to "
            f"{percent(top['high'])}), with a mean gain of {number(top['mean'], sign=True)} "
            f"{unit_words(study)} over the baseline")
    if len(a.best) > 1:
        second = a.best.iloc[1]
        text += (f"; `{a.best.index[1]}` follows ({percent(second['p_best'])}, mean "
                 f"{number(second['mean'], sign=True)})")
    clear = top["low"] > 0.5
    return text + (". It is the better bet under most of what we might believe." if clear else
                   ". No reform is best under most of what we might believe: the choice "
                   "turns on the assumptions below.")


def _deciders(study: Study, a: Analysis) -> str:
    top = a.evppi.head(NAMED)
    evpi = a.evppi.attrs["evpi"]
    if evpi <= 0 or top["evppi"].max() <= 0:
        return (f"{when(study, a).capitalize()} one reform is best at every draw: there is "
                "nothing to learn that would change the choice.")
    names = ", ".join(f"`{n}` ({number(r.evppi, 3)}, {percent(r.share)} of the EVPI)"
                      for n, r in top.iterrows())
    floor = a.evppi.attrs.get("floor", 0.0)
    text = (f"{when(study, a).capitalize()} perfect information on everything would be "
            f"worth {number(evpi, 3)} {unit_words(study)} of the outcome (the EVPI); the "
            f"factors most worth learning are {names}.")
    if top["evppi"].iloc[0] < 2 * floor:
        text += (f" At this sample size none stands well clear of the noise floor "
                 f"({number(floor, 3)}): the order is not yet reliable.")
    return text


def _switches(study: Study, a: Analysis) -> str:
    s = a.switching
    if s.empty:
        return ""
    moving = [n for n, r in s.iterrows() if r["switches"]]
    if not moving:
        return (f"{when(study, a).capitalize()}, none of the {count_words(len(s))} factors swept "
                "one way changes the preferred reform within its plausible range (the others "
                "at their defaults).")
    parts = []
    for n in moving:
        r = s.loc[n]
        sides = [f"{side} {value_text(n, r[side])} (to `{r[side + '_to']}`)"
                 for side in ("below", "above") if r[side + "_to"]]
        parts.append(f"`{n}` (default {value_text(n, r['default'])}: " + " and ".join(sides)
                     + ")")
    return (f"{when(study, a).capitalize()}, the preferred reform (`{s['preferred'].iloc[0]}` "
            "at the defaults) changes within the plausible range of " + "; ".join(parts) + ".")


def _measure(study: Study) -> str:
    scores: dict[str, float] = {}
    for a in study.analyses:
        for n, r in a.evppi.iterrows():
            scores[n] = max(scores.get(n, 0.0), float(r["share"]))
    ranked = [n for n in sorted(scores, key=scores.get, reverse=True) if scores[n] > 0]
    assumed = [n for n in ranked if study.table.loc[n, "role"] == "assumption"][:NAMED]
    outside = [n for n in ranked if study.table.loc[n, "role"] == "uncertainty"][:1]
    if not assumed:
        return ("What to measure next: no assumption's value would change the choice at this "
                "size.")
    table = study.table
    text = ("What to measure next: " + "; ".join(
        f"`{n}` ({PARAMETERS[n].meaning}; plausible "
        f"{range_text(n, table.loc[n, 'low'], table.loc[n, 'high'])})"
        for n in assumed) + " — evidence that narrows these ranges is what would settle the "
        "ranking.")
    if outside:
        text += (f" Of the conditions outside the system, `{outside[0]}` matters most; it "
                 "cannot be measured in advance, so a choice robust to it is worth more than a "
                 "forecast of it.")
    return text


def reading(study: Study) -> list[str]:
    """The plain-language reading: which reform, what decides it, what to measure next."""
    paragraphs = [" ".join(_ranking(study, a) for a in study.analyses)]
    paragraphs.append(" ".join(_deciders(study, a) for a in study.analyses))
    switches = " ".join(t for t in (_switches(study, a) for a in study.analyses) if t)
    if switches:
        paragraphs.append(switches)
    paragraphs.append(_measure(study))
    return paragraphs


def switching_section(study: Study) -> list[str]:
    """The section on switching values: what it is and the table, by month."""
    lines = [
        "## Switching values",
        "",
        "The factors with the largest EVPPI (below), each swept one way across its plausible "
        f"range ({study.plan.switch_levels} evenly spaced values and the default) with every "
        f"other factor at its default, {study.plan.switch_replicates} paired replicate(s) per "
        "value. The *switching value* (HM Treasury Green Book) is where the preferred reform "
        "changes: moving away from the default, the first crossing of the preferred reform's "
        "gain by another's, interpolated linearly between the values run.",
        "",
    ]
    rows = []
    for a in study.analyses:
        for f, r in a.switching.iterrows():
            rows.append([f"`{f}`", study.table.loc[f, "role"], a.month, value_text(f, r["default"]),
                         range_text(f, r["low"], r["high"]), f"`{r['preferred']}`",
                         switch_text(r["below"], r["below_to"], f),
                         switch_text(r["above"], r["above_to"], f)])
    if not rows:
        return lines + ["No factor was worth sweeping: no EVPPI above zero.", ""]
    return lines + [md.table(["factor", "role", "month", "default", "plausible range",
                              "preferred at default", "switching value below",
                              "switching value above"], rows, "llrrrlll"), ""]


def factors_section(study: Study) -> list[str]:
    """The table of every factor varied: role, group, default, range, unit and meaning."""
    t = study.table
    return ["## The factors varied", "",
            "Every declared assumption (`data/parameters/*.toml`, role `assumption`) over its "
            "plausible range, and the uncertainties over the ranges of "
            "`sweeps/morris_uncertainties.toml`.", "",
            md.table(["factor", "role", "group", "default", "plausible range", "unit",
                      "meaning"],
                     [[f"`{f}`", r.role, f"`{r.group}`", value_text(f, study.defaults[f]),
                       range_text(f, r.low, r.high), r.unit, PARAMETERS[f].meaning]
                      for f, r in t.iterrows()], "lllrrll"), ""]
