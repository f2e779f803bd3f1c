"""The architecture holds: layers import downwards only, modules stay small, the step is a list.

The layers and their rules are in docs/architecture.md; the import contracts are declared in
pyproject.toml (``[tool.importlinter]``) and checked with import-linter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from missionsim.model.model import MissionModel
from missionsim.model.phases import PHASES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "missionsim"
MAX_MODULE_LINES = 400
LAYERS = ("model", "experiments", "analysis", "writeup", "ui", "connectors")


def test_the_import_contracts_are_kept():
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert linter, "import-linter is not installed (it is in the dev extra)"
    done = subprocess.run([linter, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "broken" not in done.stdout.split("Contracts:")[-1].split("\n")[0].replace(
        "0 broken", "")


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_is_a_package_of_small_modules(layer):
    folder = PACKAGE / layer
    assert (folder / "__init__.py").is_file()
    long = {str(p.relative_to(PACKAGE)): n for p in folder.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_top_level_modules_are_small():
    long = {p.name: n for p in PACKAGE.glob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_the_step_runs_the_declared_phases_and_the_docstring_lists_them():
    doc = MissionModel.__doc__
    listed = re.findall(r"^\s*(\d+)\. \*\*([a-z ]+)\*\* – (.*?)(?=^\s*\d+\. \*\*|\Z)", doc,
                        re.M | re.S)
    assert [int(n) for n, _, _ in listed] == list(range(1, len(PHASES) + 1))
    assert [name for _, name, _ in listed] == [phase.name for phase in PHASES]
    for (_, name, text), phase in zip(listed, PHASES, strict=True):
        assert " ".join(text.split()) == phase.summary, name
    # the step is the list: a model stepped phase by phase equals one stepped by step()
    a = MissionModel(preset="small", rng=4, horizon=3)
    b = MissionModel(preset="small", rng=4, horizon=3)
    a.run()
    for _ in range(3):
        b.steps += 1
        b.month = b.steps - 1
        b.closures_month = 0
        for phase in PHASES:
            phase.run(b)
    assert a.datacollector.get_model_vars_dataframe().equals(
        b.datacollector.get_model_vars_dataframe())
