"""Opening a room: from ``missionsim ui --room`` to the one :class:`Room` of the server.

``missionsim ui --room`` draws the room's code and facilitator key, prints the facilitator's
link and the code, and hands both, with the room's settings, to the app's server process in
the environment variable :data:`ENV`. The server builds its one :class:`Room` from it on
first use (:func:`current`) and removes the variable, so the worker processes it starts later
never hold the key. The module imports little, so the plain ``missionsim ui`` stays quick.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missionsim.ui.room.settings import RoomSettings

ENV = "MISSIONSIM_ROOM"
"""The environment variable that carries a room to the app's server process."""
FACILITATOR_PATH = "facilitator"
"""The facilitator page's path; the key follows as ``?key=…``."""
KEY_PARAMETER = "key"
"""The facilitator link's query parameter that carries the facilitator key."""


@dataclass(frozen=True)
class Opening:
    """A room about to be served: its code, facilitator key and settings."""

    code: str
    key: str
    settings: RoomSettings

    def encode(self) -> str:
        """The value of :data:`ENV`."""
        return json.dumps({"code": self.code, "key": self.key,
                           "settings": asdict(self.settings)})

    def links(self, host: str, port: int) -> tuple[str, str]:
        """The participants' join link and the facilitator's link."""
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{shown}:{port}/"
        return base, f"{base}{FACILITATOR_PATH}?{KEY_PARAMETER}={self.key}"


def open_room(**settings: object) -> Opening:
    """A new room's code and key with checked settings (``scenario``, ``budget``, …).

    Raises:
        RoomError: A bad setting (one line).
    """
    from missionsim.ui.room.settings import facilitator_key, make_settings, room_code

    return Opening(room_code(), facilitator_key(), make_settings(**settings))


def decode(text: str) -> Opening:
    """The room :meth:`Opening.encode` wrote.

    Raises:
        RoomError: The text is not a room.
    """
    from missionsim.ui.room.settings import RoomError, make_settings

    try:
        data = json.loads(text)
        return Opening(str(data["code"]), str(data["key"]), make_settings(**data["settings"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise RoomError(f"{ENV}: not a room ({exc})") from None


_room = None
_room_lock = threading.Lock()


def room_mode() -> bool:
    """Whether this server serves a room (``missionsim ui --room``)."""
    return _room is not None or bool(os.environ.get(ENV))


def current():
    """The server's :class:`~missionsim.ui.room.state.Room`, or ``None`` when not a room."""
    global _room
    with _room_lock:
        if _room is None and os.environ.get(ENV):
            from missionsim.ui.room.state import Room

            opening = decode(os.environ.pop(ENV))
            _room = Room(opening.code, opening.key, opening.settings)
        return _room


__all__ = ["ENV", "FACILITATOR_PATH", "KEY_PARAMETER", "Opening", "current", "decode",
           "open_room", "room_mode"]
