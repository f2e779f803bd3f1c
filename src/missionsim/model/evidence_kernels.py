"""Compiled evidence passes (:mod:`missionsim.model.evidence`): learning and adoption.

Each kernel makes one pass where the NumPy code it replaces makes many small ones, and gives
exactly the result of its NumPy reference, kept here for the unit tests
(``tests/unit/test_evidence_kernels.py``) and as the path taken when numba is not used.
Every sum and product keeps the reference's order of operations; square roots are taken by
the caller, in NumPy. Adoption picks each reviewer's best candidate in one pass over the ties
instead of sorting them: the candidate with the highest score, the earliest in the order the
reference sorts in (the ``u`` ends first, then the ``v`` ends) among equal scores, and a
score that is not a number only where every candidate's is not.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_helper as _helper
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.state import CHARITY, COUNCIL, each


def evidence_backed(mean: np.ndarray, prec: np.ndarray, meaningful: float,
                    z: float) -> np.ndarray:
    """Whether each programme is evidence-backed, from its belief's ``mean`` and ``prec``.

    Backed when the belief puts its effect above ``meaningful`` with a confidence of ``z``
    standard deviations (``sd = 1 / sqrt(prec)``).
    """
    return (mean - meaningful) / (1.0 / np.sqrt(prec)) >= z


# --- learning: each programme's belief after the month's evidence -----------------------------
def learn_reference(theta: np.ndarray, mean: np.ndarray, prec: np.ndarray, z: np.ndarray,
                    info_u: np.ndarray, info: np.ndarray, root: np.ndarray,
                    bias_share: float) -> None:
    """Update the belief (``mean``, ``prec``) of every programme with evidence (reference).

    ``info`` is the month's information about each programme, ``info_u`` the part of it from
    uncontrolled experience (biased by ``bias_share`` of its weight), ``root`` the square
    root of ``info`` where it is positive and ``z`` the standard normal noise. Programmes
    with no information keep their belief. Works in place on ``mean`` and ``prec``.
    """
    seen = info > 0
    bias = bias_share * info_u[seen] / info[seen]
    signal = theta[seen] + bias + z[seen] / root[seen]
    p = prec[seen]
    mean[seen] = (p * mean[seen] + info[seen] * signal) / (p + info[seen])
    prec[seen] = p + info[seen]


@_compile
def _learn_kernel(theta, mean, prec, z, info_u, info, root, bias_share):
    """Compiled :func:`learn_reference`: the same beliefs."""
    for j in range(info.size):
        if info[j] > 0:
            bias = bias_share * info_u[j] / info[j]
            signal = theta[j] + bias + z[j] / root[j]
            p = prec[j]
            mean[j] = (p * mean[j] + info[j] * signal) / (p + info[j])
            prec[j] = p + info[j]


def learn(compiled: bool, theta: np.ndarray, mean: np.ndarray, prec: np.ndarray,
          z: np.ndarray, info_u: np.ndarray, info: np.ndarray, root: np.ndarray,
          bias_share: float) -> None:
    """Update the belief of every programme in place; see :func:`learn_reference`."""
    fn = _learn_kernel if compiled else learn_reference
    fn(theta, mean, prec, z, info_u, info, root, float(bias_share))


# --- adoption ---------------------------------------------------------------------------------
def practice_reference(slots: np.ndarray, programme: np.ndarray, own: np.ndarray,
                       rollout: np.ndarray, theta: np.ndarray, practice: np.ndarray,
                       scale_loss: float) -> None:
    """Recompute the true effect of the practice used by ``slots`` from their programmes.

    Teams on the organisation's own programme get its full effect; teams on an adopted
    programme get its effect less the loss at scale. Works in place on ``practice``.
    """
    adopted = programme[slots] != own[slots]
    loss = np.where(adopted, 1.0 - scale_loss, 1.0)
    r = rollout[slots]
    practice[slots] = (r * theta[programme[slots]] * loss + (1.0 - r) * theta[own[slots]])


def adopt_reference(draw: np.ndarray, innovation: np.ndarray, trials: np.ndarray,
                    kind: np.ndarray, active: np.ndarray, programme: np.ndarray,
                    own: np.ndarray, rollout: np.ndarray, practice: np.ndarray,
                    theta: np.ndarray, mean: np.ndarray, sd: np.ndarray, net_u: np.ndarray,
                    net_v: np.ndarray, trust: np.ndarray, par: tuple) -> int:
    """Organisations review their practice and adopt a partner's (NumPy reference).

    ``draw`` holds a uniform per organisation slot (a slot reviews when it is below the
    review rate, raised by ``innovation``); ``trials`` is the experimentation lever in each
    slot's place; ``mean`` and ``sd`` the belief about each programme; ``net_u``, ``net_v``
    and ``trust`` the ties. ``par``: the review rate, the caution under trials, the z of the
    upper bound below which councils under trials drop adopted practice, the effect that
    bound must reach, the trust a tie needs, the margin a candidate must win by, a council's
    rollout step and the loss at scale. Works in place on ``programme``, ``rollout`` and
    ``practice``; returns the number of adoptions.
    """
    rate, caution, drop_z, drop_below, adoption_trust, margin, step, scale_loss = par
    review = draw < rate * (1.0 + innovation)
    delivering = ((kind == COUNCIL) | (kind == CHARITY)) & active
    review &= delivering
    if np.any(trials > 0):  # de-adopt practice shown not to work
        used = np.maximum(programme, 0)
        upper = mean[used] + drop_z * sd[used]
        drop = delivering & (upper < drop_below) & (programme != own)
        drop &= (kind == COUNCIL) & (trials > 0)
        if drop.any():
            programme[drop] = own[drop]
            rollout[drop] = 1.0
            practice_reference(np.flatnonzero(drop), programme, own, rollout, theta, practice,
                               scale_loss)
    if net_u.size == 0 or not review.any():
        return 0
    ok = (trust >= adoption_trust) & delivering[net_u] & delivering[net_v]
    reviewer = np.concatenate([net_u[ok], net_v[ok]])
    source = np.concatenate([net_v[ok], net_u[ok]])
    keep = review[reviewer]
    reviewer, source = reviewer[keep], source[keep]
    if reviewer.size == 0:
        return 0
    cand = programme[source]
    cand_score = mean[cand] - caution * trials[reviewer] * sd[cand]
    order = np.lexsort((-cand_score, reviewer))
    reviewer, cand, cand_score = reviewer[order], cand[order], cand_score[order]
    first = np.r_[True, reviewer[1:] != reviewer[:-1]]
    reviewer, cand, cand_score = reviewer[first], cand[first], cand_score[first]
    current = programme[reviewer]
    current_score = mean[current] - caution * trials[reviewer] * sd[current]
    better = cand_score > current_score + margin
    # a council already using the programme keeps rolling it out to more of its teams
    deepen = (cand == current) & (kind[reviewer] == COUNCIL) & (cand != own[reviewer])
    take = (better & (cand != current)) | deepen
    reviewer, cand, deepen = reviewer[take], cand[take], deepen[take]
    # a charity switches its whole (small) service; a council rolls a new programme out to a
    # share of its teams, and to more of them at each later review
    council = kind[reviewer] == COUNCIL
    mine = cand == own[reviewer]
    r = rollout[reviewer]
    rollout[reviewer] = np.where(~council | mine, 1.0,
                                 np.where(deepen, r + step * (1.0 - r), step))
    programme[reviewer] = cand
    practice_reference(reviewer, programme, own, rollout, theta, practice, scale_loss)
    return int(reviewer.size)


@_helper
def _set_practice(i, programme, own, rollout, theta, practice, scale_loss):
    """:func:`practice_reference` for the one slot ``i``."""
    loss = 1.0 - scale_loss if programme[i] != own[i] else 1.0
    r = rollout[i]
    practice[i] = r * theta[programme[i]] * loss + (1.0 - r) * theta[own[i]]


@_helper
def _offer(r, s, programme, trials, mean, sd, caution, has, best, best_score):
    """Reviewer ``r`` considers source ``s``'s programme: keep it if it scores higher.

    Equal scores keep the earlier candidate; a score that is not a number loses to any
    that is, as it sorts last in the reference.
    """
    c = programme[s]
    score = mean[c] - caution * trials[r] * sd[c]
    held = best_score[r]
    if not has[r] or score > held or (held != held and score == score):
        has[r] = True
        best[r] = c
        best_score[r] = score


@_compile
def _adopt_kernel(draw, innovation, trials, kind, active, programme, own, rollout, practice,
                  theta, mean, sd, net_u, net_v, trust, par):
    """Compiled :func:`adopt_reference`: the same adoptions."""
    rate, caution, drop_z, drop_below, adoption_trust, margin, step, scale_loss = par
    n = kind.size
    delivering = np.empty(n, dtype=np.bool_)
    review = np.empty(n, dtype=np.bool_)
    for i in range(n):
        delivering[i] = (kind[i] == COUNCIL or kind[i] == CHARITY) and active[i]
        review[i] = draw[i] < rate * (1.0 + innovation[i]) and delivering[i]
    for i in range(n):  # de-adopt practice shown not to work
        if delivering[i] and kind[i] == COUNCIL and trials[i] > 0 and programme[i] != own[i]:
            used = max(programme[i], 0)
            if mean[used] + drop_z * sd[used] < drop_below:
                programme[i] = own[i]
                rollout[i] = 1.0
                _set_practice(i, programme, own, rollout, theta, practice, scale_loss)
    # each reviewer's best candidate, the u ends of the ties first, then the v ends (a tie is
    # read only where its end reviews: few do in a month)
    has = np.zeros(n, dtype=np.bool_)
    best = np.zeros(n, dtype=np.int64)
    best_score = np.zeros(n)
    for e in range(net_u.size):
        a, b = net_u[e], net_v[e]
        if review[a] and trust[e] >= adoption_trust and delivering[a] and delivering[b]:
            _offer(a, b, programme, trials, mean, sd, caution, has, best, best_score)
    for e in range(net_u.size):
        a, b = net_u[e], net_v[e]
        if review[b] and trust[e] >= adoption_trust and delivering[a] and delivering[b]:
            _offer(b, a, programme, trials, mean, sd, caution, has, best, best_score)
    adoptions = 0
    for i in range(n):
        if not has[i]:
            continue
        cand = best[i]
        current = programme[i]
        current_score = mean[current] - caution * trials[i] * sd[current]
        council = kind[i] == COUNCIL
        deepen = cand == current and council and cand != own[i]
        if not ((best_score[i] > current_score + margin and cand != current) or deepen):
            continue
        r = rollout[i]
        if not council or cand == own[i]:
            rollout[i] = 1.0
        elif deepen:
            rollout[i] = r + step * (1.0 - r)
        else:
            rollout[i] = step
        programme[i] = cand
        _set_practice(i, programme, own, rollout, theta, practice, scale_loss)
        adoptions += 1
    return adoptions


def adopt(compiled: bool, draw: np.ndarray, innovation, trials, kind: np.ndarray,
          active: np.ndarray, programme: np.ndarray, own: np.ndarray, rollout: np.ndarray,
          practice: np.ndarray, theta: np.ndarray, mean: np.ndarray, sd: np.ndarray,
          net_u: np.ndarray, net_v: np.ndarray, trust: np.ndarray, par: tuple) -> int:
    """Reviews and adoptions this month; the number of adoptions (see :func:`adopt_reference`).

    ``innovation`` and ``trials`` may each be a number (the same in every slot).
    """
    n = kind.size
    par = tuple(map(float, par))
    fn = _adopt_kernel if compiled else adopt_reference
    return int(fn(draw, each(innovation, n), each(trials, n), kind, active, programme, own,
                  rollout, practice, theta, mean, sd, net_u, net_v, trust, par))


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on one programme and one council."""
    if not compiled:
        return
    real = np.ones(1)
    learn(True, real, real.copy(), real.copy(), real, real, real, real, 0.0)
    slot = np.zeros(1, dtype=np.int64)
    adopt(True, real, 0.0, 0.0, np.full(1, COUNCIL, dtype=np.int8), np.ones(1, dtype=bool),
          slot.copy(), slot, real.copy(), real.copy(), real, real, real, slot, slot, real,
          (0.0,) * 8)  # structural: the eight parameters of par
