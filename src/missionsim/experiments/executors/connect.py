"""Connecting to a dask scheduler within bounded time, or one line saying why not.

The address is checked first (:func:`scheduler_address`); then a plain TCP connection and
dask's own ``identity`` request, each with a deadline, show that a dask scheduler answers,
before a :class:`distributed.Client` connects (:func:`connect`). Every step runs in a helper
thread with a deadline (:func:`by_deadline`), so a name lookup or a silent peer cannot hang the
study. The time-outs come from :mod:`missionsim.limits`, overridden by environment variables
(:func:`cluster_seconds`).
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from missionsim.limits import MAX_QUOTED_CHARS

CONNECT_SECONDS_ENV = "MISSIONSIM_CLUSTER_CONNECT_SECONDS"
"""Environment variable that overrides :data:`~missionsim.limits.CLUSTER_CONNECT_SECONDS`."""

NO_WORKERS_SECONDS_ENV = "MISSIONSIM_CLUSTER_NO_WORKERS_SECONDS"
"""Environment variable that overrides :data:`~missionsim.limits.CLUSTER_NO_WORKERS_SECONDS`."""

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


def first_line(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    first = first if len(first) <= MAX_QUOTED_CHARS else first[:MAX_QUOTED_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


@contextmanager
def quiet(active: bool) -> Iterator[None]:
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


def by_deadline(deadline: float, call: Callable[[], Any],
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


def connect(address: str, seconds: float) -> Any:
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
        by_deadline(deadline,
                    lambda: socket.create_connection((host, int(port)), timeout=seconds).close())
    except (socket.gaierror, UnicodeError) as exc:  # UnicodeError: a name DNS cannot encode
        detail = getattr(exc, "strerror", None) or first_line(exc)
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
                           f"{exc.strerror or first_line(exc)}") from None

    def identify() -> Any:
        left = max(0.0, deadline - time.monotonic())
        return asyncio.run(asyncio.wait_for(_identify(address, left), left))

    not_dask = "(is it a dask scheduler's address?)"
    try:
        identity = by_deadline(deadline, identify)
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
        return by_deadline(deadline, lambda: Client(address, timeout=seconds, set_as_default=False),
                   late=lambda client: client.close())
    except TimeoutError:
        raise ClusterError(f"dask scheduler {address}: did not complete the connection "
                           f"{within}") from None
    except Exception as exc:  # noqa: BLE001 - any failure to connect is reported as one line
        raise ClusterError(f"dask scheduler {address}: cannot connect "
                           f"({first_line(exc)})") from None


