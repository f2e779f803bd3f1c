"""The tables of docs/model.md section 10: measured (missionsim.analysis.baseline), written
(missionsim.writeup.baseline) and spliced by ``missionsim docs baseline``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import script_module

from missionsim.analysis import baseline as measured
from missionsim.cli import main
from missionsim.experiments.options import RunOptions
from missionsim.writeup import baseline
from missionsim.writeup.docs import DOCUMENTS, DocSettings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "measure-baseline"
DOC = ROOT / "docs" / "model.md"
SECTIONS = ("baseline_measured", "baseline_patterns")


@pytest.fixture(scope="module")
def measures():
    """The baseline measured over two seeds (a few seconds)."""
    return measured.measure(range(2))


def block(text: str, name: str) -> str:
    m = re.search(rf"<!-- BEGIN GENERATED: {name} -->\n(.*?)<!-- END GENERATED: {name} -->",
                  text, re.S)
    assert m, f"no markers for {name}"
    return m.group(1)


def rows(table: str) -> list[list[str]]:
    """The cells of a pipe table's body rows."""
    lines = [ln for ln in table.strip().splitlines() if ln.startswith("|")][2:]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]


def test_every_committed_row_is_measured(measures):
    doc = DOC.read_text(encoding="utf-8")
    assert DOCUMENTS["baseline"].markers == SECTIONS == tuple(baseline.SECTIONS)
    for name in SECTIONS:
        committed = rows(block(doc, name))
        fresh = rows(baseline.SECTIONS[name](measures))
        assert committed, f"the {name} table in docs/model.md is empty"
        # same labels, same sourced target / observed column, in the same order
        assert [(r[0], r[-1]) for r in fresh] == [(r[0], r[-1]) for r in committed]
        assert all(len(r) == len(committed[0]) and r[1] for r in fresh)


def test_measures_are_in_sane_ranges(measures):
    m = measures.m
    assert measures.n == 2
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
    assert np.all((m["early_core"] > 0) & (m["early_core"] < m["early_0"]))
    assert np.all(m["gaming_36"] >= 0)
    assert set(m["target_met"].tolist()) <= {0.0, 1.0}


def test_the_runs_are_the_runners_and_do_not_depend_on_the_executor(measures):
    for run in measures.runs:
        assert list(run.months["month"]) == list(range(measured.HORIZON + 1))
        assert set(run.y) == set(measured.SNAPSHOTS)
        np.testing.assert_array_equal(run.y[0], run.y0)
    parallel = measured.measure(range(2), options=RunOptions(workers=2))
    for key, values in measures.m.items():
        np.testing.assert_array_equal(parallel.m[key], values, err_msg=key)


def test_the_delivery_index_starts_at_one():
    delivery = measured.delivery_index(range(1))
    assert delivery.shape == (1, measured.HORIZON + 1)
    assert delivery[0, 0] == pytest.approx(1.0)
    assert np.all((delivery > 0.5) & (delivery < 2))


def test_tables_and_prose_format(measures):
    table = baseline.measured_table(measures)
    assert "| measure | mean over 2 seeds | range | target |" in table
    assert "| national GLD, month 0 (row 0) | 68.30% | 68.30–68.30 | 68.3% |" in table
    assert " of 2 runs | | not met |" in table
    assert "-" not in re.sub(r"\|-+", "", table.replace("month-0", ""))  # true minus signs
    prose = baseline.prose(measures, np.ones((2, measured.HORIZON + 1)))
    for words in ("delivery index", "months 24–36", "staff in post", "reach", "trust",
                  "morale"):
        assert words in prose
    assert baseline.num(-0.001, 2) == "0.00" and baseline.num(-1.5, 1) == "\u22121.5"
    assert baseline.span(-0.5, 0.5, 1) == "\u22120.5 to 0.5"
    assert baseline.whole(5370.0) == "5,370" and baseline.whole(34.2) == "34.2"


def test_missionsim_docs_baseline_rewrites_only_its_blocks(tmp_path, capsys):
    text = ("# doc\n\n<!-- BEGIN GENERATED: parameters -->\nkept\n"
            "<!-- END GENERATED: parameters -->\n\nintro\n\n"
            "<!-- BEGIN GENERATED: baseline_measured -->\nstale\n"
            "<!-- END GENERATED: baseline_measured -->\n\nmiddle\n\n"
            "<!-- BEGIN GENERATED: baseline_patterns -->\nstale\n"
            "<!-- END GENERATED: baseline_patterns -->\n\nend\n")
    doc = tmp_path / "docs" / "model.md"
    doc.parent.mkdir()
    doc.write_text(text, encoding="utf-8")
    command = ["docs", "baseline", "--root", str(tmp_path), "--replicates", "2",
               "--workers", "1"]
    assert main([*command, "--check"]) == 1
    assert doc.read_text(encoding="utf-8") == text
    assert main(command) == 0
    new = doc.read_text(encoding="utf-8")
    assert "stale" not in new
    assert "<!-- BEGIN GENERATED: parameters -->\nkept\n" in new
    assert "\n\nintro\n\n" in new and "\n\nmiddle\n\n" in new and new.endswith("\n\nend\n")
    assert "2 seeds × 120 months, preset workshop" in capsys.readouterr().err
    assert main([*command, "--check"]) == 0
    doc.write_text("no markers\n", encoding="utf-8")
    assert main(command) == 2
    assert "baseline_measured" in capsys.readouterr().err
    assert main([*command, "--horizon", "60"]) == 2


def test_settings():
    assert baseline.size(DocSettings()) == (measured.DEFAULT_SEEDS, measured.PRESET)
    assert baseline.size(DocSettings(quick=True)) == (baseline.QUICK_SEEDS, measured.PRESET)
    with pytest.raises(ValueError, match="--set colour"):
        baseline.size(DocSettings(extra={"colour": "red"}))


def test_the_script_prints_the_prose_numbers(capsys):
    script = script_module.load(SCRIPT, "measure_baseline")
    assert script.main(["--print", "--seeds", "1"]) == 0
    printed = capsys.readouterr().out
    assert "baseline_measured:" in printed and "mean over 1 seeds" in printed
    assert "numbers the prose of section 10 cites:\ndelivery index" in printed
