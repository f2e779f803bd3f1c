"""The one atomic writer: every file the store (and the generated documents) write.

Each file is written to a temporary name in the same folder, flushed to disk and then renamed,
which is atomic on POSIX file systems, so a file is either complete or absent. Files get mode
``0o666`` less the umask, as files made by ``open`` do (``0o644`` with the usual umask ``022``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

FILE_MODE = 0o666
"""Mode asked for every file the store writes, before the umask: what ``open`` asks."""

_UMASK_GUARD = threading.Lock()


@functools.cache
def umask() -> int:
    """The process's umask, read once (from ``/proc`` on Linux, where reading changes nothing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)  # written in octal
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_GUARD:  # elsewhere the umask is read by setting it and putting it back
        mask = os.umask(0o077)  # the most private mask, for the instant it is set
        os.umask(mask)
    return mask


def write_atomic(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it to ``path``.

    The file gets mode :data:`FILE_MODE` less the umask (:func:`umask`), as a file made by
    ``open`` does, so a group that may read the folder may read its files.

    Raises:
        OSError: The folder or the file cannot be written; no temporary file is left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, FILE_MODE & ~umask())
        finally:
            os.close(fd)
        write(Path(tmp))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
        raise
