"""The Explore and Explain pages in a real browser, and what every page must honour."""

from __future__ import annotations

import csv
import re

import pytest

from browser.test_charts import series, wait_series
from missionsim.model.reforms import REFORMS
from missionsim.resources import data_path
from missionsim.ui import explain
from missionsim.ui.controls import RUN_LABEL
from missionsim.ui.labels import choice_title

# a line of an ECharts chart drawn as SVG: a path of the series' colour, unfilled (its legend
# icon has the same colour but is filled)
TRUE_LINE = '.ms-chart-trajectory path[stroke="#1f78b4"][fill="none"]'
REFERENCE_LINE = '.ms-chart-trajectory path[stroke="#9e9e9e"][fill="none"]'
PLACE_LINE = '.ms-chart-place path[stroke="#1f78b4"][fill="none"]'
PLACE_PICKER = "Find a place"
COUNCILS = data_path("places", "england_councils_2018.csv")


def month(session) -> int:
    text = session.text(".ms-month .value")
    m = re.match(r"Month (\d+) of (\d+)", text)
    assert m, text
    return int(m.group(1))


def click(session, name: str) -> None:
    session.page.get_by_role("button", name=name, exact=True).click()


def pick(session, label: str, option: str) -> None:
    """Choose ``option`` (a choice, shown by its title) in the select labelled ``label``."""
    session.page.get_by_label(label).click(force=True)
    session.page.locator(".v-menu__content .v-list-item",
                         has_text=choice_title(option)).first.click()


def test_every_page_opens_and_nothing_leaves_the_machine(session):
    session.open("/")
    assert month(session) == 0
    for path, ready in (("/compare", ".ms-compare-run"), ("/explain", ".ms-explain")):
        session.open(path, ready=ready)
    assert session.outside_requests() == []
    assert session.errors == []
    log = session.server.log()
    assert "Could not load URL" not in log, log


def test_step_and_play_advance_the_month_and_redraw_the_charts(session):
    session.open("/")
    before = {name: session.page.inner_html(f".ms-chart-{name}")
              for name in ("trajectory", "workforce", "network", "places")}
    click(session, "Step")
    session.wait_text(".ms-month", "Month 1 of")
    for name, markup in before.items():
        session.page.wait_for_function(
            "([sel, old]) => document.querySelector(sel).innerHTML !== old",
            arg=[f".ms-chart-{name}", markup])
    click(session, "Play")
    session.page.wait_for_function(
        "() => /Month ([4-9]|\\d\\d+) of/.test(document.querySelector('.ms-month').innerText)")
    click(session, "Pause")
    # once the pause has landed the button says Play again; a step already under way may still
    # land (the model is not stopped mid-month), and then the month stays put
    session.page.get_by_role("button", name="Play", exact=True).wait_for()
    session.page.wait_for_timeout(1000)
    paused = month(session)
    assert paused >= 4
    session.page.wait_for_timeout(1500)
    assert month(session) == paused
    session.screenshot("explore")


def test_a_reform_moves_the_trajectory_away_from_the_run_without_it(session):
    session.open("/")
    assert session.page.locator(REFERENCE_LINE).count() == 0
    session.tick(REFORMS["local_capacity"].title)
    session.wait_text(".ms-chart-trajectory", "without reforms")  # in the legend at month 0
    click(session, "Step")
    session.page.wait_for_selector(REFERENCE_LINE)
    # the run without reforms is drawn up to the current month only, never ahead of the run
    assert session.page.get_attribute(REFERENCE_LINE, "d").count("L") == 1
    click(session, "Run to end")
    session.wait_text(".ms-month", "Month 120 of 120")
    # the month and each chart arrive as separate updates: wait for the whole line
    session.page.wait_for_function(
        "([sel]) => (document.querySelector(sel).getAttribute('d').match(/L/g) || []).length "
        "=== 120", arg=[TRUE_LINE])
    true_path = session.page.get_attribute(TRUE_LINE, "d")
    reference_path = session.page.get_attribute(REFERENCE_LINE, "d")
    assert true_path.count("L") == reference_path.count("L") == 120
    assert true_path != reference_path
    assert "without reforms" in session.page.inner_text(".ms-chart-trajectory")
    session.screenshot("explore-reform")


def test_two_sessions_have_their_own_models(session, new_session):
    other = new_session()
    session.open("/")
    other.open("/")
    for _ in range(3):
        click(session, "Step")
    session.wait_text(".ms-month", "Month 3 of")
    assert month(other) == 0
    click(other, "Step")
    other.wait_text(".ms-month", "Month 1 of")
    pick(other, "Start from", "world: england")
    other.wait_text(".ms-chart-places", "of 153")
    assert month(session) == 3
    assert "of 30" in session.text(".ms-chart-places")


@pytest.mark.parametrize("value", ["500", "-3"])
def test_out_of_range_start_month_gives_a_message_and_the_app_keeps_serving(session, value):
    session.open("/")
    title = REFORMS["devolution"].title
    session.tick(title)
    box = session.page.locator(".ms-reform-devolution").get_by_label("start month")
    box.fill(value)
    box.press("Enter")
    session.wait_text(".ms-error", f"Start month of {title}: expected a whole month from 0 "
                                   f"to 119, got {value}")
    click(session, "Step")
    session.wait_text(".ms-month", "Month 1 of")


def test_out_of_range_replicate_gives_a_message(session):
    session.open("/")
    box = session.page.get_by_label(RUN_LABEL)
    box.fill("100000")
    box.press("Enter")
    session.wait_text(".ms-error", "Run number: expected a whole number from 0 to")
    assert month(session) == 0


def test_england_network_is_drawn_on_a_fixed_layout(session):
    session.open("/")
    pick(session, "Start from", "world: england")
    # each chart arrives as its own update: wait for the england network itself, a node a place
    network = ".ms-chart-network"
    wait_series(session, network, "s[0].type === 'graph' && s[0].data.length === 153")
    first = series(session, network)[0]["data"]
    click(session, "Step")
    session.wait_text(".ms-month", "Month 1 of")
    session.wait_text(network, "month 1")
    assert series(session, network)[0]["data"] == first
    session.screenshot("explore-england")


def neighbours_in_file(name: str) -> list[str]:
    """A council's statistical neighbours by name, closest first, from the shipped file."""
    with COUNCILS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code = {row["la_code"]: row["la_name"] for row in rows}
    row = next(row for row in rows if row["la_name"] == name)
    return [by_code[code] for code in row["statistical_neighbours"].split()]


def pick_place(session, name: str) -> None:
    """Type ``name`` into the place picker and choose it."""
    box = session.page.get_by_label(PLACE_PICKER, exact=True)
    box.click(force=True)
    box.fill(name)
    session.page.locator(".v-menu__content").get_by_role("option", name=name,
                                                         exact=True).click()


def test_picking_a_council_lists_its_neighbours_and_draws_its_own_trajectory(session):
    session.open("/")
    pick(session, "Start from", "world: england_councils")
    session.wait_text(".ms-chart-places", "of 152")
    assert "Blackpool: deprivation" in session.page.inner_html(".ms-chart-places")
    pick_place(session, "Blackpool")
    session.wait_text(".ms-place-neighbours", "compared with Blackpool")
    listed = session.page.locator(".ms-place-neighbours .ms-neighbour-name").all_inner_texts()
    assert listed == neighbours_in_file("Blackpool")
    session.page.wait_for_selector(".ms-chart-places rect.picked", state="attached")
    # its own trajectory to the target, and its outcome month by month as the run goes on
    session.page.wait_for_selector(".ms-chart-place svg")  # month 0: one point
    session.wait_text(".ms-chart-place", "its own trajectory")
    for _ in range(3):
        click(session, "Step")
    session.wait_text(".ms-month", "Month 3 of")
    session.page.wait_for_function(
        "([sel]) => (document.querySelector(sel).getAttribute('d').match(/L/g) || []).length "
        "=== 3", arg=[PLACE_LINE])
    session.wait_text(".ms-place-summary", "Blackpool at month 3:")
    session.screenshot("explore-place")
    # a drawn world names its places "Place N" and has no statistical neighbours
    pick(session, "Start from", "world: workshop")
    session.wait_text(".ms-chart-places", "of 30")
    # Blackpool is not a place of this world: the pick is cleared (each panel is its own update)
    session.page.wait_for_function(
        "() => document.querySelector('.ms-place-neighbours') === null && "
        "document.querySelector('.ms-place-hint') !== null")
    pick_place(session, "Place 3")
    session.wait_text(".ms-place-neighbours", "no statistical neighbours")
    session.page.wait_for_selector(PLACE_LINE, state="attached")


def test_explain_page_shows_the_model_document(session):
    session.open("/explain", ready=".ms-explain")
    text = session.text(".ms-explain")
    brief = explain.content()["brief"]
    first_words = re.sub(r"[*_`]", "", str(brief).split("\n\n")[0])[:60]
    assert first_words in text
    for cls in REFORMS.values():
        assert cls.title in text
    session.screenshot("explain")
