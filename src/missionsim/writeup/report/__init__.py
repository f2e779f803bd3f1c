"""One self-contained HTML report of a comparison, for policy teams' submissions.

:func:`write_report` turns the :class:`~missionsim.experiments.study.Results` of a comparison into a
single HTML file with no external resources: the CSS is inline and every figure is a matplotlib PNG
embedded as a base64 data URI, so the file can be mailed, archived or pasted into a submission as it
is. Its sections, in order:

1. summary: scenarios, replicates, preset, horizon and the headline result;
2. effects with 95% confidence intervals (the figures of
   :func:`missionsim.writeup.summary.markdown`);
3. trajectories of the national outcome against the target trajectory, and reported vs true;
4. inequality, the most deprived places, effects by deprivation quintile, the places
   furthest off track at the deadline and those each package helps most and least, by name;
5. cost-effectiveness;
6. workforce and charities;
7. assumptions: presets, reforms, every parameter that differs from its default, uncertainties;
8. reproducibility: version, seeds, hashes, sources.

:func:`summary_markdown` gives the headline and the effect table as Markdown for the terminal;
:func:`places_markdown` gives the named places of section 4 the same way.
The report is deterministic apart from the time it was generated (and the study's own creation
time and executor, which only stored studies record).

The modules: :mod:`.view` (what the report is about: the summary, the scenarios in order and
their styles), :mod:`.figures` (matplotlib), :mod:`.sections` (text and tables), :mod:`.html`
(the HTML helper), :mod:`.places` (places by name) and :mod:`.page` (the page).
"""

from __future__ import annotations

from missionsim.writeup.report.page import render, write_report
from missionsim.writeup.report.places import places_markdown
from missionsim.writeup.report.view import (
    BASELINE_COLOUR,
    PALETTE,
    PALETTE_2,
    StudyView,
    scenario_colours,
    study_view,
    summary_markdown,
)

__all__ = ["BASELINE_COLOUR", "PALETTE", "PALETTE_2", "StudyView", "places_markdown", "render",
           "scenario_colours", "study_view", "summary_markdown", "write_report"]
