"""What the facilitator's page and, once shown, every participant's page draw in common.

:func:`ProposalTable` lists proposals (names, packages, costs against the budget);
:func:`RoomResults` draws the room's comparison — the effect table and the fan charts of
:func:`missionsim.ui.comparison.describe`, as the Compare page shows them — and, when an
advice search has finished, the chart of the proposals against its Pareto front
(:mod:`missionsim.ui.room.advice`).
"""

from __future__ import annotations

import html

import solara

from missionsim.ui.jobs import FAILED, FINISHED
from missionsim.ui.room.advice import (
    CHART_HEIGHT_PX,
    chart_option,
    front_points,
    proposal_points,
)
from missionsim.ui.room.state import Proposal, RoomRun

POLL_SECONDS = 0.5
"""How often a room page reads the room for changes (proposals, progress, what is shown)."""

CSS = """
.ms-room-big { font-size: 2.2em; font-weight: 600; letter-spacing: 0.12em; color: #1f4e79; }
.ms-room-note { font-size: 14px; color: #5f6368; }
.ms-room-headline { font-size: 1.25em; font-weight: 500; background: #f3f6fa;
  border-left: 5px solid #1f4e79; padding: 8px 12px; margin: 4px 0 10px; }
.ms-fan { width: 100%; }
.ms-effect { overflow-x: auto; max-width: 100%; }
table.ms-effect-table, table.ms-room-table { border-collapse: collapse; margin: 6px 0 14px; }
table.ms-effect-table th, table.ms-effect-table td, table.ms-room-table th,
table.ms-room-table td { border: 1px solid #c8c8c8; padding: 4px 8px; vertical-align: top; }
table.ms-effect-table th, table.ms-room-table th { background: #eef1f4; text-align: left; }
table.ms-effect-table td.num, table.ms-room-table td.num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
table.ms-room-table tr.over td { color: #b00020; }
"""


@solara.component
def Line(text: str, classes: list[str]):
    """One line of text in a div of its own (``solara.Text`` is inline)."""
    solara.HTML(tag="div", classes=classes, unsafe_innerHTML=html.escape(text))


def proposals_markup(proposals: tuple[Proposal, ...], budget: float) -> str:
    """Proposals as an HTML table: number, name, package, cost and whether within budget."""
    rows = []
    for p in proposals:
        over = p.cost > budget
        rows.append(f'<tr class="{"over" if over else "within"}"><td class="num">{p.number}'
                    f"</td><td>{html.escape(p.name)}</td>"
                    f"<td>{html.escape(p.package.words())}</td>"
                    f'<td class="num">£{p.cost:,.2f}m</td>'
                    f"<td>{'over the budget' if over else 'within'}</td></tr>")
    head = ("<tr><th>#</th><th>name</th><th>package</th><th>cost (£m PV)</th>"
            f"<th>budget £{budget:,.2f}m</th></tr>")
    return f'<table class="ms-room-table">{head}{"".join(rows)}</table>'


@solara.component
def ProposalTable(proposals: tuple[Proposal, ...], budget: float, name: str):
    """The proposals as a table in a div of class ``name``."""
    if not proposals:
        solara.Text("No proposal yet.", classes=[name, "ms-room-note"])
        return
    solara.HTML(tag="div", classes=[name], unsafe_innerHTML=proposals_markup(proposals, budget))


@solara.component
def RoomResults(run: RoomRun | None, advice, budget: float, version: object = None):
    """The comparison's results and, when there is an advice, the front chart.

    Args:
        run: The room's latest comparison.
        advice: The room's latest advice search.
        budget: The room's budget (£m PV).
        version: The page's latest reading of the room: a new one redraws this (the run and
            the advice are the same objects while their state changes).
    """
    solara.Style(CSS)
    if run is not None:
        progress = run.job.progress()
        if progress.state == FAILED:
            solara.Error(progress.error, classes=["ms-room-failed"])
        elif progress.state != FINISHED:
            solara.Text(f"Comparison: {progress.text}", classes=["ms-room-running"])
        elif run.job.view is not None:
            with Guarded("comparison's results", id(run)):
                ComparisonResults(run)
    if advice is not None and advice.advice is not None:
        with Guarded("front chart", (id(run), id(advice))):
            FrontChart(run, advice, budget)


@solara.component
def ComparisonResults(run: RoomRun):
    """Headline, fan charts and effect table of a finished room comparison."""
    view = run.job.view
    with solara.Column(classes=["ms-room-results"]):
        solara.HTML(tag="div", classes=["ms-room-headline"],
                    unsafe_innerHTML=html.escape(view.headline))
        with solara.Columns([1, 1]):
            FanChart(view.fan_outcome, "fan-outcome")
            FanChart(view.fan_difference, "fan-difference")
        solara.Text(view.caption, classes=["ms-room-note"])
        solara.HTML(tag="div", classes=["ms-effect"], unsafe_innerHTML=view.table_html)
        settings = run.settings
        solara.Text(f"{len(run.proposals)} proposals beside the baseline, "
                    f"{settings.replicates} paired replicates each, {settings.horizon} months; "
                    f"{run.job.done} runs in {run.job.seconds:.1f} s.",
                    classes=["ms-room-note", "ms-room-study"])


@solara.component
def FanChart(chart, name: str):
    """One of the comparison's fan charts as :func:`~missionsim.ui.comparison.describe` drew it.

    An SVG string goes into a div as it is; a figure (:mod:`missionsim.ui.figure`) goes into
    that module's chart panel, with its CSV download.
    """
    classes = ["ms-fan", f"ms-{name}"]
    if isinstance(chart, str):
        solara.HTML(tag="div", classes=classes, unsafe_innerHTML=chart)
        return
    from missionsim.ui.figure import ChartPanel

    ChartPanel(lambda: chart, name, classes)


@solara.component
def Guarded(name: str, key: object, children=[]):  # noqa: B006 - Solara's signature
    """The children, or one line in their place if drawing them raised (logged by Solara).

    Args:
        name: What the children show, for the message.
        key: Drawn again when this changes.
        children: The view.
    """
    exc, clear = solara.use_exception()
    solara.use_effect(lambda: clear() if exc is not None else None, [key])
    if exc is None:
        solara.Column(children=children, style={"width": "100%"})
        return
    with solara.Row(classes=["ms-room-failed"]):
        solara.Text(f"The {name} could not be drawn: {type(exc).__name__}: {exc}")


@solara.component
def FrontChart(run: RoomRun | None, advice, budget: float):
    """Cost against gain: the advice's Pareto front and the room's proposals."""
    front = front_points(advice.advice)
    ours = proposal_points(run) if run is not None and run.job.view is not None else []
    with solara.Column(classes=["ms-room-front"]):
        solara.FigureEcharts(option=chart_option(front, ours, budget),
                             attributes={"style": f"height: {CHART_HEIGHT_PX}px;"})
        Line(f"Blue: the {len(front)} packages of the Pareto set of a small advice search "
             "within the budget (none is beaten on all the advice's objectives at once), each "
             "its mean over the search's futures against no package in the same futures. "
             "Orange: the room's proposals, each its paired effect in the room's comparison "
             "against the baseline. Gains are at the mission's deadline, in the indicator's "
             "points; the two come from different ensembles of runs.", ["ms-room-note"])


__all__ = ["CSS", "POLL_SECONDS", "Line", "ProposalTable", "RoomResults", "proposals_markup"]
