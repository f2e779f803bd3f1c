"""The Compare page's job: real comparisons on the small world, run in the background."""

from __future__ import annotations

import html
import io
import logging
import re
import threading
import time

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from missionsim.analysis import stats
from missionsim.experiments import study
from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import Scenario, ScenarioError
from missionsim.ui.compare import check_settings
from missionsim.ui.comparison import fan_table, ordered_summary
from missionsim.ui.jobs import CANCELLED, FAILED, FINISHED, CompareJob, Progress
from missionsim.writeup.summary import effect_table, headline
from missionsim.writeup.summary import markdown as summary_markdown_table

HORIZON = 24


def scenario(name: str, mission: str = "early_years", **reforms) -> Scenario:
    """A scenario on the small world with a short horizon."""
    return Scenario.from_mapping({"name": name, "mission": mission, "horizon": HORIZON,
                                  "seed": 11, "world": {"preset": "small"},
                                  "reforms": reforms})


PAIR = (scenario("plain"), scenario("devolved", devolution={"start": 0, "intensity": 1.0}))


@pytest.fixture(scope="module")
def finished():
    """A comparison of two scenarios over three replicates on two worker processes."""
    seen: list[tuple[int, int]] = []
    job = CompareJob(PAIR, 3, workers=2, on_progress=lambda d, t: seen.append((d, t)))
    assert job.progress() == Progress("ready", 0, 6)
    job.start()
    assert job.join(180), job.progress()
    return job, seen


def test_progress_counts_every_run(finished):
    job, seen = finished
    assert seen == [(k, 6) for k in range(1, 7)]
    assert job.progress() == Progress(FINISHED, 6, 6)
    assert job.progress().text == "Finished: 6 of 6 runs"
    assert job.results is not None and len(job.results.runs) == 6
    assert job.seconds > 0


def test_results_equal_a_direct_study(finished):
    job, _ = finished
    direct = study.compare(list(PAIR), replicates=3, baseline="plain",
                           options=RunOptions(workers=1))
    for table in ("months", "runs", "places"):
        assert_frame_equal(getattr(job.results, table), getattr(direct, table))
    assert job.results.manifest["seeds"] == direct.manifest["seeds"]
    # the page's effect table is the terminal's, cell for cell, best first
    printed = summary_markdown_table(stats.summarise(direct)).splitlines()[2:]
    shown = ["| " + " | ".join(str(c) for c in row) + " |" for row in job.view.rows]
    assert shown == printed
    assert job.view.header == effect_table(stats.summarise(direct))[0]


def test_fan_chart_intervals_are_the_effect_table_intervals(finished):
    job, _ = finished
    summary = ordered_summary(job.results).set_index("scenario")
    fan = fan_table(job.results, "plain")
    month = summary.attrs["deadline"]
    assert set(fan["scenario"]) == {"plain", "devolved"}
    assert sorted(set(fan["month"])) == list(range(HORIZON + 1))
    at = fan[fan["month"] == month].set_index("scenario")
    for name in ("plain", "devolved"):
        assert at.loc[name, "mean"] == pytest.approx(summary.loc[name, "outcome_deadline"])
        assert at.loc[name, "lo"] < at.loc[name, "mean"] < at.loc[name, "hi"]
    assert at.loc["plain", "difference"] == 0.0
    for key in ("", "_lo", "_hi"):
        assert at.loc["devolved", f"difference{key}"] == pytest.approx(
            summary.loc["devolved", f"effect_deadline{key}"])
    assert 'class="ms-effect-table"' in job.view.table_html
    # each chart shades its scenarios' 95% bands and offers them, with the lines, as CSV
    outcome, difference = job.view.fan_outcome, job.view.fan_difference
    shaded = [s["name"] for s in outcome.option["series"] if "areaStyle" in s]
    assert shaded == ["plain", "devolved"]
    assert "target trajectory" in outcome.option["legend"]["data"]
    assert [s["name"] for s in difference.option["series"] if "areaStyle" in s] == ["devolved"]
    table = difference.table().set_index("month")
    for key, column in (("_lo", "devolved low"), ("", "devolved"), ("_hi", "devolved high")):
        assert table.loc[month, column] == pytest.approx(
            summary.loc["devolved", f"effect_deadline{key}"])


def test_headline_is_the_reports_with_the_tables_interval(finished):
    job, _ = finished
    assert job.view.headline == headline(job.view.summary)
    row = next(r for r in job.view.rows if r[1] == "devolved")
    assert "month 24" in job.view.headline and "devolved" in job.view.headline
    assert f"an effect of {row[3]} percentage points" in job.view.headline


def test_downloads_hold_the_study(finished):
    job, _ = finished
    table = pd.read_csv(io.BytesIO(job.csv_bytes()))
    assert set(table["scenario"]) == {"plain", "devolved"}
    assert sorted(set(table["replicate"])) == [0, 1, 2]
    assert len(table) == 2 * 3 * (HORIZON + 1)
    seeds = table.groupby("replicate")["seed"].nunique()
    assert (seeds == 1).all()  # common random numbers: one seed per replicate
    page = job.report_bytes().decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<table class="effects"' in page and "devolved" in page
    assert job.report_bytes() is job.report_bytes()  # written once, then kept


def test_cancel_stops_the_study_early():
    first = threading.Event()
    job = CompareJob(PAIR, 40, workers=2, on_progress=lambda d, t: first.set()).start()
    assert first.wait(120)
    job.cancel()
    started = time.monotonic()
    assert job.join(60)
    assert time.monotonic() - started < 20
    now = job.progress()
    assert now.state == CANCELLED
    assert 1 <= now.done < now.total == 80
    assert now.text == f"Cancelled after {now.done} of 80 runs"
    assert job.results is None and job.view is None
    with pytest.raises(RuntimeError):
        job.csv_bytes()


def test_a_closed_session_abandons_its_study():
    closed = threading.Event()
    closed.set()
    job = CompareJob(PAIR, 2, workers=1, abandon=closed).start()
    assert job.join(60)
    assert job.progress() == Progress(CANCELLED, 0, 4)


def test_different_missions_fail_with_the_studys_message():
    job = CompareJob([PAIR[0], scenario("homeless", mission="rough_sleeping")], 2,
                     workers=1).start()
    assert job.join(60)
    now = job.progress()
    assert now.state == FAILED and now.done == 0
    assert "different missions" in now.error and "Traceback" not in now.error
    assert job.results is None


def test_an_error_during_the_run_is_captured_and_logged(caplog):
    def broken(done: int, total: int) -> None:
        raise ZeroDivisionError("no room left")

    with caplog.at_level(logging.ERROR, logger="missionsim.ui.jobs"):
        job = CompareJob(PAIR, 2, workers=1, on_progress=broken).start()
        assert job.join(60)
    now = job.progress()
    assert now.state == FAILED and now.done == 1
    assert now.error == "The comparison stopped with an error: ZeroDivisionError: no room left"
    assert any("comparison failed" in r.getMessage() for r in caplog.records)


def test_a_job_checks_its_settings_and_runs_once():
    with pytest.raises(ScenarioError, match="baseline 'other'"):
        CompareJob(PAIR, 2, baseline="other")
    with pytest.raises(ScenarioError, match="replicates = 0"):
        CompareJob(PAIR, 0)
    job = CompareJob(PAIR, 1, workers=1).start()
    with pytest.raises(RuntimeError, match="started before"):
        job.start()
    assert job.join(60)


@pytest.mark.parametrize(("chosen", "baseline", "replicates", "message"), [
    (["baseline", "devolution"], "baseline", 3, ""),
    (["baseline", "devolution"], "baseline", 0,
     "Replicates: expected a whole number from 2 to 50, got 0"),
    (["baseline", "devolution"], "baseline", 1000,
     "Replicates: expected a whole number from 2 to 50, got 1000"),
    (["baseline", "devolution"], "baseline", None,
     "Replicates: expected a whole number from 2 to 50, got nothing"),
    (["baseline"], "baseline", 3, "Scenarios: choose 2 to 4 scenarios (1 chosen)"),
    (["baseline", "devolution", "all_reforms", "experimentation", "mission_ready"],
     "baseline", 3, "Scenarios: choose 2 to 4 scenarios (5 chosen)"),
    (["baseline", "/etc/passwd"], "baseline", 3,
     "Scenarios: '/etc/passwd' is not one of the listed scenarios"),
    (["baseline", "devolution"], "all_reforms", 3,
     "Baseline: choose one of the chosen scenarios"),
])
def test_settings_are_checked_with_one_line_naming_the_control(chosen, baseline, replicates,
                                                                 message):
    assert check_settings(chosen, baseline, replicates) == message



# --- pairing, and set-ups from the Explore page --------------------------------------------
def test_unpaired_scenarios_are_refused_in_one_line_naming_both():
    from missionsim.ui.labels import choice_title

    message = check_settings(["world: small", "world: workshop"], "world: small", 3)
    assert message.startswith("Scenarios: ") and "run in different worlds" in message
    assert choice_title("world: small") in message and choice_title("world: workshop") in message
    message = check_settings(["baseline", "rough_sleeping_1998"], "baseline", 3)
    assert "pursue different missions (early_years and rough_sleeping)" in message
    assert check_settings(["world: workshop", "baseline", "devolution"], "baseline", 3) == ""


def test_a_set_up_from_explore_joins_the_list_and_runs_against_a_shipped_scenario():
    from missionsim.ui import compare
    from missionsim.ui.live import Settings

    before = (compare._extra.value, compare._chosen.value)
    try:
        settings = Settings.start("baseline").with_reform("devolution", on=True,
                                                          intensity=0.6)
        title = compare.add_setup(settings)
        assert title == "Your set-up: devolution at 60%"
        choice = f"{compare.SETUP_PREFIX}{len(compare._extra.value)}"
        scenario = compare._extra.value[choice]
        assert scenario.title == title and choice in compare._chosen.value
        assert scenario.reform_settings()["devolution"]["intensity"] == 0.6
        assert scenario.content() == settings.scenario().content()  # the set-up itself
        extra = compare._extra.value
        assert check_settings(["baseline", choice], "baseline", 2, extra) == ""
        assert "not one of the listed" in check_settings(["baseline", choice], "baseline", 2)
        small = Settings.start("world: small")
        other = compare.add_setup(small)
        assert other == "Your set-up: Small world (10 places), no reforms"
        second = f"{compare.SETUP_PREFIX}{len(compare._extra.value)}"
        assert "run in different worlds" in check_settings(
            ["baseline", second], "baseline", 2, compare._extra.value)
        short = [s.with_changes(horizon=HORIZON, world={"preset": "small"})
                 for s in (compare.scenario_of("baseline"), scenario)]
        job = CompareJob(short, 2, baseline="baseline", workers=1).start()
        assert job.join(120), job.progress()
        assert job.progress().state == FINISHED
        assert set(job.view.summary["scenario"]) == {"baseline", choice}
        assert f"<td>{html.escape(title)}</td>" in job.view.table_html  # rows by title
        assert f'data-scenario="{choice}"' in job.view.table_html
    finally:
        compare._extra.set(before[0])
        compare._chosen.set(before[1])


def test_the_effect_table_has_plain_headings_each_explained_on_hover(finished):
    from missionsim.ui.comparison import effect_table_html
    from missionsim.writeup.glossary import explain

    job, _ = finished
    table = effect_table_html(ordered_summary(job.results))
    heads = re.findall(r'<th title="([^"]*)">([^<]*)</th>', table)
    assert len(heads) == len(effect_table(ordered_summary(job.results))[0])
    plain = [text for _, text in heads]
    end = int(job.results.months["month"].max())
    assert f"Effect in the most deprived tenth (month {end})" in plain
    assert "£m per point gained (present value)" in plain
    assert not any("CI" in text for text in plain)
    titles = dict((text, tip) for tip, text in heads)
    assert titles[f"Effect in the most deprived tenth (month {end})"] == html.escape(
        explain("Most deprived"))
