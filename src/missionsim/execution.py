"""Executors: serial, local processes and a dask.distributed cluster, behind one function.

:func:`imap` applies a picklable function to a list of items and yields ``(index, result)``
pairs as they complete. Which executor runs them changes only the speed: results are keyed by
index and every run's seed comes from its identity, never from the worker that ran it.

- ``workers=1`` runs serially in this process;
- ``workers=None`` (default) or ``workers=N`` runs a pool of local processes (all cores by
  default), started with ``forkserver`` so that workers import missionsim once. As with any
  Python process pool (and Mesa's ``batch_run``), a script that uses it must guard its entry
  point with ``if __name__ == "__main__":``;
- ``scheduler="tcp://host:8786"`` (or a :class:`distributed.Client`) sends the work to a
  dask.distributed cluster; the workers need missionsim installed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

IN_FLIGHT_PER_WORKER = 4
"""Work items queued per worker: enough to keep workers busy, few enough to bound memory."""


def available_cores() -> int:
    """Cores this process may use (respects CPU affinity and container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


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
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers = {workers!r}: expected a whole number ≥ 1")
    return workers


def imap(fn: Callable[[Any], Any], items: Iterable[Any], workers: int | None = None,
         scheduler: Any = None) -> Iterator[tuple[int, Any]]:
    """Apply ``fn`` to every item, yielding ``(index, result)`` as each completes.

    Args:
        fn: A picklable (module-level) function of one argument.
        items: The work items (picklable).
        workers: Local worker processes (``None``: all cores; 1: serial, in this process).
        scheduler: A dask.distributed scheduler address or Client; overrides ``workers``.

    Stopping the iteration early (an exception, Ctrl-C) cancels work not yet started.
    """
    items = list(items)
    if not items:
        return
    if scheduler is not None:
        yield from _dask(fn, items, scheduler)
        return
    n = min(resolve_workers(workers), len(items))
    if n == 1:
        for i, item in enumerate(items):
            yield i, fn(item)
        return
    yield from _processes(fn, items, n)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["missionsim.study"])  # where the worker function lives
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX


def _processes(fn: Callable, items: list, n: int) -> Iterator[tuple[int, Any]]:
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_context())
    pending: dict[Future, int] = {}
    queue = iter(enumerate(items))
    try:
        def top_up() -> None:
            while len(pending) < n * IN_FLIGHT_PER_WORKER:
                nxt = next(queue, None)
                if nxt is None:
                    return
                pending[pool.submit(fn, nxt[1])] = nxt[0]

        top_up()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                index = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise RuntimeError(
                        "a worker process died; when calling from a script, put the call under "
                        "`if __name__ == \"__main__\":` (workers import the main module), and "
                        "check that memory suffices") from None
                yield index, result
            top_up()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _dask(fn: Callable, items: list, scheduler: Any) -> Iterator[tuple[int, Any]]:
    from missionsim.extras import require

    require("cluster", "a dask scheduler (--scheduler)")
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout="10s") if own else scheduler
    except OSError as exc:
        raise ValueError(f"scheduler = {scheduler!r}: cannot connect ({exc})") from None
    futures = []
    try:
        futures = client.map(fn, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for future in as_completed(futures):
            result = future.result()
            yield index[future.key], result
            future.release()
    finally:
        for future in futures:
            if not future.done():
                future.cancel()
        if own:
            client.close()
