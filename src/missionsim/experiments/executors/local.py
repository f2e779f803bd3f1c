"""Local worker processes: a pool started with ``forkserver``, fed a bounded queue of work.

Workers import the module of the function they run once, when the fork server starts (its
preload), instead of once per process. As with any Python process pool (and Mesa's
``batch_run``), a script that uses it must guard its entry point with
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
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


def _context(fn: Callable) -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # preload where the worker function lives, so workers import it once
        ctx.set_forkserver_preload([fn.__module__])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX


def processes(fn: Callable, items: list, n: int) -> Iterator[tuple[int, Any]]:
    """Apply ``fn`` to every item on ``n`` local processes; yield ``(index, result)``.

    At most :data:`IN_FLIGHT_PER_WORKER` items per worker are queued at a time. Stopping the
    iteration early cancels work not yet started and shuts the pool down.

    Raises:
        RuntimeError: A worker process died (the pool cannot go on).
    """
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_context(fn))
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

