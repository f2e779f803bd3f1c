"""The report's places by name: furthest off track, and where each package helps most and least."""

from __future__ import annotations

import copy
import html
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

from missionsim.cli import main
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import ScenarioError
from missionsim.experiments.study import compare
from missionsim.resources import data_path
from missionsim.writeup.report import places_markdown, write_report
from missionsim.writeup.report.places import HELPED_LISTED, OFF_TRACK_LISTED, place_lists

COUNCILS = set(pd.read_csv(data_path("places", "england_councils_2018.csv"))["la_name"])
DEADLINE = 36  # early_years's deadline: the month both lists are read at
REPLICATES = 3
DRAWN_CAVEAT = "This world is drawn afresh in every replicate"


def two(world: dict, horizon: int = DEADLINE, package: dict | None = None) -> list[dict]:
    base = {"name": "baseline", "mission": "early_years", "world": world, "horizon": horizon}
    reform = {**base, "name": "devolution", "reforms": {"devolution": {"start": 0}}}
    return [base, {**reform, **(package or {})}]


@pytest.fixture(scope="module")
def councils(tmp_path_factory) -> tuple:
    out = tmp_path_factory.mktemp("councils") / "out"
    compare(two({"preset": "england_councils"}), replicates=REPLICATES,
            options=RunOptions(workers=1, out=out))
    stored = Results.load(out)
    text = write_report(stored, out.parent / "report.html").read_text(encoding="utf-8")
    return out, stored, text


def table_rows(text: str, cls: str) -> list[list[str]]:
    """The body rows of every table of class ``cls``, as unescaped cells."""
    rows = []
    for body in re.findall(rf'<table class="{cls}">.*?<tbody>(.*?)</tbody>', text, re.S):
        rows += [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
                 for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
    return rows


def at_deadline(stored: Results) -> pd.DataFrame:
    p = stored.places
    return p[p["at"] == "deadline"]


def test_off_track_lists_councils_furthest_behind_first(councils):
    _, stored, text = councils
    rows = table_rows(text, "off-track")
    assert len(rows) == OFF_TRACK_LISTED
    names = [r[0] for r in rows]
    assert set(names) <= COUNCILS
    still = [float(r[2].rstrip("%")) for r in rows]
    assert still == sorted(still, reverse=True) and still[-1] > 0
    # the same places, in the same order, straight from the stored table
    base = at_deadline(stored)
    base = base[base["scenario"] == "baseline"]
    assert base["replicate"].nunique() == REPLICATES
    means = base.groupby("name")[["behind_trajectory", "outcome", "deprivation"]].mean()
    expected = means.sort_values("behind_trajectory", ascending=False).head(OFF_TRACK_LISTED)
    assert names == list(expected.index)
    top = expected.iloc[0]
    assert rows[0][1:] == [f"{top['outcome']:.1f}%", f"{top['behind_trajectory']:.0%}",
                           f"{REPLICATES} of {REPLICATES}", f"{top['deprivation']:.0%}"]
    assert DRAWN_CAVEAT not in text


def test_helped_lists_are_paired_differences_by_council(councils):
    _, stored, text = councils
    rows = table_rows(text, "helped")
    labels = ["helped most"] * HELPED_LISTED + ["helped least"] * HELPED_LISTED
    assert [r[0] for r in rows] == labels
    assert {r[1] for r in rows} <= COUNCILS
    # replicate by replicate, council by council: the package's outcome minus the baseline's
    p = at_deadline(stored)
    wide = p.pivot_table(index=["name", "replicate"], columns="scenario", values="outcome")
    difference = (wide["devolution"] - wide["baseline"]).unstack("replicate")
    ranked = difference.mean(axis=1).sort_values(ascending=False)
    assert [r[1] for r in rows[:HELPED_LISTED]] == list(ranked.index[:HELPED_LISTED])
    assert [r[1] for r in rows[HELPED_LISTED:]] == list(ranked.index[::-1][:HELPED_LISTED])
    # the interval is the paired one: t over the per-replicate differences of that council
    for row in (rows[0], rows[-1]):
        d = difference.loc[row[1]].to_numpy()
        half = student_t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size)
        mean = d.mean()
        assert row[2] == f"{mean:+.2f} ({mean - half:+.2f} to {mean + half:+.2f})"


def test_lists_come_from_the_places_part_of_the_report(councils):
    _, _, text = councils
    part = text[text.index('id="left-behind"'):text.index('id="cost"')]
    assert f"Furthest off track at the deadline (month {DEADLINE})" in part
    assert "Where each package helps most and least" in part
    assert part.index('class="off-track"') < part.index('class="helped"')


def test_report_command_prints_the_lists_by_name(councils, tmp_path, capsys):
    out, stored, _ = councils
    assert main(["report", str(out), "--report", str(tmp_path / "again.html")]) == 0
    printed = capsys.readouterr().out
    lists = place_lists(stored, "baseline")
    assert places_markdown(stored) in printed
    assert f"| {lists.off_track['name'].iloc[0]} |" in printed
    assert f"| helped most | {lists.packages['devolution']['name'].iloc[0]} |" in printed


def test_drawn_worlds_name_places_by_number_and_say_so(tmp_path):
    drawn = compare(two({"preset": "small"}), replicates=2, options=RunOptions(workers=1))
    text = write_report(drawn, tmp_path / "drawn.html").read_text(encoding="utf-8")
    names = {f"Place {i}" for i in range(1, 11)}
    assert {r[0] for r in table_rows(text, "off-track")} <= names
    helped = table_rows(text, "helped")
    assert len(helped) == 2 * HELPED_LISTED and {r[1] for r in helped} == names
    assert DRAWN_CAVEAT in html.unescape(text)


def test_a_package_on_another_world_is_not_paired_place_by_place(tmp_path):
    other = two({"preset": "small"}, package={"world": {"preset": "small",
                                                         "params": {"n_localities": 12}}})
    with pytest.raises(ScenarioError, match="different worlds"):  # compare refuses to pair them
        compare(other, replicates=2, options=RunOptions(workers=1))
    # tables gathered from two studies (two stores read together) hold both: the report
    # still refuses to pair their places
    alone = [compare([sc], replicates=2, options=RunOptions(workers=1)) for sc in other]
    manifest = {**alone[0].manifest, "scenarios": {
        name: entry for r in alone for name, entry in r.manifest["scenarios"].items()}}
    results = Results(*(pd.concat([getattr(r, t) for r in alone], ignore_index=True)
                        for t in ("months", "runs", "places")), manifest=manifest)
    lists = place_lists(results, "baseline")
    assert lists.packages == {"devolution": None}
    text = places_markdown(results)
    assert "devolution runs on a different world from baseline" in text
    with pytest.raises(ValueError, match="not one of the scenarios"):
        place_lists(results, "nope")
    swept = copy.copy(results)
    swept.runs = results.runs.assign(point=np.arange(len(results.runs)))
    with pytest.raises(ValueError, match="several design points"):
        place_lists(swept, "baseline")
    assert np.isfinite(lists.off_track["behind_trajectory"]).all()


def test_runs_ending_before_the_deadline_are_read_at_their_end():
    short = compare(two({"preset": "small"}, horizon=DEADLINE - 12), replicates=2,
                    options=RunOptions(workers=1))
    lists = place_lists(short, "baseline")
    assert (lists.at, lists.month) == ("end", DEADLINE - 12)
    assert f"## Furthest off track at month {DEADLINE - 12}, the end of the runs" in \
        places_markdown(short)
