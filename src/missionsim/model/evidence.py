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

from missionsim.model import draws, evidence_kernels, kernels, staff_kernels
from missionsim.model.state import each, one_number

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

def update(model: MissionModel) -> None:
    """Update the evidence about every programme, then let organisations adopt practice."""
    p, pr, lv = model.p, model.programmes, model.levers
    rng = model.streams["evidence"]
    z = draws.standard_normal(rng, pr.n)
    o, s = model.orgs, model.staff
    trials = lv.experimentation
    if lv.targeted() and not one_number(trials):  # trials run where the reform reaches
        trials = each(trials, model.places.n)
    else:
        trials = float(trials)
    info_u, info, floored = staff_kernels.information(
        kernels.COMPILED, s.filled_by_org(o.n), o.locality, o.rollout, o.programme,
        o.own_programme, trials, pr.n, p["evidence_rigour"], p["trial_rigour"])
    root = np.sqrt(floored)  # used only where there is information
    evidence_kernels.learn(kernels.COMPILED, pr.theta, pr.mean, pr.prec, z, info_u, info, root,
                           p["uncontrolled_bias"])
    adopt(model)


def adopt(model: MissionModel) -> None:
    """Organisations reviewing their practice adopt a better-evidenced one from a partner.

    Each reviews with a monthly chance (raised by innovation) and takes the best-scoring
    programme of its trusted delivering partners when it beats its own by the adoption
    margin; a programme's score is its mean, or a lower bound under trials. Councils under
    trials first drop adopted practice shown not to work. Adopting recomputes the true effect
    of the organisation's practice.
    """
    p, pr, o, net, lv = model.p, model.programmes, model.orgs, model.net, model.levers
    rng = model.streams["adoption"]
    draw = rng.random(o.n)
    par = (p["diffusion_rate"], p["experimentation_caution"], p["experimentation_drop_z"],
           p["experimentation_drop_share"] * pr.prior_mean, p["adoption_trust"],
           p["adoption_margin"], p["council_rollout"], p["scale_loss"])
    innovation, trials = lv.innovation, lv.experimentation
    if isinstance(innovation, np.ndarray):  # else a number, which ``at`` gives as it is
        innovation = lv.at("innovation", o.locality)
    if isinstance(trials, np.ndarray):
        trials = lv.at("experimentation", o.locality)
    model.adoptions += evidence_kernels.adopt(
        kernels.COMPILED, draw, innovation, trials, o.kind, o.active, o.programme, o.own_programme,
        o.rollout, o.practice, pr.theta, pr.mean, pr.sd, net.u, net.v, net.trust, par)


def evidence_backed(model: MissionModel) -> np.ndarray:
    """Whether each programme is evidence-backed.

    Backed when the belief puts its effect above ``meaningful_effect`` with a confidence of
    ``evidence_backed_z`` standard deviations (0.8416: a probability of 0.8).
    """
    pr, p = model.programmes, model.p
    return evidence_kernels.evidence_backed(pr.mean, pr.prec, p["meaningful_effect"],
                                            p["evidence_backed_z"])
