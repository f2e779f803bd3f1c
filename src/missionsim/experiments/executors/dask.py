"""Running work on a dask.distributed cluster, with every fault reported as one line.

A scheduler that cannot be reached, or is not a dask scheduler, is reported within
:data:`~missionsim.limits.CLUSTER_CONNECT_SECONDS` (environment:
``MISSIONSIM_CLUSTER_CONNECT_SECONDS``; see :mod:`~missionsim.experiments.executors.connect`);
a scheduler lost mid-study is reported at once, and one that stops answering after that time
(twice it at most: a result being fetched waits that long before the scheduler is asked); a
cluster without any worker for :data:`~missionsim.limits.CLUSTER_NO_WORKERS_SECONDS`
(environment: ``MISSIONSIM_CLUSTER_NO_WORKERS_SECONDS``) stops the study. Each fault raises
:class:`~missionsim.errors.ClusterError`, one line naming the address and the fault; results
yielded before it stand.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

from missionsim.experiments.executors.connect import (
    CONNECT_SECONDS_ENV,
    NO_WORKERS_SECONDS_ENV,
    cluster_seconds,
    connect,
    first_line,
    quiet,
    scheduler_address,
)
from missionsim.experiments.executors.local import chunk_size, run_chunk
from missionsim.limits import CLUSTER_CONNECT_SECONDS, CLUSTER_NO_WORKERS_SECONDS

CLUSTER_POLL_SECONDS = 1.0
"""Longest wait for a result from a dask cluster before checking that its scheduler still
answers and still has workers."""

SILENT_CHECKS = 2
"""Health checks in a row, each waiting the answer time-out, that a scheduler must miss before
a study stops as silent: a healthy scheduler on a loaded machine can miss one."""


class _Watch:
    """Checks, while a study waits for results, that the cluster can still deliver them."""

    def __init__(self, client: Any, address: str, answer_s: float, no_workers_s: float):
        self.client = client
        self.address = address
        self.answer_s = answer_s
        self.no_workers_s = no_workers_s
        self.worker_seen = time.monotonic()

    def lost(self) -> Exception:
        from missionsim.errors import ClusterError

        return ClusterError(f"dask scheduler {self.address}: lost the connection to the "
                            "scheduler (it stopped, or the network failed)")

    def result_arrived(self) -> None:
        """A run completed, so a worker was there."""
        self.worker_seen = time.monotonic()

    def check(self) -> None:
        """Raise ClusterError if the scheduler is lost or silent, or workerless too long."""
        from missionsim.errors import ClusterError

        if self.client.status != "running":
            raise self.lost()
        for _ in range(SILENT_CHECKS):
            try:
                nthreads = self.client.sync(self.client.scheduler.ncores,
                                            callback_timeout=self.answer_s)
                break
            except TimeoutError:
                continue
            except Exception:  # noqa: BLE001 - a closed connection, or a client closed meanwhile
                raise self.lost() from None
        else:
            raise ClusterError(f"dask scheduler {self.address}: stopped answering (no reply "
                               f"within {SILENT_CHECKS * self.answer_s:g} s)")
        now = time.monotonic()
        if nthreads:
            self.worker_seen = now
        elif now - self.worker_seen >= self.no_workers_s:
            raise ClusterError(f"dask scheduler {self.address}: no worker for "
                               f"{self.no_workers_s:g} s (start workers with "
                               f"`dask worker {self.address}`)")

    def failed(self, future: Any, error: BaseException | None = None) -> Exception:
        """The error for a run the cluster did not complete.

        Args:
            future: The run's future: erred, cancelled, or one whose result could not be
                fetched.
            error: The exception fetching its result raised, if any.
        """
        from distributed.scheduler import KilledWorker

        from missionsim.errors import ClusterError

        if future.status == "cancelled" or self.client.status != "running":
            self.check()  # raises if the scheduler was lost
            return ClusterError(f"dask scheduler {self.address}: a run was cancelled on the "
                                "cluster")
        if future.status == "error":
            try:
                error = future.exception(timeout=self.answer_s)
            except Exception:  # noqa: BLE001 - the error itself could not be fetched
                self.check()
        if isinstance(error, KilledWorker):
            return ClusterError(f"dask scheduler {self.address}: workers died while running a "
                                "run, too often to retry (check the workers' memory and logs)")
        detail = first_line(error) if error is not None else "unknown error"
        return ClusterError(f"dask scheduler {self.address}: a run failed on the cluster "
                            f"({detail}; do the workers have this missionsim version?)")


def run_on_cluster(fn: Callable, items: list, scheduler: Any,
                   max_chunk: int | None = None) -> Iterator[tuple[int, Any]]:
    """Apply ``fn`` to every item on a dask cluster; yield ``(index, result)`` as each completes.

    Args:
        fn: A picklable function of one argument.
        items: The work items.
        scheduler: A scheduler address, a :class:`distributed.Client` (used as it is, not
            closed) or a dask cluster object (its ``scheduler_address``).
        max_chunk: Most items in one task (``None``: sized for the cluster).

    Raises:
        ClusterError: The cluster cannot be used (see the module's description).
    """
    from missionsim.extras import require

    require("cluster", "a dask scheduler (--scheduler)")
    from distributed import Client

    from missionsim.errors import ClusterError

    answer_s = cluster_seconds(CONNECT_SECONDS_ENV, CLUSTER_CONNECT_SECONDS)
    no_workers_s = cluster_seconds(NO_WORKERS_SECONDS_ENV, CLUSTER_NO_WORKERS_SECONDS)
    own = not isinstance(scheduler, Client)
    if own and not isinstance(scheduler, str):
        scheduler = getattr(scheduler, "scheduler_address", None)  # a cluster object
        if not isinstance(scheduler, str):
            raise ClusterError("scheduler: expected an address such as tcp://10.0.0.5:8786, "
                               "a distributed.Client or a dask cluster object")
    with quiet(own):
        if own:
            address = scheduler_address(scheduler)
            client = connect(address, answer_s)
        else:
            client = scheduler
            address = getattr(client.scheduler, "address", None) or "of the client"
        try:
            watch = _Watch(client, address, answer_s, no_workers_s)
            watch.check()
            yield from _collect(client, watch, fn, items, max_chunk)
        finally:
            if own:
                with suppress(Exception):
                    client.close(timeout=answer_s)


def _collect(client: Any, watch: _Watch, fn: Callable, items: list,
             max_chunk: int | None = None) -> Iterator[tuple[int, Any]]:
    """Submit every item to ``client`` and yield ``(index, result)`` as each completes.

    Items go in chunks sized for the cluster's worker threads at submission
    (:func:`~missionsim.experiments.executors.local.chunk_size`, at most ``max_chunk`` items),
    so that short runs are not dominated by the scheduler's cost per task.
    """
    from distributed import as_completed

    try:
        threads = sum(client.nthreads().values())
    except Exception:  # noqa: BLE001 - no answer yet: the watch reports a lost scheduler
        threads = 1
    size = chunk_size(len(items), max(1, threads), max_chunk)
    starts = list(range(0, len(items), size))
    futures = client.map(run_chunk, [fn] * len(starts),
                         [items[start:start + size] for start in starts], pure=False)
    index = {f.key: start for f, start in zip(futures, starts, strict=True)}
    slow: dict[Any, int] = {}  # fetches of a result that timed out, by key
    try:
        done = as_completed(futures, loop=client.loop)
        while not done.is_empty():
            with done.thread_condition:
                if not done.has_ready():
                    done.thread_condition.wait(timeout=CLUSTER_POLL_SECONDS)
            batch = done.next_batch(block=False)
            if not batch:
                watch.check()
                continue
            for future in batch:
                if future.status in ("error", "cancelled"):
                    raise watch.failed(future)
                if future.status != "finished":  # its result was lost again: wait anew
                    done.add(future)
                    continue
                try:  # each time-out doubles the next wait, so a slow transfer completes
                    result = future.result(timeout=watch.answer_s * 2 ** slow.get(future.key, 0))
                except TimeoutError:  # its worker left (or is slow) before the result came
                    watch.check()
                    slow[future.key] = slow.get(future.key, 0) + 1
                    done.add(future)
                    continue
                except Exception as exc:  # noqa: BLE001 - cancelled, lost, or unreadable
                    raise watch.failed(future, exc) from None
                watch.result_arrived()
                for offset, each in enumerate(result):
                    yield index[future.key] + offset, each
                future.release()
    finally:
        # release rather than cancel: no round trip to a scheduler that may be gone; the
        # scheduler forgets released runs, which stops those queued or running
        for future in futures:
            with suppress(Exception):
                future.release()
