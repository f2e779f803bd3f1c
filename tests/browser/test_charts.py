"""The interactive charts in a real browser: hover, the network's two views, CSV, text size.

The charts are ECharts drawn as SVG; a test reads a chart's option back from its ECharts
instance in the page (:data:`SERIES`, :data:`PIXEL`), never from the server.
"""

from __future__ import annotations

import csv
import io
import re

from browser.conftest import Session

ECHARTS = """const echartsOf = (sel) => {
    const el = document.querySelector(sel + ' .solara-echarts');
    if (el === null || typeof requirejs === 'undefined') { return null; }
    const defined = requirejs.s.contexts._.defined;
    const key = Object.keys(defined).find(k => /echarts@[^/]+\\/dist\\/echarts/.test(k));
    return key === undefined ? null : defined[key].getInstanceByDom(el) || null;
};"""
"""Finds the ECharts instance in the div with a CSS selector (loaded by Solara's require)."""

SERIES = "([sel]) => {" + ECHARTS + """
    const chart = echartsOf(sel);
    if (chart === null) { return null; }
    return chart.getOption().series.map(s => ({name: s.name, type: s.type,
        points: (s.data || []).filter(d => d !== null && d !== '-').length,
        area: s.areaStyle !== undefined && s.areaStyle !== null,
        data: s.type === 'graph' ? s.data.map(n => [n.name, n.value[0], n.value[1]]) : null}));
}"""
"""Each series of a chart: name, type, points with a value, whether shaded, graph nodes."""

DRAWN = "([sel]) => {" + ECHARTS + """
    const chart = echartsOf(sel);
    if (chart === null) { return null; }
    return chart.getModel().getSeries().map(s => {
        const data = s.getData();
        const dim = data.getCalculationInfo('stackResultDimension') || data.mapDimension('y');
        return {id: s.id, values: data.mapArray(dim, v => (isNaN(v) ? null : v))};
    });
}"""
"""Each series' values as drawn (a stacked series' top edge, after stacking), by series id."""

PIXEL = "([sel, x, y]) => {" + ECHARTS + """
    const chart = echartsOf(sel);
    const box = document.querySelector(sel + ' .solara-echarts').getBoundingClientRect();
    const at = chart.convertToPixel({seriesIndex: chart.getOption().series.length - 1},
                                    [x, y]);
    return [box.left + at[0], box.top + at[1]];
}"""
"""Page coordinates of a point (x, y) in the coordinates of a chart's last series."""

NODE_PIXEL = "([sel, name]) => {" + ECHARTS + """
    const chart = echartsOf(sel);
    const box = document.querySelector(sel + ' .solara-echarts').getBoundingClientRect();
    const node = chart.getOption().series[0].data.find(n => n.name === name);
    const at = chart.convertToPixel({seriesIndex: 0}, node.value);
    return [box.left + at[0], box.top + at[1]];
}"""
"""Page coordinates of a named node of a network chart."""

SMALLEST_TEXT = """() => {
    const sizes = [];
    document.querySelectorAll('.ms-chart svg text, .ms-fan svg text').forEach(t => {
        if (t.getBoundingClientRect().width === 0) { return; }
        const m = t.getScreenCTM();
        const scale = m ? Math.hypot(m.a, m.b) : 1;  // a rotated label has a = cos(angle)
        sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
    });
    return sizes.length ? Math.min(...sizes) : null;
}"""
"""The smallest chart text on the page, in screen pixels (an SVG drawing may be scaled)."""

PROJECTOR = {"width": 1280, "height": 720}
"""A workshop room's projector."""

MIN_TEXT_PX = 14
"""Smallest chart text readable from the back of the room."""


def series(session, selector: str) -> list[dict] | None:
    """The series of the chart in ``selector`` (``None`` until ECharts has drawn it)."""
    return session.page.evaluate(SERIES, [selector])


def wait_series(session, selector: str, check: str) -> None:
    """Wait until ``check`` (JS, of the series list ``s``) holds for a chart."""
    session.page.wait_for_function(
        "([sel]) => { const s = (" + SERIES + ")([sel]); return s !== null && (" + check
        + "); }", arg=[selector])


def step(session, months: int) -> None:
    for _ in range(months):
        session.page.get_by_role("button", name="Step", exact=True).click()
    session.wait_text(".ms-month", f"Month {months} of")


def test_hovering_a_line_shows_its_values_in_a_tooltip(session):
    session.open("/")
    step(session, 3)
    wait_series(session, ".ms-chart-trajectory",
                "s.find(x => x.name === 'true').points === 4")
    x, y = session.page.evaluate(PIXEL, [".ms-chart-trajectory", 2, 70])
    session.page.mouse.move(x, y)
    tooltip = session.page.locator(".ms-chart-trajectory .ms-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "true" in text and "reported" in text and "target trajectory" in text
    assert re.search(r"\d+\.\d", text), text  # the values, not only the names
    size = tooltip.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")
    assert size >= MIN_TEXT_PX


def test_the_network_shows_places_and_opens_one_with_its_organisations(session):
    session.open("/")
    network = ".ms-chart-network"
    wait_series(session, network, "s[0].type === 'graph' && s[0].data.length === 30")
    before = series(session, network)[0]["data"]
    step(session, 1)
    session.page.wait_for_function(
        "([sel]) => document.querySelector(sel).innerText.includes('month 1')", arg=[network])
    assert series(session, network)[0]["data"] == before  # the places stay put
    x, y = session.page.evaluate(NODE_PIXEL, [network, "Place 5"])
    session.page.mouse.move(x, y)
    session.page.locator(f"{network} .ms-tooltip").wait_for(state="visible")
    assert "Place 5" in session.text(f"{network} .ms-tooltip")
    session.page.mouse.click(x, y)
    session.wait_text(network, "Place 5: ")
    nodes = [name for name, *_ in series(session, network)[0]["data"]]
    assert "Place 5 council" in nodes
    assert any(name.startswith("Place 5 charity") for name in nodes)
    # the place is picked, as in the sidebar: its own trajectory is drawn under the network
    session.page.wait_for_selector(".ms-chart-place svg")
    session.wait_text(".ms-place-summary", "Place 5 at month 1")
    session.page.locator(network).scroll_into_view_if_needed()
    session.screenshot("explore-network-place")
    session.page.get_by_role("button", name="Back to all places").click()
    session.wait_text(network, "Partnerships between places")
    assert session.page.locator(".ms-chart-place").count() == 0


def test_a_charts_csv_download_holds_the_data_it_draws(session):
    session.open("/")
    step(session, 2)
    wait_series(session, ".ms-chart-trajectory", "s.find(x => x.name === 'true').points === 3")
    with session.page.expect_download() as download:
        session.page.locator(".ms-chart-trajectory").get_by_role(
            "button", name="Download data (CSV)").click()
    saved = download.value
    assert saved.suggested_filename == "trajectory.csv"
    rows = list(csv.DictReader(io.StringIO(open(saved.path(), encoding="utf-8").read())))
    assert list(rows[0]) == ["month", "target trajectory", "reported", "true"]
    assert [r["month"] for r in rows[:3]] == ["0", "1", "2"]
    assert all(r["true"] for r in rows[:3]) and not any(r["true"] for r in rows[3:])
    assert len(rows) == 121  # the target trajectory runs to the horizon


def test_chart_text_is_at_least_14_pixels_on_a_projector(browser, server):
    s = Session(browser, server)
    try:
        s.page.set_viewport_size(PROJECTOR)
        s.open("/")
        for name in ("trajectory", "workforce", "finance", "charities", "network"):
            wait_series(s, f".ms-chart-{name}", "s.length > 0")
        smallest = s.page.evaluate(SMALLEST_TEXT)
        assert smallest is not None and smallest >= MIN_TEXT_PX, smallest
        s.screenshot("explore-projector")
    finally:
        s.close()
