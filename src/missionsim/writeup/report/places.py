"""Places by name: those furthest off track, and those each package helps most and least.

:func:`place_lists` reads a comparison's per-place table (``Results.places``) at the deadline
(or at the end, when the runs stop before it):

* **furthest off track**: the places furthest behind their own trajectory in the baseline,
  means over replicates;
* **helped most and least**: for each package (every scenario but the baseline), the paired
  difference in each place's outcome from the baseline, replicate by replicate (the same world
  and shocks), as a mean with a 95% interval (:func:`missionsim.analysis.stats.t_bounds`, the
  interval of :func:`~missionsim.analysis.stats.paired_effect`), ranked by gain in the
  mission's direction.

:func:`section` writes them as HTML for the report and :func:`markdown` as Markdown for the
terminal (``missionsim report``). Places are shown by name: a council's on a places-file world
such as ``england_councils``, "Place N" on a drawn world.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from missionsim.analysis import stats
from missionsim.limits import quote
from missionsim.model.missions import Mission, mission_named
from missionsim.writeup import markdown as md
from missionsim.writeup import summary as words
from missionsim.writeup.report import html as h

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.experiments.study import Results

OFF_TRACK_LISTED = 10
"""Most places listed as furthest off track."""
HELPED_LISTED = 5
"""Places listed as helped most, and as helped least, by each package."""
SAME_DEPRIVATION = 1e-9
"""Largest difference in a place's deprivation still read as the same place (rounding only)."""

DEPRIVATION_HEADING = "deprivation (share eligible for free school meals)"
"""The heading of the deprivation column (the world's deprivation is the FSM share)."""


@dataclass
class PlaceLists:
    """The named places of a comparison at one month.

    Attributes:
        mission: The mission.
        base: The baseline scenario.
        at: Which per-place rows were read: ``"deadline"``, or ``"end"`` when the runs stop
            before the deadline.
        month: The month of those rows.
        replicates: Baseline runs the off-track list averages over.
        same_places: Whether every replicate has the same places (a places-file world);
            on a drawn world "Place N" is a different place in each replicate.
        off_track: Up to :data:`OFF_TRACK_LISTED` places behind their trajectory, furthest
            first: ``place``, ``name``, ``outcome``, ``behind_trajectory``, ``deprivation``
            (means over replicates), ``behind`` (replicates behind) and ``n``.
        packages: For each package, every place ranked by gain (largest first): ``place``,
            ``name``, ``effect``, ``effect_lo``, ``effect_hi``, ``n`` (pairs), ``outcome_base``
            and ``deprivation``; ``None`` for a package whose places are not the baseline's.
    """

    mission: Mission
    base: str
    at: str
    month: int
    replicates: int
    same_places: bool
    off_track: pd.DataFrame
    packages: dict[str, pd.DataFrame | None]


def _named(places: pd.DataFrame) -> pd.DataFrame:
    """The rows with a ``name`` (stores written before places had names: "Place N")."""
    fallback = "Place " + (places["place"].astype(int) + 1).astype(str)
    if "name" not in places.columns:
        return places.assign(name=fallback)
    return places.assign(name=places["name"].where(places["name"].notna(), fallback))


def _same_places(rows: pd.DataFrame) -> bool:
    """Whether every place number has one name and one deprivation in every replicate."""
    by_place = rows.groupby("place")
    spread = (by_place["deprivation"].max() - by_place["deprivation"].min()).fillna(0.0)
    return bool((by_place["name"].nunique() <= 1).all() and (spread <= SAME_DEPRIVATION).all())


def _off_track(rows: pd.DataFrame) -> pd.DataFrame:
    """The baseline's places furthest behind their trajectory (means over replicates)."""
    rows = rows.assign(is_behind=rows["behind_trajectory"] > 0)
    table = rows.groupby("place").agg(
        name=("name", "first"), outcome=("outcome", "mean"),
        behind_trajectory=("behind_trajectory", "mean"), deprivation=("deprivation", "mean"),
        behind=("is_behind", "sum"), n=("replicate", "nunique")).reset_index()
    table = table[table["behind_trajectory"] > 0]
    table = table.sort_values(["behind_trajectory", "name"], ascending=[False, True])
    return table.head(OFF_TRACK_LISTED).reset_index(drop=True)


def _helped(rows: pd.DataFrame, base_rows: pd.DataFrame, direction: int) -> pd.DataFrame | None:
    """Each place's paired difference from the baseline, by gain; ``None`` if not pairable."""
    pairs = rows.merge(base_rows, on=["replicate", "place"], suffixes=("", "_base"))
    if pairs.empty:
        return None
    same = (pairs["name"] == pairs["name_base"]) & np.isclose(
        pairs["deprivation"], pairs["deprivation_base"], rtol=0, atol=SAME_DEPRIVATION,
        equal_nan=True)
    if not same.all() or rows["place"].nunique() != base_rows["place"].nunique():
        return None
    pairs["difference"] = pairs["outcome"] - pairs["outcome_base"]
    by_place = pairs.groupby("place")
    diff = by_place["difference"]
    table = by_place.agg(name=("name", "first"), outcome_base=("outcome_base", "mean"),
                         deprivation=("deprivation", "mean")).reset_index()
    mean, sd, n = diff.mean(), diff.std(ddof=1), diff.count()
    lo, hi = stats.t_bounds(mean, sd, n)
    table["effect"], table["n"] = mean.to_numpy(), n.to_numpy()
    table["effect_lo"], table["effect_hi"] = np.asarray(lo), np.asarray(hi)
    table["gain"] = direction * table["effect"]
    table = table.sort_values(["gain", "name"], ascending=[False, True])
    return table.drop(columns="gain").reset_index(drop=True)


def place_lists(results: Results, base: str, names: list[str] | None = None) -> PlaceLists:
    """The named places of a comparison (see the module's description).

    Args:
        results: The results of a comparison.
        base: The baseline scenario.
        names: The packages' order (default: the study's); the baseline is left out.

    Raises:
        ValueError: ``base`` is not one of the scenarios, the results hold several design
            points (a sweep), or they hold no places.
    """
    if base not in results.scenarios:
        raise ValueError(f"baseline = {quote(base)}: not one of the scenarios "
                         f"({', '.join(results.scenarios)})")
    if "point" in results.runs.columns and results.runs["point"].nunique() > 1:
        raise ValueError("places: the results hold several design points (a sweep); places "
                         "are listed for a comparison of scenarios")
    places = results.places
    if places.empty:
        raise ValueError("places: the results hold no per-place rows")
    at = "deadline" if (places["at"] == "deadline").any() else "end"
    places = _named(places[places["at"] == at])
    base_rows = places[places["scenario"] == base]
    mission = mission_named(str(results.runs["mission"].iloc[0]))
    keep = ["replicate", "place", "name", "outcome", "deprivation"]
    packages = {}
    for name in names or results.scenarios:
        if name != base:
            rows = places[places["scenario"] == name]
            packages[name] = _helped(rows[keep], base_rows[keep], mission.direction)
    return PlaceLists(mission, base, at, int(places["month"].min()),
                      int(base_rows["replicate"].nunique()), _same_places(base_rows),
                      _off_track(base_rows), packages)


def _when(lists: PlaceLists) -> str:
    """The month the lists are read at, in words."""
    if lists.at == "deadline":
        return f"the deadline (month {lists.month})"
    return f"month {lists.month}, the end of the runs (before the deadline)"


def _notes(lists: PlaceLists) -> tuple[str, str, str]:
    """The texts: what the off-track list is, what the package lists are, and the caveat."""
    m, month = lists.mission, lists.month
    reps = f"{lists.replicates} replicate{'s' if lists.replicates != 1 else ''}"
    off = (f"The places furthest behind their own trajectory at month {month} under "
           f"{lists.base} (the baseline), means over {reps}. A place's own trajectory starts "
           "from its own level at month 0 and makes the change the mission asks of it by the "
           "deadline. “Still to make” is the share of that change the place has not made: "
           "100% means no better than at month 0, more than 100% that it has fallen back. "
           "Places on or ahead of their trajectory are not listed.")
    helped = (f"For each package, the change in each place's outcome at month {month} against "
              f"{lists.base}, in {words.effect_unit(m.unit)}. In every replicate the package "
              "and the baseline meet the same places and the same shocks, so the difference, "
              "place by place, is due to the package alone. Shown: the mean difference over "
              "replicates with its 95% confidence interval; an interval that includes zero "
              "means the package cannot be told apart from the baseline in that place. "
              f"“Helped most” are the {HELPED_LISTED} places with the largest gains, “helped "
              f"least” the {HELPED_LISTED} with the smallest gains or the largest losses"
              + (" (for this mission a fall is a gain)." if m.direction < 0 else "."))
    caveat = ("" if lists.same_places else
              "This world is drawn afresh in every replicate, so “Place 3” is a different "
              "place in each replicate: these lists average over replicates place number by "
              "place number and describe no single real place. A world built from a places "
              "file (such as england_councils) has the same named councils in every replicate.")
    return off, helped, caveat


def _off_track_rows(lists: PlaceLists) -> list[list[str]]:
    """The off-track list's cells: name, outcome, still to make, replicates behind, FSM."""
    return [[r["name"], words.level(r["outcome"], lists.mission.unit),
             md.percent(r["behind_trajectory"]), f"{int(r['behind'])} of {int(r['n'])}",
             md.percent(r["deprivation"])] for _, r in lists.off_track.iterrows()]


def _off_track_header(lists: PlaceLists) -> list[str]:
    return ["place", f"outcome at month {lists.month}", "still to make (share of the change)",
            "replicates behind", DEPRIVATION_HEADING]


def most_and_least(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The places a package helps most (best first) and least (worst first), never both."""
    most = table.head(HELPED_LISTED)
    rest = table.iloc[len(most):]
    return most, rest.tail(HELPED_LISTED).iloc[::-1]


def _helped_rows(lists: PlaceLists, table: pd.DataFrame) -> list[list[str]]:
    """A package's cells: which list, name, change (95% CI), baseline outcome, FSM."""
    most, least = most_and_least(table)
    return [[label, r["name"], md.interval(r["effect"], r["effect_lo"], r["effect_hi"]),
             words.level(r["outcome_base"], lists.mission.unit), md.percent(r["deprivation"])]
            for label, part in (("helped most", most), ("helped least", least))
            for _, r in part.iterrows()]


def _helped_header(lists: PlaceLists) -> list[str]:
    return ["", "place", f"change at month {lists.month} (95% CI)",
            f"outcome under {lists.base}", DEPRIVATION_HEADING]


def _unpaired(name: str, base: str) -> str:
    return (f"{name} runs on a different world from {base}, so its places cannot be paired "
            "with the baseline's one by one.")


def section(lists: PlaceLists) -> str:
    """The report's part on named places: furthest off track, then each package's lists."""
    off, helped, caveat = _notes(lists)
    out = [f"<h3>Furthest off track at {h.escape(_when(lists))}</h3>",
           f"<p>{h.escape(off)}</p>"]
    if caveat:
        out.append(f'<p class="note">{h.escape(caveat)}</p>')
    if lists.off_track.empty:
        out.append("<p>No place is behind its own trajectory in the baseline.</p>")
    else:
        out.append(h.table(_off_track_header(lists), _off_track_rows(lists), cls="off-track"))
    if not lists.packages:
        return "\n".join(out)
    out += ["<h3>Where each package helps most and least</h3>", f"<p>{h.escape(helped)}</p>"]
    for name, table in lists.packages.items():
        out.append(f"<h4>{h.escape(name)}</h4>")
        if table is None:
            out.append(f"<p>{h.escape(_unpaired(name, lists.base))}</p>")
        else:
            rows = _helped_rows(lists, table)
            out.append(h.table(_helped_header(lists), rows, numeric_from=2, cls="helped",
                               row_attributes=[{"data-package": name}] * len(rows)))
    return "\n".join(out)


def markdown(lists: PlaceLists) -> str:
    """The same lists as Markdown, for the terminal."""
    off, helped, caveat = _notes(lists)
    out = [f"## Furthest off track at {_when(lists)}", "", off, ""]
    if caveat:
        out += [caveat, ""]
    if lists.off_track.empty:
        out += ["No place is behind its own trajectory in the baseline.", ""]
    else:
        out += [md.table(_off_track_header(lists), _off_track_rows(lists)), ""]
    if lists.packages:
        out += ["## Where each package helps most and least", "", helped, ""]
    for name, table in lists.packages.items():
        out += [f"### {name}", ""]
        out += [_unpaired(name, lists.base) if table is None else
                md.table(_helped_header(lists), _helped_rows(lists, table), "ll" + "r" * 3), ""]
    return "\n".join(out)


def places_markdown(results: Results, baseline: str | None = None) -> str:
    """:func:`markdown` of a comparison's places (default baseline: the study's)."""
    base = baseline or results.manifest.get("baseline") or results.scenarios[0]
    return markdown(place_lists(results, base))
