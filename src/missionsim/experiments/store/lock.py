"""One writer per folder: an exclusive :func:`fcntl.flock` lock on ``OUT/.lock``.

A study holds the lock for as long as it runs, and a second writer is refused at once with one
line naming the holder's process and host (which the holder writes into the lock file). The
kernel releases the lock when its holder exits, however it exits (even by SIGKILL), so a lock
left by a killed study is taken over without asking. Readers take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

from missionsim.errors import StoreError
from missionsim.experiments.store.files import FILE_MODE
from missionsim.experiments.store.messages import clip, write_error

LOCK = ".lock"
"""The lock file a writing study holds; it names the holder."""

LOCK_READ_TRIES = 20
"""Reads of a held lock file before its holder is called unknown (a new holder writes its name
just after taking the lock, so the file may be empty for an instant)."""
LOCK_READ_PAUSE = 0.025
"""Seconds between those reads (so at most half a second in all)."""
LOCK_TEXT_BYTES = 4096
"""Most bytes of a lock file read for the holder's name (it holds about 100)."""

_HELD: set[int] = set()
"""Descriptors of the locks this process holds."""


def _forget_in_child() -> None:
    """In a forked child (a worker), close its copies of the parent's lock descriptors.

    The lock stays the parent's: it goes when the parent releases it, not when the last
    worker that inherited a copy exits.
    """
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def holder(fd: int) -> str:
    """Who holds the lock of ``fd``'s file, from what the holder wrote into it."""
    for _ in range(LOCK_READ_TRIES):
        try:
            found = json.loads(os.pread(fd, LOCK_TEXT_BYTES, 0).decode("utf-8"))
            pid, host = int(found["pid"]), str(found.get("host", "?"))
            since = str(found.get("started", "?"))
            return f"process {pid} on {clip(host)}, since {clip(since)}"
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(LOCK_READ_PAUSE)
    return "a process that did not say which"


def take(root: Path) -> int:
    """Take the lock of folder ``root`` (creating the folder); return the lock file's descriptor.

    Raises:
        StoreError: Another process holds the lock (the message names its process id, host and
            start), or the folder cannot be created or locked.
    """
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root}: exists and is not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(root, exc, "create the folder") from None
    try:
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise write_error(root, exc, f"write its lock file {LOCK}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        who = holder(fd)
        os.close(fd)
        raise StoreError(f"{root}: in use by another study ({who}); wait "
                         "for it to finish or stop it, or choose another --out folder"
                         ) from None
    except OSError as exc:  # a file system without locks
        os.close(fd)
        raise write_error(root, exc, f"write its lock file {LOCK}") from None
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": datetime.now(UTC).isoformat(timespec="seconds")}
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode("utf-8"), 0)
    except OSError as exc:
        os.close(fd)
        raise write_error(root, exc, f"write its lock file {LOCK}") from None
    _HELD.add(fd)
    return fd


def release(fd: int) -> None:
    """Release a lock :func:`take` took (the holder's name goes with it)."""
    _HELD.discard(fd)
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
    with contextlib.suppress(OSError):  # released for every copy of the descriptor
        fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
