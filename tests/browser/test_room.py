"""Browser tests of room mode: a facilitator and participants, each in a browser context of its own.

One ``missionsim ui --room`` server per test process, on 127.0.0.1, with two replicates and the
shortest horizon the mission allows, so the room's comparison takes seconds. The room code and
the facilitator's link are read from what the command prints, as a facilitator would.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, Session, free_port
from .test_legibility import VIEWPORTS, assert_legible

expect = pytest.importorskip("playwright.sync_api").expect

START_SECONDS = 90
"""How long the server may take to answer."""
RESULTS_MS = 60_000
"""How long the room's comparison may take to show (it takes a few seconds)."""
REPLICATES = 2
HORIZON = 36


class RoomServer:
    """A running ``missionsim ui --room`` process, its room code and facilitator link."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"room-{self.port}.log"
        self._log = self.log_path.open("w")
        exe = Path(sys.executable).with_name("missionsim")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "missionsim.cli"]
        self.proc = subprocess.Popen(
            [*cmd, "ui", "--room", "--port", str(self.port), "--replicates", str(REPLICATES),
             "--horizon", str(HORIZON)], cwd=ROOT, stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"missionsim ui --room exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"missionsim ui --room did not answer: {self.log()}")
            time.sleep(0.3)
        printed = self.log()
        self.code = re.search(r"with the code ([A-Z0-9]{6})", printed).group(1)
        link = re.search(r"facilitator \(keep this link to yourself\): (\S+)", printed).group(1)
        assert link.startswith(self.url + "/facilitator?key=")
        self.facilitator_path = link[len(self.url):]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()


@pytest.fixture(scope="module")
def room_server(tmp_path_factory):
    srv = RoomServer(tmp_path_factory.mktemp("room"))
    yield srv
    srv.stop()


@pytest.fixture
def people(browser, room_server):
    """A factory of browser sessions on the room's server, closed after the test."""
    made: list[Session] = []

    def make() -> Session:
        made.append(Session(browser, room_server))
        return made[-1]

    yield make
    for s in made:
        s.close()


def join(session, code: str) -> None:
    session.open("/", ready=".ms-room-join")
    session.page.locator(".ms-room-code input").fill(code)
    session.page.click(".ms-room-join")


def propose(session, name: str, reform_title: str) -> None:
    """Switch one reform on, check its cost, name the proposal and submit it."""
    page = session.page
    session.tick(reform_title)
    session.until_text(lambda: page.click(".ms-room-check"), ".ms-room-cost", "budget")
    page.locator(".ms-room-name input").fill(name)
    expect(page.locator(".ms-room-submit")).to_be_enabled()
    page.click(".ms-room-submit")
    session.wait_text(".ms-room-done", name)


def test_a_room_proposes_the_facilitator_compares_and_shows(people, room_server):
    from missionsim.model.reforms import REFORMS

    facilitator, alice, bob, stranger = people(), people(), people(), people()
    # the facilitator's page needs the key; a wrong one gets one line
    stranger.open("/facilitator?key=guess", ready=".ms-room-denied")
    assert "facilitator's link" in stranger.text(".ms-room-denied")
    facilitator.open(room_server.facilitator_path, ready=".ms-room-code-shown")
    assert facilitator.text(".ms-room-code-shown").strip() == room_server.code

    # a wrong code is refused with one line
    join(stranger, "WRONG1")
    stranger.wait_text(".ms-room-error", "not this room's code")
    assert len(stranger.text(".ms-room-error").strip().splitlines()) == 1
    assert stranger.page.locator(".ms-room-propose").count() == 0

    join(alice, room_server.code.lower())
    alice.page.wait_for_selector(".ms-room-propose")
    join(bob, room_server.code)
    bob.page.wait_for_selector(".ms-room-propose")
    propose(alice, "Alice builds capacity", REFORMS["experimentation"].title)
    propose(bob, "Bob devolves", REFORMS["devolution"].title)

    # each sees only its own proposal, and nothing of the room's until it is shown
    for own, other, session in (("Alice builds capacity", "Bob devolves", alice),
                                ("Bob devolves", "Alice builds capacity", bob)):
        assert own in session.text(".ms-room-mine")
        body = session.text("body")
        assert other not in body
        assert session.page.locator(".ms-room-waiting").count() == 1

    # the facilitator gathers both, runs the comparison and shows it
    facilitator.wait_text(".ms-room-proposals", "Alice builds capacity")
    facilitator.wait_text(".ms-room-proposals", "Bob devolves")
    facilitator.page.click(".ms-room-compare")
    facilitator.page.wait_for_selector(".ms-room-results .ms-effect table",
                                       timeout=RESULTS_MS)
    table = facilitator.text(".ms-room-results .ms-effect")
    assert "Alice builds capacity" in table and "Bob devolves" in table
    facilitator.page.wait_for_selector(".ms-room-results .ms-fan-outcome svg")
    facilitator.screenshot("room-facilitator")
    assert alice.page.locator(".ms-room-results").count() == 0  # not shown yet
    facilitator.tick(facilitator.page.locator(".ms-room-show input"))

    # now every participant sees the room's proposals and the results
    for session in (alice, bob):
        session.page.wait_for_selector(".ms-room-shared .ms-room-results .ms-effect table",
                                       timeout=RESULTS_MS)
        shared = session.text(".ms-room-shared")
        assert "Alice builds capacity" in shared and "Bob devolves" in shared
    alice.screenshot("room-participant")
    # the facilitator's screen, shown to the room on a projector, and a participant's
    for session, where in ((facilitator, "the facilitator's page"), (alice, "a participant's")):
        for viewport in VIEWPORTS:
            session.page.set_viewport_size(viewport)
            assert_legible(session, f"{where} at {viewport}")
    for session in (facilitator, alice, bob, stranger):
        assert session.outside_requests() == []
        assert session.errors == []


def test_a_participant_withdraws_and_an_over_budget_package_cannot_be_submitted(people,
                                                                                room_server):
    from missionsim.model.reforms import REFORMS

    carol = people()
    join(carol, room_server.code)
    carol.page.wait_for_selector(".ms-room-propose")
    propose(carol, "Carol tries", REFORMS["experimentation"].title)
    carol.page.reload()  # a participant is the browser session: a reload keeps the proposal
    carol.wait_text(".ms-room-mine", "Carol tries")
    withdraw = carol.page.locator(".ms-room-mine").get_by_role("button", name="Withdraw")
    # a click lost to a redraw is made again, while the button is still there
    carol.until_text(lambda: withdraw.click() if withdraw.count() else None, ".ms-room-done",
                     "withdrawn")
    expect(carol.page.locator(".ms-room-mine")).not_to_contain_text("Carol tries")
    # every reform at its largest intensity is far over a £30m budget
    for name in ("local_capacity", "long_term_funding", "mission_leadership"):
        carol.tick(REFORMS[name].title)
    carol.until_text(lambda: carol.page.click(".ms-room-check"), ".ms-room-error",
                     "Over the budget by £")
    assert len(carol.text(".ms-room-error").strip().splitlines()) == 1
    expect(carol.page.locator(".ms-room-submit")).to_be_disabled()
    assert carol.outside_requests() == [] and carol.errors == []
