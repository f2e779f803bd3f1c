"""Executors: serial, local processes and a dask.distributed cluster, behind one function.

:func:`imap` applies a picklable function to a list of items and yields ``(index, result)``
pairs as they complete. Which executor runs them changes only the speed: results are keyed by
index and every run's seed comes from its identity, never from the worker that ran it.

- ``workers=1`` runs serially in this process;
- ``workers=None`` (default) or ``workers=N`` runs a pool of local processes (all cores by
  default; :mod:`~missionsim.experiments.executors.local`), forked from this process (from a
  fork server that imports missionsim once where other threads run), and kept for the next
  study in the same process (chunks of runs go to each worker; :func:`shutdown` frees the
  workers). As with any Python process pool
  (and Mesa's ``batch_run``), a script that uses it must guard its entry point with
  ``if __name__ == "__main__":``;
- ``scheduler="tcp://host:8786"`` (or a :class:`distributed.Client`) sends the work to a
  dask.distributed cluster (:mod:`~missionsim.experiments.executors.dask`, connecting through
  :mod:`~missionsim.experiments.executors.connect`); the workers need missionsim installed.

On a cluster every wait is bounded and each fault raises
:class:`~missionsim.errors.ClusterError`, one line naming the address and the fault; results
yielded before it stand (see :mod:`~missionsim.experiments.executors.dask`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from missionsim.experiments.executors.dask import run_on_cluster
from missionsim.experiments.executors.local import available_cores, processes, shutdown
from missionsim.limits import MAX_WORKERS, whole_number

__all__ = ["available_cores", "describe", "imap", "resolve_workers", "shutdown"]


def describe(workers: int | None, scheduler: Any) -> str:
    """A short description of the executor these settings choose (for logs and manifests)."""
    if scheduler is not None:
        address = getattr(scheduler, "scheduler", None)
        address = getattr(address, "address", None) or str(scheduler)
        return f"dask scheduler {address}"
    n = resolve_workers(workers)
    return "serial" if n == 1 else f"{n} local processes"


def resolve_workers(workers: int | None) -> int:
    """The number of local workers: ``None`` means every available core."""
    if workers is None:
        return available_cores()
    return whole_number(workers, "workers", 1, MAX_WORKERS)


def imap(fn: Callable[[Any], Any], items: Iterable[Any], workers: int | None = None,
         scheduler: Any = None, max_chunk: int | None = None) -> Iterator[tuple[int, Any]]:
    """Apply ``fn`` to every item, yielding ``(index, result)`` as each completes.

    Args:
        fn: A picklable (module-level) function of one argument.
        items: The work items (picklable).
        workers: Local worker processes (``None``: all cores; 1: serial, in this process).
        scheduler: A dask.distributed scheduler address (``tcp://HOST:PORT`` or
            ``HOST:PORT``), Client or cluster object; overrides ``workers``.
        max_chunk: Most items sent to a worker at once (``None``: chosen from the number of
            items and workers, at most
            :data:`~missionsim.experiments.executors.local.MAX_CHUNK`). ``1`` sends each on
            its own, so that results come one by one (a caller that stops on a result does
            so after the next item); larger chunks cost less per item.

    Stopping the iteration early (an exception, Ctrl-C) cancels work not yet started and, on
    local processes, stops the workers at once (the work in their hands is abandoned).

    Raises:
        ClusterError: The dask cluster cannot be used: a malformed address, a scheduler
            unreachable, not a dask scheduler, lost or silent mid-study, or without workers
            for too long (see :mod:`~missionsim.experiments.executors.dask` for the
            time-outs).
    """
    items = list(items)
    if not items:
        return
    if scheduler is not None:
        yield from run_on_cluster(fn, items, scheduler, max_chunk)
        return
    n = min(resolve_workers(workers), len(items))
    if n == 1:
        for i, item in enumerate(items):
            yield i, fn(item)
        return
    yield from processes(fn, items, n, max_chunk)

