"""Several people on one server: five Explore sessions playing and pausing together.

Each session's play loop steps its model in a thread while its page redraws in another; with
five sessions on a small machine those overlap all the time. No page may be replaced by a
traceback, no panel may fail to draw, and the server's log must stay free of tracebacks.
"""

from __future__ import annotations

from browser.test_explore import month

SESSIONS = 5
"""Browser sessions playing at once (a small workshop room sharing one laptop's server)."""

ROUNDS = 3
"""Rounds of Play, a few seconds of play, Pause and Step, pressed in every session."""

PLAY_MS = 2000
"""How long every session plays each round (about ten months at the default speed)."""

BROKEN = ("Traceback", "Error")
"""Text that appears on a page only when something failed."""


ADVANCED = """([old]) => {
    if (document.body.innerText.includes('Traceback')) { return true; }
    const m = /Month (\\d+) of/.exec(document.querySelector('.ms-month').innerText);
    return m !== null && Number(m[1]) > old + 1;
}"""
"""True once the month is past ``old + 1`` (played, then stepped), or once the page broke."""


def press(session, name: str) -> None:
    """Click a button once it is enabled; fail at once if the page broke instead."""
    page = session.page
    button = page.get_by_role("button", name=name, exact=True, disabled=False)
    button.or_(page.get_by_text("Traceback")).first.wait_for()
    assert_healthy(session)
    button.click()


def assert_healthy(session) -> None:
    """The headline is on show, every chart is drawn and nothing failed on the page."""
    page = session.page
    body = page.inner_text("body")
    for word in BROKEN:
        assert word not in body, body
    assert page.locator(".ms-month").count() == 1
    assert page.locator(".ms-panel-failed").count() == 0
    assert page.locator(".ms-error").count() == 0
    for name in ("trajectory", "workforce", "finance", "charities", "places", "network"):
        assert page.locator(f".ms-chart-{name} svg").count() == 1, name
    assert session.errors == []


def test_five_sessions_play_and_pause_together_without_breaking(server, new_session):
    log_from = len(server.log())
    sessions = [new_session() for _ in range(SESSIONS)]
    for s in sessions:
        s.open("/")
    months = [month(s) for s in sessions]
    for _ in range(ROUNDS):
        for s in sessions:
            press(s, "Play")
        sessions[0].page.wait_for_timeout(PLAY_MS)
        for s in sessions:
            press(s, "Pause")  # while the other sessions play
        for s in sessions:
            press(s, "Step")  # enabled once the Pause has landed
        now = []
        for s, before in zip(sessions, months, strict=True):
            s.page.wait_for_function(ADVANCED, arg=[before])
            assert_healthy(s)
            now.append(month(s))
        months = now
    log = server.log()[log_from:]
    assert "Traceback" not in log, log
    assert server.alive()
