"""Mesa agent types.

Organisation and staff state lives in the model's arrays; these agents are thin, read-mostly
views onto it, so they can be inspected in the UI and by reporters.
"""

from missionsim.model.agents.charity import Charity
from missionsim.model.agents.council import Council
from missionsim.model.agents.department import Department
from missionsim.model.agents.mission_unit import MissionUnit
from missionsim.model.agents.staff import FrontlineStaff, StaffAgents

__all__ = ["Charity", "Council", "Department", "FrontlineStaff", "MissionUnit", "StaffAgents"]
