"""Browser tests of the Compare page: real comparisons of the workshop world, in the background.

Each test drives its own browser session; the study runs on the server's worker processes while
the page stays usable. Every test ends by checking that no request left the machine.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from browser.test_charts import DRAWN, wait_series
from browser.test_legibility import VIEWPORTS, assert_legible
from missionsim.ui.labels import choice_title

expect = pytest.importorskip("playwright.sync_api").expect

PAGE = "/compare"
READY = ".ms-compare-run"
RESULTS_MS = 120_000
TYPING_MS = 400  # a key every 0.4 s: a person typing, while progress redraws the page


def open_compare(session) -> None:
    session.open(PAGE, ready=READY)
    session.page.wait_for_selector(".ms-compare-idle")


def choose(session, names: list[str]) -> None:
    """Set the scenario picker to exactly ``names`` (kept ones stay where they were).

    The picker shows each choice by its title (:func:`missionsim.ui.labels.choice_title`).
    A choice the page does not show (a redraw on a busy machine) is made again.
    """
    titles = [choice_title(name) for name in names]
    session.until(lambda: pick(session, titles),
                  "want => { const e = document.querySelector('.ms-compare-scenarios "
                  "input[type=hidden]'); return e !== null && "
                  "e.value.split(',').sort().join(',') === want; }", ",".join(sorted(names)))


def pick(session, titles: list[str]) -> None:
    """Open the picker's menu, toggle its options to exactly ``titles`` and close it."""
    page = session.page
    page.click(".ms-compare-scenarios .v-select__slot")
    menu = page.locator(".menuable__content__active")
    menu.wait_for()
    # the menu renders its first items and more as it is scrolled: scroll until all are there
    count = -1
    while count != (count := menu.get_by_role("option").count()):
        menu.evaluate("e => { e.scrollTop = e.scrollHeight; }")
        page.wait_for_timeout(100)
    for option in menu.get_by_role("option").all():
        label = option.inner_text().strip()
        if option.get_attribute("aria-selected") == "true" and label not in titles:
            option.click()
    for title in titles:
        option = menu.get_by_role("option", name=title, exact=True)
        if option.get_attribute("aria-selected") != "true":
            option.click()
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")


def set_replicates(session, value: str, selector: str = ".ms-compare-plan",
                   fragment: str | None = None) -> None:
    """Type ``value`` into the replicates field until the element shows ``fragment``.

    By default the plan shows the new number of replicates. The field follows the server: a
    progress update on its way can redraw it with the old number, so typing is tried again.
    """
    field = session.page.locator(".ms-compare-replicates input")

    def type_it() -> None:
        field.fill(value)
        field.press("Enter")

    session.until_text(type_it, selector, f"× {value} replicates" if fragment is None
                       else fragment)


def run(session, names: list[str], replicates: int) -> None:
    """Choose scenarios and replicates, then click Run comparison."""
    choose(session, names)
    set_replicates(session, str(replicates), fragment=f"= {len(names) * replicates} runs")
    session.page.click(".ms-compare-run")


def wait_runs_done(session, total: int, at_least: int = 1) -> int:
    """Wait until the progress text says at least ``at_least`` of ``total`` runs are done."""
    session.page.wait_for_function(
        "([least, total]) => { const e = document.querySelector('.ms-compare-count'); "
        "if (e === null) return false; const m = e.innerText.match(/(\\d+) of (\\d+) runs/); "
        "return m !== null && +m[2] === total && +m[1] >= least; }", arg=[at_least, total])
    return runs_done(session)[0]


def runs_done(session) -> tuple[int, int]:
    text = session.text(".ms-compare-count")
    m = re.search(r"(\d+) of (\d+) runs", text)
    assert m, text
    return int(m.group(1)), int(m.group(2))


def effect_rows(session) -> dict[str, list[str]]:
    """The effect table's cells by scenario."""
    rows = session.page.locator("table.ms-effect-table tbody tr")
    return {r.get_attribute("data-scenario"): [c.inner_text().strip() for c in
                                                r.locator("td").all()] for r in rows.all()}


def test_compare_two_scenarios_shows_fan_charts_and_effects(session, new_session):
    open_compare(session)
    run(session, ["baseline", "devolution"], 3)
    session.page.wait_for_selector("table.ms-effect-table", timeout=RESULTS_MS)
    rows = effect_rows(session)
    assert set(rows) == {"baseline", "devolution"}
    assert rows["baseline"][1] == f"{choice_title('baseline')} (baseline)"
    assert rows["baseline"][3] == "reference"
    effect = re.fullmatch(r"([+-]\d+\.\d\d) \(([+-]\d+\.\d\d) to ([+-]\d+\.\d\d)\)",
                          rows["devolution"][3])
    assert effect, rows["devolution"]
    mean, lo, hi = (float(g) for g in effect.groups())
    assert lo < mean < hi
    assert 0.0 < float(rows["devolution"][2]) < 100.0  # outcome at the deadline, in %
    headers = session.page.locator("table.ms-effect-table th").all_inner_texts()
    assert "Effect at the deadline (month 36, 95% range)" in headers
    headline = session.text(".ms-compare-headline")
    assert "devolution" in headline  # the report's headline, with the table's interval
    assert f"an effect of {rows['devolution'][3]} percentage points" in headline
    for chart in ("ms-fan-outcome", "ms-fan-difference"):  # drawn, with the 95% bands
        wait_series(session, f".{chart}", "s.some(x => x.area)")
    assert "baseline" in session.text(".ms-fan-outcome")
    assert "target trajectory" in session.text(".ms-fan-outcome")
    session.screenshot("compare")
    # each shaded band lies about its line, even where it crosses zero (once ECharts has
    # processed every series of the last update)
    drawn = {}
    for _ in range(50):
        drawn = {s["id"]: s["values"]
                 for s in session.page.evaluate(DRAWN, [".ms-fan-difference"])}
        if len({len(v) for v in drawn.values()}) == 1:
            break
        session.page.wait_for_timeout(200)
    low, high, mean = drawn["devolution low"], drawn["devolution width"], drawn["devolution"]
    inside = [lo <= m + 1e-9 and m <= hi + 1e-9 for lo, hi, m in zip(low, high, mean, strict=True)
              if None not in (lo, hi, m)]
    assert len(inside) > 30 and all(inside), (low[:40], high[:40], mean[:40])
    for viewport in VIEWPORTS:  # the results, effect table included, read on a projector
        session.page.set_viewport_size(viewport)
        assert_legible(session, f"Compare's results at {viewport}")
    # another session has its own (empty) Compare page
    other = new_session()
    open_compare(other)
    assert other.page.locator("table.ms-effect-table").count() == 0
    assert other.page.locator(".ms-compare-progress").count() == 0
    assert session.outside_requests() == [] and other.outside_requests() == []


def test_cancel_stops_a_big_comparison_and_the_page_runs_again(session, server):
    open_compare(session)
    names = ["baseline", "devolution", "all_reforms", "experimentation"]
    run(session, names, 20)
    wait_runs_done(session, 80, at_least=1)
    session.page.click(".ms-compare-cancel")
    session.page.wait_for_selector(".ms-compare-cancelled", timeout=60_000)
    m = re.search(r"Cancelled after (\d+) of (\d+) runs", session.text(".ms-compare-cancelled"))
    assert m, session.text(".ms-compare-cancelled")
    assert int(m.group(2)) == 80 and int(m.group(1)) < 80
    assert session.page.locator(".ms-compare-progress").count() == 0
    expect(session.page.locator(".ms-compare-cancel")).to_be_disabled()
    # the page still works: a small comparison runs to the end
    run(session, ["baseline", "devolution"], 2)
    session.page.wait_for_selector("table.ms-effect-table", timeout=RESULTS_MS)
    assert set(effect_rows(session)) == {"baseline", "devolution"}
    assert server.alive()
    assert session.outside_requests() == []


def test_page_and_app_respond_while_a_comparison_runs(session):
    open_compare(session)
    # the largest study the page allows, so that it is still running on a loaded machine when
    # the test comes back from another page
    run(session, ["baseline", "devolution", "all_reforms", "experimentation"], 50)
    wait_runs_done(session, 200, at_least=1)
    # another control answers at once, while the study goes on
    set_replicates(session, "1000", ".ms-compare-invalid",
                   "Replicates: expected a whole number from 2 to 50")
    assert session.page.locator(".ms-compare-progress").count() == 1
    set_replicates(session, "15")
    session.page.wait_for_selector(".ms-compare-invalid", state="detached")
    # another page of the app opens, and the study is still running when we come back
    session.page.get_by_role("tab", name="Explain").click()
    session.page.wait_for_selector(".ms-explain")
    session.page.get_by_role("tab", name="Compare").click()
    session.page.wait_for_selector(".ms-compare-progress")
    done, total = runs_done(session)
    assert 1 <= done < total == 200
    session.page.click(".ms-compare-cancel")
    session.page.wait_for_selector(".ms-compare-cancelled", timeout=30_000)
    assert session.outside_requests() == []


def test_downloads_hold_the_runs_and_the_report(session, tmp_path: Path):
    open_compare(session)
    run(session, ["baseline", "devolution"], 2)
    session.page.wait_for_selector("table.ms-effect-table", timeout=RESULTS_MS)
    with session.page.expect_download() as info:
        session.page.click(".ms-download-csv button")
    download = info.value
    assert download.suggested_filename == "missionsim-comparison.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    assert {r["scenario"] for r in rows} == {"baseline", "devolution"}
    assert {r["replicate"] for r in rows} == {"0", "1"}
    assert len(rows) == 2 * 2 * 121  # months 0 to 120 of each run
    seeds = {(r["replicate"], r["seed"]) for r in rows}
    assert len(seeds) == 2  # one seed per replicate, shared by both scenarios
    with session.page.expect_download() as info:
        session.page.click(".ms-download-report button")
    download = info.value
    assert download.suggested_filename == "missionsim-report.html"
    page = Path(download.path()).read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<table class="effects"' in page and "devolution" in page
    assert "http://" not in page.split("</style>", 1)[0]  # self-contained
    assert session.outside_requests() == []


def test_out_of_range_replicates_are_refused_and_nothing_runs(session):
    open_compare(session)
    for typed in ("0", "1000"):
        set_replicates(session, typed, ".ms-compare-invalid",
                       f"Replicates: expected a whole number from 2 to 50, got {typed}")
        expect(session.page.locator(".ms-compare-run")).to_be_disabled()
    session.page.click(".ms-compare-run", force=True)
    set_replicates(session, "4")
    session.page.wait_for_selector(".ms-compare-invalid", state="detached")
    # the server has answered the click and the change since: nothing ran
    assert session.page.locator(".ms-compare-progress").count() == 0
    assert session.page.locator(".ms-compare-idle").count() == 1
    expect(session.page.locator(".ms-compare-run")).to_be_enabled()
    choose(session, ["baseline"])
    session.wait_text(".ms-compare-invalid", "Scenarios: choose 2 to 4 scenarios (1 chosen)")
    expect(session.page.locator(".ms-compare-run")).to_be_disabled()
    assert session.outside_requests() == []


def test_scenarios_of_different_missions_are_refused_before_running(session, server):
    open_compare(session)
    choose(session, ["baseline", "rough_sleeping_1998"])
    session.wait_text(".ms-compare-invalid", "pursue different missions")
    text = session.text(".ms-compare-invalid")
    assert "Traceback" not in text and "early_years" in text and "rough_sleeping" in text
    assert choice_title("rough_sleeping_1998") in text
    expect(session.page.locator(".ms-compare-run")).to_be_disabled()
    assert session.page.locator(".ms-compare-progress").count() == 0
    assert server.alive()
    assert session.outside_requests() == []


def test_typing_while_a_comparison_runs_keeps_what_was_typed(session):
    """A number typed at a person's pace while progress comes in is the number used."""
    open_compare(session)
    # the largest study the page allows, so that it is still running when the number is typed
    run(session, ["baseline", "devolution", "all_reforms", "experimentation"], 50)
    wait_runs_done(session, 200, at_least=1)
    first, _ = runs_done(session)
    field = session.page.locator(".ms-compare-replicates input")
    field.click()
    field.press("Control+a")
    field.press_sequentially("12", delay=TYPING_MS)
    # progress comes in and redraws the page while the number waits in the field, not entered
    wait_runs_done(session, 200, at_least=first + 1)
    assert field.input_value() == "12"
    field.press("Enter")
    session.wait_text(".ms-compare-plan", "× 12 replicates")
    assert field.input_value() == "12"
    assert session.page.locator(".ms-compare-progress").count() == 1
    # the study stops when the session closes (its kernel's closing cancels it)
