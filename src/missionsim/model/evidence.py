"""Evidence about what works: noisy signals, Bayesian updating, adoption along trusted ties.

Every programme has a true effect (hidden) and a normal posterior belief shared by the
field. Each month a programme in use yields information in proportion to the staff using it:
uncontrolled experience yields little and is optimistic ("patchy proof"); trials yield much
more and are unbiased. Organisations review the practice of partners they trust and adopt one
whose evidence beats their own; under experimentation they require the evidence to be
compelling (a lower confidence bound, not the mean), and councils drop adopted practice
shown not to work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import kernels, staff_kernels
from missionsim.model.state import CHARITY, COUNCIL, each

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

def update(model: MissionModel) -> None:
    """Update the evidence about every programme, then let organisations adopt practice."""
    p, pr, lv = model.p, model.programmes, model.levers
    rng = model.streams["evidence"]
    z = rng.normal(0.0, 1.0, pr.n)
    users = programme_users(model)
    info_u = users * p["evidence_rigour"]
    if lv.targeted() and np.ndim(lv.experimentation):  # trials run where the reform reaches
        info_t = programme_users(model, lv.experimentation) * p["trial_rigour"]
    else:
        info_t = users * p["trial_rigour"] * lv.experimentation
    info = info_u + info_t
    seen = info > 0
    bias = p["uncontrolled_bias"] * info_u[seen] / info[seen]
    signal = pr.theta[seen] + bias + z[seen] / np.sqrt(info[seen])
    prec = pr.prec[seen]
    pr.mean[seen] = (prec * pr.mean[seen] + info[seen] * signal) / (prec + info[seen])
    pr.prec[seen] = prec + info[seen]
    adopt(model)


def programme_users(model: MissionModel, per_place: np.ndarray | None = None) -> np.ndarray:
    """Staff in post using each programme (a council's teams split by its rollout share).

    With ``per_place``, each member of staff counts as that array's value in their place.
    """
    o, s, pr = model.orgs, model.staff, model.programmes
    weight = None if per_place is None else each(per_place, model.places.n)
    return staff_kernels.programme_users(kernels.COMPILED, s.status, s.loc, s.org, o.rollout,
                                         o.programme, o.own_programme, weight, pr.n)


def set_practice(model: MissionModel, slots: np.ndarray) -> None:
    """Recompute the true effect of the practice used by ``slots`` from their programmes.

    Teams on the organisation's own programme get its full effect; teams on an adopted
    programme get its effect less the loss at scale.
    """
    o, pr = model.orgs, model.programmes
    adopted = o.programme[slots] != o.own_programme[slots]
    loss = np.where(adopted, 1.0 - model.p["scale_loss"], 1.0)
    r = o.rollout[slots]
    o.practice[slots] = (r * pr.theta[o.programme[slots]] * loss
                         + (1.0 - r) * pr.theta[o.own_programme[slots]])


def score(model: MissionModel, programmes: np.ndarray, reviewers: np.ndarray) -> np.ndarray:
    """How good each programme looks to its reviewer: mean, or a lower bound under trials."""
    pr = model.programmes
    caution = model.p["experimentation_caution"]
    trials = model.levers.at("experimentation", model.orgs.locality[reviewers])
    return pr.mean[programmes] - caution * trials * pr.sd[programmes]


def adopt(model: MissionModel) -> None:
    """Organisations reviewing their practice adopt a better-evidenced one from a partner."""
    p, pr, o, net, lv = model.p, model.programmes, model.orgs, model.net, model.levers
    rng = model.streams["adoption"]
    review = rng.random(o.n) < p["diffusion_rate"] * (1.0 + lv.at("innovation", o.locality))
    delivering = ((o.kind == COUNCIL) | (o.kind == CHARITY)) & o.active
    review &= delivering
    trials = lv.at("experimentation", o.locality)
    if np.any(trials > 0):  # de-adopt practice shown not to work
        used = np.maximum(o.programme, 0)
        upper = pr.mean[used] + p["experimentation_drop_z"] * pr.sd[used]
        drop = (delivering & (upper < p["experimentation_drop_share"] * pr.prior_mean)
                & (o.programme != o.own_programme))
        drop &= (o.kind == COUNCIL) & (trials > 0)
        if drop.any():
            o.programme[drop] = o.own_programme[drop]
            o.rollout[drop] = 1.0
            set_practice(model, np.flatnonzero(drop))
    if net.n_edges == 0 or not review.any():
        return
    ok = (net.trust >= p["adoption_trust"]) & delivering[net.u] & delivering[net.v]
    reviewer = np.concatenate([net.u[ok], net.v[ok]])
    source = np.concatenate([net.v[ok], net.u[ok]])
    keep = review[reviewer]
    reviewer, source = reviewer[keep], source[keep]
    if reviewer.size == 0:
        return
    cand = o.programme[source]
    cand_score = score(model, cand, reviewer)
    order = np.lexsort((-cand_score, reviewer))
    reviewer, cand, cand_score = reviewer[order], cand[order], cand_score[order]
    first = np.r_[True, reviewer[1:] != reviewer[:-1]]
    reviewer, cand, cand_score = reviewer[first], cand[first], cand_score[first]
    current = o.programme[reviewer]
    better = cand_score > score(model, current, reviewer) + p["adoption_margin"]
    # a council already using the programme keeps rolling it out to more of its teams
    deepen = (cand == current) & (o.kind[reviewer] == COUNCIL) & (cand != o.own_programme[reviewer])
    take = (better & (cand != current)) | deepen
    reviewer, cand, deepen = reviewer[take], cand[take], deepen[take]
    # a charity switches its whole (small) service; a council rolls a new programme out to a
    # share of its teams, and to more of them at each later review
    council = o.kind[reviewer] == COUNCIL
    own = cand == o.own_programme[reviewer]
    r = o.rollout[reviewer]
    step = p["council_rollout"]
    o.rollout[reviewer] = np.where(~council | own, 1.0,
                                   np.where(deepen, r + step * (1.0 - r), step))
    o.programme[reviewer] = cand
    set_practice(model, reviewer)
    model.adoptions += int(reviewer.size)


def evidence_backed(model: MissionModel) -> np.ndarray:
    """Whether each programme is evidence-backed.

    Backed when the belief puts its effect above ``meaningful_effect`` with a confidence of
    ``evidence_backed_z`` standard deviations (0.8416: a probability of 0.8).
    """
    pr, p = model.programmes, model.p
    return (pr.mean - p["meaningful_effect"]) / pr.sd >= p["evidence_backed_z"]
