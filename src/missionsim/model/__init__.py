"""The simulation: parameters, missions, the world, agents, mechanisms, reforms and the model.

This layer imports nothing above it (``experiments``, ``analysis``, ``writeup``, ``ui``); it may
use the package's leaf modules (``limits``, ``errors``, ``resources``). Importing the package
imports nothing heavy: ``MissionModel`` (and Mesa with it) loads on first use.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "MissionModel":
        from missionsim.model.model import MissionModel

        return MissionModel
    raise AttributeError(f"module 'missionsim.model' has no attribute {name!r}")
