"""The glossary file: well-formed, and holding every term the app, the report and the
appraisal page explain."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from missionsim import resources
from missionsim.experiments.options import RunOptions
from missionsim.experiments.study import compare
from missionsim.writeup import glossary
from missionsim.writeup.appraisal.glossary import TERMS
from missionsim.writeup.appraisal.glossary import glossary as appraisal_glossary
from missionsim.writeup.report import page

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
UI = Path(__file__).resolve().parents[2] / "src" / "missionsim" / "ui"
EXPLAINED = re.compile(r"""(?:Explained|tip)\(\s*"([^"]+)"\s*\)""")
"""A term the app's source names literally for a hover text."""


def test_the_shipped_glossary_is_well_formed_and_shipped():
    assert resources.data_path(glossary.FILE).is_file()
    terms = glossary.terms()
    assert len({t.term.casefold() for t in terms}) == len(terms)
    for t in terms:
        assert t.term and t.explanation and "\n" not in t.explanation
        assert set(t.used_in) <= set(glossary.USES) and t.used_in
    for use in glossary.USES:
        assert glossary.used_in(use), use


@pytest.mark.parametrize(("data", "phrase"), [
    ({}, "term: expected [[term]] tables, got none"),
    ({"terms": []}, "terms: unknown key"),
    ({"term": [{"term": "A", "explanation": "x"}]}, "term[0]: expected the keys"),
    ({"term": [{"term": "", "explanation": "x", "used_in": ["app"]}]}, "term[0].term"),
    ({"term": [{"term": "A", "explanation": "x\ny", "used_in": ["app"]}]},
     "term[0].explanation: expected one line"),
    ({"term": [{"term": "A", "explanation": "x", "used_in": ["web"]}]},
     "term[0].used_in: expected a list drawn from app, report, appraisal"),
    ({"term": [{"term": "A", "explanation": "x", "used_in": ["app"]},
               {"term": "a", "explanation": "y", "used_in": ["app"]}]},
     "term[1].term: 'a' appears twice"),
])
def test_a_malformed_glossary_is_one_line_naming_the_file_and_key(data, phrase):
    with pytest.raises(glossary.GlossaryError) as err:
        glossary.parse(data, "glossary.toml")
    message = str(err.value)
    assert message.startswith("glossary.toml: ") and "\n" not in message
    assert phrase in message


def test_a_term_outside_the_glossary_is_refused():
    assert glossary.explain("on COURSE for") == glossary.explain("On course for")
    with pytest.raises(glossary.GlossaryError, match="'trajectory now' is not in the glossary"):
        glossary.explain("trajectory now")


def test_every_term_the_app_explains_is_in_the_glossary():
    from missionsim.ui import explore, labels

    named = {m for path in UI.glob("*.py") for m in EXPLAINED.findall(path.read_text())}
    assert {"Start from", "Run number", "Play speed", "Baseline", "Replicate"} <= named
    used = {*named, *(label for label, _, _ in explore.STATS),
            *(term for _, term in labels.EFFECT_HEADINGS), *labels.SIDEBAR_TERMS}
    for term in used:
        assert "app" in next(t.used_in for t in glossary.terms()
                             if t.term.casefold() == term.casefold()), term
    # the labels the workshop could not read are gone
    assert "trajectory now" not in {label for label, _, _ in explore.STATS}
    headings = [text for text, _ in labels.EFFECT_HEADINGS]
    assert not any("CI" in text or text == "most deprived" for text in headings)


def test_the_headline_explains_each_figure_on_hover():
    from missionsim.ui import explore
    from missionsim.ui.live import LiveRun, Settings

    settings = Settings.start("world: small")
    run = LiveRun(settings.scenario().with_changes(horizon=6), 0)
    markup = explore.headline_markup(run, run.frame)
    titles = re.findall(r'class="ms-stat [^"]+" title="([^"]+)"', markup)
    assert len(titles) == len(explore.STATS)
    assert titles[4] == glossary.explain("On course for").replace("'", "&#x27;")
    assert ">on course for<" in markup


def test_the_appraisal_and_the_report_take_their_glossary_from_the_file():
    assert TERMS == tuple((t.term, t.explanation) for t in glossary.used_in("appraisal"))
    assert appraisal_glossary().count("<dt>") == len(TERMS)
    results = compare([{"name": "plain", "horizon": 12, "world": {"preset": "small"}},
                       {"name": "devolved", "horizon": 12, "world": {"preset": "small"},
                        "reforms": {"devolution": {"intensity": 0.6}}}],
                      replicates=2, options=RunOptions(workers=1))
    document = page.render(results, generated="2026-01-01T00:00:00+00:00")
    section = document.split('<section id="glossary">', 1)[1].split("</section>", 1)[0]
    for term in glossary.used_in("report"):
        assert f"<dt>{term.term}</dt>" in section.replace("&#x27;", "'")
    for term in ("Paired effect", "Most deprived", "£m per point", "P(target met)"):
        assert term in section
