"""Local worker processes: a pool started once, fed chunks of work.

Workers are forked from the calling process when no other thread runs in it, so they start with
what it has already imported; otherwise from a fork server that imports the module of the
function they run once (its preload) instead of once per process. The pool then stays up for
the life of the process, so a second study (a robustness screen's next batch, the app's next
comparison, a notebook's next call) pays no start-up; it is replaced only when a study asks for
another number of workers, when a worker died, or when a study was interrupted, and it is shut
down at exit (:func:`shutdown`). Work goes to the workers in chunks of several items, so that
short runs are not dominated by the cost of sending each one. As with any Python process pool
(and Mesa's ``batch_run``), a script that uses it must guard its entry point with
``if __name__ == "__main__":``.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

IN_FLIGHT_PER_WORKER = 4
"""Chunks queued per worker: enough to keep workers busy, few enough to bound memory."""

CHUNKS_PER_WORKER = 8
"""Chunks each worker should get over a study at least, so that workers finish together."""

MAX_CHUNK = 16
"""Most items in one chunk (bounds the memory of one chunk's results and the work lost to an
interruption)."""

_POOL: dict[str, Any] = {}
"""The process's pool (``"pool"``) and its number of workers (``"workers"``), once started."""
_LOCK = threading.Lock()


def chunk_size(items: int, workers: int, most: int | None = None) -> int:
    """Items per chunk: at least :data:`CHUNKS_PER_WORKER` a worker, :data:`MAX_CHUNK` at most.

    ``most`` lowers the cap (1: every item on its own, so that the caller hears of each
    result as it comes, and one that stops on a result does so after the next item).
    """
    size = max(1, min(MAX_CHUNK, items // (workers * CHUNKS_PER_WORKER)))
    return size if most is None else max(1, min(size, most))


def run_chunk(fn: Callable, chunk: list) -> list:
    """Apply ``fn`` to each item of a chunk (runs in a worker)."""
    return [fn(item) for item in chunk]


def shutdown() -> None:
    """Shut the process's worker pool down (at exit, or to free the workers' memory now)."""
    with _LOCK:
        pool = _POOL.pop("pool", None)
        _POOL.pop("workers", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def _pool(fn: Callable, n: int) -> ProcessPoolExecutor:
    """The process's pool of ``n`` workers: the running one, or a new one."""
    with _LOCK:
        pool = _POOL.get("pool")
        if pool is not None and _POOL.get("workers") == n and not getattr(pool, "_broken",
                                                                           False):
            return pool
    shutdown()
    with _LOCK:
        ctx = _context(fn)
        pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx)
        if ctx.get_start_method() == "fork":
            with warnings.catch_warnings():
                # Python warns about any fork of a process with more than one thread. The
                # others here are native (BLAS, the allocator's background thread), which
                # prepare for a fork themselves; no other Python thread is running
                # (:func:`_context`). A trivial task forks every worker now.
                warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead",
                                        category=DeprecationWarning)
                pool.submit(int).result()
        _POOL.update(pool=pool, workers=n)
    return pool


def _discard(pool: ProcessPoolExecutor) -> None:
    """Forget ``pool`` and stop its workers now (after a fault or an interruption).

    The work in their hands is abandoned, not waited for: the caller stopped, so its results
    would be thrown away. Work not yet started is cancelled, the workers are terminated (as
    ``ProcessPoolExecutor.terminate_workers`` does from Python 3.14), and the pool is then shut
    down. Waiting instead kept a cancelled study running for every chunk in hand and queued
    (up to five chunks on 2 workers).
    """
    with _LOCK:
        if _POOL.get("pool") is pool:
            _POOL.pop("pool", None)
            _POOL.pop("workers", None)
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:  # pragma: no cover - Python 3.14 and later
        terminate()
    else:
        workers = dict(getattr(pool, "_processes", None) or {})
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers.values():
            try:
                if process.is_alive():
                    process.terminate()
            except (ValueError, ProcessLookupError):  # already closed or gone
                continue
    pool.shutdown(wait=True)


def available_cores() -> int:
    """Cores this process may use (respects CPU affinity and container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _context(fn: Callable) -> multiprocessing.context.BaseContext:
    """How workers start: forked from this process where that is safe, else a fork server.

    A process with no other thread running forks its workers directly: they start with
    everything this process has imported and loaded (missionsim, the compiled kernels), so a
    pool starts in milliseconds. Forking a process whose other threads may hold locks (the
    browser app, a dask client) is not safe, so there the workers fork from a fork server
    that imports the worker function's module and loads the compiled kernels once (its
    preload, :mod:`missionsim.model.loaded`).
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([fn.__module__, "missionsim.model.loaded"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX


def processes(fn: Callable, items: list, n: int,
              max_chunk: int | None = None) -> Iterator[tuple[int, Any]]:
    """Apply ``fn`` to every item on ``n`` local processes; yield ``(index, result)``.

    Items go in chunks (:func:`chunk_size`, at most ``max_chunk`` items each when given), at
    most :data:`IN_FLIGHT_PER_WORKER` chunks per worker queued at a time, to the process's
    pool (started on first use and kept). Stopping the iteration early cancels work not yet
    started, stops the workers (abandoning the chunks in hand) and shuts the pool down (a later
    call starts a new one).

    Raises:
        RuntimeError: A worker process died (the pool cannot go on).
    """
    pool = _pool(fn, n)
    size = chunk_size(len(items), n, max_chunk)
    chunks = ((start, items[start:start + size]) for start in range(0, len(items), size))
    pending: dict[Future, int] = {}
    finished = False
    try:
        def top_up() -> None:
            while len(pending) < n * IN_FLIGHT_PER_WORKER:
                nxt = next(chunks, None)
                if nxt is None:
                    return
                pending[pool.submit(run_chunk, fn, nxt[1])] = nxt[0]

        try:
            top_up()
        except BrokenProcessPool:  # pragma: no cover - a pool broken between studies
            _discard(pool)
            pool = _pool(fn, n)
            top_up()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                start = pending.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    raise RuntimeError(
                        "a worker process died; when calling from a script, put the call under "
                        "`if __name__ == \"__main__\":` (workers import the main module), and "
                        "check that memory suffices") from None
                for offset, result in enumerate(results):
                    yield start + offset, result
            top_up()
        finished = True
    finally:
        for future in pending:
            future.cancel()
        if not finished:  # interrupted or failed: in-flight work must not outlive the call
            _discard(pool)

