"""A small advice search for the room's budget, and the chart of proposals against its front.

Nothing here depends on Solara. :class:`AdviceJob` runs
:func:`missionsim.analysis.advise.advise` — the search of ``missionsim advise`` — over the
room's scenario, budget, horizon and seed in a background thread, at the small declared sizes
below (about half a minute on two cores), with the shipped advice's search space
(``advise/early_years.toml``). :func:`front_points` and :func:`chart_option` place the Pareto
front's packages and the room's proposals on one chart: public cost (£m PV) against the gain
in the mission indicator at the deadline over no package.

The front's gains are means over the advice's futures (each package against no reforms in the
same futures); the proposals' are the paired effects of the room's comparison (each proposal
against the baseline in the same replicates). Both are gains over the same scenario without a
package, measured over different ensembles; the chart's caption says so.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from missionsim.experiments.options import RunOptions
from missionsim.model.missions import mission_named
from missionsim.resources import find_shipped
from missionsim.ui.jobs import (
    CANCELLED,
    FAILED,
    FINISHED,
    RUN_BY_RUN,
    RUNNING,
    failure_message,
)
from missionsim.ui.room.settings import RoomSettings

log = logging.getLogger(__name__)

ADVICE_FILE = "early_years"
"""The shipped advice file whose search space (reforms, intensities, starts, targets,
``max_reforms``) the room's search uses."""
ADVICE_POPULATION = 8
"""Packages per generation of the room's search (the shipped file's 24, cut for speed)."""
ADVICE_GENERATIONS = 3
"""Generations of the room's search (the shipped file's 10, cut for speed)."""
ADVICE_FUTURES = 4
"""Futures every package of the room's search runs in (the shipped file's 16, cut for speed):
8 × 3 × 4 is at most 96 runs, about half a minute on two cores."""
REFERENCE = "c0000"
"""The advice's reference candidate: the package of no reforms."""
FRONT_COLOUR = "#1f4e79"
"""Colour of the front's packages on the chart (the app's blue)."""
PROPOSAL_COLOUR = "#d95f02"
"""Colour of the room's proposals on the chart."""
BUDGET_COLOUR = "#7f7f7f"
"""Colour of the budget's line on the chart."""
CHART_HEIGHT_PX = 420
"""Height of the chart."""


class _Stopped(Exception):
    """Raised from the progress callback to stop the search."""


class AdviceJob:
    """The room's advice search in a background thread.

    Args:
        settings: The room's settings (scenario, budget, horizon).
        workers: Worker processes (default: one per core).
        abandon: An event that stops the search when set.

    Attributes:
        state: ``running``, ``finished``, ``failed`` or ``cancelled``.
        done: Runs completed so far.
        error: One line when it failed.
        advice: The :class:`~missionsim.analysis.advise.Advice` once finished.
        seconds: Wall-clock seconds it took.
    """

    def __init__(self, settings: RoomSettings, workers: int | None = None,
                 abandon: threading.Event | None = None) -> None:
        self.settings = settings
        self.workers = workers
        self.abandon = abandon
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.state = RUNNING
        self.done = 0
        self.error = ""
        self.advice = None
        self.seconds = 0.0
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="missionsim-room-advice",
                                        daemon=True)
        self._thread.start()

    @property
    def total(self) -> int:
        """The most runs the search plans."""
        return ADVICE_POPULATION * ADVICE_GENERATIONS * ADVICE_FUTURES

    def cancel(self) -> None:
        """Stop the search after the run in hand."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the search to be over; return whether it is."""
        self._thread.join(timeout)
        return self.over

    @property
    def over(self) -> bool:
        """Whether it finished, failed or was cancelled."""
        with self._lock:
            return self.state != RUNNING

    def reading(self) -> tuple[str, int, str]:
        """A consistent ``(state, runs done, error)``."""
        with self._lock:
            return self.state, self.done, self.error

    def _on_result(self, done: int, total: int) -> None:
        with self._lock:
            self.done += 1
        if self._stop.is_set() or (self.abandon is not None and self.abandon.is_set()):
            raise _Stopped

    def _run(self) -> None:
        from missionsim.analysis.advise import advise

        state, error, advice = FINISHED, "", None
        try:
            settings = self.settings
            advice = advise(settings.base(), settings.budget,
                            settings=find_shipped(ADVICE_FILE, "advise"),
                            horizon=settings.horizon, seed=settings.base().seed,
                            population=ADVICE_POPULATION, generations=ADVICE_GENERATIONS,
                            futures=ADVICE_FUTURES,
                            options=RunOptions(workers=self.workers,
                                               on_result=self._on_result,
                                               max_chunk=RUN_BY_RUN))
        except _Stopped:
            state = CANCELLED
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            log.exception("the room's advice search failed")
            state, error = FAILED, failure_message(exc).replace("comparison", "advice search")
        with self._lock:
            self.state, self.error, self.advice = state, error, advice
            self.seconds = time.monotonic() - self._started


@dataclass(frozen=True)
class Point:
    """One package on the chart: its name, words, cost (£m PV) and gain at the deadline."""

    name: str
    words: str
    cost: float
    gain: float


def front_points(advice) -> list[Point]:
    """The Pareto front's packages: mean cost and mean gain over no reforms, by cost."""
    table = advice.candidates
    sign = float(advice.plan.direction)
    reference = float(table.loc[REFERENCE, "deadline_mean"]) if REFERENCE in table.index else 0.0
    points = [Point(str(name), str(row["package"]), float(row["cost_mean"]),
                    sign * (float(row["deadline_mean"]) - reference))
              for name, row in advice.pareto.iterrows()]
    return sorted(points, key=lambda p: p.cost)


def proposal_points(run) -> list[Point]:
    """The compared proposals: their cost and paired gain at the deadline over the baseline.

    Args:
        run: A finished :class:`~missionsim.ui.room.state.RoomRun`.
    """
    view = run.job.view
    if view is None:
        return []
    summary = view.summary.set_index("scenario")
    sign = float(mission_named(view.summary.attrs["mission"]).direction)
    out = []
    for proposal, name in zip(run.proposals, run.names, strict=True):
        if name in summary.index:
            gain = sign * float(summary.loc[name, "effect_deadline"])
            out.append(Point(name, proposal.package.words(), proposal.cost, gain))
    return out


def chart_option(front: list[Point], proposals: list[Point], budget: float) -> dict:
    """An ECharts option: the front's packages and the proposals, cost against gain."""

    def data(points: list[Point]) -> list[dict]:
        return [{"value": [round(p.cost, 3), round(p.gain, 3)], "name": p.name,
                 "words": p.words} for p in points if math.isfinite(p.gain)]

    series = [{"name": "Pareto set (advice)", "type": "scatter", "data": data(front),
               "symbolSize": 10, "itemStyle": {"color": FRONT_COLOUR},
               "markLine": {"silent": True, "symbol": "none",
                            "lineStyle": {"color": BUDGET_COLOUR, "type": "dashed"},
                            "label": {"formatter": f"budget £{budget:g}m",
                                      "position": "insideEndTop"},
                            "data": [{"xAxis": budget}]}},
              {"name": "Proposals (room)", "type": "scatter", "data": data(proposals),
               "symbolSize": 14, "itemStyle": {"color": PROPOSAL_COLOUR},
               "label": {"show": True, "position": "right", "formatter": "{b}"}}]
    return {"animation": False,
            "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
            "legend": {"top": 0},
            "grid": {"left": 60, "right": 30, "top": 40, "bottom": 50},
            "xAxis": {"type": "value", "name": "public cost (£m PV)", "nameLocation": "middle",
                      "nameGap": 28, "min": 0},
            "yAxis": {"type": "value", "name": "gain at the deadline (points)",
                      "nameLocation": "middle", "nameGap": 42},
            "series": series}


__all__ = ["ADVICE_FUTURES", "ADVICE_GENERATIONS", "ADVICE_POPULATION", "AdviceJob",
           "CHART_HEIGHT_PX", "Point", "chart_option", "front_points", "proposal_points"]
