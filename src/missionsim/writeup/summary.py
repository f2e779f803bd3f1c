"""The comparison summary in words and tables: the headline, the effect table, P(target met).

:func:`missionsim.analysis.stats.summarise` computes the numbers; this module formats them the
one way the terminal, the HTML report and the browser app show them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from missionsim.model.missions import mission_named
from missionsim.writeup import markdown as md


def format_effect(row: pd.Series, key: str, digits: int = 2) -> str:
    """``mean (lo to hi)`` for a summary column such as ``effect_deadline``."""
    return md.interval(row[key], row[f"{key}_lo"], row[f"{key}_hi"], digits)


def per_unit(unit: str) -> str:
    """Heading of the cost-effectiveness column: '£m per % point' or '£m per person'."""
    return "£m per person" if unit == "people" else f"£m per {unit} point"


def with_total(public: float, total: float, digits: int = 1) -> str:
    """A public figure with the total resource figure beside it: ``12.0 (total 19.1)``."""
    if not md.finite(public):
        return "–"
    text = f"{public:,.{digits}f}"
    return text if not md.finite(total) else f"{text} (total {total:,.{digits}f})"


def money_note(summary: pd.DataFrame) -> str:
    """One line saying what the money figures are: present values, the world, England.

    Costs are the reforms' new public money; totals add the donations and volunteer time they
    draw from others (paired changes against the baseline).
    """
    rate = summary.attrs.get("rate", 0.035)
    factor = summary.attrs.get("england_factor", math.nan)
    scaled = summary.attrs.get("equal_cost")
    parts = [f"Money is £m in present value at {rate:.1%} a year (HM Treasury Green Book), "
             "for the modelled world: public cost is the reforms' new public money; the "
             "total adds the donations and volunteer time they draw from others."]
    if md.finite(factor):
        parts.append(f"England equivalent (scaled by people served): × {factor:,.2f}.")
    if scaled:
        parts.append(f"Options were scaled to equal public cost: £{scaled['budget']:,.2f}m "
                     "each; rows named “(as set)” are the options at their intensities as "
                     "set, ranked apart.")
        if scaled.get("capped"):
            parts.append("Capped at their largest intensity, below the budget: "
                         + ", ".join(scaled["capped"]) + ".")
    return " ".join(parts)


def effect_unit(unit: str) -> str:
    """The unit an effect is measured in: 'percentage points' for a share in %, else ``unit``."""
    return "percentage points" if unit == "%" else unit


def level(value: float, unit: str) -> str:
    """A level of a mission's indicator: ``70.9%`` for a share, ``1,234 people`` for a count."""
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:,.0f} {unit}"


def format_target(row: pd.Series) -> str:
    """P(target met) with its Wilson interval, e.g. ``40% (17%–69%)`` (``–`` if unknown)."""
    return md.share_interval(row["p_target"], row["p_target_lo"], row["p_target_hi"])


def effect_table(summary: pd.DataFrame) -> tuple[list[str], list[list]]:
    """The effect table's header and rows, in the order of ``summary``'s rows.

    One cell list per scenario, formatted as in the terminal and the report: rank, name,
    outcome at the deadline, effects with 95% CIs, P(target met), public cost with the total
    resource cost beside it, cost per point (public, with total), turnover and closures.
    """
    unit = summary.attrs.get("unit", "")
    d, e = summary.attrs.get("deadline"), summary.attrs.get("end")
    header = ["rank", "scenario", f"outcome at month {d}", f"effect at month {d} (95% CI)",
              f"effect at month {e} (95% CI)", "most deprived", "P(target met)",
              "public cost £m PV", per_unit(unit) + " PV", "turnover", "closures"]
    rows = []
    for _, r in summary.iterrows():
        per_point = with_total(r["cost_per_point"], r["resource_per_point"])
        name = f"{r['scenario']} (baseline)" if r["baseline"] else r["scenario"]
        effects = ["reference"] * 3 if r["baseline"] else [
            format_effect(r, k) for k in ("effect_deadline", "effect_end", "effect_most_deprived")]
        spend = "reference" if r["baseline"] else with_total(r["public_cost"], r["resource_cost"])
        rows.append([r["rank"], name, f"{r['outcome_deadline']:.2f}", *effects, format_target(r),
                     spend, per_point, f"{r['turnover']:.1%}", f"{r['closures']:.1f}"])
    return header, rows


def markdown(summary: pd.DataFrame) -> str:
    """The summary as a Markdown table (for the terminal and the report), best first."""
    # in an equal-cost comparison, the options at equal cost first, then as set
    as_set = summary["as_set"] if "as_set" in summary.columns else False
    order = summary.assign(_name=summary["scenario"], _as_set=as_set).sort_values(
        ["_as_set", "rank", "_name"], kind="stable").drop(columns="_as_set")
    header, rows = effect_table(order.drop(columns="_name"))
    return md.table(header, rows, "rl" + "r" * (len(header) - 2))


def best(summary: pd.DataFrame) -> pd.Series | None:
    """The scenario other than the baseline with the largest gain at the deadline.

    A gain is an effect in the mission's direction; ties go to the first name in alphabetical
    order. ``None`` when the baseline is the only scenario.

    Args:
        summary: :func:`missionsim.analysis.stats.summarise` of a comparison (any row order).
    """
    others = summary[~summary["baseline"].astype(bool)]
    if "as_set" in others.columns:  # the equal-cost options, not their versions as set
        others = others[~others["as_set"].astype(bool)]
    others = others.sort_values("scenario")
    if others.empty:
        return None
    gain = others["effect_deadline"] * mission_named(summary.attrs["mission"]).direction
    return others.loc[gain.fillna(-np.inf).idxmax()]


def headline(summary: pd.DataFrame) -> str:
    """The headline of a comparison as plain text (escape it for HTML).

    The best scenario at the deadline with its effect and whether its 95% interval excludes
    zero, the chance of meeting the target, and what the effects are; the report, the
    terminal summary and the browser app's Compare page all show this text.

    Args:
        summary: :func:`missionsim.analysis.stats.summarise` of a comparison (any row order).
    """
    m = mission_named(summary.attrs["mission"])
    d, end = int(summary.attrs["deadline"]), int(summary.attrs["end"])
    base_name = summary.attrs["baseline"]
    unit = effect_unit(m.unit)
    base = summary.set_index("scenario").loc[base_name]
    parts = []
    if d < m.deadline:
        parts.append(f"The runs stop at month {end}, before the mission's deadline (month "
                     f"{m.deadline}), so effects are measured at month {d} and whether the "
                     "target is met cannot be assessed.")
    top = best(summary)
    if top is None:
        parts.append(f"Only one scenario ({base_name}) was run, so there are no effects to "
                     f"estimate; its mean outcome at month {d} is "
                     f"{level(base['outcome_deadline'], m.unit)}.")
    else:
        gain = m.direction * top["effect_deadline"]
        effect = format_effect(top, "effect_deadline")
        lo, hi = top["effect_deadline_lo"], top["effect_deadline_hi"]
        if md.finite(lo) and md.finite(hi):
            clear = lo > 0 or hi < 0
            note = (" (the 95% CI excludes zero)" if clear else
                    " (the 95% CI includes zero: not distinguishable from the baseline)")
        else:
            note = " (too few replicates for a confidence interval)"
        if gain > 0:
            parts.append(f"The best scenario at month {d} is {top['scenario']}: an effect of "
                         f"{effect} {unit} against {base_name}{note}, a mean outcome of "
                         f"{level(top['outcome_deadline'], m.unit)}.")
        else:
            parts.append(f"No scenario improved on {base_name} at month {d}; the closest is "
                         f"{top['scenario']}, with an effect of {effect} {unit}{note}.")
    if md.finite(base["p_target"]):
        target = (f"Chance of meeting the target ({level(m.target, m.unit)} by month "
                  f"{m.deadline}), with 95% Wilson intervals: ")
        if top is None:
            parts.append(target + f"{format_target(base)}.")
        else:
            parts.append(target + f"{format_target(top)} for {top['scenario']}, "
                         f"{format_target(base)} for {base_name}.")
    if top is not None:
        parts.append("Effects are paired differences under common random numbers: replicate r "
                     "of every scenario runs with the same seed, world and shocks, so each "
                     "difference is due to the scenario alone.")
    return " ".join(parts)
