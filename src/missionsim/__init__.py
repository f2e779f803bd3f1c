"""missionsim: an agent-based simulator of mission delivery systems.

Departments, councils, charities and frontline staff cooperate (or not) on a partnership
network to move a national mission outcome; enabling reforms change the system.

    >>> from missionsim import MissionModel
    >>> model = MissionModel(preset="small", reforms={"devolution": {"start": 12}}, rng=1)
    >>> frame = model.run(24).datacollector.get_model_vars_dataframe()

Scenario files, comparisons with common random numbers, sweeps and reports::

    >>> import missionsim as ms
    >>> results = ms.compare(["baseline", "devolution"], replicates=10)     # doctest: +SKIP
    >>> ms.summarise(results)                                                # doctest: +SKIP

The names below are imported on first use (PEP 562), so ``import missionsim`` is quick and
loads neither the model nor any optional extra (the browser app, dask, EMA workbench).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "MISSIONS": "missionsim.missions",
    "Mission": "missionsim.missions",
    "MissionModel": "missionsim.model",
    "PARAMETERS": "missionsim.params",
    "PRESETS": "missionsim.params",
    "Parameter": "missionsim.params",
    "REFORMS": "missionsim.reforms",
    "Levers": "missionsim.reforms",
    "Reform": "missionsim.reforms",
    "REPORTERS": "missionsim.reporters",
    "RunOutput": "missionsim.runner",
    "run": "missionsim.runner",
    "Scenario": "missionsim.scenario",
    "ScenarioError": "missionsim.scenario",
    "load_scenario": "missionsim.scenario",
    "summarise": "missionsim.stats",
    "Results": "missionsim.study",
    "compare": "missionsim.study",
    "replicate": "missionsim.study",
    "Sweep": "missionsim.sweep",
    "load_sweep": "missionsim.sweep",
    "run_sweep": "missionsim.sweep",
    "sensitivity": "missionsim.sweep",
}
"""Public names and the module each is imported from on first use."""

__all__ = ["MISSIONS", "PARAMETERS", "PRESETS", "REFORMS", "REPORTERS", "Levers", "Mission",
           "MissionModel", "Parameter", "Reform", "Results", "RunOutput", "Scenario",
           "ScenarioError", "Sweep", "__version__", "compare", "load_scenario", "load_sweep",
           "replicate", "run", "run_sweep", "sensitivity", "summarise"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'missionsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from missionsim.missions import MISSIONS, Mission
    from missionsim.model import MissionModel
    from missionsim.params import PARAMETERS, PRESETS, Parameter
    from missionsim.reforms import REFORMS, Levers, Reform
    from missionsim.reporters import REPORTERS
    from missionsim.runner import RunOutput, run
    from missionsim.scenario import Scenario, ScenarioError, load_scenario
    from missionsim.stats import summarise
    from missionsim.study import Results, compare, replicate
    from missionsim.sweep import Sweep, load_sweep, run_sweep, sensitivity
