"""Frontline staff: a thin Mesa view onto one slot of the model's staff arrays."""

from __future__ import annotations

import mesa
import numpy as np

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


class StaffAgents:
    """The :class:`FrontlineStaff` agents of a model's posts, made when first asked for.

    A world has one post per frontline worker (about 6,000 at the workshop preset, 30,000 at
    England's), and Mesa's registration of an agent costs a few microseconds: made at once,
    the agents were half of building England's world, for views that most runs never read.
    So a post's agent is made when the model's agents are first read
    (:attr:`~missionsim.model.model.MissionModel.agents`, ``agents_by_type``,
    ``staff_agents``), and from then on as posts open.

    Ids do not depend on when the agents are read: each post's Mesa ``unique_id`` is taken
    from the model's counter when the post opens (:meth:`open`), exactly as making the agent
    then would, and the agent made later is registered with that id. Organisations founded in
    between keep the ids they would have had.

    Args:
        model: The owning model.
    """

    def __init__(self, model) -> None:
        self._model = model
        self._ids = np.zeros(0, dtype=np.int64)  # each post's unique_id, in post order
        self._made: list[FrontlineStaff] = []
        self._read = False  # once the agents are read, new posts' agents are made at once

    def open(self, slots: np.ndarray) -> None:
        """Give the new posts ``slots`` (the next posts, in order) their agents' ids."""
        n = len(slots)
        if n == 0:
            return
        if slots[0] != self._ids.size or n != slots[-1] - slots[0] + 1:
            raise ValueError(f"staff agents: expected posts {self._ids.size} onwards, in order")
        model = self._model
        first = model.agent_id_counter
        model.agent_id_counter = first + n
        self._ids = np.concatenate([self._ids, np.arange(first, first + n, dtype=np.int64)])
        if self._read:
            self.all()

    @property
    def unmade(self) -> int:
        """How many posts have an id but no agent made yet."""
        return int(self._ids.size) - len(self._made)

    @property
    def ids(self) -> np.ndarray:
        """The ``unique_id`` of each post's agent, in post order (read-only)."""
        ids = self._ids.view()
        ids.setflags(write=False)
        return ids

    def all(self) -> list[FrontlineStaff]:
        """Every post's agent, in post order, made now where not made yet."""
        self._read = True
        made, ids = self._made, self._ids
        if len(made) < ids.size:
            model = self._model
            counter = model.agent_id_counter
            try:
                for slot in range(len(made), ids.size):
                    model.agent_id_counter = int(ids[slot])  # Mesa gives the next id
                    made.append(FrontlineStaff(model, slot))
            finally:
                model.agent_id_counter = counter
        return made
