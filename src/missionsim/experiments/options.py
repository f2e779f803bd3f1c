"""How a study runs: where results go, whether to resume, on which executor, with what feedback.

Every function that runs a study (:func:`~missionsim.experiments.study.compare`,
:func:`~missionsim.experiments.study.replicate`, :func:`~missionsim.experiments.sweep.run_sweep`,
the robustness and claims studies, and :func:`~missionsim.experiments.study.execute` under
them) takes one :class:`RunOptions` instead of a list of keywords. The options never change the
results: the same runs give the same tables on any executor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from missionsim.limits import MAX_WORKERS, whole_number


@dataclass(frozen=True)
class RunOptions:
    """How to run a study.

    Attributes:
        out: Output folder for the results store (``None``: keep results in memory).
        resume: Continue the study already in ``out``, skipping completed runs.
        workers: Local worker processes (``None``: every core; 1: serial, in this process).
        scheduler: A dask.distributed scheduler address or ``Client`` (instead of ``workers``).
        progress: Show a progress bar with an ETA on standard error.
        on_result: Called as ``on_result(done, total)`` after each run (for interfaces).
    """

    out: str | Path | None = None
    resume: bool = False
    workers: int | None = None
    scheduler: Any = None
    progress: bool = False
    on_result: Callable[[int, int], None] | None = None

    def __post_init__(self) -> None:
        if self.workers is not None:
            whole_number(self.workers, "workers", 1, MAX_WORKERS)
        if self.workers is not None and self.scheduler is not None:
            raise ValueError("workers and scheduler: choose one (local processes or a cluster)")
        if not isinstance(self.resume, bool):
            raise ValueError(f"resume = {self.resume!r}: expected true or false")
        if self.resume and self.out is None:
            raise ValueError("resume = True needs out, the folder of the study to continue")

    def but(self, **changes: Any) -> RunOptions:
        """A copy with some options changed (e.g. a sub-study's own ``out``)."""
        return replace(self, **changes)
