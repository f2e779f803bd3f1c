"""The results store: Parquet chunks written atomically, a manifest, a lock, and resumption.

Layout of an output folder::

    OUT/manifest.json               what the study is: scenarios and their hashes, design,
                                    root seed, every planned run and its seed, package version
    OUT/.lock                       held by the study writing here (its process, host and start)
    OUT/chunks/000001.runs.parquet    one row per run
    OUT/chunks/000001.places.parquet  one row per place at the deadline and at the end
    OUT/chunks/000001.months.parquet  one row per run × month (written last: the commit mark)
    OUT/corrupt/                    unreadable chunks set aside by :meth:`Store.repair`

One writer per folder: a study holds an exclusive :func:`fcntl.flock` lock on ``OUT/.lock``
for as long as it runs (:meth:`Store.locked`), and a second writer is refused at once with one
line naming the holder's process and host. The kernel releases the lock when its holder exits,
however it exits (even by SIGKILL), so a lock left by a killed study is taken over without
asking. Readers (:meth:`Store.read`, ``Results.load``, ``missionsim report``) take no lock.

Each file is written to a temporary name in the same folder and then renamed, which is atomic
on POSIX file systems, so a chunk is either complete or absent. Files get mode ``0o666`` less
the umask, as files made by ``open`` do (``0o644`` with the usual umask ``022``). A chunk counts
only once its ``months`` file exists; leftovers of a chunk interrupted between its files are
removed when the study resumes. Resuming reads which runs are complete and skips them, so a
study killed at any moment (even with SIGKILL) and resumed ends with every run exactly once.
Resuming also keeps one copy of runs stored more than once (the same ``run_id`` in two chunks,
as two writers sharing a folder
without the lock leave): later chunks are rewritten without them, each file
atomically and ``runs`` last, so a repair interrupted at any point is finished by the next one.
A store holding runs twice is refused by :meth:`Store.check_unique` when read.

Problems are :class:`~missionsim.errors.StoreError` with a one-line message naming the folder
or file: a file system that refuses a write (full, read-only, no permission) while opening the
store or writing a chunk or the manifest (the runs stored before are kept), a chunk file that
is missing or unreadable (:meth:`Store.repair` sets such chunks aside), a folder that holds a
different study (the message names what differs: :func:`difference`).

Every table is written with a fixed Arrow schema (:data:`DECLARED`, :func:`table_schema`),
whatever values a chunk holds, so a table's chunks read as one dataset (pandas, pyarrow,
DuckDB). Text is ``large_string``, whole numbers (ids, seeds, months, counts) int64 and measures
float64; the identity columns, ``mission``, ``preset``, ``horizon``, ``params``, ``reforms``,
``at``, ``month`` and ``place`` are never null. ``target_met`` is a nullable bool (null when the
run stops before the mission's deadline). Reporter columns take the type of the reporter's
return annotation (float64 without one); a sweep's ``factor:NAME`` columns take the type of what
the factor varies (float64, int64 or bool). Any other column, including a ``factor:NAME`` whose
name is neither a parameter nor a reform setting, is nullable text: strings as they are, missing
values as null, anything else as JSON. NaN is stored as null, as pandas does. A table that lacks
a declared column or holds a value its column cannot represent is refused with a one-line
:class:`ValueError` naming the table and the column, before any file of the chunk is written.
Read back with :func:`pandas.read_parquet`, a bool column gives ``bool`` in a file without nulls
and ``object`` (``True``, ``False``, ``None``) in one with nulls.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import functools
import json
import logging
import os
import re
import socket
import tempfile
import threading
import time
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from missionsim import __version__
from missionsim.errors import StoreError
from missionsim.limits import MAX_QUOTED_CHARS
from missionsim.model.reporters import REPORTERS

TABLES = ("runs", "places", "months")
"""Tables in every chunk; the last is written last and marks the chunk complete."""

MANIFEST = "manifest.json"
LOCK = ".lock"
"""The lock file a writing study holds (:meth:`Store.locked`); it names the holder."""
CORRUPT = "corrupt"
"""Folder beside ``chunks`` where :meth:`Store.repair` sets unreadable chunks aside."""
_CHUNK = re.compile(r"^(\d{6})\.(runs|places|months)\.parquet$")

FILE_MODE = 0o666
"""Mode asked for every file the store writes, before the umask: what ``open`` asks."""

LOCK_READ_TRIES = 20
"""Reads of a held lock file before its holder is called unknown (a new holder writes its name
just after taking the lock, so the file may be empty for an instant)."""
LOCK_READ_PAUSE = 0.025
"""Seconds between those reads (so at most half a second in all)."""
LOCK_TEXT_BYTES = 4096
"""Most bytes of a lock file read for the holder's name (it holds about 100)."""
LISTED_CHUNKS = 3
"""Most chunk numbers a message lists (the others are counted)."""

log = logging.getLogger(__name__)
"""Notes on what resuming repaired (the command line prints them on standard error)."""

# --- schema -----------------------------------------------------------------------------------
TEXT = pa.large_string()
"""Arrow type of text columns (the type pandas writes for its string columns)."""
INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()

FACTOR_PREFIX = "factor:"
"""Prefix of the ``runs`` columns that hold a sweep's factor values."""

_KINDS = {bool: BOOL, int: INT, float: FLOAT}
"""Arrow type of each Python type a reporter returns or a factor varies."""


def _required(name: str, kind: pa.DataType) -> pa.Field:
    return pa.field(name, kind, nullable=False)


def _optional(name: str, kind: pa.DataType) -> pa.Field:
    return pa.field(name, kind, nullable=True)


def _reporter_type(reporter: Callable[..., Any]) -> pa.DataType:
    """Arrow type of a reporter's values: from its return annotation, float64 without one."""
    try:
        kind = typing.get_type_hints(reporter).get("return")
    except (NameError, TypeError):
        kind = None
    return _KINDS.get(kind, FLOAT)


IDENTITY = [_required("run_id", TEXT), _required("scenario", TEXT), _required("point", INT),
            _required("replicate", INT), _required("seed", INT)]
"""Columns that identify a run, first in every table (see ``runner.ID_COLUMNS``)."""

DECLARED: dict[str, list[pa.Field]] = {
    "runs": [
        *IDENTITY,
        _required("mission", TEXT),
        _required("preset", TEXT),
        _required("horizon", INT),
        _optional("target_met", BOOL),
        _optional("outcome_deadline", FLOAT),
        _optional("outcome_end", FLOAT),
        _optional("reported_end", FLOAT),
        _optional("spend_total", FLOAT),
        _optional("reform_cost_total", FLOAT),
        _required("params", TEXT),
        _required("reforms", TEXT),
    ],
    "places": [
        *IDENTITY,
        _required("at", TEXT),
        _required("month", INT),
        _required("place", INT),
        _optional("deprivation", FLOAT),
        _optional("cohort", FLOAT),
        _optional("outcome_start", FLOAT),
        _optional("outcome", FLOAT),
        _optional("behind_trajectory", FLOAT),
    ],
    "months": [
        *IDENTITY,
        _required("month", INT),
        *(_optional(name, _reporter_type(reporter)) for name, reporter in REPORTERS.items()),
    ],
}
"""The columns every chunk of each table has, in order, with their Arrow types."""


def _factor_type(name: str) -> pa.DataType | None:
    """Arrow type of factor ``name``'s values, or ``None`` for a name that is no factor."""
    # imported here: missionsim.experiments.sweep imports missionsim.experiments.study, which
    # imports this module
    from missionsim.experiments.sweep import target

    found = target(name)
    return None if found is None else _KINDS.get(found.kind)


def column_field(kind: str, name: str) -> pa.Field:
    """The Arrow field column ``name`` of table ``kind`` is stored as (see the module doc)."""
    for declared in DECLARED[kind]:
        if declared.name == name:
            return declared
    if kind == "runs" and name.startswith(FACTOR_PREFIX):
        factor = _factor_type(name.removeprefix(FACTOR_PREFIX))
        if factor is not None:
            return _optional(name, factor)
    return _optional(name, TEXT)


def table_schema(kind: str, columns: Iterable[str] = ()) -> pa.Schema:
    """The Arrow schema of table ``kind`` with the extra ``columns`` a chunk holds.

    Args:
        kind: ``runs``, ``places`` or ``months``.
        columns: The chunk's columns; declared ones are ignored here (they always come first,
            in their declared order), the others follow in this order.

    Raises:
        ValueError: ``kind`` is not a table of the store.
    """
    if kind not in TABLES:
        raise ValueError(f"kind = {kind!r}: expected one of {', '.join(TABLES)}")
    declared = [f.name for f in DECLARED[kind]]
    extra = [c for c in columns if c not in declared]
    return pa.schema([*DECLARED[kind], *(column_field(kind, c) for c in extra)])


def _text(value: Any) -> str | None:
    """A value of an undeclared column as text: strings as they are, others as JSON."""
    if isinstance(value, str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return json.dumps(value, sort_keys=True, default=_json_default)


_ACCEPTS: dict[pa.DataType, Callable[[pa.DataType], bool]] = {
    TEXT: lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
    BOOL: pa.types.is_boolean,
    INT: lambda t: pa.types.is_integer(t) or pa.types.is_floating(t),
    FLOAT: lambda t: pa.types.is_integer(t) or pa.types.is_floating(t),
}
"""Which Arrow types of a chunk's values each column type takes (null columns fit any).

Numbers go into number columns only and are then cast safely (a float into an int64 column only
when whole, an int into a float64 one only when exact), so text is never parsed as numbers and
numbers are never read as booleans.
"""


def _convert(kind: str, field: pa.Field, values: pd.Series) -> pa.Array:
    """One column as an Arrow array of ``field``'s type (see :func:`to_arrow`)."""
    where = f"{kind} table: column {field.name!r}"
    try:
        array = pa.array(values, from_pandas=True)  # NaN and None become null
        if not (pa.types.is_null(array.type) or _ACCEPTS[field.type](array.type)):
            raise ValueError(f"{where}: cannot store {array.type} values as {field.type}")
        array = array.cast(field.type, safe=True)
    except (pa.ArrowException, TypeError, OverflowError) as exc:
        raise ValueError(f"{where}: cannot store as {field.type} ({_one_line(exc)})") from None
    if not field.nullable and array.null_count:
        raise ValueError(f"{where}: {array.null_count} missing value(s) in a column that is "
                         "never null")
    return array


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def to_arrow(kind: str, frame: pd.DataFrame) -> pa.Table:
    """Table ``kind`` of a chunk as an Arrow table with the store's schema (:func:`table_schema`).

    The frame's index is dropped. Declared columns come first, in their declared order; the
    values of undeclared text columns are turned into text first (see the module docstring).

    Raises:
        ValueError: A declared column is missing, column names are not unique text, or a column
            holds a value its type cannot represent (the message is one line naming the table
            and the column).
    """
    columns = list(frame.columns)
    odd = next((c for c in columns if not isinstance(c, str)), None)
    if odd is not None:
        raise ValueError(f"{kind} table: column {odd!r}: expected column names to be text")
    if len(set(columns)) != len(columns):
        twice = next(c for c in columns if columns.count(c) > 1)
        raise ValueError(f"{kind} table: column {twice!r} appears twice")
    schema = table_schema(kind, columns)
    declared = {f.name for f in DECLARED[kind]}
    arrays = []
    for field in schema:
        if field.name not in declared and field.type == TEXT:
            values = pd.Series([_text(v) for v in frame[field.name]], dtype=object)
        elif field.name in frame.columns:
            values = frame[field.name]
        else:
            raise ValueError(f"{kind} table: column {field.name!r} is missing (every chunk of "
                             f"the {kind} table has it)")
        arrays.append(_convert(kind, field, values))
    return pa.Table.from_arrays(arrays, schema=schema)


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


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


# --- messages ---------------------------------------------------------------------------------
def _clip(text: str) -> str:
    """Text shortened to :data:`~missionsim.limits.MAX_QUOTED_CHARS` characters, on one line."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTED_CHARS else text[:MAX_QUOTED_CHARS - 1] + "…"


def _quote(value: Any) -> str:
    """``repr(value)`` shortened to :data:`~missionsim.limits.MAX_QUOTED_CHARS` characters."""
    return _clip(repr(value))


def _many(count: int, noun: str) -> str:
    """``"1 run"``, ``"2 runs"``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _numbers(chunks: Iterable[int]) -> str:
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
    return (_clip(exc.strerror or str(exc) or type(exc).__name__), "fix that")


_SWEEP_KEYS = ("design", "samples", "levels", "second_order", "sample_seed", "factors")
"""Manifest keys of a sweep's design, in the order a difference is looked for."""

_MISSING = object()


def _first_change(old: Any, new: Any, path: tuple[str, ...] = ()) -> tuple[str, Any, Any] | None:
    """The first dotted key path where two nested mappings differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            found = _first_change(old.get(key, _MISSING), new.get(key, _MISSING),
                                  (*path, str(key)))
            if found is not None:
                return found
        return None
    if old == new:
        return None
    return ".".join(path) or "its value", old, new


def _was_is(old: Any, new: Any) -> str:
    def show(value: Any) -> str:
        return "not set" if value is _MISSING else _quote(value)

    return f"{show(old)} in the store, {show(new)} now"


def difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What differs between a stored study's manifest and a new one, in a few words.

    Looks, in this order, at the kind of study, the scenarios and their order, each scenario's
    settings (naming the scenario and the first setting that differs), the replicates, the root
    seed, a sweep's design, the runs' seeds and the package version.

    Returns:
        One phrase, such as ``"scenario 'capacity': reforms.devolution.start is 6 in the store,
        12 now"``, followed by how many other differences there are.
    """
    found: list[str] = []
    if old.get("kind") != new.get("kind"):
        found.append(f"it holds a {old.get('kind')} study, this is a {new.get('kind')}")
    before, after = old.get("scenarios") or {}, new.get("scenarios") or {}
    if list(before) != list(after):
        if set(before) == set(after):
            found.append(f"its scenarios are in another order: {_quote(list(before))} in the "
                         f"store, {_quote(list(after))} now")
        else:
            found.append(f"its scenarios are {_quote(list(before))}, this study's "
                         f"{_quote(list(after))}")
    for name in (n for n in after if n in before):
        was, now = before[name], after[name]
        if was.get("digest") == now.get("digest"):
            continue
        contents = was.get("content"), now.get("content")
        change = _first_change(*contents) if all(isinstance(c, dict) for c in contents) else None
        if change is None:
            found.append(f"scenario {_quote(name)} has other settings (its digest differs)")
        else:
            found.append(f"scenario {_quote(name)}: {change[0]} is {_was_is(*change[1:])}")
    for key, label in (("replicates", "replicates"), ("root_seed", "root seed")):
        if old.get(key) != new.get(key):
            found.append(f"{label}: {_was_is(old.get(key, _MISSING), new.get(key, _MISSING))}")
    for key in _SWEEP_KEYS:
        change = _first_change(old.get(key, _MISSING), new.get(key, _MISSING), (key,))
        if change is not None:
            found.append(f"the sweep's {change[0]}: {_was_is(*change[1:])}")
    if not found and old.get("seeds") != new.get("seeds"):
        change = _first_change(old.get("seeds") or {}, new.get("seeds") or {})
        found.append(f"the seed of run {change[0]} is {_was_is(*change[1:])}" if change
                     else "its planned runs or their seeds differ")
    if old.get("version") != new.get("version"):
        found.append(f"it was made by missionsim {old.get('version')}, this is "
                     f"{new.get('version')}")
    if not found:
        found.append("its planned runs differ")
    more = len(found) - 1
    return found[0] + (f" (and {more} other difference{'s' * (more > 1)})" if more else "")


@dataclass
class Repair:
    """What :meth:`Store.repair` (or resuming) changed in a store.

    Attributes:
        root: The output folder.
        duplicates: Copies of runs removed (a run stored in three chunks counts two).
        rewritten: Chunks rewritten without the runs an earlier chunk holds.
        dropped: Chunks removed because an earlier chunk holds all their runs.
        set_aside: Unreadable or incomplete-but-committed chunks moved to ``OUT/corrupt``.
        leftovers: Files of uncommitted chunks and temporary files removed.
        stored: Runs stored once the repair is done.
        planned: Runs the study plans (from the manifest).
    """

    root: Path
    duplicates: int = 0
    rewritten: list[int] = dataclasses.field(default_factory=list)
    dropped: list[int] = dataclasses.field(default_factory=list)
    set_aside: list[int] = dataclasses.field(default_factory=list)
    leftovers: int = 0
    stored: int = 0
    planned: int = 0

    def removed(self) -> str:
        """What was removed or moved, in a few words ("" when nothing was)."""
        parts = []
        if self.set_aside:
            parts.append(f"moved {_many(len(self.set_aside), 'unreadable chunk')} "
                         f"({_numbers(self.set_aside)}) to {CORRUPT}/")
        if self.duplicates:
            chunks = self.rewritten + self.dropped
            parts.append(f"removed {_many(self.duplicates, 'run')} stored twice (from "
                         f"{'chunk' if len(chunks) == 1 else 'chunks'} {_numbers(chunks)})")
        if self.leftovers:
            parts.append(f"removed {_many(self.leftovers, 'leftover file')} of unfinished "
                         "chunks")
        return "; ".join(parts)

    def __str__(self) -> str:
        done = self.removed() or "nothing to repair"
        state = f"{self.stored} of {self.planned} planned runs stored, each once"
        advice = (": run the study again with --resume to finish" if self.stored < self.planned
                  else "")
        return f"{self.root}: {done}; {state}{advice}"


def _holder(fd: int) -> str:
    """Who holds the lock of ``fd``'s file, from what the holder wrote into it."""
    for _ in range(LOCK_READ_TRIES):
        try:
            holder = json.loads(os.pread(fd, LOCK_TEXT_BYTES, 0).decode("utf-8"))
            pid, host = int(holder["pid"]), str(holder.get("host", "?"))
            since = str(holder.get("started", "?"))
            return f"process {pid} on {_clip(host)}, since {_clip(since)}"
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(LOCK_READ_PAUSE)
    return "a process that did not say which"


@dataclass
class Store:
    """An output folder holding one study's results.

    A study writes through :meth:`open` and :meth:`write_chunk` while holding the folder's lock
    (:meth:`locked`); reading (:meth:`read`, :meth:`completed`) needs no lock.
    """

    root: Path
    _lock_fd: int | None = dataclasses.field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    @property
    def chunks(self) -> Path:
        """The folder of Parquet chunks."""
        return self.root / "chunks"

    @property
    def manifest_path(self) -> Path:
        """The manifest file."""
        return self.root / MANIFEST

    @property
    def lock_path(self) -> Path:
        """The lock file."""
        return self.root / LOCK

    def _file(self, number: int, kind: str) -> Path:
        return self.chunks / f"{number:06d}.{kind}.parquet"

    # --- errors ---------------------------------------------------------------------------
    def _write_error(self, exc: OSError, doing: str, kept: bool = False) -> StoreError:
        """A file system error while ``doing`` something, as one line naming the folder."""
        problem, remedy = _problem(exc)
        where = self.root
        if kept:
            return StoreError(f"{where}: cannot {doing} ({problem}); the runs stored "
                              f"before are kept: {remedy}, then run the same command with "
                              "--resume")
        return StoreError(f"{where}: cannot {doing} ({problem}); {remedy} or choose "
                          "another --out folder")

    def _unreadable(self, path: Path, what: str) -> StoreError:
        number = path.name.split(".")[0]
        return StoreError(f"{path}: {what}; run `missionsim repair {self.root}` "
                          f"to set chunk {number} aside, then resume to run its runs again")

    def _read_file(self, path: Path, columns: list[str] | None = None) -> pd.DataFrame:
        """One chunk file as a frame, or a one-line :class:`StoreError` naming the file."""
        try:
            return pd.read_parquet(path, columns=columns)
        except FileNotFoundError:
            raise self._unreadable(path, "missing (the chunk's months file exists)") from None
        except PermissionError:
            raise StoreError(f"{path}: cannot read it (permission denied); give "
                             "yourself read permission") from None
        except (pa.ArrowException, OSError, ValueError, KeyError):
            raise self._unreadable(path, "unreadable (corrupt or truncated)") from None

    # --- the lock -------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[Store]:
        """Hold the folder's lock (creating the folder) for the ``with`` block.

        Taking a lock this store already holds does nothing, so calls nest.

        Raises:
            StoreError: Another process (or another :class:`Store` of this folder) holds the
                lock: the message names its process id, host and start; or the folder cannot
                be created or locked.
        """
        if self._lock_fd is not None:
            yield self
            return
        self._acquire()
        try:
            yield self
        finally:
            self._release()

    def _acquire(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: exists and is not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._write_error(exc, "create the folder") from None
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise self._write_error(exc, f"write its lock file {LOCK}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise StoreError(f"{self.root}: in use by another study ({holder}); wait "
                             "for it to finish or stop it, or choose another --out folder"
                             ) from None
        except OSError as exc:  # a file system without locks
            os.close(fd)
            raise self._write_error(exc, f"write its lock file {LOCK}") from None
        me = {"pid": os.getpid(), "host": socket.gethostname(),
              "started": datetime.now(UTC).isoformat(timespec="seconds")}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(me) + "\n").encode("utf-8"), 0)
        except OSError as exc:
            os.close(fd)
            raise self._write_error(exc, f"write its lock file {LOCK}") from None
        self._lock_fd = fd

    def _release(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # the holder's name goes with the lock
        os.close(fd)  # releases the lock

    # --- manifest -------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any]:
        """The manifest, or raise :class:`StoreError` when the folder holds no study."""
        try:
            return json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            raise StoreError(f"{self.root}: no results here (no {MANIFEST}); run a "
                             "study with --out pointing at this folder first") from None
        except PermissionError:
            raise StoreError(f"{self.manifest_path}: cannot read it (permission "
                             "denied); give yourself read permission") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"{self.manifest_path}: not a readable manifest "
                             f"({_clip(str(exc))})") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically.

        Raises:
            StoreError: The file system refuses the write (one line naming the folder).
        """
        manifest = {**manifest, "version": __version__}
        text = json.dumps(manifest, indent=2, default=_json_default)  # keeps scenario order
        try:
            write_atomic(self.manifest_path, lambda p: p.write_text(text + "\n"))
        except OSError as exc:
            raise self._write_error(exc, f"write {MANIFEST}") from None

    def open(self, manifest: dict[str, Any], resume: bool) -> set[str]:
        """Prepare the folder for a study; return the run ids already complete.

        Takes the folder's lock if this store does not hold it yet and keeps it until
        :meth:`close` (:func:`missionsim.experiments.study.execute` holds it around the whole study
        with :meth:`locked` instead). Resuming removes leftovers of unfinished chunks and keeps one
        copy of runs stored twice, noting what it removed on the ``missionsim.experiments.store``
        logger.

        Args:
            manifest: The study's manifest; its ``study`` key identifies the planned runs.
            resume: Continue a study already in the folder.

        Raises:
            StoreError: The folder holds results and ``resume`` is false, holds a different
                study (the message says what differs), is in use by another study, holds an
                unreadable chunk, or cannot be written.
        """
        took = self._lock_fd is None
        if took:
            self._acquire()
        try:
            return self._open(manifest, resume)
        except OSError as exc:
            if took:
                self.close()
            raise self._write_error(exc, "write into it") from None
        except BaseException:
            if took:
                self.close()
            raise

    def close(self) -> None:
        """Release the folder's lock if this store holds it (see :meth:`open`)."""
        self._release()

    def _open(self, manifest: dict[str, Any], resume: bool) -> set[str]:
        exists = self.manifest_path.exists()
        if exists and not self._complete_chunks():
            # a study that stopped before its first chunk (e.g. no cluster): nothing to keep
            self._remove_incomplete()
            exists = False
        if exists and not resume:
            raise StoreError(f"{self.root}: already holds results; pass --resume to "
                             "continue that study, or choose another --out folder")
        if exists:
            old = self.read_manifest()
            if old.get("study") != manifest.get("study"):
                what = difference(old, {**manifest, "version": __version__})
                raise StoreError(f"{self.root}: holds a different study: {what}; "
                                 "choose another --out folder to run this one")
            self._check_readable()
            repair = Repair(self.root, leftovers=self._remove_incomplete())
            self._dedupe(repair)
            if repair.duplicates:
                log.warning("%s: %s", self.root, repair.removed())
            done = self.completed()
        else:
            if self.chunks.exists() and any(self.chunks.iterdir()):
                raise StoreError(f"{self.chunks}: holds chunks but no {MANIFEST}; "
                                 "choose an empty --out folder")
            done = set()
        self.chunks.mkdir(parents=True, exist_ok=True)
        self.write_manifest(manifest)
        return done

    # --- chunks ---------------------------------------------------------------------------
    def _chunk_files(self) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {}
        if not self.chunks.is_dir():
            return found
        for path in self.chunks.iterdir():
            match = _CHUNK.match(path.name)
            if match:
                found.setdefault(int(match.group(1)), set()).add(match.group(2))
        return found

    def _complete_chunks(self) -> list[int]:
        return sorted(n for n, kinds in self._chunk_files().items() if "months" in kinds)

    def _remove_incomplete(self) -> int:
        """Remove the files of uncommitted chunks and temporary files; return how many."""
        removed = 0
        for n, kinds in self._chunk_files().items():
            if "months" not in kinds:
                for kind in kinds:
                    self._file(n, kind).unlink(missing_ok=True)
                    removed += 1
        for tmp in self.chunks.glob(".*.tmp") if self.chunks.is_dir() else ():
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed

    def _check_readable(self) -> None:
        """Raise :class:`StoreError` for the first committed chunk file missing or unreadable.

        Reads only each file's footer (its Parquet metadata), which a truncated or overwritten
        file lacks.
        """
        for n in self._complete_chunks():
            for kind in TABLES:
                path = self._file(n, kind)
                try:
                    pq.read_metadata(path)
                except FileNotFoundError:
                    raise self._unreadable(path, "missing (the chunk's months file exists)"
                                           ) from None
                except (pa.ArrowException, OSError, ValueError):
                    raise self._unreadable(path, "unreadable (corrupt or truncated)") from None

    def _set_aside_unreadable(self) -> list[int]:
        """Move committed chunks with a missing or unreadable file to ``OUT/corrupt``."""
        moved = []
        for n in self._complete_chunks():
            try:
                for kind in TABLES:
                    table = pq.read_table(self._file(n, kind))
                    if "run_id" not in table.column_names:
                        raise ValueError("no run_id column")
            except (pa.ArrowException, OSError, ValueError):
                aside = self.root / CORRUPT
                aside.mkdir(exist_ok=True)
                for kind in ("months", "runs", "places"):  # months first: uncommits the chunk
                    path = self._file(n, kind)
                    if path.exists():
                        target = aside / path.name
                        copy = 1
                        while target.exists():  # an earlier chunk of that number set aside
                            copy += 1
                            target = aside / f"{path.stem}.{copy}{path.suffix}"
                        os.replace(path, target)
                moved.append(n)
        return moved

    def _dedupe(self, repair: Repair) -> None:
        """Keep one copy of each run: rewrite later chunks without runs an earlier one holds.

        Each file is rewritten atomically, ``runs`` last, so while a chunk is being repaired
        its ``runs`` file still shows the duplicates and the next repair finishes the work.
        A chunk whose runs are all stored earlier is removed, ``months`` first.
        """
        seen: set[str] = set()
        for n in self._complete_chunks():
            ids = self._read_file(self._file(n, "runs"), columns=["run_id"])["run_id"]
            twice = seen.intersection(ids)
            if not twice:
                seen.update(ids)
                continue
            repair.duplicates += len(twice)
            if twice.issuperset(ids):
                for kind in ("months", "runs", "places"):  # months first: uncommits it
                    self._file(n, kind).unlink(missing_ok=True)
                repair.dropped.append(n)
                continue
            drop = pa.array(sorted(twice), type=TEXT)
            for kind in ("places", "months", "runs"):  # runs last: it shows what is left to do
                path = self._file(n, kind)
                table = pq.read_table(path)
                keep = pc.invert(pc.is_in(table["run_id"], value_set=drop))
                kept = table.filter(keep)
                if kept.num_rows < table.num_rows:
                    write_atomic(path, lambda p, t=kept: pq.write_table(t, p))
            repair.rewritten.append(n)
            seen.update(ids)

    def repair(self) -> Repair:
        """Make the store readable again, under its lock, and say what was done.

        Moves committed chunks with a missing or unreadable file to ``OUT/corrupt`` (resuming
        runs their runs again), removes leftovers of unfinished chunks and temporary files, and
        keeps one copy of runs stored twice (as resuming does). Running it again changes
        nothing; it may be run after a repair that was interrupted.

        Raises:
            StoreError: The folder holds no study, is in use by another study, or cannot be
                written.
        """
        self.read_manifest()  # a folder without a study is refused before it is locked
        with self.locked():
            planned = int(self.read_manifest().get("planned", 0))
            try:
                repair = Repair(self.root, set_aside=self._set_aside_unreadable())
                repair.leftovers = self._remove_incomplete()
                self._dedupe(repair)
                repair.stored = len(self.completed())
            except OSError as exc:
                raise self._write_error(exc, "write the repaired chunks") from None
        repair.planned = planned
        return repair

    def completed(self) -> set[str]:
        """Run ids in complete chunks.

        Raises:
            StoreError: A committed chunk's runs file is missing or unreadable.
        """
        done: set[str] = set()
        for n in self._complete_chunks():
            done.update(self._read_file(self._file(n, "runs"), columns=["run_id"])["run_id"])
        return done

    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> int:
        """Write one chunk (``runs``, ``places`` and ``months`` tables); return its number.

        Each table is converted with :func:`to_arrow` first, so a table that does not fit the
        schema raises :class:`ValueError` before any file of the chunk is written.

        Raises:
            StoreError: The file system refuses a write (full, read-only, no permission): one
                line naming the folder; the chunks written before are kept, and the files of
                this one are removed when the study resumes.
        """
        converted = {kind: to_arrow(kind, tables[kind]) for kind in TABLES}  # fail before writing
        number = max(self._chunk_files(), default=0) + 1
        try:
            for kind in TABLES:  # months last: it marks the chunk complete
                write_atomic(self._file(number, kind),
                             lambda p, t=converted[kind]: pq.write_table(t, p))
        except OSError as exc:
            raise self._write_error(exc, f"write chunk {number:06d}", kept=True) from None
        return number

    def check_unique(self, runs: pd.DataFrame) -> None:
        """Refuse a store whose ``runs`` table holds a run more than once.

        Raises:
            StoreError: One line saying how many runs are stored twice and how to repair.
        """
        twice = int(runs["run_id"].duplicated().sum()) if "run_id" in runs else 0
        if twice:
            raise StoreError(f"{self.root}: holds {_many(twice, 'run')} twice; run "
                             f"`missionsim repair {self.root}` (or resume the study) to "
                             "keep one copy of each")

    def read(self, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One table across all complete chunks (empty when there are none).

        Raises:
            StoreError: A committed chunk's file is missing or unreadable (one line naming the
                file and how to recover).
        """
        if kind not in TABLES:
            raise ValueError(f"kind = {kind!r}: expected one of {', '.join(TABLES)}")
        frames = [self._read_file(self._file(n, kind), columns=columns)
                  for n in self._complete_chunks()]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)
