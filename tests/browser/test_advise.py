"""Browser test of the Advise page: the smallest real search of the workshop world.

The search runs on the server's worker processes while the page stays usable; the test then
reads the Pareto front chart (ECharts, served from solara-assets), the table and the failure
conditions, and checks that no request left the machine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

PAGE = "/advise"
READY = ".ms-advise-run"
RESULTS_MS = 90_000
MIN_FONT_PX = 14

CHART = ("() => { const e = document.querySelector('.ms-advice-chart .solara-echarts'); "
         "if (e === null || e.__vue__ === undefined || !e.__vue__.chart) return null; "
         "const o = e.__vue__.chart.getOption(); "
         "return o.series.map(s => ({name: s.name, points: s.data.map(d => d.name)})); }")
"""The chart's series as ECharts holds them: each series' name and its points' names."""
SMALL_TEXT = """(least) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el === null || el.closest('[aria-hidden="true"]')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < least) small.push([size, node.textContent.trim().slice(0, 40)]);
  }
  return small;
}"""
"""Every visible text on the page set under ``least`` px: its size and its first words."""
TOOLTIP = ("() => { const e = document.querySelector('.ms-advice-chart .solara-echarts'); "
           "e.__vue__.chart.dispatchAction({type: 'showTip', seriesIndex: 1, dataIndex: 0}); }")
"""Shows the preferred option's tooltip, as hovering over it does."""


def test_smallest_search_shows_the_front_the_preferred_option_and_the_table(session,
                                                                            tmp_path: Path):
    session.open(PAGE, ready=READY)
    page = session.page
    page.wait_for_selector(".ms-advise-idle")
    # a budget that cannot be read is one line naming the control, and nothing can run
    budget = page.locator(".ms-advise-budget input")
    budget.fill("lots")
    budget.press("Enter")
    session.wait_text(".ms-advise-invalid", "Budget: expected an amount in £m")
    assert "\n" not in session.text(".ms-advise-invalid").strip()
    expect(page.locator(READY)).to_be_disabled()
    budget.fill("£30m")
    budget.press("Enter")
    page.wait_for_selector(".ms-advise-invalid", state="detached")
    page.locator(".ms-advise-size button", has_text="small").click()
    session.wait_text(".ms-advise-size-note", "6 packages × 2 generations × 4 futures")
    page.click(READY)
    page.wait_for_selector(".ms-advise-progress")
    session.wait_text(".ms-advise-count", "Generation")
    expect(page.locator(".ms-advise-cancel")).to_be_enabled()
    page.wait_for_selector(".ms-advice-front", timeout=RESULTS_MS)

    # the chart: ECharts drew the front and the preferred option apart
    page.wait_for_selector(".ms-advice-chart canvas")
    page.wait_for_function(CHART)
    series = {s["name"]: s["points"] for s in page.evaluate(CHART)}
    assert set(series) == {"Pareto front", "Preferred option"}
    assert len(series["Preferred option"]) == 1
    preferred = series["Preferred option"][0]
    assert preferred in series["Pareto front"]

    # the table: one row per package on the front, the preferred one marked
    rows = page.locator("table.ms-advice-table tbody tr")
    assert sorted(r.get_attribute("data-candidate") for r in rows.all()) == sorted(
        series["Pareto front"])
    marked = page.locator("table.ms-advice-table tr.preferred")
    assert marked.count() == 1 and marked.get_attribute("data-candidate") == preferred
    assert marked.locator("td").first.inner_text().strip() == "★"
    words = marked.locator("td").nth(2).inner_text().strip()
    assert words and preferred in session.text(".ms-advice-preferred")
    assert "highest share of futures meeting the target" in session.text(".ms-advice-rule")

    # hovering the preferred point shows its package in words
    page.locator(".ms-advice-front").scroll_into_view_if_needed()
    page.evaluate(TOOLTIP)
    session.wait_text(".ms-advice-chart", words.split(";")[0])
    session.screenshot("advise")

    # the table fits its card (it scrolls inside it), and the text is large enough to read
    fits = page.evaluate("() => { const s = document.querySelector('.ms-advice-scroll'); "
                         "const c = document.querySelector('.ms-advice-table-card'); "
                         "return s.getBoundingClientRect().right <= "
                         "c.getBoundingClientRect().right + 1; }")
    assert fits
    assert page.evaluate(SMALL_TEXT, MIN_FONT_PX) == []
    # every term is explained on hover
    hints = page.locator("abbr.ms-term").evaluate_all("es => es.map(e => [e.innerText, "
                                                       "e.title])")
    named = {text: title for text, title in hints}
    for text in ("Pareto front", "preferred option", "p10", "regret", "P(target met)", "PV"):
        assert len(named.get(text, "")) > 20, (text, named)
    headings = page.locator("table.ms-advice-table th").evaluate_all(
        "es => es.map(e => e.title)")
    assert all(len(h) > 20 for h in headings)

    # the failure conditions: boxes, or one line saying why there are none
    failure = session.text(".ms-advice-failure")
    assert re.search(r"misses the target|meets the target|too few misses", failure), failure

    # the advice record downloads
    with page.expect_download() as info:
        page.click(".ms-advise-download-json button")
    record = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert record["preferred"] == preferred
    assert sorted(record["pareto"]) == sorted(series["Pareto front"])
    assert session.errors == []
    assert session.outside_requests() == []
