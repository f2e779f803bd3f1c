"""The report's page: one self-contained HTML file, its sections in order.

:func:`render` assembles the page from the study view (:mod:`.view`), the figures
(:mod:`.figures`) and the sections of text and tables (:mod:`.sections`); :func:`write_report`
writes it to a file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from missionsim.analysis import stats
from missionsim.experiments.costs import GREEN_BOOK_RATE
from missionsim.experiments.store import write_atomic
from missionsim.writeup import glossary
from missionsim.writeup.report import figures, places, sections
from missionsim.writeup.report import html as h
from missionsim.writeup.report.view import StudyView, study_view
from missionsim.writeup.summary import effect_unit, level

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.experiments.study import Results

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1b1b1b;
max-width:1040px;margin:2em auto;padding:0 1.2em;line-height:1.45;font-size:15px}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.3em;border-bottom:2px solid #ddd;
padding-bottom:.2em;margin-top:2em}h3{font-size:1.08em;margin-top:1.4em}
.sub{color:#555;margin-top:0}.headline{background:#f3f6fa;border-left:4px solid #1f77b4;
padding:.7em 1em}table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.86em}
th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}th{background:#f0f0f0;
text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.baseline td{background:#fafafa;font-style:italic}figure{margin:1em 0}
figure img{max-width:100%;height:auto}figcaption{font-size:.88em;color:#444}
.note{font-size:.88em;color:#444}code{font-size:.92em}
dl.glossary dt{font-weight:600;margin-top:.5em}dl.glossary dd{margin-left:1.2em}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}
figure,table{page-break-inside:avoid}}
"""
"""The page's style sheet (inline: the file needs nothing else)."""


BAND = ("Lines are means across replicates; shaded bands are 95% confidence intervals of the "
        "mean (t distribution). Scenarios share seeds, so the paired effects in the table are "
        "more precise than overlapping bands suggest.")
"""What the bands of the trajectory figures are (in their captions)."""

WORKFORCE = [("staff_morale", "staff morale (0–1)", 1.0),
             ("staff_turnover", "staff turnover (annual rate, %)", 100.0),
             ("vacancy_rate", "vacancy rate (%)", 100.0)]
"""The workforce figure's panels: reporter, axis label, scale (shares as percentages)."""

CHARITIES = [("charity_closures", "charities closed (cumulative)", 1.0),
             ("charity_reserves_median", "median reserves (months)", 1.0),
             ("charities_active", "charities operating", 1.0)]
"""The charities figure's panels: reporter, axis label, scale."""


def render(results: Results, baseline: str | None = None, title: str | None = None,
           generated: str | None = None, rate: float = GREEN_BOOK_RATE) -> str:
    """The report as an HTML string (see :func:`write_report`).

    Args:
        results: The results of a comparison.
        baseline: Scenario the others are compared with (default: the study's baseline).
        title: Heading (default: the mission's title).
        generated: Time stamp written as the report's generation time (default: now, UTC).
        rate: Discount rate a year for present values (default: the Green Book's 3.5%).

    Returns:
        A complete, self-contained HTML document.
    """
    s = study_view(results, baseline, rate)
    m = s.mission
    generated = generated or datetime.now(UTC).isoformat(timespec="seconds")
    deprivation = stats.by_deprivation(results, baseline=s.base)
    agg = figures.aggregate(results.months)
    doc_title = title or m.title
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h.escape(doc_title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{h.escape(doc_title)}</h1>",
        f'<p class="sub">missionsim comparison report · mission {h.escape(m.name)} · '
        f"{h.escape(m.indicator)}</p>",
        '<h2 id="summary">1. Summary</h2>',
        sections.intro(s),
        '<h2 id="effects">2. Effects on the mission</h2>',
        f"<p>Ranked by effect at month {h.escape(s.deadline)} in the mission's direction. "
        f"Effects are paired differences from {h.escape(s.base)} in "
        f"{h.escape(effect_unit(m.unit))} with 95% confidence intervals (t distribution over "
        "replicates); P(target met) is the share of replicates meeting the target at the "
        "deadline, with a 95% Wilson interval; turnover is the annual rate over the last 12 "
        "months; closures are charities closed by the end.</p>",
        sections.effect_table(s),
        sections.equal_cost_ranking(s),
        "<h3>Other measures</h3>",
        sections.other_table(s),
        '<h2 id="trajectories">3. Trajectories</h2>',
        *_trajectories(s, agg),
        '<h2 id="left-behind">4. Which places are left behind</h2>',
        *_left_behind(s, agg, deprivation),
        sections.deprivation_tables(s, deprivation),
        places.section(places.place_lists(results, s.base, s.names)),
        '<h2 id="cost">5. Cost-effectiveness</h2>',
        *_cost(s),
        sections.cost_table(s),
        '<h2 id="workforce">6. Workforce and charities</h2>',
        *_workforce(s, agg),
        '<h2 id="assumptions">7. Assumptions</h2>',
        sections.assumptions(s),
        '<h2 id="reproducibility">8. Reproducibility</h2>',
        sections.reproducibility(s, generated),
        glossary.section("report", "9. Glossary"),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _trajectories(s: StudyView, agg: dict[str, pd.DataFrame]) -> list[str]:
    """Section 3: the national outcome against the target, and reported against true."""
    m = s.mission
    beyond = ("" if s.end >= m.deadline else
              f" The runs stop at month {s.end}, before the deadline (month {m.deadline}).")
    outcome = h.figure(
        figures.trajectories(s, agg), "national outcome by scenario against the target "
        "trajectory", f"National true outcome by month. {BAND} The dashed grey line is the "
        f"target trajectory (a straight line from {level(m.baseline, m.unit)} at month 0 to "
        f"{level(m.target, m.unit)} at month {m.deadline}); the dotted red line is the target "
        f"and the vertical line the deadline.{beyond}")
    gaming = h.figure(
        figures.gaming(s, agg), "reported against true indicator",
        "Reported (dashed) against true (solid) national indicator for the baseline"
        + (" and the best scenario" if s.best is not None else "")
        + f": the gap is gaming. {BAND}")
    return [outcome, gaming]


def _left_behind(s: StudyView, agg: dict[str, pd.DataFrame],
                 deprivation: pd.DataFrame) -> list[str]:
    """Section 4's figures: inequality and the most deprived places, and by quintile."""
    m = s.mission
    per_head = m.aggregate == "sum"  # a count: the gap per 10,000 people, the tenth's total
    panels = [("inequality", "best–worst decile gap"
               + (" (per 10,000)" if per_head else f" ({m.unit})"), 1.0),
              ("outcome_most_deprived", f"most deprived tenth ({m.unit})", 1.0)]
    inequality = h.figure(
        figures.reporter_panels(s, agg, panels, width=10.0),
        "inequality and most deprived places over time",
        "Left: the gap between the best and the worst tenth of places (true indicator"
        + ("; per 10,000 of population" if per_head else "")
        + "). Right: the true indicator in the most deprived tenth of places"
        + (" (their total)" if per_head else "")
        + ". Lines are means across replicates.")
    at = deprivation.attrs.get("at", "deadline")
    at_month = s.deadline if at == "deadline" else s.end
    quintiles = h.figure(
        figures.by_deprivation(s, deprivation), "outcomes and effects by deprivation quintile",
        f"Places grouped within each run into quintiles by deprivation, at month {at_month}. "
        f"Left: mean outcome per place. Right: paired effect against {s.base} with 95% CIs.")
    return [inequality, quintiles]


def _cost(s: StudyView) -> list[str]:
    """Section 5's figure (none with the baseline alone)."""
    if s.best is None:
        return []
    return [h.figure(figures.cost_and_effect(s), "extra spend against effect",
                     f"Extra spend against effect at month {s.end}, both paired differences "
                     f"from {s.base}, with 95% CIs; points are numbered by rank.")]


def _workforce(s: StudyView, agg: dict[str, pd.DataFrame]) -> list[str]:
    """Section 6: the frontline workforce and the charities over time."""
    workforce = h.figure(
        figures.reporter_panels(s, agg, WORKFORCE), "workforce over time",
        "Frontline workforce: mean morale of staff in post, quits as an annual rate of staff "
        "in post, and the share of funded posts vacant. Lines are means across replicates.")
    charities = h.figure(
        figures.reporter_panels(s, agg, CHARITIES), "charities over time",
        "Charities: closures since month 0, median reserves in months of current costs, and "
        "charities operating. Lines are means across replicates.")
    return [workforce, charities]


def write_report(results: Results, path: str | Path, baseline: str | None = None,
                 title: str | None = None, rate: float = GREEN_BOOK_RATE) -> Path:
    """Write a self-contained HTML report of a comparison.

    The file needs nothing else: its CSS is inline and its figures are PNG data URIs.

    Args:
        results: The results of a comparison (:func:`missionsim.experiments.study.compare` or
            :meth:`~missionsim.experiments.study.Results.load`).
        path: The HTML file to write (a folder gets ``report.html`` inside it).
        baseline: Scenario the others are compared with (default: the study's baseline).
        title: Heading (default: the mission's title).
        rate: Discount rate a year for present values (default: the Green Book's 3.5%; 0
            gives undiscounted sums).

    Returns:
        The path of the file written.

    Raises:
        ValueError: The results hold no runs, or ``baseline`` is not one of the scenarios.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "report.html"
    text = render(results, baseline=baseline, title=title, rate=rate)
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path
