"""Start the browser app: ``missionsim ui [--host 127.0.0.1] [--port 8765] [--room]``.

The app is served by Solara's own server (``solara run missionsim.ui.app``) in production
mode, bound to 127.0.0.1 unless told otherwise, with Solara's telemetry off. Its JavaScript,
styles and fonts come from the installed ``solara-assets`` package, so it works with no
internet and no request leaves the machine.

With a room (``--room``, :mod:`missionsim.ui.room`) the server serves the room's pages only;
the room's code and facilitator key reach the server in its environment, and the command
prints the join link, the code and the facilitator's link.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missionsim.ui.room.launch import Opening

OFFLINE_CDN = "http://127.0.0.1:9/npm/"
"""Where Solara's asset proxy may look for a file that ``solara-assets`` lacks: a closed port
on this machine, so a missing asset fails at once here instead of being fetched from the
internet. The app itself needs none."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "missionsim.ui.app"


class ServeError(ValueError):
    """The app cannot be served as asked (a bad host or a port in use): one line."""


def check_address(host: str, port: int) -> None:
    """Refuse a host that cannot be bound or a port in use, with a one-line reason."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ServeError(f"--port {port!r}: expected a whole number from 1 to 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ServeError(f"--host {host!r}: not an address of this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"--port {port}: already in use on {host}; choose another "
                                 "port") from None
            raise ServeError(f"--host {host!r}: cannot listen there ({exc.strerror})") from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The command line that serves the app."""
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port),
            "--production", "--no-open", "--log-level", "warning"]


def environment(room: Opening | None = None) -> dict[str, str]:
    """The server's environment: telemetry off, no asset fetched from the internet.

    Args:
        room: The room to serve, handed over in :data:`missionsim.ui.room.launch.ENV`.
    """
    from missionsim.ui.room.launch import ENV

    env = dict(os.environ)
    env.pop(ENV, None)
    if room is not None:
        env[ENV] = room.encode()
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_ASSETS_CDN"] = OFFLINE_CDN
    # Solara's "This website runs on Solara" badge sits fixed over the bottom-right panel
    env["SOLARA_THEME_SHOW_BANNER"] = "False"
    # Solara warns on every page load that plain-http cookies fall back to samesite=lax,
    # which is right for a local app
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), quiet) if w)
    env.setdefault("MPLBACKEND", "Agg")
    return env


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          room: Opening | None = None) -> None:
    """Serve the app until interrupted (replaces this process with the server).

    Args:
        host: Address to listen on.
        port: Port to listen on.
        room: Serve this room (``--room``) instead of the one-person app.

    Raises:
        ServeError: If the host cannot be bound or the port is in use.
        MissingExtra: If the ``ui`` extra is not installed.
    """
    from missionsim.extras import require

    require("ui", "the browser app (missionsim ui)")
    check_address(host, port)
    if not is_loopback(host):
        print(f"missionsim: warning: serving on {host}: anyone who can reach this machine can "
              "open the app" + (" (joining the room needs its code)" if room else ""),
              file=sys.stderr)
    if room is None:
        print(f"missionsim: the app is at http://{host}:{port}/ (Ctrl-C to stop)",
              file=sys.stderr)
    else:
        join, facilitator = room.links(host, port)
        print(f"missionsim: room {room.code} is open (Ctrl-C to close it)\n"
              f"missionsim: participants join at {join} with the code {room.code}\n"
              f"missionsim: facilitator (keep this link to yourself): {facilitator}",
              file=sys.stderr)
    sys.stderr.flush()
    sys.stdout.flush()
    argv = command(host, port)
    os.execve(argv[0], argv, environment(room))
