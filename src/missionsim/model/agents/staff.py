"""Frontline staff: a thin Mesa view onto one slot of the model's staff arrays."""

from __future__ import annotations

import mesa

STATUS = ("unfunded", "vacant", "filled")


class FrontlineStaff(mesa.Agent):
    """One frontline post and whoever holds it.

    All state lives in ``model.staff`` (NumPy arrays updated vectorised); this agent reads it.
    When the holder quits the post is vacant; when it is filled the attributes describe the new
    holder. A post its employer can no longer fund is ``unfunded``.

    Args:
        model: The owning model.
        slot: Index into the staff arrays.
    """

    def __init__(self, model, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    @property
    def status(self) -> str:
        """``filled``, ``vacant`` or ``unfunded``."""
        return STATUS[int(self.model.staff.status[self.slot])]

    @property
    def employer(self):
        """The Council or Charity agent that funds this post (None while it is unfunded)."""
        if self.model.staff.status[self.slot] == 0:
            return None
        return self.model.org_agent(int(self.model.staff.org[self.slot]))

    @property
    def locality(self) -> int:
        """Index of the locality the post serves."""
        return int(self.model.staff.loc[self.slot])

    @property
    def skill(self) -> float:
        """Skill of the holder, 0–1 (grows with tenure)."""
        return float(self.model.staff.skill[self.slot])

    @property
    def morale(self) -> float:
        """Morale of the holder, 0–1 (sets discretionary effort and quitting)."""
        return float(self.model.staff.morale[self.slot])

    @property
    def tenure(self) -> int:
        """Months the holder has been in post."""
        return int(self.model.staff.tenure[self.slot])
