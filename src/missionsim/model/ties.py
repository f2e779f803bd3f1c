"""Monthly dynamics of the partnership network: contact, trust, formation and breaking.

Ties are kept alive by contact; contact needs relational capacity (a council's capacity net
of the ties it already maintains; a charity's focus). Trust grows with contact while the
place's outcome improves (successful joint delivery), erodes without contact, and erodes
between tied charities in the same place in proportion to how much money is competed for.
New ties form within a locality (brokered by the council) or through common partners; cross-
sector ties are harder to form. Contract and partnership ties break when trust falls below a
floor; funding ties between departments and councils, the Missions Unit's coordination ties
and the ties between statistical neighbours (councils benchmarked together) do not break.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import formation_kernels, kernels, ties_kernels
from missionsim.model.network import PARTNERSHIP
from missionsim.model.state import SECTOR_OF_KIND, full, one_number

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

_CODES = {"central": 0, "local_government": 1, "voluntary": 2}  # structural: sector codes
SECTOR_CODE = np.array([_CODES[s] for s in SECTOR_OF_KIND])
"""Sector code of each kind of organisation."""
SECTOR_CODE.setflags(write=False)


def sector_codes(model: MissionModel) -> np.ndarray:
    """Sector code (0 central, 1 local government, 2 voluntary) of every organisation slot."""
    return SECTOR_CODE[model.orgs.kind]


def cross_sector(model: MissionModel) -> np.ndarray:
    """Whether each tie joins two sectors (read-only; kept until the ties change)."""
    net = model.net

    def compute() -> np.ndarray:
        return ties_kernels.cross(kernels.COMPILED, SECTOR_CODE, model.orgs.kind, net.u, net.v)

    return net.memo("cross_sector", compute)


def relational_capacity(model: MissionModel, effective: np.ndarray | None = None) -> np.ndarray:
    """Capacity each organisation has to keep ties alive (0–1).

    ``effective``: the councils' effective capacity, where the caller has it already.
    """
    p, lv = model.p, model.levers
    out = ties_kernels.capacity(
        kernels.COMPILED, model.orgs.kind, model.council_slots(),
        model.effective_capacity() if effective is None else effective,
        lv.at("punitive", model.orgs.locality),
        (p["charity_relational_capacity"], 1.0 - p["competition_focus_loss"] * lv.competitive_share,
         p["punitive_focus_loss"]))
    for d in model.departments:
        out[d.slot] = d.focus
    return out


def update(model: MissionModel) -> None:
    """Contact, trust, tie breaking and tie formation for one month."""
    p, net, o, lv = model.p, model.net, model.orgs, model.levers
    rng = model.streams["network"]
    n_e = net.n_edges
    pl = model.places
    # what the councils' ties drain, and their effective capacity (model.effective_capacity())
    drained, effective = ties_kernels.drain(kernels.COMPILED, pl.capacity,
                                            model.tie_capacity_used())
    model.ledger.book("capacity_used", drained.sum())
    if n_e:
        u_contact = rng.random(n_e)
        cap = relational_capacity(model, effective)
        par = (p["contact_base"], p["contact_capacity_gain"], p["partnership_contact_gain"],
               p["trust_growth"], p["mobilisation_trust_gain"], p["trust_decay"],
               p["competition_erosion"], lv.competitive_share, p["tie_break_trust"])
        drive, mobilised = lv.partnership_drive, lv.mobilisation
        if not (one_number(drive) and one_number(mobilised)):  # targeted: the levers by place
            lu, lv_ = o.locality[net.u], o.locality[net.v]
            drive = lv.on_ties("partnership_drive", lu, lv_)
            mobilised = lv.on_ties("mobilisation", lu, lv_)
        # joint delivery succeeds where the places the partners serve are improving
        h = pl.y_hist  # a place improves as model.improving() says
        net.trust, gone = ties_kernels.trust(
            kernels.COMPILED, u_contact, cap, net.u, net.v, o.locality, o.kind, SECTOR_CODE,
            net.trust, net.kind, drive, mobilised, h[-1], h[0], model.mission.direction,
            model.national_improving(), par)
        if gone.size:
            net.remove_edges(gone)
            effective = model.effective_capacity()  # fewer ties to keep up
    form_ties(model, rng, effective)


def form_ties(model: MissionModel, rng: np.random.Generator,
              effective: np.ndarray | None = None) -> None:
    """Organisations explore new ties: through their council or through common partners.

    ``effective``: the councils' effective capacity, where the caller has it already.
    """
    p, net, o, lv = model.p, model.net, model.orgs, model.levers
    u = rng.random((formation_kernels.DRAWS, o.n))
    drive = lv.at("partnership_drive", o.locality)  # a number, or a value per organisation
    mobilised = lv.at("mobilisation", o.locality)
    unit = model.mission_unit is not None
    par = (p["tie_acceptance"], max(p["capacity_mean"], 1e-6),  # structural: no ÷ 0
           p["common_partner_share"], p["cross_sector_penalty"],
           p["partnership_cross_sector_gain"], p["mobilisation_tie_gain"], unit,
           1.0 + p["mission_unit_brokering_gain"] * model.mission_unit.intensity if unit else 1.0)
    new_u, new_v = formation_kernels.explore(
        kernels.COMPILED, u, o.kind, o.active, o.locality, net.u, net.v, SECTOR_CODE,
        model.effective_capacity() if effective is None else effective, model.council_slots(),
        drive, mobilised, (p["tie_formation"], p["partnership_exploration_gain"],
                           p["partnership_brokered_share"]), par)
    if new_u.size:
        k = new_u.size
        net.add_edges(new_u, new_v, full(k, PARTNERSHIP, np.int8), full(k, p["new_tie_trust"]))
