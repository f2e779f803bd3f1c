"""What a report is about: the comparison's summary, its scenarios in order, and their styles.

:func:`study_view` reads a comparison's results once into a :class:`StudyView`: the summary of
:func:`missionsim.analysis.stats.summarise`, the mission, the baseline first and the others best
first, and the colour, line style and marker each scenario keeps in every figure. The figures
(:mod:`.figures`) and the sections of the page (:mod:`.sections`) all read this view.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from missionsim.analysis import stats
from missionsim.experiments.costs import GREEN_BOOK_RATE
from missionsim.model.missions import Mission, mission_named
from missionsim.writeup import summary as words
from missionsim.writeup.summary import markdown as summary_markdown_table
from missionsim.writeup.summary import money_note

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.experiments.study import Results

BASELINE_COLOUR = "#222222"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")
"""Scenario colours (matplotlib's tab10 without grey); the baseline is near-black."""
PALETTE_2 = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
"""Colours of scenarios 10 to 16 (ColorBrewer Dark2 without grey), drawn dashed."""
LINESTYLES = ("-", "--", ":", "-.")
"""Line styles: solid for the first round of colours, then one style a further round."""
MARKERS = ("o", "^", "v", "D")
"""Markers, one a round of colours as for :data:`LINESTYLES` (the baseline's is a square)."""


@dataclass
class StudyView:
    """A comparison as the report shows it.

    Attributes:
        results: The comparison's results.
        mission: The mission it is about.
        summary: :func:`missionsim.analysis.stats.summarise` of the results.
        base: The baseline scenario.
        names: Every scenario: the baseline, then the others best first.
        deadline: The month effects are measured at (the deadline, or the end if earlier).
        end: The last month every run reached.
        colours: Each scenario's colour.
        styles: Each scenario's line style.
        markers: Each scenario's marker.
    """

    results: Results
    mission: Mission
    summary: pd.DataFrame
    base: str
    names: list[str]
    deadline: int
    end: int
    colours: dict[str, str]
    styles: dict[str, str]
    markers: dict[str, str]

    @property
    def best(self) -> pd.Series | None:
        """The non-baseline scenario with the largest gain at the deadline (ties: by name)."""
        return words.best(self.summary)

    @property
    def headline(self) -> str:
        """The headline as plain text (:func:`missionsim.writeup.summary.headline`)."""
        return words.headline(self.summary)

    def row(self, name: str) -> pd.Series:
        """A scenario's row of the summary."""
        return self.summary.set_index("scenario").loc[name]

    def ranked(self) -> pd.DataFrame:
        """The summary by rank (ties: baseline first, then by name).

        In an equal-cost comparison the options as set follow those at equal cost.
        """
        order = {name: i for i, name in enumerate(self.names)}
        key = self.summary["scenario"].map(order)
        as_set = self.summary["as_set"] if "as_set" in self.summary.columns else False
        return self.summary.assign(_order=key, _as_set=as_set).sort_values(
            ["_as_set", "rank", "_order"]).drop(columns=["_order", "_as_set"])


def scenario_colours(names: Sequence[str], baseline: str) -> dict[str, str]:
    """Each scenario's colour: the baseline near-black, the others in turn from the palettes.

    Args:
        names: The scenarios, in the order they take colours (the baseline anywhere).
        baseline: The baseline scenario.
    """
    palette = PALETTE + PALETTE_2
    colours = {baseline: BASELINE_COLOUR}
    for k, name in enumerate(n for n in names if n != baseline):
        colours[name] = palette[k % len(palette)]
    return colours


def study_view(results: Results, baseline: str | None,
               rate: float = GREEN_BOOK_RATE) -> StudyView:
    """Read a comparison's results into a :class:`StudyView` (money discounted at ``rate``).

    Raises:
        ValueError: The results hold several design points (a sweep), hold no runs, or
            ``baseline`` is not one of their scenarios.
    """
    runs = results.runs
    if "point" in runs.columns and runs["point"].nunique() > 1:
        raise ValueError("report: the results hold several design points (a sweep); a report "
                         "compares scenarios, so pass the results of compare() or replicate()")
    summary = stats.summarise(results, baseline, rate)
    mission = mission_named(str(results.runs["mission"].iloc[0]))
    names = [n for n in results.scenarios if n in set(summary["scenario"])]
    base = summary.attrs["baseline"]
    # the baseline, then the others best first: the same order whatever order the results
    # hold the scenarios in (a stored study may list them differently from the one in memory)
    rank = dict(zip(summary["scenario"], summary["rank"], strict=True))
    others = sorted((n for n in names if n != base), key=lambda n: (rank[n], n))
    names = [base, *others]
    colours = scenario_colours(names, base)
    styles, markers = {base: "-"}, {base: "s"}
    for k, name in enumerate(others):
        turn = 0 if k < len(PALETTE) else 1 + (k - len(PALETTE)) // len(PALETTE_2)
        styles[name] = LINESTYLES[turn % len(LINESTYLES)]
        markers[name] = MARKERS[turn % len(MARKERS)]
    return StudyView(results, mission, summary, base, names, int(summary.attrs["deadline"]),
                     int(summary.attrs["end"]), colours, styles, markers)


def content(results: Results, name: str) -> dict[str, Any]:
    """A scenario's content from the manifest, or rebuilt from its runs when not recorded."""
    entry = results.manifest.get("scenarios", {}).get(name) or {}
    recorded = entry.get("content")
    if recorded:
        return dict(recorded)
    runs = results.runs[results.runs["scenario"] == name]
    first = runs.iloc[0]
    return {"mission": first["mission"], "preset": first["preset"],
            "params": json.loads(first["params"]), "reforms": json.loads(first["reforms"]),
            "uncertainties": {}, "horizon": int(first["horizon"])}


def summary_markdown(results: Results, baseline: str | None = None,
                     rate: float = GREEN_BOOK_RATE) -> str:
    """A short Markdown summary for the terminal: the headline and the effect table.

    Args:
        results: The results of a comparison.
        baseline: Scenario the others are compared with (default: the study's baseline).
        rate: Discount rate a year for present values (default: the Green Book's 3.5%; 0
            gives undiscounted sums).

    Returns:
        The headline paragraph, a blank line and the table of
        :func:`missionsim.writeup.summary.markdown`.
    """
    s = study_view(results, baseline, rate)
    return (f"{s.headline}\n\n{summary_markdown_table(s.summary)}\n\n"
            f"{money_note(s.summary)}\n")
