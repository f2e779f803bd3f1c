"""scripts/measure-baseline: the tables of docs/model.md section 10, measured by the script."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import script_module

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "measure-baseline"
DOC = ROOT / "docs" / "model.md"
SECTIONS = ("baseline_measured", "baseline_patterns")


@pytest.fixture(scope="module")
def script():
    """The script as a module."""
    return script_module.load(SCRIPT, "measure_baseline")


@pytest.fixture(scope="module")
def baseline(script):
    """The baseline measured over two seeds (a few seconds)."""
    return script.measure(range(2))


def block(text: str, name: str) -> str:
    m = re.search(rf"<!-- BEGIN GENERATED: {name} -->\n(.*?)<!-- END GENERATED: {name} -->",
                  text, re.S)
    assert m, f"docs/model.md has no markers for {name}"
    return m.group(1)


def rows(table: str) -> list[list[str]]:
    """The cells of a pipe table's body rows."""
    lines = [ln for ln in table.strip().splitlines() if ln.startswith("|")][2:]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]


def test_every_committed_row_is_measured(script, baseline):
    doc = DOC.read_text(encoding="utf-8")
    for name in SECTIONS:
        committed = rows(block(doc, name))
        fresh = rows(script.SECTIONS[name](baseline))
        assert committed, f"the {name} table in docs/model.md is empty"
        # same labels, same sourced target / observed column, in the same order
        assert [(r[0], r[-1]) for r in fresh] == [(r[0], r[-1]) for r in committed]
        assert all(len(r) == len(committed[0]) and r[1] for r in fresh)


def test_measures_are_in_sane_ranges(baseline):
    m = baseline.m
    assert baseline.n == 2
    assert np.round(m["gld_0"], 2).tolist() == [68.3, 68.3]  # the model pins month 0
    for month in (12, 24, 36, 120):
        assert np.all((m[f"gld_{month}"] > 60) & (m[f"gld_{month}"] < 80))
    assert np.all((m["sd_y0"] > 1) & (m["sd_y0"] < 8))
    assert np.allclose(m["sd_y0"], m["sd_0"])
    for month in (24, 36, 120):
        assert np.all((m[f"sd_{month}"] > 1) & (m[f"sd_{month}"] < 8))
    assert np.all((m["turnover"] > 0.05) & (m["turnover"] < 0.40))
    assert np.all((m["turnover_first_year"] > 0.05) & (m["turnover_first_year"] < 0.40))
    assert np.all((m["vacancy"] >= 0) & (m["vacancy"] < 0.5))
    for key in ("corr_deprivation", "corr_two_years", "corr_changes"):
        assert np.all(np.abs(m[key]) <= 1)
    assert np.all(m["corr_deprivation"] < 0)
    assert np.all((m["share_improving"] >= 0) & (m["share_improving"] <= 1))
    assert np.all(m["fifth_most"] < m["fifth_least"])
    assert np.all((m["closures"] >= 0) & (m["closures"] <= m["charities_0"]))
    assert np.all(m["charities_0"] > 0)
    assert np.all(m["reserves_0"] > 0)
    assert np.all((m["early_0"] > 0) & (m["early_0"] < 1))
    assert np.all((m["early_core"] > 0) & (m["early_core"] < 1))
    assert np.all(m["gaming_36"] >= 0)
    assert set(m["target_met"].tolist()) <= {0.0, 1.0}
    for r in baseline.runs:
        assert r.delivery.shape == (121,)
        assert r.delivery[0] == pytest.approx(1.0)
        assert np.all((r.delivery > 0.5) & (r.delivery < 2))


def test_tables_and_prose_format(script, baseline):
    measured = script.measured_table(baseline)
    assert "| measure | mean over 2 seeds | range | target |" in measured
    assert "| national GLD, month 0 (row 0) | 68.30% | 68.30–68.30 | 68.3% |" in measured
    assert " of 2 runs |" in measured
    assert "-" not in re.sub(r"\|-+", "", measured.replace("month-0", ""))  # true minus signs
    prose = script.prose(baseline)
    for words in ("delivery index", "months 24–36", "staff in post", "reach", "trust",
                  "morale"):
        assert words in prose


def test_rewrites_only_its_blocks(script, baseline, tmp_path, monkeypatch, capsys):
    text = ("# doc\n\n<!-- BEGIN GENERATED: parameters -->\nkept\n"
            "<!-- END GENERATED: parameters -->\n\nintro\n\n"
            "<!-- BEGIN GENERATED: baseline_measured -->\nstale\n"
            "<!-- END GENERATED: baseline_measured -->\n\nmiddle\n\n"
            "<!-- BEGIN GENERATED: baseline_patterns -->\nstale\n"
            "<!-- END GENERATED: baseline_patterns -->\n\nend\n")
    doc = tmp_path / "model.md"
    doc.write_text(text, encoding="utf-8")
    monkeypatch.setattr(script, "measure", lambda seeds: baseline)
    assert script.main(["--check", str(doc)]) == 1
    assert doc.read_text(encoding="utf-8") == text
    assert script.main(["--print", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == text
    assert script.main([str(doc)]) == 0
    new = doc.read_text(encoding="utf-8")
    assert "stale" not in new
    assert "<!-- BEGIN GENERATED: parameters -->\nkept\n" in new
    assert "\n\nintro\n\n" in new and "\n\nmiddle\n\n" in new and new.endswith("\n\nend\n")
    assert script.SECTIONS["baseline_patterns"](baseline) in new
    assert script.main(["--check", str(doc)]) == 0
    missing = tmp_path / "none.md"
    missing.write_text("no markers\n", encoding="utf-8")
    assert script.main(["--check", str(missing)]) == 1
    assert "no markers for" in capsys.readouterr().out
