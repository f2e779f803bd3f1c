"""Writing scenario files in tests, and the one-line error of loading one."""

from __future__ import annotations

from pathlib import Path

import pytest

from missionsim.errors import ScenarioError
from missionsim.experiments.scenario import load_scenario


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (its folder created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path) -> str:
    """The ScenarioError message of loading ``path`` (fails on success or other errors)."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)
