"""The appraisal's page: one self-contained HTML file, its sections in Green Book order.

:func:`render` assembles the page from a gathered :class:`~.gather.Appraisal`;
:func:`write_appraisal` gathers (running the comparison at equal cost) and writes it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from missionsim.analysis.advise import Advice
from missionsim.errors import StoreError
from missionsim.experiments.options import RunOptions
from missionsim.experiments.store import write_atomic
from missionsim.limits import quote
from missionsim.writeup.appraisal import case, choice, evidence, record, risk, spread
from missionsim.writeup.appraisal.gather import SHORTLIST, Appraisal, gather
from missionsim.writeup.appraisal.glossary import glossary
from missionsim.writeup.report import html as h
from missionsim.writeup.report.page import CSS as REPORT_CSS

CSS = REPORT_CSS + """
figure svg{max-width:100%;height:auto}nav.contents ol{columns:2;font-size:.92em}
dl.glossary dt{font-weight:600;margin-top:.5em}dl.glossary dd{margin-left:1.2em}
section{margin-bottom:1.5em}td.num{white-space:normal}
"""
"""The comparison report's style sheet, with the appraisal's few additions."""

SECTIONS = (("strategic-case", "Strategic case"), ("options", "Options"),
            ("costs-benefits", "Costs and benefits in present value"),
            ("pareto", "The Pareto front"), ("preferred", "The robust preferred option and why"),
            ("distribution", "Distribution: who gains"), ("risks", "Risks"),
            ("information", "What to measure next"), ("assumptions", "Assumptions and seeds"))
"""The sections' ids and titles, in Green Book order."""
FILE_NAME = "appraisal.html"
"""The file written when the path given is a folder."""


def render(a: Appraisal, title: str | None = None) -> str:
    """The appraisal as a complete HTML document (no external resources)."""
    plan = a.advice.plan
    heading = title or f"Options appraisal: {plan.scenario.mission_record().title}"
    contents = "".join(f'<li><a href="#{anchor}">{h.escape(name)}</a></li>'
                       for anchor, name in SECTIONS)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h.escape(heading)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{h.escape(heading)}</h1>",
        f'<p class="sub">missionsim options appraisal · advice {h.escape(a.advice.settings.name)}'
        f" · budget £{plan.budget:,.2f}m (present value) · {len(a.advice.futures)} futures · "
        f"generated {h.escape(a.generated)}</p>",
        (f"<p>{h.escape(a.advice.settings.description)}</p>"
         if a.advice.settings.description else ""),
        '<nav class="contents"><ol>' + contents
        + '</ol><p class="note"><a href="#glossary">Glossary of terms</a></p></nav>',
        case.strategic(a), case.options(a), case.costs(a), choice.pareto(a),
        choice.preferred(a), spread.distribution(a), risk.risks(a), risk.information(a),
        record.assumptions(a), glossary(),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def appraisal_path(path: str | os.PathLike[str]) -> Path:
    """The file to write: ``path``, or ``path/appraisal.html`` for a folder.

    Raises:
        StoreError: One line: not a path, or a place that cannot hold the file.
    """
    if not isinstance(path, str | os.PathLike) or not str(path).strip():
        raise StoreError(f"path = {quote(path)}: expected the HTML file to write, such as "
                         "appraisal.html")
    out = Path(path)
    if out.is_dir():
        out = out / FILE_NAME
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise StoreError(f"path = {quote(str(path))}: {folder} is a file, not a folder; "
                         "expected an HTML file in a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"path = {quote(str(path))}: the folder {folder} cannot be written; "
                         "expected a folder you may write to")
    return out


def write_appraisal(advice: Advice, path: str | os.PathLike[str], *,
                    shortlist: int | Sequence[str] = SHORTLIST, replicates: int | None = None,
                    equal_cost: float | str | None = None, options: RunOptions | None = None,
                    switching: int = evidence.SWITCHING, title: str | None = None) -> Path:
    """Write the options appraisal of an advice as one self-contained HTML file.

    Runs a paired comparison of business as usual and the shortlisted options at equal cost
    (for the distribution section); everything else is read from the advice.

    Args:
        advice: What :func:`missionsim.analysis.advise.advise` returned.
        path: The HTML file to write (a folder gets ``appraisal.html`` inside it; missing
            folders are made).
        shortlist: How many options to shortlist (the first with reforms in the order of the
            advice's rule), or the candidates' names (``["c0012", "c0007"]``).
        replicates: Paired replicates of the comparison at equal cost (default: as many as
            the advice's futures, at least 2, with the same seeds).
        equal_cost: The public cost options are scaled to (£m PV; default: the advice's
            budget; ``"reachable"``: the largest every option can reach).
        options: How the comparison runs (workers, scheduler; default: every core); its
            results are held in memory (``options.out`` is not used).
        switching: Inputs, by value of information, whose switching value is sought.
        title: The page's heading (default: "Options appraisal: " and the mission).

    Returns:
        The path of the file written.

    Raises:
        StoreError: ``path`` cannot be written (one line).
        ValueError: A bad argument (one line naming it and what was expected).
        ScenarioError: The comparison cannot run (one line).
    """
    out = appraisal_path(path)
    call = (f"write_appraisal(advice, {str(out)!r}, shortlist={shortlist!r}, "
            f"replicates={replicates!r}, equal_cost={equal_cost!r}, switching={switching!r})")
    if isinstance(switching, bool) or not isinstance(switching, int) or switching < 0:
        raise ValueError(f"switching = {quote(switching)}: expected a whole number of inputs, "
                         "0 or more")
    gathered = gather(advice, shortlist=shortlist, replicates=replicates,
                      equal_cost=equal_cost, options=options, switching=switching, call=call)
    text = render(gathered, title)
    try:
        write_atomic(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise StoreError(f"path = {quote(str(path))}: cannot be written "
                         f"({exc.strerror or exc})") from None
    return out
