"""Structural changes: funded posts, charities closing and founded, the Missions Unit.

A mixin of :class:`~missionsim.model.model.MissionModel`; it holds no state of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import finance, kernels, world
from missionsim.model.agents import Charity, MissionUnit
from missionsim.model.network import COORDINATION, PARTNERSHIP
from missionsim.model.state import UNIT, VACANT

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.reforms import Reform


class Organisations:
    """Structural changes: funded posts, charities closing and founded, the Missions Unit."""

    # --- structural changes -----------------------------------------------------------------
    def set_establishment(self, slots: np.ndarray, targets: np.ndarray) -> None:
        """Set the number of funded posts of each employer in ``slots`` to ``targets``.

        Cuts take vacant posts first, then the most recent hires. Growth reuses the employer's
        own unfunded posts first, then any unfunded post (which moves to the employer), and
        only then adds new posts (each with its FrontlineStaff agent's id;
        :class:`~missionsim.model.agents.StaffAgents`). The number of agents is
        therefore the most posts ever funded at once, not the sum of all posts ever opened.
        """
        s = self.staff
        slots = np.asarray(slots, dtype=np.int64)
        targets = np.maximum(np.asarray(targets, dtype=np.int64), 0)
        funded = s.funded_by_org(self.orgs.n)
        change = targets - funded[slots]
        if not np.count_nonzero(change):
            return
        funded = funded.copy()
        if kernels.COMPILED and s.by_employer is None:  # kept while no post moves employer
            s.by_employer = kernels.posts_by_employer(s.org, funded.size)
        orgs, moved = kernels.establishment(s.org, s.loc, s.status, s.tenure, self.orgs.locality,
                                            funded, slots, change, s.by_employer)
        if moved:
            s.by_employer = None
        if orgs.size:
            new = s.append(orgs, self.orgs.locality[orgs])
            s.status[new] = VACANT
            self.staff_views.open(new)
        s.funding_known(funded, self.orgs.n)

    def close_charity(self, slot: int) -> None:
        """Close the charity in ``slot``: its posts, contracts and ties go."""
        self.close_charities(np.array([slot]))

    def close_charities(self, slots: np.ndarray) -> None:
        """Close the charities in ``slots``, in order: their posts, contracts and ties go.

        Their posts are all cut in one change of establishment: a cut touches only the
        employer's own posts, so this is what closing them one by one would do.
        """
        o = self.orgs
        if slots.size == 0:
            return
        self.set_establishment(slots, np.zeros(slots.size, dtype=np.int64))
        for slot in slots.tolist():
            o.active[slot] = False
            o.reserves[slot] = o.contract[slot] = o.grant[slot] = o.grant_settled[slot] = 0.0
            self.net.remove_node(slot)
            agent = self.org_agents[slot]
            if agent is not None:
                agent.remove()
            self.org_agents[slot] = None
            o.closed += 1
            self.closures_month += 1

    def found_charity(self, slot: int) -> None:
        """Found a new, small charity in the empty ``slot`` with a new programme."""
        o, p = self.orgs, self.p
        rng = self.streams["entry"]
        agent = Charity(self, slot)
        self.org_agents[slot] = agent
        o.node[slot] = agent.unique_id
        o.active[slot] = True
        bill = finance.post_bill(p)
        o.donations0[slot] = o.donations[slot] = p["new_charity_donations"] * bill * (
            p["new_charity_donation_low"] + rng.random())
        o.contract[slot] = o.grant[slot] = o.grant_settled[slot] = 0.0
        o.reserve_target[slot] = world.draw_reserves(rng, 1, p)[0]
        o.reserves[slot] = o.reserve_target[slot] * p["new_charity_posts"] * bill
        prog = self.programmes.add(world.draw_effects(rng, 1, p))[0]
        o.programme[slot] = o.own_programme[slot] = prog
        o.rollout[slot] = 1.0
        o.practice[slot] = self.programmes.theta[prog]
        self.net.add_node(slot, **world.node_attrs(o, slot))
        council = int(self.council_slot(int(o.locality[slot])))
        self.net.add_edges([council], [slot], [PARTNERSHIP], [p["new_tie_trust"]])
        self.set_establishment(np.array([slot]), np.array([p["new_charity_posts"]]))
        o.founded += 1

    def create_mission_unit(self, reform: Reform) -> None:
        """Create the Missions Unit (called by the mission-leadership reform)."""
        if self.mission_unit is not None:
            return
        o = self.orgs
        slot = int(np.flatnonzero(o.kind == UNIT)[0])
        self.mission_unit = MissionUnit(self, slot, reform.strength(self))
        o.node[slot] = self.mission_unit.unique_id
        o.active[slot] = True
        self.org_agents[slot] = self.mission_unit
        self.net.add_node(slot, **world.node_attrs(o, slot))
        # the unit works with every department and every council (it brokers local ties)
        partners = [d.slot for d in self.departments] + [
            int(c) for c in self.council_slot(np.arange(self.places.n))]
        self.net.add_edges([slot] * len(partners), partners, [COORDINATION] * len(partners),
                           [self.p["mission_unit_tie_trust"]] * len(partners))
        finance.pool_now(self, reform.param(self, "pooled") * reform.strength(self))

    def remove_mission_unit(self) -> None:
        """Dissolve the Missions Unit (when the reform ends)."""
        unit = self.mission_unit
        if unit is None:
            return
        self.net.remove_node(unit.slot)
        self.orgs.active[unit.slot] = False
        self.org_agents[unit.slot] = None
        unit.remove()
        self.mission_unit = None
