"""The store's messages: one line naming the folder or file, what is wrong and what to do."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from missionsim.errors import StoreError
from missionsim.limits import MAX_QUOTED_CHARS

LISTED_CHUNKS = 3
"""Most chunk numbers a message lists (the others are counted)."""


def clip(text: str) -> str:
    """Text shortened to :data:`~missionsim.limits.MAX_QUOTED_CHARS` characters, on one line."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTED_CHARS else text[:MAX_QUOTED_CHARS - 1] + "…"


def quote(value: Any) -> str:
    """``repr(value)`` shortened to :data:`~missionsim.limits.MAX_QUOTED_CHARS` characters."""
    return clip(repr(value))


def many(count: int, noun: str) -> str:
    """``"1 run"``, ``"2 runs"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def numbers(chunks: Iterable[int]) -> str:
    """Chunk numbers for a message: the first :data:`LISTED_CHUNKS`, then how many more."""
    chunks = sorted(chunks)
    text = ", ".join(f"{n:06d}" for n in chunks[:LISTED_CHUNKS])
    more = len(chunks) - LISTED_CHUNKS
    return text + (f" and {more} more" if more > 0 else "")


_PROBLEMS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("no space left on the device", "free some space"),
    errno.EDQUOT: ("disk quota exceeded", "free some space"),
    errno.EROFS: ("read-only file system", "make it writable"),
    errno.EACCES: ("permission denied", "give yourself write permission"),
    errno.EPERM: ("operation not permitted", "give yourself write permission"),
}
"""What a file system error means and what the user can do about it."""


def _problem(exc: OSError) -> tuple[str, str]:
    if exc.errno in _PROBLEMS:
        return _PROBLEMS[exc.errno]
    return (clip(exc.strerror or str(exc) or type(exc).__name__), "fix that")


def write_error(root: Path, exc: OSError, doing: str, kept: bool = False) -> StoreError:
    """A file system error while ``doing`` something in ``root``, as one line naming it.

    Args:
        root: The output folder.
        exc: The error the file system raised.
        doing: What was being done (``"write chunk 000003"``).
        kept: Whether runs stored before are kept (a study under way), so that resuming
            finishes it.
    """
    problem, remedy = _problem(exc)
    if kept:
        return StoreError(f"{root}: cannot {doing} ({problem}); the runs stored "
                          f"before are kept: {remedy}, then run the same command with "
                          "--resume")
    return StoreError(f"{root}: cannot {doing} ({problem}); {remedy} or choose "
                      "another --out folder")


def unreadable(root: Path, path: Path, what: str) -> StoreError:
    """A chunk file of ``root`` that is missing or unreadable, with how to recover."""
    number = path.name.split(".")[0]
    return StoreError(f"{path}: {what}; run `missionsim repair {root}` "
                      f"to set chunk {number} aside, then resume to run its runs again")
