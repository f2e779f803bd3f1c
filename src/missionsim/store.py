"""The results store: Parquet chunks written atomically, a manifest, and resumption.

Layout of an output folder::

    OUT/manifest.json               what the study is: scenarios and their hashes, design,
                                    root seed, every planned run and its seed, package version
    OUT/chunks/000001.runs.parquet    one row per run
    OUT/chunks/000001.places.parquet  one row per place at the deadline and at the end
    OUT/chunks/000001.months.parquet  one row per run × month (written last: the commit mark)

Each file is written to a temporary name in the same folder and then renamed, which is atomic
on POSIX file systems, so a chunk is either complete or absent. A chunk counts only once its
``months`` file exists; leftovers of a chunk interrupted between its files are removed when the
study resumes. Resuming reads which runs are complete and skips them, so a study killed at any
moment (even with SIGKILL) and resumed ends with every run exactly once.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim import __version__

TABLES = ("runs", "places", "months")
"""Tables in every chunk; the last is written last and marks the chunk complete."""

MANIFEST = "manifest.json"
_CHUNK = re.compile(r"^(\d{6})\.(runs|places|months)\.parquet$")


class StoreError(ValueError):
    """The output folder cannot be used as asked (the message is one line)."""


def write_atomic(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


@dataclass
class Store:
    """An output folder holding one study's results."""

    root: Path

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

    # --- manifest -------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any]:
        """The manifest, or raise :class:`StoreError` when the folder holds no study."""
        try:
            return json.loads(self.manifest_path.read_text())
        except FileNotFoundError:
            raise StoreError(f"{self.root}: no results here (no {MANIFEST}); run a study with "
                             "--out pointing at this folder first") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"{self.manifest_path}: not a readable manifest ({exc})") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically."""
        manifest = {**manifest, "version": __version__}
        text = json.dumps(manifest, indent=2, default=_json_default)  # keeps scenario order
        write_atomic(self.manifest_path, lambda p: p.write_text(text + "\n"))

    def open(self, manifest: dict[str, Any], resume: bool) -> set[str]:
        """Prepare the folder for a study; return the run ids already complete.

        Args:
            manifest: The study's manifest; its ``study`` key identifies the planned runs.
            resume: Continue a study already in the folder.

        Raises:
            StoreError: The folder holds results and ``resume`` is false, or holds a different
                study.
        """
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: exists and is not a folder")
        exists = self.manifest_path.exists()
        if exists and not self._complete_chunks():
            # a study that stopped before its first chunk (e.g. no cluster): nothing to keep
            self._remove_incomplete()
            exists = False
        if exists and not resume:
            raise StoreError(f"{self.root}: already holds results; pass --resume to continue "
                             "that study, or choose another --out folder")
        if exists:
            old = self.read_manifest()
            if old.get("study") != manifest.get("study"):
                raise StoreError(f"{self.root}: holds a different study (its scenarios, design "
                                 "or seeds differ); choose another --out folder to run this one")
            self._remove_incomplete()
            done = self.completed()
        else:
            if self.chunks.exists() and any(self.chunks.iterdir()):
                raise StoreError(f"{self.chunks}: holds chunks but no {MANIFEST}; choose an "
                                 "empty --out folder")
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

    def _remove_incomplete(self) -> None:
        for n, kinds in self._chunk_files().items():
            if "months" not in kinds:
                for kind in kinds:
                    (self.chunks / f"{n:06d}.{kind}.parquet").unlink(missing_ok=True)
        for tmp in self.chunks.glob(".*.tmp") if self.chunks.is_dir() else ():
            tmp.unlink(missing_ok=True)

    def completed(self) -> set[str]:
        """Run ids in complete chunks."""
        done: set[str] = set()
        for n in self._complete_chunks():
            ids = pd.read_parquet(self.chunks / f"{n:06d}.runs.parquet", columns=["run_id"])
            done.update(ids["run_id"])
        return done

    def write_chunk(self, tables: dict[str, pd.DataFrame]) -> int:
        """Write one chunk (``runs``, ``places`` and ``months`` tables); return its number."""
        existing = self._chunk_files()
        number = max(existing, default=0) + 1
        for kind in TABLES:  # months last: it marks the chunk complete
            frame = tables[kind]
            write_atomic(self.chunks / f"{number:06d}.{kind}.parquet",
                         lambda p, f=frame: f.to_parquet(p, index=False))
        return number

    def read(self, kind: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One table across all complete chunks (empty when there are none)."""
        if kind not in TABLES:
            raise ValueError(f"kind = {kind!r}: expected one of {', '.join(TABLES)}")
        frames = [pd.read_parquet(self.chunks / f"{n:06d}.{kind}.parquet", columns=columns)
                  for n in self._complete_chunks()]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)
