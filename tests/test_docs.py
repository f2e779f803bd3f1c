"""docs/model.md stays true to the code: generated tables, names, and runnable examples."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import missionsim
from missionsim.cli import main
from missionsim.model.params import PARAMETERS
from missionsim.writeup import model_tables

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model.md"
SCRIPT = ROOT / "scripts" / "make-doc-tables"
PYTHON_SECTION = "Using the model from Python"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def docs_command(*args: str) -> int:
    """``missionsim docs model-tables ARGS``, run in this process; its exit status."""
    return main(["docs", "model-tables", *args])


def section(text: str, title: str) -> str:
    """The body of the level-2 section whose heading ends with ``title``."""
    m = re.search(rf"^## (?:\d+ )?{re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"docs/model.md has no section '{title}'"
    return m.group(1)


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def test_generated_tables_are_current(capsys):
    status = docs_command("--check", "--root", str(ROOT))
    out = capsys.readouterr()
    assert status == 0, f"{out.out}{out.err}\nRegenerate with: missionsim docs model-tables"
    assert "docs/model.md is current" in out.out


def test_check_mode_reports_a_stale_copy_without_touching_it(doc, tmp_path, capsys):
    stale = re.sub(r"(<!-- BEGIN GENERATED: reporters -->\n).*?(<!-- END GENERATED: "
                   r"reporters -->)", r"\1\nstale\n\n\2", doc, flags=re.S)
    assert stale != doc
    copy = tmp_path / "docs" / "model.md"
    copy.parent.mkdir()
    copy.write_text(stale, encoding="utf-8")
    assert docs_command("--check", "--root", str(tmp_path)) == 1
    assert "differs from a fresh build" in capsys.readouterr().err
    assert copy.read_text(encoding="utf-8") == stale
    # without --check the generated blocks are rewritten and nothing else changes
    assert docs_command("--root", str(tmp_path)) == 0
    assert copy.read_text(encoding="utf-8") == doc


def test_every_generated_block_has_its_markers(doc):
    for name in model_tables.SECTIONS:
        assert f"<!-- BEGIN GENERATED: {name} -->" in doc
        assert f"<!-- END GENERATED: {name} -->" in doc


def test_the_script_runs_the_command_with_its_exit_status():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "docs/model.md is current" in result.stdout


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_every_parameter_is_documented(doc, name):
    assert f"`{name}`" in doc


@pytest.mark.parametrize("name", sorted(missionsim.REFORMS))
def test_every_reform_is_documented(doc, name):
    assert f"`{name}`" in doc


@pytest.mark.parametrize("name", list(missionsim.REPORTERS))
def test_every_reporter_is_documented(doc, name):
    assert f"`{name}`" in doc


def test_python_examples_run(doc):
    blocks = python_blocks(section(doc, PYTHON_SECTION))
    assert blocks, f"the section '{PYTHON_SECTION}' has no ```python blocks"
    namespace: dict = {"__name__": "__doc_example__"}
    for i, block in enumerate(blocks, 1):
        exec(compile(block, f"<docs/model.md: {PYTHON_SECTION}, block {i}>", "exec"), namespace)
