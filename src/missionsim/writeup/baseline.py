"""The measured baseline tables of ``docs/model.md`` section 10 (``missionsim docs baseline``).

:func:`build` measures the baseline (:func:`missionsim.analysis.baseline.measure`) and returns
the two generated blocks of the section, ``baseline_measured`` and ``baseline_patterns``; the
registry (:mod:`missionsim.writeup.docs`) splices them into ``docs/model.md`` between their
``<!-- BEGIN GENERATED: ... -->`` markers, and ``--check`` compares them with the committed
ones. The row labels and the target and observed columns are the section's sourced text, kept
here. The further numbers the section's prose cites (:func:`prose`) are printed by
``scripts/measure-baseline --print``, not written: the prose is updated by hand.

Settings: ``--replicates`` (seeds 0 … N−1, default 10), ``--preset`` (default ``workshop``),
``--quick`` (3 seeds); the horizon is the tables' 120 months.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from missionsim.analysis import baseline as measured
from missionsim.analysis.baseline import HORIZON, Baseline
from missionsim.writeup import markdown as md
from missionsim.writeup.building import check_keys, run_options, table
from missionsim.writeup.docs import Built, DocSettings

MINUS = "\u2212"
"""The minus sign of the tables (never a hyphen)."""
QUICK_SEEDS = 3
"""Seeds of the reduced build (``--quick``)."""
YEARS = HORIZON / 12.0
"""The years the tables' runs cover."""


# --- formatting ----------------------------------------------------------------------------
def num(x: float, digits: int) -> str:
    """A number to ``digits`` decimals, with a true minus sign and no −0."""
    if round(float(x), digits) == 0:
        x = 0.0
    return md.number(x, digits).replace("-", MINUS)


def span(lo: float, hi: float, digits: int) -> str:
    """A range: ``a–b``, or ``a to b`` when either end is negative."""
    a, b = num(lo, digits), num(hi, digits)
    return f"{a} to {b}" if MINUS in a + b else f"{a}–{b}"


def mean_span(values: np.ndarray, digits: int, scale: float = 1.0) -> tuple[str, str]:
    """The mean and the range over seeds of a measure."""
    v = np.asarray(values) * scale
    return num(v.mean(), digits), span(v.min(), v.max(), digits)


def whole(x: float) -> str:
    """A count: no decimals when it is whole."""
    return md.number(x, 0 if float(x).is_integer() else 1, thousands=True)


# --- the tables ----------------------------------------------------------------------------
def measured_table(b: Baseline) -> str:
    """The "Measured." table: the national path, its spread across places, deprivation."""
    m = b.m
    rows = []

    def gld(label: str, key: str, target: str = "") -> None:
        mean, rng_ = mean_span(m[key], 2)
        rows.append([label, f"{mean}%", rng_, target])

    gld("national GLD, month 0 (row 0)", "gld_0", "68.3%")
    gld("national GLD, month 12", "gld_12")
    gld("national GLD, month 24", "gld_24")
    gld("national GLD, month 36 (the deadline, row 36)", "gld_36", "misses 75%")
    mean, rng_ = mean_span(m["gain_to_deadline"], 2)
    rows.append(["average gain to the deadline", f"{mean} pp a year", rng_,
                 "0.6–1.0 pp a year"])
    gains = ", ".join(num(m[f"gain_year_{y}"].mean(), 2) for y in (1, 2, 3))
    rows.append(["gain in the first, second and third year", f"{gains} pp", "", ""])
    gld("national GLD, month 120 (row 120)", f"gld_{HORIZON}")
    rows.append(["target met at the deadline", f"{int(m['target_met'].sum())} of {b.n} runs",
                 "", "not met"])
    gld("reported GLD, month 36", "reported_36")
    mean, rng_ = mean_span(m["sd_y0"], 2)
    rows.append(["place SD at month 0 (`places.y0.std()`)", f"{mean} pp", rng_, "≈ 3–4 pp"])
    mean, rng_ = mean_span(m["corr_deprivation"], 2)
    rows.append(["correlation of deprivation with month-0 GLD across places", mean, rng_,
                 "negative"])
    most, most_rng = mean_span(m["fifth_most"], 1)
    least, least_rng = mean_span(m["fifth_least"], 1)
    rows.append(["month-0 GLD, most deprived fifth of places vs least deprived fifth",
                 f"{most}% vs {least}%", f"{most_rng} vs {least_rng}", "deprived lower"])
    mean, rng_ = mean_span(m["tenth_most"], 1)
    rows.append(["month-0 GLD, most deprived tenth of places (`outcome_most_deprived`)",
                 f"{mean}%", rng_, ""])
    return table(["measure", f"mean over {b.n} seeds", "range", "target"], rows, "llll")


def patterns_table(b: Baseline) -> str:
    """The "Other patterns" table: place dynamics, workforce, charities, gaming, spending."""
    m = b.m
    rows = []

    def row(label: str, model: str, observed: str) -> None:
        rows.append([label, model, observed])

    mean, rng_ = mean_span(m["change_sd"], 2)
    row("SD across places of the change from month 12 to 24", f"{mean} pp ({rng_})",
        "1.2–1.3 pp (A, council dynamics)")
    mean, rng_ = mean_span(m["corr_two_years"], 2)
    row("correlation of place values two years apart (month 0 vs 24)", f"{mean} ({rng_})",
        "0.90")
    mean, rng_ = mean_span(m["corr_changes"], 2)
    row("correlation of successive yearly changes (months 0–12 vs 12–24)", f"{mean} ({rng_})",
        f"{MINUS}0.05")
    mean, rng_ = mean_span(m["share_improving"], 0, 100.0)
    row("share of places improving over two years (month 0 to 24)", f"{mean}% ({rng_})", "92%")
    sds = ", ".join(num(m[f"sd_{month}"].mean(), 2) for month in (0, 24, 36, HORIZON))
    row("place SD at months 0, 24, 36, 120", f"{sds} pp",
        "converging (3.9 → 3.2 in two years, G1)")
    mean, rng_ = mean_span(m["turnover"], 1, 100.0)
    first = num(100.0 * m["turnover_first_year"].mean(), 1)
    row("staff turnover (`staff_turnover`, mean over months 1–120; 12 × the monthly rate)",
        f"{mean}% a year ({rng_}); {first}% in the first year",
        "13.8–15.9% social workers; 16–21% early years (D)")
    mean, rng_ = mean_span(m["vacancy"], 1, 100.0)
    row("vacancy rate (mean over months 1–120)", f"{mean}% ({rng_})", "18.9% social workers (D)")
    closures, start = m["closures"], m["charities_0"].mean()
    per_year = 100.0 * closures.mean() / start / YEARS
    row("charity closures over ten years",
        f"{num(closures.mean(), 1)} of {whole(start)} ({span(closures.min(), closures.max(), 0)})"
        f", ≈ {num(per_year, 1)}% a year",
        "register exits 2.7% a year, not all failures (C)")
    row("median charity reserves, month 0 and 120",
        f"{num(m['reserves_0'].mean(), 2)} and {num(m[f'reserves_{HORIZON}'].mean(), 2)} months",
        "over half of small grantees < 3 months (C)")
    g36 = m["gaming_36"]
    row("gaming gap (reported − true), month 0 and 36",
        f"{num(m['gaming_0'].mean(), 1)} and {num(g36.mean(), 1)} pp "
        f"({span(g36.min(), g36.max(), 1)} at month 36)",
        "A&E: 96% reported vs 77% surveyed (F)")
    row("early-intervention share of council spending (`early_intervention_share`), month 0 "
        "and 1",
        f"{num(m['early_0'].mean(), 2)} and {num(m['early_1'].mean(), 2)} (all money; about "
        f"{num(m['early_core'].mean(), 2)} of core money alone)",
        "early:late 20:80 in 2020/21 (C)")
    return table(["measure", "model (mean, range)", "observed"], rows, "lll")


SECTIONS = {
    "baseline_measured": measured_table,
    "baseline_patterns": patterns_table,
}
"""The generated blocks of section 10, by marker name, and the table each holds."""


def blocks(b: Baseline) -> str:
    """Both generated blocks, each between its markers (what the registry splices)."""
    return "\n".join(f"<!-- BEGIN GENERATED: {name} -->\n\n{make(b)}\n\n"
                     f"<!-- END GENERATED: {name} -->\n" for name, make in SECTIONS.items())


def prose(b: Baseline, delivery: np.ndarray) -> str:
    """The further numbers the section's prose cites (mean over seeds unless stated).

    Args:
        b: The measured baseline.
        delivery: :func:`missionsim.analysis.baseline.delivery_index` for the same seeds.
    """
    m = b.m
    d = np.mean(delivery, axis=0)  # by month, mean over seeds
    mission = b.mission

    def window(lo: int, hi: int) -> str:
        w = d[lo:hi + 1]
        return (f"mean {num(w.mean(), 2)}, {span(w.min(), w.max(), 2)} "
                f"(by month, mean over seeds)")

    def path(t: float) -> float:
        return mission.baseline + mission.momentum * (1.0 - math.exp(-t / mission.response_months))

    gld36, gld_end = m["gld_36"].mean(), m[f"gld_{HORIZON}"].mean()
    dep_sd = b.params["deprivation_sd"]
    expected_sd = math.hypot(mission.spread_sd, mission.deprivation_effect * dep_sd)
    lines = [
        f"delivery index (population-weighted mean of places.delivery), months 1–12: "
        f"{window(1, 12)}",
        f"delivery index, months 24–36: {window(24, 36)}",
        f"delivery index, months 48–{HORIZON}: {window(48, HORIZON)}",
        f"staff in post (staff_headcount), month 0 and 36: {whole(round(m['headcount_0'].mean()))}"
        f" and {whole(round(m['headcount_36'].mean()))}",
        f"reach, month 0 and 36: {num(m['reach_0'].mean(), 2)} → {num(m['reach_36'].mean(), 2)}",
        f"trust on ties (mean_trust), month 0 and 36: {num(m['trust_0'].mean(), 2)} → "
        f"{num(m['trust_36'].mean(), 2)}",
        f"mean morale (staff_morale), month 0 and {HORIZON}: {num(m['morale_0'].mean(), 3)} and "
        f"{num(m[f'morale_{HORIZON}'].mean(), 3)}",
        f"no-change path {mission.baseline:g} + {mission.momentum:g} × (1 − exp(−t / "
        f"{mission.response_months:g})): {num(path(12), 2)} at month 12 "
        f"({num(path(12) - mission.baseline, 2)} pp), {num(path(36), 2)} at month 36 "
        f"({num(path(36) - mission.baseline, 2)} pp), {num(path(HORIZON), 2)} at month "
        f"{HORIZON}",
        f"simulated minus that path: {num(gld36 - path(36), 2)} pp at month 36, "
        f"{num(gld_end - path(HORIZON), 2)} pp at month {HORIZON}",
        f"seeds with a gain to the deadline above 1.0 pp a year: "
        f"{int(np.sum(m['gain_to_deadline'] > 1.0))} of {b.n}",
        f"seeds with place SD at month 0 below 3.0 pp: {int(np.sum(m['sd_y0'] < 3.0))}, above "
        f"4.0 pp: {int(np.sum(m['sd_y0'] > 4.0))} (of {b.n})",
        f"expected place spread sqrt(spread_sd² + (deprivation_effect × deprivation_sd)²): "
        f"{num(expected_sd, 2)} pp (spread_sd {num(mission.spread_sd, 2)}, deprivation_effect "
        f"{num(mission.deprivation_effect, 1)}, deprivation_sd {dep_sd:g})",
    ]
    return "\n".join(lines)


def size(settings: DocSettings) -> tuple[int, str]:
    """Seeds and preset of a build; the horizon is fixed by the tables."""
    check_keys(settings, "baseline", ())
    if settings.horizon not in (None, HORIZON):
        raise ValueError(f"--horizon {settings.horizon}: the baseline tables read months up "
                         f"to {HORIZON}; leave it out")
    seeds = settings.replicates or (QUICK_SEEDS if settings.quick else measured.DEFAULT_SEEDS)
    return seeds, settings.preset or measured.PRESET


def build(path: Path, settings: DocSettings) -> Built:
    """Measure the baseline and return the two generated blocks of section 10."""
    seeds, preset = size(settings)
    b = measured.measure(range(seeds), preset, run_options(settings))
    return Built(text=blocks(b), summary=f"{b.n} seeds × {HORIZON} months, preset {preset}")


def report(settings: DocSettings) -> str:
    """The tables and the numbers the prose cites (``scripts/measure-baseline --print``)."""
    seeds, preset = size(settings)
    b = measured.measure(range(seeds), preset, run_options(settings))
    tables = "".join(f"{name}:\n\n{make(b)}\n\n" for name, make in SECTIONS.items())
    return (f"{tables}numbers the prose of section 10 cites:\n"
            f"{prose(b, measured.delivery_index(range(seeds), preset))}\n")
