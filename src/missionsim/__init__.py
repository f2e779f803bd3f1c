"""missionsim: an agent-based simulator of mission delivery systems.

Departments, councils, charities and frontline staff cooperate (or not) on a partnership
network to move a national mission outcome; enabling reforms change the system.

    >>> from missionsim import MissionModel
    >>> model = MissionModel(preset="small", reforms={"devolution": {"start": 12}}, rng=1)
    >>> frame = model.run(24).datacollector.get_model_vars_dataframe()

Scenario files, comparisons with common random numbers, sweeps and reports::

    >>> import missionsim as ms
    >>> results = ms.compare(["scenarios/baseline.toml", "scenarios/devolution.toml"],
    ...                      replicates=10)                                  # doctest: +SKIP
    >>> ms.summarise(results)                                                # doctest: +SKIP
"""

__version__ = "0.1.0"

from missionsim.missions import MISSIONS, Mission  # noqa: E402
from missionsim.model import MissionModel  # noqa: E402
from missionsim.params import PARAMETERS, PRESETS, Parameter  # noqa: E402
from missionsim.reforms import REFORMS, Levers, Reform  # noqa: E402
from missionsim.reporters import REPORTERS  # noqa: E402
from missionsim.runner import RunOutput, run  # noqa: E402
from missionsim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402
from missionsim.stats import summarise  # noqa: E402
from missionsim.study import Results, compare, replicate  # noqa: E402
from missionsim.sweep import Sweep, load_sweep, run_sweep, sensitivity  # noqa: E402

__all__ = ["MISSIONS", "PARAMETERS", "PRESETS", "REFORMS", "REPORTERS", "Levers", "Mission",
           "MissionModel", "Parameter", "Reform", "Results", "RunOutput", "Scenario",
           "ScenarioError", "Sweep", "__version__", "compare", "load_scenario", "load_sweep",
           "replicate", "run", "run_sweep", "sensitivity", "summarise"]
