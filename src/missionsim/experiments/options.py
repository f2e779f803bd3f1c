"""How a study runs: where results go, whether to resume, on which executor, with what feedback.

Every function that runs a study (:func:`~missionsim.experiments.study.compare`,
:func:`~missionsim.experiments.study.replicate`, :func:`~missionsim.experiments.sweeps.run_sweep`,
the robustness and claims studies, and :func:`~missionsim.experiments.study.execute` under
them) takes one :class:`RunOptions` instead of a list of keywords. The options never change the
results: the same runs give the same tables on any executor.

The keywords these functions took before (``out=``, ``resume=``, ``workers=``, ``scheduler=``,
``progress=``, ``on_result=``) still work, with a :class:`DeprecationWarning`, and mean what they
meant (:func:`resolve`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from missionsim.experiments.executors.local import MAX_CHUNK
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
        max_chunk: Most runs sent to a worker at once (``None``: chosen from the study's size,
            at most :data:`~missionsim.experiments.executors.local.MAX_CHUNK`). ``1`` sends
            each run on its own: ``on_result`` then hears of each run as it finishes, so a
            study stopped from it (as the app's Cancel does) stops when the next run finishes,
            not the next chunk; larger chunks cost less per run on short runs.
    """

    out: str | Path | None = None
    resume: bool = False
    workers: int | None = None
    scheduler: Any = None
    progress: bool = False
    on_result: Callable[[int, int], None] | None = None
    max_chunk: int | None = None

    def __post_init__(self) -> None:
        if self.workers is not None:
            whole_number(self.workers, "workers", 1, MAX_WORKERS)
        if self.max_chunk is not None:
            whole_number(self.max_chunk, "max_chunk", 1, MAX_CHUNK)
        if self.workers is not None and self.scheduler is not None:
            raise ValueError("workers and scheduler: choose one (local processes or a cluster)")
        if not isinstance(self.resume, bool):
            raise ValueError(f"resume = {self.resume!r}: expected true or false")
        if self.resume and self.out is None:
            raise ValueError("resume = True needs out, the folder of the study to continue")

    def but(self, **changes: Any) -> RunOptions:
        """A copy with some options changed (e.g. a sub-study's own ``out``)."""
        return replace(self, **changes)


def resolve(options: RunOptions | None, keywords: Mapping[str, Any], caller: str) -> RunOptions:
    """The options of a call to a study-running function ``caller``.

    Args:
        options: The options given (``None``: the defaults).
        keywords: Any of the deprecated keywords given instead (the fields of
            :class:`RunOptions`). As before, ``resume`` without ``out`` is ignored, and a
            ``scheduler`` takes precedence over ``workers``.
        caller: The function's name, for messages.

    Raises:
        TypeError: ``options`` is not a :class:`RunOptions`, a keyword is unknown, or both
            ``options`` and keywords are given.
    """
    if options is not None and not isinstance(options, RunOptions):
        raise TypeError(f"{caller}(): options = {options!r}: expected a RunOptions")
    if not keywords:
        return RunOptions() if options is None else options
    known = {f.name for f in fields(RunOptions)}
    unknown = sorted(set(keywords) - known)
    if unknown:
        raise TypeError(f"{caller}() got an unexpected keyword argument {unknown[0]!r}")
    if options is not None:
        raise TypeError(f"{caller}(): pass options=RunOptions(...) or the keywords "
                        f"{', '.join(keywords)}, not both")
    warnings.warn(f"{caller}(..., {'=..., '.join(keywords)}=...): these keywords are "
                  "deprecated; pass options=RunOptions(...) instead", DeprecationWarning,
                  stacklevel=3)
    settings = dict(keywords)
    if settings.get("out") is None:
        settings.pop("resume", None)  # nothing to resume: ignored, as it always was
    if settings.get("scheduler") is not None:
        settings.pop("workers", None)  # the cluster runs the study, as it always did
    return RunOptions(**settings)
