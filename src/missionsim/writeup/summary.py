"""The comparison summary in words and tables: effect cells, the effect table, P(target met).

:func:`missionsim.analysis.stats.summarise` computes the numbers; this module formats them the
one way the terminal, the HTML report and the browser app show them.
"""

from __future__ import annotations

import math

import pandas as pd

from missionsim.writeup import markdown as md


def format_effect(row: pd.Series, key: str, digits: int = 2) -> str:
    """``mean (lo to hi)`` for a summary column such as ``effect_deadline``."""
    return md.interval(row[key], row[f"{key}_lo"], row[f"{key}_hi"], digits)


def per_unit(unit: str) -> str:
    """Heading of the cost-effectiveness column: '£m per % point' or '£m per person'."""
    return "£m per person" if unit == "people" else f"£m per {unit} point"


def format_target(row: pd.Series) -> str:
    """P(target met) with its Wilson interval, e.g. ``40% (17%–69%)`` (``–`` if unknown)."""
    return md.share_interval(row["p_target"], row["p_target_lo"], row["p_target_hi"])


def effect_table(summary: pd.DataFrame) -> tuple[list[str], list[list]]:
    """The effect table's header and rows, in the order of ``summary``'s rows.

    One cell list per scenario, formatted as in the terminal and the report: rank, name,
    outcome at the deadline, effects with 95% CIs, P(target met), extra spend, cost per point,
    turnover and closures.
    """
    unit = summary.attrs.get("unit", "")
    d, e = summary.attrs.get("deadline"), summary.attrs.get("end")
    header = ["rank", "scenario", f"outcome at month {d}", f"effect at month {d} (95% CI)",
              f"effect at month {e} (95% CI)", "most deprived", "P(target met)",
              "extra spend £m", per_unit(unit), "turnover", "closures"]
    rows = []
    for _, r in summary.iterrows():
        per_point = "–" if not math.isfinite(r["cost_per_point"]) else f"{r['cost_per_point']:,.1f}"
        name = f"{r['scenario']} (baseline)" if r["baseline"] else r["scenario"]
        effects = ["reference"] * 3 if r["baseline"] else [
            format_effect(r, k) for k in ("effect_deadline", "effect_end", "effect_most_deprived")]
        spend = "reference" if r["baseline"] else f"{r['extra_spend']:+,.0f}"
        rows.append([r["rank"], name, f"{r['outcome_deadline']:.2f}", *effects, format_target(r),
                     spend, per_point, f"{r['turnover']:.1%}", f"{r['closures']:.1f}"])
    return header, rows


def markdown(summary: pd.DataFrame) -> str:
    """The summary as a Markdown table (for the terminal and the report), best first."""
    order = summary.assign(_name=summary["scenario"]).sort_values(["rank", "_name"],
                                                                   kind="stable")
    header, rows = effect_table(order.drop(columns="_name"))
    return md.table(header, rows, "rl" + "r" * (len(header) - 2))
