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

On a cluster every wait is bounded. A scheduler that cannot be reached, or is not a dask
scheduler, is reported within :data:`~missionsim.limits.CLUSTER_CONNECT_SECONDS` (environment:
``MISSIONSIM_CLUSTER_CONNECT_SECONDS``); a scheduler lost mid-study is reported at once, and
one that stops answering after that time (twice it at most: a result being fetched waits that
long before the scheduler is asked); a cluster without any worker for
:data:`~missionsim.limits.CLUSTER_NO_WORKERS_SECONDS` (environment:
``MISSIONSIM_CLUSTER_NO_WORKERS_SECONDS``) stops the study. Each fault raises
:class:`~missionsim.errors.ClusterError`, one line naming the address and the fault; results
yielded before it stand.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from typing import Any

from missionsim.limits import (
    CLUSTER_CONNECT_SECONDS,
    CLUSTER_NO_WORKERS_SECONDS,
    MAX_QUOTED_CHARS,
    MAX_WORKERS,
    whole_number,
)

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
    return whole_number(workers, "workers", 1, MAX_WORKERS)


def imap(fn: Callable[[Any], Any], items: Iterable[Any], workers: int | None = None,
         scheduler: Any = None) -> Iterator[tuple[int, Any]]:
    """Apply ``fn`` to every item, yielding ``(index, result)`` as each completes.

    Args:
        fn: A picklable (module-level) function of one argument.
        items: The work items (picklable).
        workers: Local worker processes (``None``: all cores; 1: serial, in this process).
        scheduler: A dask.distributed scheduler address (``tcp://HOST:PORT`` or
            ``HOST:PORT``), Client or cluster object; overrides ``workers``.

    Stopping the iteration early (an exception, Ctrl-C) cancels work not yet started.

    Raises:
        ClusterError: The dask cluster cannot be used: a malformed address, a scheduler
            unreachable, not a dask scheduler, lost or silent mid-study, or without workers
            for too long (see the module's description for the time-outs).
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
        # preload where the worker function lives, so workers import it once
        ctx.set_forkserver_preload(["missionsim.experiments.study"])
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


# --- dask.distributed ------------------------------------------------------------------------
# The dask path guards every step with a time-out, so that a cluster fault becomes one
# ClusterError line instead of a hang or a traceback: the address is checked, then a plain TCP
# connection and dask's own ``identity`` request (with a deadline) show that a dask scheduler
# answers, before a Client connects; while results come in, a scheduler lost, one that stops
# answering, or a cluster without workers for CLUSTER_NO_WORKERS_SECONDS stops the study.

CONNECT_SECONDS_ENV = "MISSIONSIM_CLUSTER_CONNECT_SECONDS"
"""Environment variable that overrides :data:`~missionsim.limits.CLUSTER_CONNECT_SECONDS`."""

NO_WORKERS_SECONDS_ENV = "MISSIONSIM_CLUSTER_NO_WORKERS_SECONDS"
"""Environment variable that overrides :data:`~missionsim.limits.CLUSTER_NO_WORKERS_SECONDS`."""

CLUSTER_POLL_SECONDS = 1.0
"""Longest wait for a result from a dask cluster before checking that its scheduler still
answers and still has workers."""

_THREAD_GRACE_SECONDS = 1.0
"""Time a connecting thread is given beyond its deadline to report its own time-out (which
names the step that timed out) before it is abandoned."""

_MAX_PORT = 65_535
"""Highest TCP port number."""

_MAX_HOST_CHARS = 253
"""Longest host name DNS allows."""

_MAX_LABEL_CHARS = 63
"""Longest part of a host name between dots that DNS allows."""

SCHEDULER_SCHEMES = ("tcp", "tls")
"""Protocols accepted in a scheduler address (``HOST:PORT`` alone means ``tcp://``)."""

_ADDRESS = re.compile(r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
                      r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]+)/?")

_QUIET_LOGGERS = ("distributed", "tornado", "asyncio")
"""Loggers silenced (with their children) while a study uses a scheduler address: the
client's connection errors, retries and tracebacks, which the study reports as one line."""

_quiet_lock = threading.Lock()
_quiet_state: dict[str, Any] = {"depth": 0, "levels": {}}


def cluster_seconds(name: str, default: float) -> float:
    """A cluster time-out: the environment variable ``name`` if set, else ``default``.

    Args:
        name: :data:`CONNECT_SECONDS_ENV` or :data:`NO_WORKERS_SECONDS_ENV`.
        default: The limit from :mod:`missionsim.limits`.

    Raises:
        ValueError: The variable is set but is not a number of seconds > 0.
    """
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} = {_quote(raw)}: expected a number of seconds > 0")
    return value


def scheduler_address(address: str) -> str:
    """Check the form of a dask scheduler address; return it with its protocol.

    Args:
        address: ``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``HOST:PORT`` (meaning tcp).

    Returns:
        The address with its protocol, e.g. ``tcp://10.0.0.5:8786``.

    Raises:
        ClusterError: The address is not of that form (nothing is contacted).
    """
    from missionsim.errors import ClusterError

    text = address.strip() if isinstance(address, str) else ""
    match = _ADDRESS.fullmatch(text)
    scheme = (match.group("scheme") or "tcp").lower() if match else ""
    port = int(match.group("port")) if match else 0
    host = match.group("host") if match else ""
    named = host.startswith("[") or (len(host) <= _MAX_HOST_CHARS and all(
        0 < len(label) <= _MAX_LABEL_CHARS for label in host.split(".")))
    if not match or scheme not in SCHEDULER_SCHEMES or not 1 <= port <= _MAX_PORT or not named:
        raise ClusterError(f"scheduler address {_quote(address)}: expected tcp://HOST:PORT or "
                           "HOST:PORT, for example tcp://10.0.0.5:8786")
    return f"{scheme}://{match.group('host')}:{port}"


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_QUOTED_CHARS else text[:MAX_QUOTED_CHARS - 1] + "…"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    first = first if len(first) <= MAX_QUOTED_CHARS else first[:MAX_QUOTED_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


@contextmanager
def _quiet(active: bool) -> Iterator[None]:
    """Silence :data:`_QUIET_LOGGERS` and their children while a study asks for it.

    Each logger is silenced by its own level (dask gives some children levels of their own,
    so a parent's level is not enough); the levels are restored when the last study that
    asked ends. Thread-safe.
    """
    import logging

    if not active:
        yield
        return
    with _quiet_lock:
        if _quiet_state["depth"] == 0:
            names = [name for name in list(logging.Logger.manager.loggerDict)
                     if name.split(".", 1)[0] in _QUIET_LOGGERS]
            loggers = [logging.getLogger(name) for name in {*_QUIET_LOGGERS, *names}]
            _quiet_state["levels"] = {lg: lg.level for lg in loggers}
            for lg in loggers:
                lg.setLevel(logging.CRITICAL + 1)
        _quiet_state["depth"] += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_state["depth"] -= 1
            if _quiet_state["depth"] == 0:
                for lg, level in _quiet_state["levels"].items():
                    lg.setLevel(level)
                _quiet_state["levels"] = {}


def _by(deadline: float, call: Callable[[], Any],
        late: Callable[[Any], None] | None = None) -> Any:
    """Return ``call()``, run in a helper thread, or raise TimeoutError at ``deadline``.

    Args:
        deadline: A :func:`time.monotonic` time (plus :data:`_THREAD_GRACE_SECONDS`).
        call: The blocking call.
        late: Given the result if ``call`` returns after the deadline (to close it).
    """
    box: dict[str, Any] = {}
    lock = threading.Lock()

    def target() -> None:
        try:
            outcome = ("value", call())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            outcome = ("error", exc)
        with lock:
            box[outcome[0]] = outcome[1]
            abandoned = box.get("abandoned", False)
        if abandoned and late is not None and outcome[0] == "value":
            with suppress(Exception):
                late(outcome[1])

    thread = threading.Thread(target=target, name="missionsim-dask-connect", daemon=True)
    thread.start()
    try:
        thread.join(max(0.0, deadline - time.monotonic()) + _THREAD_GRACE_SECONDS)
    finally:  # on Ctrl-C too: whatever the call returns later is closed
        with lock:
            finished = "value" in box or "error" in box
            box["abandoned"] = not finished
    if not finished:
        raise TimeoutError("no answer by the deadline")
    if "error" in box:
        raise box["error"]
    return box["value"]


async def _identify(address: str, seconds: float) -> Any:
    """Ask ``address`` for its dask identity over dask's protocol."""
    from distributed.comm import connect
    from distributed.security import Security

    comm = await connect(address, timeout=seconds, **Security().get_connection_args("client"))
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def _connect(address: str, seconds: float) -> Any:
    """A Client of the dask scheduler at ``address``, connected within ``seconds``.

    Raises:
        ClusterError: Nothing answers at ``address``, what answers is not a dask scheduler,
            or the connection is not complete in time.
    """
    import asyncio
    import socket

    from distributed import Client

    from missionsim.errors import ClusterError

    deadline = time.monotonic() + seconds
    host, port = address.split("://", 1)[1].rsplit(":", 1)
    host = host.strip("[]")
    within = f"within {seconds:g} s"
    try:  # in a thread too, as a name lookup has no time-out of its own
        _by(deadline, lambda: socket.create_connection((host, int(port)), timeout=seconds).close())
    except (socket.gaierror, UnicodeError) as exc:  # UnicodeError: a name DNS cannot encode
        detail = getattr(exc, "strerror", None) or _first_line(exc)
        raise ClusterError(f"dask scheduler {address}: cannot connect: unknown host "
                           f"{_quote(host)} ({detail})") from None
    except ConnectionRefusedError:
        raise ClusterError(f"dask scheduler {address}: cannot connect: connection refused "
                           f"(nothing listens on port {port}; is the scheduler running?)") from None
    except TimeoutError:
        raise ClusterError(f"dask scheduler {address}: cannot connect: no answer {within} "
                           "(check the address, and that a firewall lets this machine reach "
                           "that port)") from None
    except OSError as exc:
        raise ClusterError(f"dask scheduler {address}: cannot connect: "
                           f"{exc.strerror or _first_line(exc)}") from None

    def identify() -> Any:
        left = max(0.0, deadline - time.monotonic())
        return asyncio.run(asyncio.wait_for(_identify(address, left), left))

    not_dask = "(is it a dask scheduler's address?)"
    try:
        identity = _by(deadline, identify)
    except TimeoutError:
        raise ClusterError(f"dask scheduler {address}: accepted the connection but sent no "
                           f"dask reply {within} {not_dask}") from None
    except OSError:  # dask's CommClosedError included
        raise ClusterError(f"dask scheduler {address}: closed the connection without a dask "
                           f"reply {not_dask}") from None
    except Exception:  # noqa: BLE001 - e.g. MemoryError: a reply read as a frame length
        raise ClusterError(f"dask scheduler {address}: replied in another protocol than "
                           f"dask's {not_dask}") from None
    kind = identity.get("type") if isinstance(identity, dict) else None
    if kind != "Scheduler":
        what = f"a dask {kind}" if isinstance(kind, str) else "a dask server of unknown type"
        raise ClusterError(f"dask scheduler {address}: is {what}, not a scheduler")
    try:
        return _by(deadline, lambda: Client(address, timeout=seconds, set_as_default=False),
                   late=lambda client: client.close())
    except TimeoutError:
        raise ClusterError(f"dask scheduler {address}: did not complete the connection "
                           f"{within}") from None
    except Exception as exc:  # noqa: BLE001 - any failure to connect is reported as one line
        raise ClusterError(f"dask scheduler {address}: cannot connect "
                           f"({_first_line(exc)})") from None


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
        try:
            nthreads = self.client.sync(self.client.scheduler.ncores,
                                        callback_timeout=self.answer_s)
        except TimeoutError:
            raise ClusterError(f"dask scheduler {self.address}: stopped answering (no reply "
                               f"within {self.answer_s:g} s)") from None
        except Exception:  # noqa: BLE001 - a closed connection, or a client closed meanwhile
            raise self.lost() from None
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
        detail = _first_line(error) if error is not None else "unknown error"
        return ClusterError(f"dask scheduler {self.address}: a run failed on the cluster "
                            f"({detail}; do the workers have this missionsim version?)")


def _dask(fn: Callable, items: list, scheduler: Any) -> Iterator[tuple[int, Any]]:
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
    with _quiet(own):
        if own:
            address = scheduler_address(scheduler)
            client = _connect(address, answer_s)
        else:
            client = scheduler
            address = getattr(client.scheduler, "address", None) or "of the client"
        try:
            watch = _Watch(client, address, answer_s, no_workers_s)
            watch.check()
            yield from _collect(client, watch, fn, items)
        finally:
            if own:
                with suppress(Exception):
                    client.close(timeout=answer_s)


def _collect(client: Any, watch: _Watch, fn: Callable,
             items: list) -> Iterator[tuple[int, Any]]:
    """Submit every item to ``client`` and yield ``(index, result)`` as each completes."""
    from distributed import as_completed

    futures = client.map(fn, items, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
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
                yield index[future.key], result
                future.release()
    finally:
        # release rather than cancel: no round trip to a scheduler that may be gone; the
        # scheduler forgets released runs, which stops those queued or running
        for future in futures:
            with suppress(Exception):
                future.release()
