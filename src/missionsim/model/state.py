"""Array-backed state: places (one council each), organisations, programmes and staff posts.

Mesa agents are thin views onto these arrays; the model's phases update them vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np

# organisation kinds and sectors
DEPARTMENT, COUNCIL, CHARITY, UNIT = range(4)  # structural: the four kinds
KIND_NAMES = ("department", "council", "charity", "missions_unit")
SECTOR_OF_KIND = ("central", "local_government", "voluntary", "central")
# staff post status
UNFUNDED, VACANT, FILLED = 0, 1, 2  # structural: post status codes


_SEQUENCES = (list, tuple)


def one_number(value) -> bool:
    """Whether ``value`` is one number (``np.ndim(value) == 0``, without its overhead)."""
    if isinstance(value, np.ndarray):
        return value.ndim == 0
    return not isinstance(value, _SEQUENCES)


def full(n: int, value, dtype=np.float64) -> np.ndarray:
    """``np.full(n, value, dtype=dtype)``: the same array, without its Python-level overhead."""
    out = np.empty(n, dtype=dtype)
    try:
        out[...] = value
    except ValueError:  # a NaN into integers, which np.full casts as it can
        np.copyto(out, value, casting="unsafe")
    return out


def each(value, n: int) -> np.ndarray:
    """``value`` as a float array of ``n`` (a number repeated, or the array itself)."""
    if isinstance(value, np.ndarray) and value.shape == (n,) and value.dtype == np.float64:
        return value
    return full(n, value)


@dataclass
class Places:
    """Per-locality state; locality ``i`` has council ``i``.

    Money is in £m a year unless a name says otherwise.
    """

    cohort: np.ndarray
    deprivation: np.ndarray
    z: np.ndarray  # standardised deprivation
    need0: np.ndarray
    formula_weight: np.ndarray  # share of formula (settlement) money
    capacity: np.ndarray
    capacity_base: np.ndarray
    core: np.ndarray  # core council funding before any funding shock
    crisis0: np.ndarray  # crisis (late) spending demand at the start
    settlement: np.ndarray
    pots: np.ndarray
    pooled: np.ndarray
    balance: np.ndarray
    early_share: np.ndarray
    commissioning: np.ndarray  # annual money commissioned from charities
    y0: np.ndarray  # outcome at month 0
    best: np.ndarray  # best achievable outcome per place
    y: np.ndarray  # true outcome
    gaming: np.ndarray  # share of the gap hidden by gaming
    d0: np.ndarray = field(default=None)  # reference delivery (calibrated system, month 0)
    delivery: np.ndarray = field(default=None)  # effective delivery relative to d0
    reach: np.ndarray = field(default=None)
    reach0: np.ndarray = field(default=None)
    filled0: np.ndarray = field(default=None)
    y_hist: list = field(default_factory=list)  # last few months of y, for trends
    settlement_age: int = 0  # years since the last settlement round
    names: tuple = ()  # place names (a places file's; empty on drawn worlds)
    codes: tuple = ()  # place codes (a places file's; empty on drawn worlds)
    neighbours: np.ndarray = field(default=None)  # n × k neighbour rows, -1 padded (or None)
    reach_factor: np.ndarray = field(default=None)  # starting reach relative to the formula

    @cached_property
    def most_deprived(self) -> tuple[np.ndarray, np.ndarray]:
        """The most deprived tenth of places (their indices) and their cohorts.

        Worked out once: places keep their deprivation and cohort for the whole run.
        """
        k = max(1, self.n // 10)  # structural: deciles
        idx = np.argsort(self.deprivation)[-k:]
        return idx, self.cohort[idx]

    def name(self, i: int) -> str:
        """The name of place ``i``: its own, or "Place i+1" on a drawn world."""
        return self.names[i] if self.names else f"Place {i + 1}"

    @property
    def n(self) -> int:
        """Number of places."""
        return int(self.cohort.size)


@dataclass
class Orgs:
    """Per-organisation state for every slot (departments, councils, charities, the unit)."""

    kind: np.ndarray
    locality: np.ndarray  # -1 for national organisations
    active: np.ndarray
    node: np.ndarray  # graph node id (Mesa unique_id of the current agent)
    programme: np.ndarray  # programme currently used (charities and councils)
    own_programme: np.ndarray  # programme the organisation started with
    practice: np.ndarray  # true effect (SD) of the practice in use, after any scale loss
    rollout: np.ndarray  # share of the organisation's teams using `programme` (rest: own)
    reserves: np.ndarray  # £m (charities)
    reserve_target: np.ndarray  # months of costs each charity aims to hold
    contract: np.ndarray  # £m a year from council contracts
    grant: np.ndarray  # £m a year from department grants
    grant_settled: np.ndarray  # the settled (non-competitive) part of the grant
    donations: np.ndarray  # £m a month
    donations0: np.ndarray  # long-run level of donations (£m a month)
    closed: int = 0  # closures so far
    founded: int = 0  # new charities so far

    @property
    def n(self) -> int:
        """Number of organisation slots."""
        return int(self.kind.size)


class Programmes:
    """Programmes: true effect (hidden) and the evidence about it (a normal posterior)."""

    def __init__(self, prior_mean: float, prior_sd: float) -> None:
        self.theta = np.zeros(0)
        self.mean = np.zeros(0)
        self.prec = np.zeros(0)
        self.prior_mean = prior_mean
        self.prior_prec = 1.0 / prior_sd**2  # structural: precision is 1 / variance

    def add(self, theta: np.ndarray) -> np.ndarray:
        """Add programmes with true effects ``theta``; return their ids."""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        start = self.theta.size
        self.theta = np.concatenate([self.theta, theta])
        self.mean = np.concatenate([self.mean, np.full(theta.size, self.prior_mean)])
        self.prec = np.concatenate([self.prec, np.full(theta.size, self.prior_prec)])
        return np.arange(start, start + theta.size)

    @property
    def sd(self) -> np.ndarray:
        """Posterior standard deviation of each programme's effect."""
        return 1.0 / np.sqrt(self.prec)

    @property
    def n(self) -> int:
        """Number of programmes."""
        return int(self.theta.size)


class OrgSums(NamedTuple):
    """Sums over each employer's posts in post (one entry per organisation slot)."""

    filled: np.ndarray  # posts in post (int64)
    skill: np.ndarray  # sum of the holders' skill
    effort: np.ndarray  # sum of morale × skill
    morale: np.ndarray  # sum of the holders' morale


class StaffArrays:
    """Frontline posts: employer, locality, status and the holder's skill, morale, tenure.

    Slots are appended when employers fund more posts than they have; a post an employer can
    no longer fund becomes ``UNFUNDED`` and is reused first when it funds posts again.
    """

    _FIELDS = (("org", np.int64), ("loc", np.int64), ("status", np.int8),
               ("skill", np.float64), ("morale", np.float64), ("tenure", np.int64))

    def __init__(self) -> None:
        for name, dtype in self._FIELDS:
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.quits = 0
        self.hires = 0
        self._funded: np.ndarray | None = None
        self._sums: OrgSums | None = None
        self.by_employer: tuple[np.ndarray, np.ndarray] | None = None
        """The posts grouped by employer (:func:`~missionsim.model.kernels.posts_by_employer`),
        kept by :meth:`~missionsim.model.organisations.Organisations.set_establishment` while no
        post moves employer and none is appended; None when not kept."""

    @property
    def n(self) -> int:
        """Number of post slots."""
        return int(self.org.size)

    def append(self, org: np.ndarray, loc: np.ndarray) -> np.ndarray:
        """Append unfunded slots for employers ``org`` in localities ``loc``; return slots."""
        org = np.asarray(org, dtype=np.int64)
        start = self.n
        k = int(org.size)
        for name, dtype in self._FIELDS:
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(k, dtype=dtype)]))
        self.org[start:] = org
        self.loc[start:] = loc
        self.funding_changed()
        self.by_employer = None
        return np.arange(start, start + k)

    def funded_count(self) -> int:
        """Number of funded posts (vacant or filled)."""
        return int(np.count_nonzero(self.status != UNFUNDED))

    def filled_count(self) -> int:
        """Number of filled posts (headcount)."""
        return int(np.count_nonzero(self.status == FILLED))

    def funded_by_org(self, n_orgs: int) -> np.ndarray:
        """Funded posts per organisation slot (read-only).

        Posts are funded or unfunded only by :meth:`~missionsim.model.organisations.
        Organisations.set_establishment` (which keeps the counts up to date through
        :meth:`funding_known`) and when slots are appended (which calls
        :meth:`funding_changed`); quits and hires move posts between vacant and filled, which
        leaves the counts alone. So the counts are computed once and reused until then (the
        finance phase asks for them several times a month).
        """
        cached = self._funded
        if cached is None or cached.size < n_orgs:
            cached = np.bincount(self.org[self.status != UNFUNDED], minlength=n_orgs)
            cached.setflags(write=False)
            self._funded = cached
        return cached

    def funding_changed(self) -> None:
        """Forget the funded-post counts: a post was funded, unfunded or moved employer."""
        self._funded = None
        self._sums = None

    def funding_known(self, funded: np.ndarray, n_orgs: int) -> None:
        """Keep ``funded`` as the funded-post counts after a change that tracked them.

        ``funded`` must equal what :meth:`funded_by_org` would count afresh; it is trimmed to
        the same length (``n_orgs``, or past the last employer with a funded post).
        """
        if funded.size > n_orgs:
            top = max(n_orgs, int(np.flatnonzero(funded[n_orgs:]).max(initial=-1)) + n_orgs + 1)
            funded = funded[:top]
        funded.setflags(write=False)
        self._funded = funded
        self._sums = None

    def filled_by_org(self, n_orgs: int) -> np.ndarray:
        """Filled posts per organisation slot (read-only)."""
        return self.sums_by_org(n_orgs).filled

    def sums_by_org(self, n_orgs: int) -> OrgSums:
        """Each employer's posts in post, and the sums of their holders' skill and morale.

        Worked out once and kept (read-only) until the posts change: changes of establishment
        forget them (:meth:`funding_known`, :meth:`funding_changed`), and the workforce's
        month keeps the ones its pass makes (:meth:`staff_changed`). A month reads them in the
        finance, evidence, outcome and record phases.
        """
        kept = self._sums
        if kept is None or kept.filled.size < n_orgs:
            from missionsim.model import employer_kernels, kernels  # they use this module's codes

            kept = OrgSums(*employer_kernels.org_sums(kernels.COMPILED, self.status, self.org,
                                                      self.skill, self.morale, n_orgs))
            for values in kept:
                values.setflags(write=False)
            self._sums = kept
        return kept

    def staff_changed(self, sums: tuple | None = None) -> None:
        """A holder's status, skill or morale changed: forget the sums by employer.

        Or keep ``sums`` (filled, skill, morale × skill, morale) as the new ones, where the
        pass that made the change made them too.
        """
        if sums is not None:
            sums = OrgSums(*sums)
            for values in sums:
                values.setflags(write=False)
        self._sums = sums
