"""Shared helpers: cached model runs and paired comparisons over many seeds."""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

from missionsim import MissionModel

SEEDS = tuple(range(20))  # paired seeds for every direction-of-effect test
PRESET = "small"


def _key(mapping) -> str:
    return json.dumps(mapping or {}, sort_keys=True)


@functools.lru_cache(maxsize=4096)
def _run_cached(preset: str, steps: int, seed: int, reforms: str, params: str) -> pd.DataFrame:
    model = MissionModel(preset=preset, rng=seed, reforms=json.loads(reforms),
                         params=json.loads(params))
    model.run(steps)
    return model.datacollector.get_model_vars_dataframe()


def run_frame(seed: int, steps: int = 48, reforms=None, params=None,
              preset: str = PRESET) -> pd.DataFrame:
    """Model-level data frame of one run (cached: treat it as read-only)."""
    return _run_cached(preset, steps, seed, _key(reforms), _key(params))


def paired(column: str, treat: dict, control: dict | None = None, steps: int = 48,
           window: int = 12, seeds=SEEDS, preset: str = PRESET) -> np.ndarray:
    """Per-seed difference (treatment − control) of ``column``, averaged over the last
    ``window`` months. ``treat`` and ``control`` hold ``reforms`` and/or ``params``."""
    control = control or {}
    diffs = []
    for seed in seeds:
        a = run_frame(seed, steps, preset=preset, **treat)[column].iloc[-window:].mean()
        b = run_frame(seed, steps, preset=preset, **control)[column].iloc[-window:].mean()
        diffs.append(a - b)
    return np.asarray(diffs)


def assert_effect(diffs: np.ndarray, sign: int, margin: float = 2.5) -> None:
    """Assert the mean paired difference has ``sign`` and is ``margin`` standard errors
    away from zero."""
    mean = diffs.mean()
    se = diffs.std(ddof=1) / np.sqrt(diffs.size) if diffs.size > 1 else 0.0
    assert sign * mean > 0, f"expected sign {sign:+d}, mean paired difference {mean:.4g}"
    assert sign * mean > margin * se, (f"effect {mean:.4g} is within {margin} standard errors "
                                       f"({se:.4g}) of zero over {diffs.size} seeds")


@pytest.fixture(scope="session")
def small_model_run() -> MissionModel:
    """A small-preset model run for 36 months (seed 7): for read-only structural checks."""
    model = MissionModel(preset="small", rng=7)
    model.run(36)
    return model
