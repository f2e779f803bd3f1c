"""The room: participants, their proposals, the room's comparison and what is shown.

Nothing here depends on Solara. One :class:`Room` lives in the server process and every
browser session reads and changes it through its methods, each under the room's lock. A
participant is a browser session (its Solara session id); it joins with the room's code and
then reads and changes only its own proposals. The facilitator's methods take the facilitator
key and refuse any other (compared with :func:`secrets.compare_digest`). What everyone sees
together — the proposals and the comparison's results — is handed out only while the
facilitator shows it (:meth:`Room.shared`).

A package's cost is its public cost in present value over the room's horizon, the accounts
``compare --equal-cost`` and the advice count against a budget
(:func:`missionsim.experiments.equalcost.public_costs`): the mean over the room's first
:data:`COST_REPLICATES` paired replicates, run one at a time in the asking session's thread.
Costs are kept by package, so a package is costed once however many people propose it.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from missionsim import limits
from missionsim.experiments.costs import GREEN_BOOK_RATE
from missionsim.experiments.equalcost import public_costs
from missionsim.experiments.options import RunOptions
from missionsim.ui.jobs import FINAL_STATES, CompareJob
from missionsim.ui.room.settings import (
    Package,
    RoomError,
    RoomSettings,
    make_settings,
    proposal_name,
    typed_code,
    unique_names,
)

COST_REPLICATES = 2
"""Paired replicates a package's cost is the mean of (the room's first two, which every
comparison runs): a run takes a fraction of a second, and cost varies little between
replicates."""
COST_PROBES_AT_ONCE = 1
"""Packages costed at once in the whole room (one core): costing never crowds out the
facilitator's comparison."""
BASELINE_LABEL = "baseline (no package)"
"""The comparison's name for the room's scenario as it is."""


@dataclass(frozen=True)
class Proposal:
    """One participant's proposal.

    Attributes:
        number: Its number in the room (1, 2, …; never reused).
        name: Its name (checked by :func:`~missionsim.ui.room.settings.proposal_name`).
        package: The reforms proposed.
        cost: Its public cost, £m PV over the horizon.
    """

    number: int
    name: str
    package: Package
    cost: float


@dataclass(frozen=True)
class RoomRun:
    """One comparison of the room's proposals, and the proposals it compared.

    Attributes:
        proposals: The proposals compared, in the order of the comparison's scenarios.
        names: Each proposal's scenario name in the comparison (unique).
        job: The comparison (:class:`~missionsim.ui.jobs.CompareJob`).
        settings: The room's settings it ran with.
    """

    proposals: tuple[Proposal, ...]
    names: tuple[str, ...]
    job: CompareJob
    settings: RoomSettings


@dataclass(frozen=True)
class Shared:
    """What every participant sees once the facilitator shows it.

    Attributes:
        proposals: Every proposal in the room now (names, packages, costs).
        run: The latest comparison, or ``None``.
        advice: The latest advice search (a :class:`~missionsim.ui.room.advice.AdviceJob`),
            or ``None``.
    """

    proposals: tuple[Proposal, ...]
    run: RoomRun | None
    advice: object | None


@dataclass
class _Participant:
    proposals: dict[int, Proposal] = field(default_factory=dict)


class Room:
    """A room: its code, settings, participants, proposals, comparison and what is shown.

    Thread-safe: every method may be called from any session's thread.

    Args:
        code: The code participants type (default: a new one).
        key: The facilitator key (default: a new one).
        settings: The room's settings (default: :class:`RoomSettings`'s).
        workers: Worker processes of the room's comparison (default: one per core).

    Attributes:
        code: The room code.
    """

    def __init__(self, code: str | None = None, key: str | None = None,
                 settings: RoomSettings | None = None, workers: int | None = None) -> None:
        from missionsim.ui.room.settings import facilitator_key, room_code

        self.code = code or room_code()
        self._key = key or facilitator_key()
        self._settings = settings or RoomSettings()
        self._workers = workers
        self._lock = threading.RLock()
        self._probes = threading.Semaphore(COST_PROBES_AT_ONCE)
        self._participants: dict[str, _Participant] = {}
        self._failed: dict[str, int] = {}
        self._costs: dict[tuple[str, int, Package], float] = {}
        self._next = 1
        self._shown = False
        self._run: RoomRun | None = None
        self._advice: object | None = None

    # --- who is who ------------------------------------------------------------------------
    def is_facilitator(self, key: object) -> bool:
        """Whether ``key`` is the facilitator key (a constant-time comparison)."""
        return isinstance(key, str) and secrets.compare_digest(key.encode(),
                                                               self._key.encode())

    def _facilitator(self, key: object) -> None:
        if not self.is_facilitator(key):
            raise RoomError("Only the facilitator's link may do that")

    def join(self, session: str, code: object) -> None:
        """Let a browser session in with the room's code (joining again is harmless).

        Raises:
            RoomError: A wrong code, too many wrong codes, or the room is full.
        """
        with self._lock:
            if session in self._participants:
                return
            if self._failed.get(session, 0) >= limits.MAX_JOIN_ATTEMPTS:
                raise RoomError("Too many wrong codes from this browser; ask the facilitator")
            if not secrets.compare_digest(typed_code(code).encode(), self.code.encode()):
                self._failed[session] = self._failed.get(session, 0) + 1
                raise RoomError("That is not this room's code; check it and try again")
            if len(self._participants) >= limits.MAX_ROOM_PARTICIPANTS:
                raise RoomError(f"The room is full ({limits.MAX_ROOM_PARTICIPANTS} "
                                "participants)")
            self._participants[session] = _Participant()

    def joined(self, session: str) -> bool:
        """Whether a browser session has joined."""
        with self._lock:
            return session in self._participants

    def _member(self, session: str) -> _Participant:
        member = self._participants.get(session)
        if member is None:
            raise RoomError("Join the room with its code first")
        return member

    # --- settings and costs -----------------------------------------------------------------
    @property
    def settings(self) -> RoomSettings:
        """The room's settings now."""
        with self._lock:
            return self._settings

    def configure(self, key: object, **values: object) -> RoomSettings:
        """Change the room's settings (facilitator only): scenario, budget, replicates, horizon.

        The scenario and the horizon set what packages cost, so they change only while the room
        holds no proposal. The budget and the replicates change at any time; a proposal over a
        lowered budget stays until its owner replaces it, marked as over it.

        Raises:
            RoomError: Not the facilitator, or a bad value (one line).
        """
        self._facilitator(key)
        with self._lock:
            now = self._settings
            merged = {"scenario": now.scenario, "budget": now.budget,
                      "replicates": now.replicates, "horizon": now.horizon, **values}
            new = make_settings(**merged)
            if (new.scenario, new.horizon) != (now.scenario, now.horizon) and self._count():
                raise RoomError("Scenario and horizon: change them before any proposal is made "
                                "(they set what packages cost)")
            self._settings = new
            return new

    def cost(self, package: Package) -> float:
        """The package's public cost (£m PV over the horizon) in the room's scenario.

        Computed once per package, scenario and horizon, one package at a time in the room.
        """
        settings = self.settings
        where = (settings.scenario, settings.horizon, package)
        with self._lock:
            known = self._costs.get(where)
        if known is not None:
            return known
        with self._probes:
            with self._lock:
                known = self._costs.get(where)
            if known is not None:
                return known
            base = settings.base()
            scenario = settings.scenario_of(package, "package")
            value = public_costs({"package": scenario}, COST_REPLICATES, base.seed,
                                 GREEN_BOOK_RATE, RunOptions(workers=1))["package"]
        with self._lock:
            self._costs[where] = value
        return value

    def over_budget(self, cost: float) -> str:
        """'' when ``cost`` is within the budget, else one line saying by how much."""
        budget = self.settings.budget
        if cost <= budget:
            return ""
        return (f"Over the budget by £{cost - budget:,.2f}m (costs £{cost:,.2f}m; the budget "
                f"is £{budget:,.2f}m)")

    # --- a participant's proposals ----------------------------------------------------------
    def propose(self, session: str, name: object, package: Package,
                replace: int | None = None) -> Proposal:
        """Add a proposal, or replace one of the session's own (``replace``: its number).

        Raises:
            RoomError: Not joined, a bad name, over the budget, a limit reached, or
                ``replace`` not one of the session's proposals.
        """
        checked = proposal_name(name)
        if not isinstance(package, Package):
            raise RoomError("Package: expected reforms with an intensity and a start month")
        with self._lock:
            self._member(session)  # refuse before any run
            costed = (self._settings.scenario, self._settings.horizon)
        cost = self.cost(package)
        with self._lock:  # the budget as it is now, and the cost for the settings now
            if (self._settings.scenario, self._settings.horizon) != costed:
                raise RoomError("The room's settings changed; check the cost again")
            over = self.over_budget(cost)
            if over:
                raise RoomError(over)
            member = self._member(session)
            if replace is not None:
                if replace not in member.proposals:
                    raise RoomError("That proposal is not yours, or was withdrawn")
                number = replace
            else:
                if len(member.proposals) >= limits.MAX_ROOM_PROPOSALS_EACH:
                    raise RoomError(f"You have {limits.MAX_ROOM_PROPOSALS_EACH} proposals, "
                                    "the most each; withdraw or replace one")
                if self._count() >= limits.MAX_ROOM_PROPOSALS:
                    raise RoomError(f"The room holds {limits.MAX_ROOM_PROPOSALS} proposals, "
                                    "the most it takes; ask the facilitator")
                number, self._next = self._next, self._next + 1
            member.proposals[number] = Proposal(number, checked, package, cost)
            return member.proposals[number]

    def withdraw(self, session: str, number: int) -> None:
        """Withdraw one of the session's own proposals.

        Raises:
            RoomError: Not joined, or not one of the session's proposals.
        """
        with self._lock:
            if self._member(session).proposals.pop(number, None) is None:
                raise RoomError("That proposal is not yours, or was withdrawn")

    def mine(self, session: str) -> tuple[Proposal, ...]:
        """The session's own proposals, oldest first (none when not joined)."""
        with self._lock:
            member = self._participants.get(session)
            return tuple(member.proposals.values()) if member is not None else ()

    def _count(self) -> int:
        return sum(len(m.proposals) for m in self._participants.values())

    def _all(self) -> tuple[Proposal, ...]:
        every = [p for m in self._participants.values() for p in m.proposals.values()]
        return tuple(sorted(every, key=lambda p: p.number))

    # --- the facilitator ---------------------------------------------------------------------
    def proposals(self, key: object) -> tuple[Proposal, ...]:
        """Every proposal in the room, by number (facilitator only)."""
        self._facilitator(key)
        with self._lock:
            return self._all()

    def participants(self, key: object) -> int:
        """How many have joined (facilitator only)."""
        self._facilitator(key)
        with self._lock:
            return len(self._participants)

    def show(self, key: object, shown: bool) -> None:
        """Show the proposals and results to the room, or hide them (facilitator only)."""
        self._facilitator(key)
        with self._lock:
            self._shown = bool(shown)

    def shown(self) -> bool:
        """Whether the facilitator shows the proposals and results to the room."""
        with self._lock:
            return self._shown

    def shared(self) -> Shared | None:
        """What the room sees together, or ``None`` while the facilitator has not shown it."""
        with self._lock:
            if not self._shown:
                return None
            return Shared(self._all(), self._run, self._advice)

    def latest(self, key: object) -> RoomRun | None:
        """The latest comparison (facilitator only)."""
        self._facilitator(key)
        with self._lock:
            return self._run

    def compare(self, key: object, abandon: threading.Event | None = None) -> RoomRun:
        """Start one paired comparison of every proposal beside the baseline (facilitator).

        Every scenario runs replicate ``r`` with the same seed, world and shocks (common
        random numbers: :class:`~missionsim.ui.jobs.CompareJob`).

        Raises:
            RoomError: Not the facilitator, no proposal, or a comparison still running.
        """
        self._facilitator(key)
        with self._lock:
            if self._run is not None and self._run.job.progress().state not in FINAL_STATES:
                raise RoomError("The comparison is still running; wait for it or cancel it")
            proposals = self._all()
            if not proposals:
                raise RoomError("No proposal yet: nothing to compare")
            settings = self._settings
            base = settings.base().with_changes(name=BASELINE_LABEL)
            names = unique_names([p.name for p in proposals], {BASELINE_LABEL})
            scenarios = [base, *(settings.scenario_of(p.package, n)
                                 for p, n in zip(proposals, names, strict=True))]
            job = CompareJob(scenarios, settings.replicates, baseline=BASELINE_LABEL,
                             workers=self._workers, seed=base.seed, abandon=abandon)
            self._run = RoomRun(proposals, tuple(names), job.start(), settings)
            return self._run

    def start_advice(self, key: object, start: Callable[[RoomSettings], object]) -> object:
        """Start an advice search as ``start(settings)`` and keep it (facilitator only).

        Args:
            key: The facilitator key.
            start: Starts the search for the room's settings and returns it (an
                :class:`~missionsim.ui.room.advice.AdviceJob`).

        Raises:
            RoomError: Not the facilitator, or a search still running.
        """
        self._facilitator(key)
        with self._lock:
            if self._advice is not None and not self._advice.over:
                raise RoomError("The advice search is still running; wait for it")
            self._advice = start(self._settings)
            return self._advice

    def advice(self, key: object) -> object | None:
        """The latest advice search (facilitator only)."""
        self._facilitator(key)
        with self._lock:
            return self._advice


__all__ = ["BASELINE_LABEL", "COST_REPLICATES", "Proposal", "Room", "RoomRun", "Shared"]
