"""Mending a store: runs stored twice, unreadable chunks, and what differs from a new study.

Resuming keeps one copy of runs stored more than once (the same ``run_id`` in two chunks, as
two writers sharing a folder without the lock leave): later chunks are rewritten without them,
each file atomically and ``runs`` last, so a repair interrupted at any point is finished by the
next one (:func:`dedupe`). :meth:`~missionsim.experiments.store.Store.repair` also sets chunks
with a missing or unreadable file aside in ``OUT/corrupt`` (:func:`set_aside_unreadable`).
A folder that holds a different study is refused with a message naming what differs
(:func:`difference`). :class:`Repair` records what was changed.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from missionsim.experiments.store.files import write_atomic
from missionsim.experiments.store.messages import many, numbers, quote
from missionsim.experiments.store.schema import TABLES, TEXT

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from missionsim.experiments.store.store import Store

CORRUPT = "corrupt"
"""Folder beside ``chunks`` where :meth:`Store.repair` sets unreadable chunks aside."""

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
        return "not set" if value is _MISSING else quote(value)

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
            found.append(f"its scenarios are in another order: {quote(list(before))} in the "
                         f"store, {quote(list(after))} now")
        else:
            found.append(f"its scenarios are {quote(list(before))}, this study's "
                         f"{quote(list(after))}")
    for name in (n for n in after if n in before):
        was, now = before[name], after[name]
        if was.get("digest") == now.get("digest"):
            continue
        contents = was.get("content"), now.get("content")
        change = _first_change(*contents) if all(isinstance(c, dict) for c in contents) else None
        if change is None:
            found.append(f"scenario {quote(name)} has other settings (its digest differs)")
        else:
            found.append(f"scenario {quote(name)}: {change[0]} is {_was_is(*change[1:])}")
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
            parts.append(f"moved {many(len(self.set_aside), 'unreadable chunk')} "
                         f"({numbers(self.set_aside)}) to {CORRUPT}/")
        if self.duplicates:
            chunks = self.rewritten + self.dropped
            parts.append(f"removed {many(self.duplicates, 'run')} stored twice (from "
                         f"{'chunk' if len(chunks) == 1 else 'chunks'} {numbers(chunks)})")
        if self.leftovers:
            parts.append(f"removed {many(self.leftovers, 'leftover file')} of unfinished "
                         "chunks")
        return "; ".join(parts)

    def __str__(self) -> str:
        done = self.removed() or "nothing to repair"
        state = f"{self.stored} of {self.planned} planned runs stored, each once"
        advice = (": run the study again with --resume to finish" if self.stored < self.planned
                  else "")
        return f"{self.root}: {done}; {state}{advice}"


def set_aside_unreadable(store: Store) -> list[int]:
    """Move committed chunks with a missing or unreadable file to ``OUT/corrupt``."""
    moved = []
    for n in store.complete_chunks():
        try:
            for kind in TABLES:
                table = pq.read_table(store.chunk_file(n, kind))
                if "run_id" not in table.column_names:
                    raise ValueError("no run_id column")
        except (pa.ArrowException, OSError, ValueError):
            aside = store.root / CORRUPT
            aside.mkdir(exist_ok=True)
            for kind in ("months", "runs", "places"):  # months first: uncommits the chunk
                path = store.chunk_file(n, kind)
                if path.exists():
                    target = aside / path.name
                    copy = 1
                    while target.exists():  # an earlier chunk of that number set aside
                        copy += 1
                        target = aside / f"{path.stem}.{copy}{path.suffix}"
                    os.replace(path, target)
            moved.append(n)
    return moved


def dedupe(store: Store, repair: Repair) -> None:
    """Keep one copy of each run: rewrite later chunks without runs an earlier one holds.

    Each file is rewritten atomically, ``runs`` last, so while a chunk is being repaired
    its ``runs`` file still shows the duplicates and the next repair finishes the work.
    A chunk whose runs are all stored earlier is removed, ``months`` first.
    """
    seen: set[str] = set()
    for n in store.complete_chunks():
        ids = store.read_file(store.chunk_file(n, "runs"), columns=["run_id"])["run_id"]
        twice = seen.intersection(ids)
        if not twice:
            seen.update(ids)
            continue
        repair.duplicates += len(twice)
        if twice.issuperset(ids):
            for kind in ("months", "runs", "places"):  # months first: uncommits it
                store.chunk_file(n, kind).unlink(missing_ok=True)
            repair.dropped.append(n)
            continue
        drop = pa.array(sorted(twice), type=TEXT)
        for kind in ("places", "months", "runs"):  # runs last: it shows what is left to do
            path = store.chunk_file(n, kind)
            table = pq.read_table(path)
            keep = pc.invert(pc.is_in(table["run_id"], value_set=drop))
            kept = table.filter(keep)
            if kept.num_rows < table.num_rows:
                write_atomic(path, lambda p, t=kept: pq.write_table(t, p))
        repair.rewritten.append(n)
        seen.update(ids)
