"""missionsim: an agent-based simulator of mission delivery systems.

Departments, councils, charities and frontline staff cooperate (or not) on a partnership
network to move a national mission outcome; enabling reforms change the system.

    >>> from missionsim import MissionModel
    >>> model = MissionModel(preset="small", reforms={"devolution": {"start": 12}}, rng=1)
    >>> frame = model.run(24).datacollector.get_model_vars_dataframe()
"""

from missionsim.missions import MISSIONS, Mission
from missionsim.model import MissionModel
from missionsim.params import PARAMETERS, PRESETS, Parameter
from missionsim.reforms import REFORMS, Levers, Reform
from missionsim.reporters import REPORTERS

__version__ = "0.1.0"

__all__ = ["MISSIONS", "PARAMETERS", "PRESETS", "REFORMS", "REPORTERS", "Levers", "Mission",
           "MissionModel", "Parameter", "Reform", "__version__"]
