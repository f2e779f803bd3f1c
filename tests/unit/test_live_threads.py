"""A live run read from several threads while another steps it (issue 18, the first point).

A browser session's play loop steps its run in one thread while its page redraws in another,
and one server holds many sessions. Here one thread steps a run to its horizon while other
threads read it the ways the page and the benchmarks do: the history, the headline, the latest
snapshot and the drawings. Every read must be one month's state, whole:

- the history's months are 0 … m with every column complete, and its last row is what the
  finished run recorded for month m;
- the headline's figures are those the finished run recorded for its month;
- a snapshot's history, headline, per-place outcomes, organisations and ties are all of the
  same month and the same length, and equal to the finished run's;
- a drawing describes one month (the network's nodes are the organisations its title counts).

Python switches threads every 5 ms by default, about as long as a month of the baseline's
world takes; the test switches every 10 µs, so reads land in the middle of steps again and
again. Reading the model itself, as the app did before snapshots, fails these checks within
the first few months (``ValueError: All arrays must be of the same length``, and headlines
that mix two months).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

from missionsim.experiments import runner
from missionsim.experiments.live import Snapshot, reference
from missionsim.experiments.scenario import Scenario, load_scenario, shipped
from missionsim.ui import guard
from missionsim.ui.echarts import Figure
from missionsim.ui.live import LiveRun

SVG = "{http://www.w3.org/2000/svg}"

HORIZON = 36
"""Months the stepping thread runs while the readers read."""

RUNS = 2
"""Runs stepped to the horizon in turn, each read by every reader (one with a reform)."""

SWITCH_S = 1e-5
"""Thread switch interval during the test (Python's default is 5 ms)."""

MIN_READS = 25
"""Reads each reader makes per run, however quickly the stepping thread finishes."""

PAUSE_S = 2e-4
"""Rest between two reads: the stepping thread gets most of the time (so the test ends soon,
however busy the machine), yet a reader wakes up in the middle of steps again and again."""

READ_S = 8.0
"""Longest the stepping thread steps while the readers read (on a busy machine the readers
may slow it down a lot; reading the model itself fails within the first few months)."""

JOIN_S = 120
"""Longest wait for a thread to finish before the test gives up on it."""

HEADLINE_COLUMNS = {"true": "outcome", "reported": "outcome_reported",
                    "on_track": "on_track_share", "spend_total": "spend_total",
                    "closures": "charity_closures"}
"""Headline figures and the history column the model records for each, month by month."""


def scenario(reforms: bool, horizon: int = HORIZON) -> Scenario:
    base = load_scenario(shipped()["local_capacity" if reforms else "baseline"])
    return base.with_changes(horizon=horizon)


@contextmanager
def fast_switching() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_S)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


# --- the checks each reader makes at once -----------------------------------------------------
def check_history(history: pd.DataFrame, columns: list[str]) -> None:
    """Months 0 … m in order, every column present and the same length."""
    assert list(history.columns) == columns
    months = history["month"].to_numpy()
    assert np.array_equal(months, np.arange(len(history))), months
    for name in columns:
        assert len(history[name].to_numpy()) == len(months), name


def check_headline(head: dict[str, Any], live: LiveRun) -> None:
    """A headline of one month: its target trajectory is the mission's at that month."""
    month = head["month"]
    assert 0 <= month <= live.horizon and head["horizon"] == live.horizon
    assert head["trajectory"] == pytest.approx(float(live.mission.trajectory(month)))


def check_snapshot(frame: Snapshot, live: LiveRun, columns: list[str]) -> None:
    """Every part of a snapshot is of its month, the same size as its fellows, and frozen."""
    m = frame.month
    check_history(frame.history, columns)
    assert len(frame.history) == m + 1
    assert frame.headline["month"] == m
    check_headline(dict(frame.headline), live)
    assert frame.outcomes.shape == (m + 1, live.places.start.size)
    assert not np.isnan(frame.outcomes).any()
    slots = frame.active.size
    assert frame.kind.size == frame.locality.size == frame.filled.size == slots
    assert frame.tie_u.size == frame.tie_v.size == frame.trust.size
    assert frame.behind.size == frame.deprivation.size == live.places.start.size
    assert frame.headline["on_track"] == pytest.approx(float(np.mean(frame.behind <= 0.0)))
    last = frame.history.iloc[-1]
    for key, column in HEADLINE_COLUMNS.items():
        assert frame.headline[key] == pytest.approx(float(last[column])), key
    assert frame.mean_trust == pytest.approx(float(last["mean_trust"]))
    for array in (frame.behind, frame.active, frame.tie_u, frame.trust, frame.outcomes):
        assert not array.flags.writeable


NETWORK_TITLE = re.compile(r"Partnerships between places — month (\d+)")
PLACES_TITLE = re.compile(r"Places on track: (\d+) of (\d+) \(month (\d+)\)")


def check_network(figure: Figure, frame: Snapshot | None = None) -> None:
    """The network drawing is of one month: a node a place, each coloured by that month's
    status, and (given the snapshot drawn) the month in its title is the snapshot's."""
    option = json.loads(json.dumps(figure.option, allow_nan=False))
    m = NETWORK_TITLE.search(option["title"]["text"])
    assert m, option["title"]["text"]
    nodes = option["series"][0]["data"]
    on = re.match(r"(\d+) of (\d+) on track", option["title"]["subtext"])
    assert on and int(on.group(2)) == len(nodes)
    assert sum(1 for n in nodes if n["category"] == 0) == int(on.group(1))
    if frame is not None:
        assert int(m.group(1)) == frame.month


def check_places(markup: str, live: LiveRun) -> None:
    svg = ET.fromstring(markup)
    m = PLACES_TITLE.match(svg.get("aria-label") or "")
    assert m, svg.get("aria-label")
    assert int(m.group(2)) == live.places.start.size and int(m.group(3)) <= live.horizon


# --- readers ----------------------------------------------------------------------------------
@dataclass
class Reader:
    """A thread that reads the run one way until the stepping thread is done."""

    name: str
    read: Callable[[], Any]
    records: list[Any] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def loop(self, done: threading.Event) -> None:
        while (not done.is_set() or len(self.records) < MIN_READS) and not self.failures:
            try:
                self.records.append(self.read())
            except Exception as exc:  # noqa: BLE001 - reported by the test
                self.failures.append(f"{self.name}: {type(exc).__name__}: {exc}")
            time.sleep(PAUSE_S)


def readers(live: LiveRun) -> list[Reader]:
    columns = list(live.history().columns)

    def history() -> tuple[int, np.ndarray]:
        h = live.history()
        check_history(h, columns)
        return len(h) - 1, h.iloc[-1].to_numpy(float)

    def headline() -> dict[str, Any]:
        head = live.headline()
        check_headline(head, live)
        return head

    def snapshot() -> Snapshot:
        frame = live.frame
        check_snapshot(frame, live, columns)
        # every panel of one redraw is drawn from the same snapshot
        check_network(live.network_chart(frame), frame)
        check_places(live.places_svg(frame), live)
        json.dumps(live.trajectory_chart(frame).option, allow_nan=False)
        return frame

    def drawings() -> int:
        # the latest snapshot, read call by call as benchmarks/ui.py does
        check_network(live.network_chart())
        check_places(live.places_svg(), live)
        for draw in (live.trajectory_chart, live.workforce_chart, live.finance_chart,
                     live.charities_chart):
            json.dumps(draw().option, allow_nan=False)
        return 0

    return [Reader("history", history), Reader("headline", headline),
            Reader("snapshot", snapshot), Reader("drawings", drawings)]


def step_to_the_end(live: LiveRun, failures: list[str], done: threading.Event,
                    seconds: float = float("inf")) -> None:
    """Step ``live`` a month at a time to its horizon, or until ``seconds`` have passed."""
    stop = time.monotonic() + seconds
    try:
        while not live.finished and time.monotonic() < stop:
            live.step(1)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        failures.append(f"stepping: {type(exc).__name__}: {exc}")
    finally:
        done.set()


def start(target: Callable[..., None], *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(JOIN_S)
        assert not thread.is_alive(), f"{thread.name} still running after {JOIN_S} s"


# --- the tests --------------------------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """A first run stepped alone: whatever a process does at its first step (loading compiled
    code, filling caches) is done before the threads race."""
    for reforms in (False, True):
        LiveRun(scenario(reforms, horizon=2), 0).step(2)


@pytest.mark.parametrize("run", range(RUNS))
def test_every_read_while_another_thread_steps_is_one_whole_month(run):
    live = LiveRun(scenario(reforms=run % 2 == 1), run)
    team = readers(live)
    failures: list[str] = []
    done = threading.Event()
    with fast_switching():
        threads = [start(r.loop, done) for r in team]
        threads.append(start(step_to_the_end, live, failures, done, READ_S))
        join(threads)
    for r in team:
        failures += r.failures
    assert failures == [], failures[:5]
    live.step(HORIZON)  # the rest of the run, if the machine was too busy to finish it
    assert live.month == HORIZON

    # every read is what the finished run recorded for that read's month
    final = live.history().set_index("month")
    assert final.index.tolist() == list(range(HORIZON + 1))
    outcomes = live.frame.outcomes
    by_name = {r.name: r.records for r in team}
    for month, last in by_name["history"]:
        assert np.array_equal(last[1:], final.loc[month].to_numpy(float), equal_nan=True), month
    for head in by_name["headline"]:
        row = final.loc[head["month"]]
        for key, column in HEADLINE_COLUMNS.items():
            assert head[key] == pytest.approx(float(row[column])), (head["month"], key)
    for frame in by_name["snapshot"]:
        m = frame.month
        assert np.array_equal(frame.outcomes, outcomes[:m + 1])
        assert np.array_equal(frame.history.set_index("month").to_numpy(float),
                              final.loc[:m].to_numpy(float), equal_nan=True), m
    months = {m for m, _ in by_name["history"]} | {f.month for f in by_name["snapshot"]}
    assert len(months) > 2, "the readers never read while the run was stepping"


def test_two_threads_stepping_one_run_step_each_month_once():
    """The play loop and a Step click may step one run at the same moment."""
    alone = LiveRun(scenario(reforms=False), 0)
    alone.step(HORIZON)
    live = LiveRun(scenario(reforms=False), 0)
    failures: list[str] = []
    done = threading.Event()
    with fast_switching():
        join([start(step_to_the_end, live, failures, done) for _ in range(2)])
    assert failures == []
    assert live.month == HORIZON
    assert live.history().equals(alone.history())


SESSIONS = 4
"""Runs stepped at once, each in its own thread, as a room's sessions do on one server."""


def test_runs_stepped_at_once_in_their_own_threads_match_each_run_alone():
    """Sessions share no state: stepping several runs at once changes none of them."""
    settings = [(reforms, replicate) for replicate in range(SESSIONS // 2)
                for reforms in (False, True)]
    alone = []
    for reforms, replicate in settings:
        run = LiveRun(scenario(reforms, horizon=HORIZON // 2), replicate)
        run.step(HORIZON)
        alone.append(run.history())
    together = [LiveRun(scenario(reforms, horizon=HORIZON // 2), replicate)
                for reforms, replicate in settings]
    failures: list[str] = []
    with fast_switching():
        join([start(step_to_the_end, run, failures, threading.Event()) for run in together])
    assert failures == []
    for run, history in zip(together, alone, strict=True):
        assert run.month == HORIZON // 2
        assert run.history().equals(history)


def test_sessions_asking_for_one_reference_at_once_run_it_once(monkeypatch):
    """A room switching on the same reform together waits for one run without reforms."""
    calls = []
    real = runner.execute_run

    def counted(spec):
        calls.append(spec)
        time.sleep(0.2)  # long enough for every session to ask while it runs
        return real(spec)

    monkeypatch.setattr(runner, "execute_run", counted)
    asked = scenario(reforms=True, horizon=12).with_changes(seed=918_273)  # cached by no test
    got: list[pd.DataFrame] = []
    join([start(lambda: got.append(reference(asked, 0))) for _ in range(SESSIONS)])
    assert len(calls) == 1
    assert len(got) == SESSIONS and all(frame is got[0] for frame in got)
    assert reference(asked, 0) is got[0] and len(calls) == 1


# --- a drawing that fails anyway: its own panel, logged once ----------------------------------
@pytest.fixture(scope="module")
def explore():
    """The Explore page's module (it imports Solara: telemetry off first)."""
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    return importlib.import_module("missionsim.ui.explore")


def test_a_panel_that_fails_at_every_frame_is_logged_once(explore, caplog):
    def broken() -> str:
        raise IndexError("boolean index did not match")

    assert explore.panel_markup is guard.panel_markup
    with caplog.at_level(logging.DEBUG, logger=guard.log.name):
        shown = [explore.panel_markup(broken, "network-once") for _ in range(20)]
        explore.panel_markup(broken, "places-once")  # another panel: logged too
    assert all('class="ms-panel-failed"' in markup for markup in shown)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == ["drawing the network-once panel failed",
                                                  "drawing the places-once panel failed"]
    assert all(r.exc_info for r in warnings)
    repeats = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(repeats) == 19 and not any(r.exc_info for r in repeats)


def test_an_error_rendering_the_view_shows_in_its_place_and_the_page_stays(explore):
    import ipyvuetify
    import solara

    version = solara.reactive(0)
    key = solara.reactive("run 1")
    renders = []

    @solara.component
    def View():
        renders.append(version.value)
        if version.value < 3:
            raise ValueError("All arrays must be of the same length")
        solara.HTML(tag="div", classes=["ms-drawn"], unsafe_innerHTML=f"month {version.value}")

    @solara.component
    def Page():
        solara.Text("the controls")
        with explore.Boundary("charts", key.value):
            View()

    box, rc = solara.render(Page(), handle_error=False)  # raises if the error escapes
    try:
        def markup() -> str:
            return " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)

        assert "The charts panel could not be drawn" in markup()
        assert "All arrays must be of the same length" in markup()
        assert "the controls" in repr(rc.find())
        version.set(1)  # the model steps on, the view fails again: still one line
        assert "could not be drawn" in markup() and "the controls" in repr(rc.find())
        tried = len(renders)
        key.set("run 2")  # a new run: the view is tried again
        assert len(renders) > tried and "could not be drawn" in markup()
        version.set(3)
        rc.find(ipyvuetify.Btn, children=["Draw again"]).widget.click()
        assert markup() == "month 3"
    finally:
        rc.close()
