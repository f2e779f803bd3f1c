"""The HTML report: self-contained, faithful to the statistics, escaped, reproducible."""

from __future__ import annotations

import base64
import html
import re
from html.parser import HTMLParser

import pytest

from missionsim import MISSIONS, __version__
from missionsim.analysis import stats
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.study import compare
from missionsim.writeup.report import summary_markdown, write_report
from missionsim.writeup.summary import format_effect
from missionsim.writeup.summary import markdown as summary_markdown_table

ODD = "<b>x&y</b> $1 & $2"
HORIZON = 40


def scenarios(horizon: int = HORIZON, mission: str = "early_years") -> list[dict]:
    world = {"preset": "small"}
    return [
        {"name": "baseline", "mission": mission, "world": world, "horizon": horizon},
        {"name": "capacity", "mission": mission, "world": world, "horizon": horizon,
         "reforms": {"local_capacity": {"start": 0}}},
        {"name": ODD, "description": "tight <labour> & market", "mission": mission,
         "world": {"preset": "small", "params": {"labour_market_tightness": 1.5}},
         "horizon": horizon, "reforms": {"devolution": {"start": 6, "end": 30,
                                                        "intensity": 0.5}},
         "uncertainties": {"funding_shock": {"low": 0.0, "high": 0.2}}},
    ]


@pytest.fixture(scope="module")
def results() -> Results:
    return compare(scenarios(), replicates=3, options=RunOptions(workers=1))


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Results:
    out = tmp_path_factory.mktemp("study") / "out"
    compare(scenarios(), replicates=3, options=RunOptions(workers=1, out=out))
    return Results.load(out)


@pytest.fixture(scope="module")
def written(results, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    path = write_report(results, folder / "report.html")
    return folder, path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def text(written) -> str:
    return written[2]


def section(text: str, start: str, end: str | None = None) -> str:
    begin = text.index(f'id="{start}"')
    return text[begin:text.index(f'id="{end}"')] if end else text[begin:]


def cells(row_html: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html)]


def without_volatile(text: str) -> str:
    return re.sub(r'<tr data-volatile="[^"]*">.*?</tr>', "", text)


def figures(text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in
            re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)]


class _Balance(HTMLParser):
    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


# --- the file ---------------------------------------------------------------------------------
def test_one_self_contained_html_file(written):
    folder, path, text = written
    assert path == folder / "report.html"
    assert [p.name for p in folder.iterdir()] == ["report.html"]
    assert text.startswith("<!DOCTYPE html>")
    lowered = text.lower()
    for needle in ('src="http', "src='http", 'href="http', "href='http", "url(http", "url(//",
                   "@import", "<script", "<link", "<iframe"):
        assert needle not in lowered, needle
    assert "http://" not in text and "https://" not in text
    for src in re.findall(r'src="([^"]*)"', text):
        assert src.startswith("data:image/png;base64,")


def test_figures_are_embedded_pngs(text):
    pngs = figures(text)
    assert len(pngs) == 7
    assert len(re.findall(r"<img ", text)) == len(pngs)
    for png in pngs:
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert b"http" not in png  # no software URL in the metadata
    assert len(text.encode()) < 1_500_000


def test_tags_are_balanced(text):
    parser = _Balance()
    parser.feed(text)
    assert parser.errors == []
    assert parser.stack == []


def test_sections_come_in_order(text):
    ids = ["summary", "effects", "trajectories", "left-behind", "cost", "workforce",
           "assumptions", "reproducibility"]
    positions = [text.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)
    assert f"<h1>{html.escape(MISSIONS['early_years'].title)}</h1>" in text


# --- numbers ----------------------------------------------------------------------------------
def test_effect_table_matches_stats_markdown_cell_for_cell(results, text):
    summary = stats.summarise(results)
    table = re.search(r'<table class="effects">(.*?)</table>', text, re.S).group(1)
    html_rows = [cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]
    md_lines = summary_markdown_table(summary).splitlines()
    md_rows = [[c.strip() for c in line.strip().strip("|").split("|")]
               for i, line in enumerate(md_lines) if i != 1]
    assert html_rows == md_rows
    for _, row in summary.iterrows():
        if not row["baseline"]:
            assert any(r[1] == row["scenario"]
                       and r[3] == format_effect(row, "effect_deadline")
                       for r in html_rows)


def test_headline_names_the_best_scenario_with_its_effect_and_target_chance(results, text):
    summary = stats.summarise(results)
    others = summary[~summary["baseline"]]
    best = others.loc[others["effect_deadline"].idxmax()]
    headline = re.search(r'<p class="headline">(.*?)</p>', text, re.S).group(1)
    headline = html.unescape(headline)
    assert best["scenario"] in headline
    assert format_effect(best, "effect_deadline") in headline
    p = f"{best['p_target']:.0%} ({best['p_target_lo']:.0%}–{best['p_target_hi']:.0%})"
    assert p in headline
    assert "common random numbers" in headline
    intro = html.unescape(section(text, "summary", "effects"))
    assert "3 paired replicates" in intro and "small" in intro and "40 months" in intro


def test_cost_table_gives_payers_resources_england_and_cost_per_point(results, text):
    summary = stats.summarise(results).set_index("scenario")
    cost = html.unescape(section(text, "cost", "workforce"))
    row = summary.loc["capacity"]
    for key in ("public_cost", "public_department", "public_council", "resource_cost"):
        assert f"{row[key]:,.2f}" in cost, key
    assert row["public_department"] + row["public_council"] == pytest.approx(row["public_cost"])
    factor = summary.attrs["england_factor"]
    assert "England equivalent" in cost and f"{row['public_cost'] * factor:,.1f}" in cost
    assert "3.5% a year" in cost
    if row["cost_per_point"] == row["cost_per_point"]:  # defined when there is a gain
        assert f"{row['cost_per_point']:,.2f}" in cost


def test_deprivation_tables_give_the_paired_effects(results, text):
    table = stats.by_deprivation(results)
    part = html.unescape(section(text, "left-behind", "cost"))
    for _, row in table[table["scenario"] == "capacity"].iterrows():
        assert format_effect(row, "effect") in part
    assert "Share of places behind their own trajectory" in part


# --- assumptions and reproducibility ----------------------------------------------------------
def test_assumptions_list_overrides_presets_reforms_and_uncertainties(text):
    part = section(text, "assumptions", "reproducibility")
    rows = [cells(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", part, re.S)]
    tight = [r for r in rows if r and r[0] == "labour_market_tightness"]
    assert tight and tight[0][1:3] == ["1.5", "1"] and tight[0][4] == "scenario"
    places = [r for r in rows if r and r[0] == "n_localities"]
    assert len(places) == 3  # the preset's value differs from the default in every scenario
    assert all(r[1:3] == ["10", "30"] and r[4] == "preset small" for r in places)
    devolution = [r for r in rows if len(r) > 1 and r[1] == "devolution"]
    assert devolution and devolution[0][2:5] == ["6", "30", "0.5"]
    shock = [r for r in rows if r and r[0] == "funding_shock"]
    assert shock and shock[0][1] == "0 to 0.2"
    assert "labour_market_tightness" not in section(part, "assumptions").split("<h3>")[1]


def test_reproducibility_gives_version_seeds_hashes(results, text):
    part = section(text, "reproducibility")
    assert __version__ in part
    assert results.manifest["study"] in part
    for seed in results.runs["seed"].unique():
        assert str(int(seed)) in part
    for entry in results.manifest["scenarios"].values():
        assert entry["digest"] in part
    assert "same seed (common random" in part


def test_user_text_is_escaped(text):
    assert ODD not in text
    assert html.escape(ODD) in text
    assert "tight <labour>" not in text
    assert html.escape("tight <labour> & market") in text


def test_markdown_summary_has_the_headline_and_the_table(results):
    md = summary_markdown(results)
    assert summary_markdown_table(stats.summarise(results)) in md
    assert md.splitlines()[0].startswith("The best scenario")


# --- reproducible -----------------------------------------------------------------------------
def test_stored_study_gives_the_same_report(stored, text, tmp_path):
    loaded = write_report(stored, tmp_path / "loaded.html").read_text(encoding="utf-8")
    assert stored.manifest.get("created") and stored.manifest["created"] in loaded
    assert without_volatile(loaded) == without_volatile(text)
    assert figures(loaded) == figures(text)


def test_baseline_and_title_can_be_chosen(results, tmp_path):
    path = write_report(results, tmp_path, baseline="capacity", title="Our <review>")
    assert path == tmp_path / "report.html"
    text = path.read_text(encoding="utf-8")
    assert "<h1>Our &lt;review&gt;</h1>" in text
    table = re.search(r'<table class="effects">(.*?)</table>', text, re.S).group(1)
    assert "capacity (baseline)" in table
    with pytest.raises(ValueError, match="baseline"):
        write_report(results, tmp_path / "x.html", baseline="nope")


# --- edge cases -------------------------------------------------------------------------------
def test_single_scenario_gives_a_valid_report(tmp_path):
    one = compare(scenarios()[:1], replicates=2, options=RunOptions(workers=1))
    text = write_report(one, tmp_path / "one.html").read_text(encoding="utf-8")
    assert "Only one scenario" in text
    assert len(figures(text)) == 6  # no cost-effectiveness scatter
    parser = _Balance()
    parser.feed(text)
    assert parser.errors == [] and parser.stack == []


def test_runs_ending_before_the_deadline(tmp_path):
    short = compare(scenarios(horizon=24)[:2], replicates=2, options=RunOptions(workers=1))
    text = write_report(short, tmp_path / "short.html").read_text(encoding="utf-8")
    headline = html.unescape(re.search(r'<p class="headline">(.*?)</p>', text, re.S).group(1))
    assert "before the mission's deadline (month 36)" in headline
    assert "Chance of meeting the target" not in headline
    assert len(figures(text)) == 7
    assert "effect at month 24 (95% CI)" in text


def test_rough_sleeping_mission(tmp_path):
    rough = compare(scenarios(horizon=48, mission="rough_sleeping")[:2], replicates=2,
                    options=RunOptions(workers=1))
    text = write_report(rough, tmp_path / "rough.html").read_text(encoding="utf-8")
    mission = MISSIONS["rough_sleeping"]
    assert f"<h1>{html.escape(mission.title)}</h1>" in text
    assert "£m per person" in text
    assert len(figures(text)) == 7
    summary = stats.summarise(rough)
    row = summary[~summary["baseline"]].iloc[0]
    assert html.escape(format_effect(row, "effect_deadline")) in text
