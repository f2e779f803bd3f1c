"""Browser tests of state that follows the user: Explore's set-up across pages, the run
buttons' state, a set-up handed to Compare, and Compare's refusal of unpaired scenarios.

Each test drives its own browser session; every test ends by checking that no request left the
machine.
"""

from __future__ import annotations

import re

import pytest

from missionsim.model.reforms import REFORMS
from missionsim.ui.compare import SETUP_PREFIX
from missionsim.ui.labels import choice_title

expect = pytest.importorskip("playwright.sync_api").expect

READY = ".ms-month"
RESULTS_MS = 120_000


def month(session) -> tuple[int, int]:
    text = session.text(".ms-month .value")
    m = re.match(r"Month (\d+) of (\d+)", text)
    assert m, text
    return int(m.group(1)), int(m.group(2))


def button(session, name: str):
    return session.page.locator(".ms-run-buttons").get_by_role("button", name=name, exact=True)


def go(session, tab: str, ready: str) -> None:
    """Change page with the app's own tabs (the same browser session)."""
    session.page.get_by_role("tab", name=tab).click()
    session.page.wait_for_selector(ready)


def chosen(session) -> list[str]:
    """The Compare page's chosen scenarios (the picker's values)."""
    return session.page.eval_on_selector(".ms-compare-scenarios input[type=hidden]",
                                         "e => e.value").split(",")


def test_the_explore_set_up_survives_a_visit_to_another_page(session):
    session.open("/", ready=READY)
    title = REFORMS["devolution"].title
    session.tick(title)
    session.page.wait_for_selector(".ms-reform-devolution .v-slider", state="attached")
    for n in range(1, 6):
        button(session, "Step").click()
        session.wait_text(".ms-month", f"Month {n} of")
    speed = session.page.get_by_label("Play speed")
    speed.click(force=True)
    session.page.locator(".v-menu__content .v-list-item", has_text="fastest").first.click()
    go(session, "Explain", ".ms-explain")
    assert session.page.locator(".ms-month").count() == 0
    go(session, "Explore", READY)
    assert month(session)[0] == 5
    expect(session.page.get_by_role("checkbox", name=title)).to_be_checked()
    assert session.page.locator(".v-select__selection", has_text="fastest").count() == 1
    assert session.text(".ms-start-from .v-select__selection") == choice_title("baseline")
    button(session, "Step").click()
    session.wait_text(".ms-month", "Month 6 of")
    assert session.outside_requests() == []


def test_the_run_buttons_show_what_they_can_do(session):
    session.open("/", ready=READY)
    expect(button(session, "Reset")).to_be_disabled()  # at month 0 it would change nothing
    expect(button(session, "Play")).to_be_enabled()
    button(session, "Run to end").click()
    now, horizon = month(session)
    session.wait_text(".ms-month", f"Month {horizon} of {horizon}")
    # at the end: nothing to step, Play has become Replay, Reset goes back to month 0
    expect(button(session, "Step")).to_be_disabled()
    expect(button(session, "Run to end")).to_be_disabled()
    expect(button(session, "Replay")).to_be_enabled()
    assert button(session, "Play").count() == 0
    expect(button(session, "Reset")).to_be_enabled()
    button(session, "Replay").click()
    button(session, "Pause").wait_for()  # playing again from month 0
    expect(button(session, "Step")).to_be_disabled()
    expect(button(session, "Run to end")).to_be_disabled()
    assert month(session)[0] < horizon
    button(session, "Pause").click()
    button(session, "Play").wait_for()
    expect(button(session, "Step")).to_be_enabled()
    button(session, "Reset").click()
    session.wait_text(".ms-month", "Month 0 of")
    expect(button(session, "Reset")).to_be_disabled()
    assert session.outside_requests() == []


def test_a_set_up_added_on_explore_runs_on_compare(session):
    session.open("/", ready=READY)
    session.tick(REFORMS["devolution"].title)
    session.page.wait_for_selector(".ms-reform-devolution .v-slider", state="attached")
    session.page.get_by_role("button", name="Add this set-up to Compare").click()
    session.wait_text(".ms-added", "Your set-up: devolution at 100%")
    go(session, "Compare", ".ms-compare-run")
    setup = f"{SETUP_PREFIX}1"
    assert setup in chosen(session)
    session.wait_text(".ms-compare-descriptions", "Your set-up: devolution at 100%")
    # keep the baseline and the set-up only
    page = session.page
    page.click(".ms-compare-scenarios .v-select__slot")
    menu = page.locator(".menuable__content__active")
    menu.get_by_role("option", name=choice_title("all_reforms"), exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("want => document.querySelector('.ms-compare-scenarios "
                           "input[type=hidden]').value === want", arg=f"baseline,{setup}")
    field = page.locator(".ms-compare-replicates input")
    field.fill("2")
    field.press("Enter")
    session.wait_text(".ms-compare-plan", "= 4 runs")
    page.click(".ms-compare-run")
    page.wait_for_selector("table.ms-effect-table", timeout=RESULTS_MS)
    names = page.locator("table.ms-effect-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.scenario)")
    assert sorted(names) == ["baseline", setup]
    assert session.outside_requests() == []


def test_compare_refuses_scenarios_of_different_worlds(session):
    session.open("/compare", ready=".ms-compare-run")
    page = session.page
    page.click(".ms-compare-scenarios .v-select__slot")
    menu = page.locator(".menuable__content__active")
    for name in ("world: small", "world: workshop", "baseline", "all_reforms"):
        menu.get_by_role("option", name=choice_title(name), exact=True).click()
        # one change at a time: the server's list of descriptions shows each before the next
        page.wait_for_function("([title, on]) => document.querySelector("
                               "'.ms-compare-descriptions').innerText.includes(title) === on",
                               arg=[choice_title(name), name.startswith("world")])
    page.keyboard.press("Escape")
    session.wait_text(".ms-compare-invalid", choice_title("world: workshop"))
    text = session.text(".ms-compare-invalid")
    assert "run in different worlds" in text and choice_title("world: small") in text
    assert "\n" not in text.strip()
    expect(page.locator(".ms-compare-run")).to_be_disabled()
    assert session.outside_requests() == []
