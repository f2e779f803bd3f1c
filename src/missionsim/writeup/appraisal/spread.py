"""Section 6: distribution, who gains, by tenth of deprivation and by place.

From the paired comparison at equal cost (:mod:`.gather`): each option's change against
business as usual in each tenth of places by deprivation
(:func:`missionsim.analysis.stats.by_deprivation` with ten groups), and the places each option
helps most and least, by name, with the comparison report's own lists
(:func:`missionsim.writeup.report.places.section`).
"""

from __future__ import annotations

from missionsim.writeup import markdown as md
from missionsim.writeup import summary as words
from missionsim.writeup.appraisal import figures
from missionsim.writeup.appraisal import text as t
from missionsim.writeup.appraisal.gather import Appraisal
from missionsim.writeup.report import html as h
from missionsim.writeup.report import places as place_lists


def distribution(a: Appraisal) -> str:
    """Section 6 (a statement instead when there is no comparison)."""
    title = "Distribution: who gains"
    if a.tenths is None or a.tenths.empty:
        return t.section("distribution", 6, title, [t.para(
            "There is no comparison of options with business as usual (see section 2), so "
            "gains cannot be shown by place.")])
    at = a.tenths.attrs.get("at", "deadline")
    month = (a.summary.attrs["deadline"] if at == "deadline" else a.summary.attrs["end"])
    intro = (f"Who gains from each option at equal cost, at month {month}: places are put in "
             "ten equal groups by deprivation (the share eligible for free school meals) "
             "within each replicate, and each option's outcome in a group is compared with "
             "business as usual in the same group and replicate. Tenth 10 is the most "
             "deprived. An option that narrows the gap gains most in the high tenths.")
    parts = [t.para(intro), _tenths_table(a)]
    uri = figures.tenths(a)
    if uri:
        parts.append(h.figure(uri, "change by tenth of deprivation", (
            f"Change against business as usual by tenth of deprivation at month {month} "
            f"({words.effect_unit(a.unit)}): means over {a.replicates} paired replicates with "
            "95% intervals. 1 = least deprived, 10 = most.")))
    parts.append(_gap(a))
    if a.places is not None:
        parts.append(place_lists.section(a.places))
    return t.section("distribution", 6, title, parts)


def _tenths_table(a: Appraisal) -> str:
    """One row per tenth: business as usual's outcome, then each option's paired change."""
    table = a.tenths.set_index(["scenario", "group"])
    groups = sorted(int(g) for g in a.tenths["group"].unique())
    names = [n for n in [a.base, *a.options] if n in table.index.get_level_values(0)]
    rows, attrs = [], []
    for g in groups:
        cells = [f"{g}" + (" (least deprived)" if g == groups[0] else
                           " (most deprived)" if g == groups[-1] else "")]
        for name in names:
            if (name, g) not in table.index:
                cells.append(t.DASH)
                continue
            row = table.loc[(name, g)]
            cells.append(words.level(row["outcome"], a.unit) if name == a.base else
                         md.interval(row["effect"], row["effect_lo"], row["effect_hi"]))
        rows.append(cells)
        attrs.append({"data-tenth": g})
    unit = words.effect_unit(a.unit)
    header = ["tenth of places by deprivation",
              *(f"{a.label(n)}: outcome per place ({a.unit})" if n == a.base else
                f"{a.label(n)}: change ({unit}, 95% CI)" for n in names)]
    note = (f"Business as usual: the mean outcome per place in each tenth ({a.unit}). "
            f"Options: the paired change against it ({unit}), with 95% intervals.")
    return (h.table(header, rows, cls="tenths", row_attributes=attrs)
            + t.para(note, "note"))


def _gap(a: Appraisal) -> str:
    """Whether each option gains more in the most deprived tenth than in the least."""
    table = a.tenths.set_index(["scenario", "group"])["effect"]
    groups = sorted(int(g) for g in a.tenths["group"].unique())
    low, high = groups[0], groups[-1]
    direction = a.advice.plan.direction
    lines = []
    for name in a.options:
        if (name, low) not in table.index or (name, high) not in table.index:
            continue
        most, least = direction * table[(name, high)], direction * table[(name, low)]
        which = ("more in the most deprived tenth than in the least: it narrows the gap"
                 if most > least else
                 "less in the most deprived tenth than in the least: it widens the gap"
                 if most < least else "as much in the most deprived tenth as in the least")
        lines.append(f"{a.label(name)} gains {which} ({t.number(most)} against "
                     f"{t.number(least)} {words.effect_unit(a.unit)}).")
    return t.listing(lines) if lines else ""
