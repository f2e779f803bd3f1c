"""The sections of the report that are text and tables (the figures are in :mod:`.figures`).

Each function returns an HTML fragment built from the :class:`~.view.StudyView`; every cell
and every piece of text from the study is escaped here (:mod:`.html`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionsim import __version__
from missionsim.model.params import PARAMETERS, PRESET_DESCRIPTIONS, PRESETS, defaults
from missionsim.model.reforms import REFORMS
from missionsim.writeup import markdown as md
from missionsim.writeup import summary as words
from missionsim.writeup.report import html as h
from missionsim.writeup.report.view import StudyView
from missionsim.writeup.report.view import content as scenario_content

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.experiments.study import Results

DRAWS_LISTED = 12
"""Most uncertainty draws listed one by one; more are given as a range."""


def _value(v: Any) -> str:
    """A parameter value as written in tables (a time path as its values and months)."""
    if isinstance(v, list | tuple):
        return " → ".join(f"{_value(value)} (month {month})" for month, value in v)
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return f"{float(v):g}"
    return str(v)


def effect_table(s: StudyView) -> str:
    """The table of :func:`missionsim.writeup.summary.markdown`, cell for cell, as HTML."""
    ranked = s.ranked()
    header, rows = words.effect_table(ranked)
    classes = ["baseline" if b else "" for b in ranked["baseline"]]
    return h.table(header, rows, numeric_from=2, row_classes=classes, cls="effects")


def equal_cost_ranking(s: StudyView) -> str:
    """In an equal-cost comparison: the ranking at equal cost with the ranking as set beside.

    Empty for a comparison whose options were not scaled.
    """
    scaling = s.results.manifest.get("equal_cost")
    if not scaling:
        return ""
    table = s.summary.set_index("scenario")
    header = ["option", "intensity factor", f"effect at month {s.deadline} at equal cost",
              "rank", "public cost £m PV", f"effect at month {s.deadline} as set", "rank",
              "public cost £m PV"]
    rows = []
    for name in sorted(scaling["scale"], key=lambda n: table.loc[n, "rank"]):
        own, as_set = table.loc[name], table.loc[scaling["as_set"][name]]
        capped = " (capped: at its largest intensity)" if name in scaling.get("capped", []) else ""
        rows.append([name + capped, f"× {scaling['scale'][name]:.3g}",
                     words.format_effect(own, "effect_deadline"), int(own["rank"]),
                     f"{own['public_cost']:,.2f}", words.format_effect(as_set, "effect_deadline"),
                     int(as_set["rank"]), f"{as_set['public_cost']:,.2f}"])
    return ("<h3>Ranking at equal cost, with the ranking as set beside it</h3>"
            f"<p>Every option was scaled, by its intensities, to a public cost of "
            f"£{scaling['budget']:,.2f}m in present value over the run; each was also run at "
            "its intensities as set (rows named “(as set)” above). The headline uses the "
            "equal-cost ranking.</p>" + h.table(header, rows))


def other_table(s: StudyView) -> str:
    """Inequality, gaming, workforce, reform cost and the chance of being best, by rank."""
    header = ["scenario", f"inequality change at month {s.end} (95% CI)",
              f"gaming gap at month {s.end}", "morale (last 12 months)",
              "vacancy rate (last 12 months)", "reform cost £m", "P(best at deadline)"]
    rows = []
    for _, r in s.ranked().iterrows():
        ineq = "reference" if r["baseline"] else words.format_effect(r, "effect_inequality")
        rows.append([r["scenario"], ineq, f"{r['gaming_gap']:+.2f}", f"{r['morale']:.2f}",
                     f"{r['vacancy_rate']:.1%}", f"{r['reform_cost']:,.1f}",
                     md.percent(r["p_best"])])
    return h.table(header, rows)


def intro(s: StudyView) -> str:
    """What was compared, how often, on which world, and the headline."""
    r, m = s.results, s.mission
    reps = int(r.manifest.get("replicates") or r.runs["replicate"].nunique())
    presets = sorted({str(scenario_content(r, n)["preset"]) for n in s.names})
    horizons = sorted({int(h) for h in r.runs["horizon"]})
    preset_text = "; ".join(f"{p} ({PRESET_DESCRIPTIONS.get(p, 'custom')})" for p in presets)
    horizon_text = (f"{horizons[0]} months" if len(horizons) == 1 else
                    f"{horizons[0]} to {horizons[-1]} months")
    others = [n for n in s.names if n != s.base]
    which = (f"{len(s.names)} scenarios — {s.base} (the baseline) and {', '.join(others)} —"
             if others else f"one scenario ({s.base})")
    text = (f"This report compares {which} for the mission “{m.title}”, with {reps} paired "
            f"replicate{'s' if reps != 1 else ''} each, on the {preset_text} world "
            f"preset{'s' if len(presets) > 1 else ''}, over {horizon_text}. Month 0 is "
            f"{m.start_label.replace(' (', ', ').rstrip(')')}; the deadline is month "
            f"{m.deadline}.")
    planned = int(r.manifest.get("planned", len(r.runs)))
    if len(r.runs) < planned:
        text += (f" The study is incomplete: {len(r.runs)} of {planned} planned runs are in the "
                 "results, and only replicates run for both a scenario and the baseline are "
                 "paired.")
    return f"<p>{h.escape(text)}</p>\n<p class=\"headline\">{h.escape(s.headline)}</p>"


def deprivation_tables(s: StudyView, deprivation: pd.DataFrame) -> str:
    """Effects and the share of places behind, by deprivation quintile.

    Args:
        s: The study.
        deprivation: :func:`missionsim.analysis.stats.by_deprivation` of its results.
    """
    groups = sorted(int(g) for g in deprivation["group"].unique())
    head = [f"Q{g}" + (" (least deprived)" if g == groups[0] else
                       " (most deprived)" if g == groups[-1] else "") for g in groups]
    effect_rows, behind_rows, classes = [], [], []
    table = deprivation.set_index(["scenario", "group"])
    for name in s.names:
        if name not in table.index.get_level_values(0):
            continue
        cells_e, cells_b = [name], [name]
        for g in groups:
            row = table.loc[(name, g)] if (name, g) in table.index else None
            if row is None:
                cells_e.append("–")
                cells_b.append("–")
                continue
            outcome = words.level(row["outcome"], s.mission.unit)
            cells_e.append(outcome if name == s.base else words.format_effect(row, "effect"))
            cells_b.append(md.percent(row["share_behind"]))
        effect_rows.append(cells_e)
        behind_rows.append(cells_b)
        classes.append("baseline" if name == s.base else "")
    return ("<h3>Effect by deprivation quintile (paired, 95% CI; the baseline row gives its "
            "mean outcome per place)</h3>"
            + h.table(["scenario", *head], effect_rows, row_classes=classes)
            + "<h3>Share of places behind their own trajectory</h3>"
            + h.table(["scenario", *head], behind_rows, row_classes=classes))


def cost_table(s: StudyView) -> str:
    """What each option costs, who pays, what it draws from others, and per point gained.

    Two tables: the modelled world (public money by payer, donations and volunteer time
    drawn, transfers, capacity, cost per point) and, labelled as such, the England
    equivalent of the money (scaled by people served).
    """
    table, unit = s.ranked(), words.effect_unit(s.mission.unit)
    rate, factor = table.attrs.get("rate", 0.035), table.attrs.get("england_factor", math.nan)
    header = ["scenario", "public cost £m PV", "of which departments", "of which councils",
              "donations drawn £m PV", "volunteer time drawn £m PV", "total resource cost £m PV",
              "transfers £m PV (not a cost)", "council capacity used (capacity-years)",
              f"{words.per_unit(s.mission.unit)} PV (public)", "(total)"]
    england_header = ["scenario", "public cost £m PV", "total resource cost £m PV",
                      f"{words.per_unit(s.mission.unit)} PV (public)"]
    rows, england, classes = [], [], []
    for _, r in table.iterrows():
        name = f"{r['scenario']} (baseline)" if r["baseline"] else r["scenario"]
        money = [r["public_cost"], r["public_department"], r["public_council"],
                 r["drawn_donations"], r["drawn_volunteers"], r["resource_cost"],
                 r["transfers"]]
        cells = ["–" if not md.finite(v) else f"{v:,.2f}" for v in money]
        rows.append([name, *cells, "–" if not md.finite(r["capacity_used"])
                     else f"{r['capacity_used']:+,.2f}",
                     *("–" if not md.finite(v) else f"{v:,.2f}"
                       for v in (r["cost_per_point"], r["resource_per_point"]))])
        england.append([name, *("–" if not md.finite(v) else f"{v * factor:,.1f}"
                                for v in (r["public_cost"], r["resource_cost"],
                                          r["cost_per_point"]))])
        classes.append("baseline" if r["baseline"] else "")
    scaled = table.attrs.get("equal_cost")
    equal = (f" Options were scaled to equal public cost (£{scaled['budget']:,.2f}m each in "
             "present value) by their intensities." if scaled else "")
    note = (f"<p class=\"note\">Present values at {rate:.1%} a year (HM Treasury Green Book), "
            "for the modelled world. Public cost is the reforms' new public money, split by "
            "payer; donations and volunteer time drawn are paired changes against the "
            "baseline (volunteer time valued at <code>volunteer_year_value</code>); the total "
            "resource cost adds them to the public cost. Transfers (pooled and reallocated "
            "mission money, reserves shared between charities) move money and are not added. "
            f"Cost per point divides by the gain at month {h.escape(s.end)} in "
            f"{h.escape(unit)}; it is blank where there is no gain.{equal}</p>")
    england_note = (f"<h3>England equivalent</h3><p class=\"note\">The same money scaled to "
                    f"England by the people served (× {factor:,.2f}); an illustration of "
                    "scale, not a national estimate.</p>")
    return (h.table(header, rows, row_classes=classes) + note + england_note
            + h.table(england_header, england, row_classes=classes))


def _param_rows(content: dict[str, Any]) -> list[list[str]]:
    """A row for every parameter a scenario's preset or its own settings change."""
    preset = str(content.get("preset", ""))
    params = dict(content.get("params", {}))
    base = defaults()
    values = {**base, **PRESETS.get(preset, {}), **params}
    rows = []
    for name, value in values.items():
        if name in base and value == base[name] and name not in params:
            continue
        p = PARAMETERS.get(name)
        rows.append([name, _value(value), _value(p.default) if p else "–", p.unit if p else "",
                     "scenario" if name in params else f"preset {preset}",
                     p.meaning if p else "", p.source if p else ""])
    return rows


def _drawn(results: Results, name: str, parameter: str) -> str:
    """The values of an uncertain parameter a scenario's replicates drew, in order."""
    runs = results.runs[results.runs["scenario"] == name].sort_values("replicate")
    values = [json.loads(p).get(parameter) for p in runs["params"]]
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) > DRAWS_LISTED:
        return f"{len(values)} draws from {_value(min(values))} to {_value(max(values))}"
    return ", ".join(_value(v) for v in values)


def assumptions(s: StudyView) -> str:
    """Each scenario's preset, reforms, changed parameters and uncertainties."""
    r = s.results
    out = ["<p>Parameters not listed are at their defaults (see <code>missionsim.PARAMETERS"
           "</code> and docs/model.md). Preset values count as differences from the defaults. "
           "Uncertainties are drawn once per replicate, the same draw for every scenario with "
           "the same range (common random numbers).</p>"]
    for name in s.names:
        content = scenario_content(r, name)
        entry = r.manifest.get("scenarios", {}).get(name) or {}
        preset = str(content.get("preset", ""))
        out.append(f"<h3>{h.escape(name)}{' (baseline)' if name == s.base else ''}</h3>")
        if entry.get("description"):
            out.append(f"<p>{h.escape(entry['description'])}</p>")
        described = PRESET_DESCRIPTIONS.get(preset, "")
        out.append(f"<p>Preset <b>{h.escape(preset)}</b> ({h.escape(described)})"
                   f"; horizon {h.escape(content.get('horizon', ''))} months.</p>")
        reforms = content.get("reforms", {})
        if reforms:
            rows = []
            for reform, spec in reforms.items():
                cls = REFORMS.get(reform)
                end = spec.get("end")
                rows.append([cls.title if cls else reform, reform, spec.get("start", 0),
                             "end of run" if end is None else end,
                             _value(spec.get("intensity", 1.0)),
                             cls.cost_basis if cls else ""])
            out.append(h.table(["reform", "name", "start month", "end month", "intensity",
                               "cost basis"], rows, numeric_from=2))
        else:
            out.append("<p>No reforms.</p>")
        policy = content.get("policy", {})
        if policy:
            out.append(h.table(["policy setting over time", "value (from month)"],
                               [[name, _value(path)] for name, path in policy.items()]))
        rows = _param_rows(content)
        if rows:
            out.append(h.table(["parameter", "value", "default", "unit", "set by", "meaning",
                               "source"], rows, numeric_from=1))
        else:
            out.append("<p>Every parameter at its default.</p>")
        unc = content.get("uncertainties", {})
        if unc:
            rows = []
            for pname, (low, high) in unc.items():
                p = PARAMETERS.get(pname)
                rows.append([pname, f"{_value(low)} to {_value(high)}",
                             _value(p.default) if p else "–", p.unit if p else "",
                             _drawn(r, name, pname), p.source if p else ""])
            out.append(h.table(["uncertainty", "range (uniform)", "default", "unit",
                               "drawn values by replicate", "source"], rows, numeric_from=1))
        else:
            out.append("<p>No uncertainties drawn.</p>")
    return "\n".join(out)


def _seeds(results: Results, names: Sequence[str]) -> str:
    """The seed of every replicate: one column when scenarios share them, else one each."""
    runs = results.runs
    if runs.empty:
        seeds = results.manifest.get("seeds", {})
        return h.table(["run", "seed"], [[k, v] for k, v in seeds.items()])
    wide = runs.pivot_table(index="replicate", columns="scenario", values="seed",
                            aggfunc="first")
    wide = wide[[n for n in names if n in wide.columns]]
    shared = bool((wide.nunique(axis=1, dropna=True) <= 1).all())
    if shared:
        rows = [[int(rep), str(int(row.dropna().iloc[0]))] for rep, row in wide.iterrows()]
        return ("<p>Every scenario ran replicate r with the same seed (common random "
                "numbers):</p>" + h.table(["replicate", "seed"], rows))
    rows = [[int(rep), *("–" if pd.isna(v) else str(int(v)) for v in row)]
            for rep, row in wide.iterrows()]
    return ("<p>Seeds by scenario and replicate:</p>"
            + h.table(["replicate", *wide.columns], rows))


def reproducibility(s: StudyView, generated: str) -> str:
    """Version, hashes, seeds and sources; rows that change from run to run are marked.

    Args:
        s: The study.
        generated: When the report was generated (a row marked ``data-volatile``).
    """
    r = s.results
    man = r.manifest
    rows = [
        ("missionsim version", man.get("version") or __version__, ""),
        ("study hash", man.get("study", "not recorded"), ""),
        ("kind", man.get("kind", "compare"), ""),
        ("mission", f"{s.mission.name}: {s.mission.title}", ""),
        ("baseline", s.base, ""),
        ("root seed", man.get("root_seed", "not recorded"), ""),
        ("replicates", man.get("replicates", r.runs["replicate"].nunique()), ""),
        ("runs", f"{len(r.runs)} of {man.get('planned', len(r.runs))} planned", ""),
        ("study created", man.get("created", "not recorded (results held in memory)"),
         "created"),
        ("executor", man.get("executor", "not recorded (results held in memory)"), "executor"),
        ("report generated", generated, "generated"),
    ]
    table = ["<table><tbody>"]
    for label, value, volatile in rows:
        attr = f' data-volatile="{volatile}"' if volatile else ""
        table.append(f"<tr{attr}><th>{h.escape(label)}</th><td>{h.escape(value)}</td></tr>")
    table.append("</tbody></table>")
    scen_rows = []
    for name in s.names:
        entry = man.get("scenarios", {}).get(name) or {}
        source = entry.get("source") or "(built in Python)"
        scen_rows.append([name, entry.get("digest", "–"), source, entry.get("summary", ""),
                          entry.get("description", "")])
    scen_header = ["scenario", "digest", "source file", "summary", "description"]
    return ("".join(table) + "<h3>Scenarios</h3>"
            + h.table(scen_header, scen_rows, numeric_from=len(scen_header))
            + "<h3>Seeds</h3>" + _seeds(r, s.names))
