"""Browser tests: the real app (``missionsim ui``) driven by Debian's Chromium via playwright.

One server per test process (``missionsim ui --port <free port>``, started as a user would);
each test gets a fresh browser context, so a fresh Solara session. Every request the browser
makes is recorded, and the server's log is kept, so tests can check that nothing left the
machine. Screenshots go to ``$MISSIONSIM_SCREENSHOTS`` (default ``results/screenshots``);
``make screenshots`` writes them to ``docs/images`` for the README and the docs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
VIEWPORT = {"width": 1600, "height": 1000}
TIMEOUT_MS = 60_000
TICK_CLICKS = 3
"""Tries :meth:`Session.tick` and :meth:`Session.until` make before waiting out the timeout."""
TICK_WAIT_MS = 15_000
"""How long :meth:`Session.tick` and :meth:`Session.until` wait for the page to show a try."""

TEXT_SHOWN = ("([sel, frag]) => { const e = document.querySelector(sel); "
              "return e !== null && e.innerText.includes(frag); }")
"""JavaScript: whether the element ``sel`` is there and its text contains ``frag``."""

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("MISSIONSIM_REQUIRE_BROWSER"),
    reason=f"{CHROMIUM} is missing (make test installs it: scripts/ensure-chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A running ``missionsim ui`` process."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / f"ui-{self.port}.log"
        self._log = self.log_path.open("w")
        exe = Path(sys.executable).with_name("missionsim")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "missionsim.cli"]
        self.proc = subprocess.Popen([*cmd, "ui", "--port", str(self.port)], cwd=ROOT,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"missionsim ui exited: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"missionsim ui did not answer in 90 s: {self.log()}")
            time.sleep(0.3)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("ui"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """One browser session (its own context, so its own Solara kernel) on the app."""

    def __init__(self, browser, server: Server) -> None:
        self.server = server
        self.context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str = "/", ready: str = ".ms-chart-trajectory svg"):
        """Open a page and wait until ``ready`` is on it; return the seconds it took."""
        started = time.perf_counter()
        self.page.goto(self.server.url + path)
        self.page.wait_for_selector(ready)
        return time.perf_counter() - started

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def wait_text(self, selector: str, fragment: str) -> None:
        """Wait until the element's text contains ``fragment``."""
        self.page.wait_for_function(TEXT_SHOWN, arg=[selector, fragment])

    def until(self, act, shown: str, arg=None) -> None:
        """Do ``act`` until the page shows it: until the JavaScript ``shown(arg)`` is true.

        A control that follows the server (a picker, a number field) can be redrawn by an
        update already on its way, on a busy machine, which loses what was just done to it.
        ``act`` is done again when the page does not show it in time, up to three times.
        """
        for _ in range(TICK_CLICKS):
            act()
            try:
                self.page.wait_for_function(shown, arg=arg, timeout=TICK_WAIT_MS)
                return
            except playwright_api.TimeoutError:
                continue
        self.page.wait_for_function(shown, arg=arg)

    def until_text(self, act, selector: str, fragment: str) -> None:
        """Do ``act`` until the element's text contains ``fragment`` (see :meth:`until`)."""
        self.until(act, TEXT_SHOWN, [selector, fragment])

    def tick(self, box) -> None:
        """Switch a checkbox on (a locator, or its label) and wait until the page shows it on.

        Playwright's ``check`` reads the box straight after its click, but the app's boxes
        follow the server, which on a busy machine redraws them a moment later. A click lost
        to a redraw is tried again, up to three clicks.
        """
        from playwright.sync_api import expect

        if isinstance(box, str):
            box = self.page.get_by_role("checkbox", name=box)
        for _ in range(TICK_CLICKS):
            if box.is_checked():
                return
            box.click(force=True)
            try:
                expect(box).to_be_checked(timeout=TICK_WAIT_MS)
                return
            except AssertionError:
                continue
        expect(box).to_be_checked()

    def screenshot(self, name: str) -> Path:
        folder = Path(os.environ.get("MISSIONSIM_SCREENSHOTS", ROOT / "results" / "screenshots"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def outside_requests(self) -> list[str]:
        local = (self.server.url, "data:", "blob:", "ws://127.0.0.1")
        return [u for u in self.requests if not u.startswith(local)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, server):
    s = Session(browser, server)
    yield s
    s.close()


@pytest.fixture
def new_session(browser, server):
    """A factory of extra sessions (for tests with two people at once)."""
    made: list[Session] = []

    def make() -> Session:
        made.append(Session(browser, server))
        return made[-1]

    yield make
    for s in made:
        s.close()
