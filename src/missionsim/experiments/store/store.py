"""The :class:`Store`: one study's results in an output folder (see the package's layout).

A study writes through :meth:`Store.open` and :meth:`Store.write_chunk` while holding the
folder's lock (:meth:`Store.locked`); reading (:meth:`Store.read`, :meth:`Store.completed`)
takes no lock. A chunk counts only once its ``months`` file exists; leftovers of a chunk
interrupted between its files are removed when the study resumes. Resuming reads which runs are
complete and skips them, so a study killed at any moment (even with SIGKILL) and resumed ends
with every run exactly once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from missionsim import __version__
from missionsim.errors import StoreError
from missionsim.experiments.store import lock
from missionsim.experiments.store.files import write_atomic
from missionsim.experiments.store.messages import clip, many, unreadable, write_error
from missionsim.experiments.store.repair import Repair, dedupe, difference, set_aside_unreadable
from missionsim.experiments.store.schema import TABLES, json_default, to_arrow

MANIFEST = "manifest.json"
"""The study's description, beside ``chunks``."""

_CHUNK = re.compile(r"^(\d{6})\.(runs|places|months)\.parquet$")

log = logging.getLogger("missionsim.experiments.store")
"""Notes on what resuming repaired (the command line prints them on standard error)."""


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
        return self.root / lock.LOCK

    def chunk_file(self, number: int, kind: str) -> Path:
        """The file of table ``kind`` in chunk ``number``."""
        return self.chunks / f"{number:06d}.{kind}.parquet"

    def read_file(self, path: Path, columns: list[str] | None = None) -> pd.DataFrame:
        """One chunk file as a frame, or a one-line :class:`StoreError` naming the file."""
        try:
            return pd.read_parquet(path, columns=columns)
        except FileNotFoundError:
            raise unreadable(self.root, path, "missing (the chunk's months file exists)") from None
        except PermissionError:
            raise StoreError(f"{path}: cannot read it (permission denied); give "
                             "yourself read permission") from None
        except (pa.ArrowException, OSError, ValueError, KeyError):
            raise unreadable(self.root, path, "unreadable (corrupt or truncated)") from None

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
        self._lock_fd = lock.take(self.root)
        try:
            yield self
        finally:
            self.close()

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
                             f"({clip(str(exc))})") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically.

        Raises:
            StoreError: The file system refuses the write (one line naming the folder).
        """
        manifest = {**manifest, "version": __version__}
        text = json.dumps(manifest, indent=2, default=json_default)  # keeps scenario order
        try:
            write_atomic(self.manifest_path, lambda p: p.write_text(text + "\n"))
        except OSError as exc:
            raise write_error(self.root, exc, f"write {MANIFEST}") from None

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
            self._lock_fd = lock.take(self.root)
        try:
            return self._open(manifest, resume)
        except OSError as exc:
            if took:
                self.close()
            raise write_error(self.root, exc, "write into it") from None
        except BaseException:
            if took:
                self.close()
            raise

    def close(self) -> None:
        """Release the folder's lock if this store holds it (see :meth:`open`)."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            lock.release(fd)

    def _open(self, manifest: dict[str, Any], resume: bool) -> set[str]:
        exists = self.manifest_path.exists()
        if exists and not self.complete_chunks():
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
            dedupe(self, repair)
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

    def complete_chunks(self) -> list[int]:
        """Numbers of the committed chunks (those whose ``months`` file exists), in order."""
        return sorted(n for n, kinds in self._chunk_files().items() if "months" in kinds)

    def _remove_incomplete(self) -> int:
        """Remove the files of uncommitted chunks and temporary files; return how many."""
        removed = 0
        for n, kinds in self._chunk_files().items():
            if "months" not in kinds:
                for kind in kinds:
                    self.chunk_file(n, kind).unlink(missing_ok=True)
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
        for n in self.complete_chunks():
            for kind in TABLES:
                path = self.chunk_file(n, kind)
                try:
                    pq.read_metadata(path)
                except FileNotFoundError:
                    raise unreadable(self.root, path,
                                     "missing (the chunk's months file exists)") from None
                except (pa.ArrowException, OSError, ValueError):
                    raise unreadable(self.root, path,
                                     "unreadable (corrupt or truncated)") from None

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
                repair = Repair(self.root, set_aside=set_aside_unreadable(self))
                repair.leftovers = self._remove_incomplete()
                dedupe(self, repair)
                repair.stored = len(self.completed())
            except OSError as exc:
                raise write_error(self.root, exc, "write the repaired chunks") from None
        repair.planned = planned
        return repair

    def completed(self) -> set[str]:
        """Run ids in complete chunks.

        Raises:
            StoreError: A committed chunk's runs file is missing or unreadable.
        """
        done: set[str] = set()
        for n in self.complete_chunks():
            done.update(self.read_file(self.chunk_file(n, "runs"), columns=["run_id"])["run_id"])
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
                write_atomic(self.chunk_file(number, kind),
                             lambda p, t=converted[kind]: pq.write_table(t, p))
        except OSError as exc:
            raise write_error(self.root, exc, f"write chunk {number:06d}", kept=True) from None
        return number

    def check_unique(self, runs: pd.DataFrame) -> None:
        """Refuse a store whose ``runs`` table holds a run more than once.

        Raises:
            StoreError: One line saying how many runs are stored twice and how to repair.
        """
        twice = int(runs["run_id"].duplicated().sum()) if "run_id" in runs else 0
        if twice:
            raise StoreError(f"{self.root}: holds {many(twice, 'run')} twice; run "
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
        frames = [self.read_file(self.chunk_file(n, kind), columns=columns)
                  for n in self.complete_chunks()]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)
