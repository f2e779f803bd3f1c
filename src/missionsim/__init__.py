"""missionsim: an agent-based simulator of mission delivery systems.

Departments, councils, charities and frontline staff cooperate (or not) on a partnership
network to move a national mission outcome; enabling reforms change the system.

    >>> from missionsim import MissionModel
    >>> model = MissionModel(preset="small", reforms={"devolution": {"start": 12}}, rng=1)
    >>> frame = model.run(24).datacollector.get_model_vars_dataframe()

Scenario files, comparisons with common random numbers, sweeps and reports::

    >>> import missionsim as ms
    >>> results = ms.compare(["baseline", "devolution"], replicates=10)     # doctest: +SKIP
    >>> stored = ms.compare(["baseline", "devolution"],                     # doctest: +SKIP
    ...                     options=ms.RunOptions(out="results/x", resume=True))
    >>> ms.summarise(results)                                                # doctest: +SKIP

The names below are imported on first use (PEP 562), so ``import missionsim`` is quick and
loads neither the model nor any optional extra (the browser app, dask, EMA workbench).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "MISSIONS": "missionsim.model.missions",
    "Mission": "missionsim.model.missions",
    "MissionModel": "missionsim.model.model",
    "PARAMETERS": "missionsim.model.params",
    "PRESETS": "missionsim.model.params",
    "Parameter": "missionsim.model.params",
    "REFORMS": "missionsim.model.reforms",
    "Levers": "missionsim.model.reforms",
    "Reform": "missionsim.model.reforms",
    "REPORTERS": "missionsim.model.reporters",
    "RunOutput": "missionsim.experiments.runner",
    "run": "missionsim.experiments.runner",
    "Scenario": "missionsim.experiments.scenario",
    "ScenarioError": "missionsim.experiments.scenario",
    "load_scenario": "missionsim.experiments.scenario",
    "summarise": "missionsim.analysis.stats",
    "RunOptions": "missionsim.experiments.options",
    "Results": "missionsim.experiments.results",
    "compare": "missionsim.experiments.study",
    "replicate": "missionsim.experiments.study",
    "Sweep": "missionsim.experiments.sweeps",
    "load_sweep": "missionsim.experiments.sweeps",
    "run_sweep": "missionsim.experiments.sweeps",
    "sensitivity": "missionsim.analysis.sensitivity",
    "advise": "missionsim.analysis.advise",
    "Advice": "missionsim.analysis.advise",
}
"""Public names and the module each is imported from on first use."""

__all__ = ["MISSIONS", "PARAMETERS", "PRESETS", "REFORMS", "REPORTERS", "Advice", "Levers",
           "Mission", "MissionModel", "Parameter", "Reform", "Results", "RunOptions",
           "RunOutput", "Scenario", "ScenarioError", "Sweep", "__version__", "advise",
           "compare", "load_scenario", "load_sweep", "replicate", "run", "run_sweep",
           "sensitivity", "summarise"]


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
    from missionsim.analysis.advise import Advice, advise
    from missionsim.analysis.sensitivity import sensitivity
    from missionsim.analysis.stats import summarise
    from missionsim.experiments.options import RunOptions
    from missionsim.experiments.results import Results
    from missionsim.experiments.runner import RunOutput, run
    from missionsim.experiments.scenario import Scenario, ScenarioError, load_scenario
    from missionsim.experiments.study import compare, replicate
    from missionsim.experiments.sweeps import Sweep, load_sweep, run_sweep
    from missionsim.model.missions import MISSIONS, Mission
    from missionsim.model.model import MissionModel
    from missionsim.model.params import PARAMETERS, PRESETS, Parameter
    from missionsim.model.reforms import REFORMS, Levers, Reform
    from missionsim.model.reporters import REPORTERS
