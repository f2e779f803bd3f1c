"""Files shipped inside the package: scenarios, sweeps and the model description.

Everything a user may name without a path lives in ``missionsim/data/`` and is read through
:mod:`importlib.resources`, so an installed package (a wheel, outside any checkout) finds the
same files as the source tree. In the repository, ``scenarios/`` and ``sweeps/`` at the top are
links to these folders, so there is one copy of each file.

``missionsim init DIR`` copies the shipped scenarios and sweeps into a folder as editable
templates (:func:`copy_templates`).
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
from importlib import resources
from pathlib import Path

KINDS = ("scenarios", "sweeps", "missions", "places", "advise")
"""The kinds of shipped files a user can name or copy (folders of ``missionsim/data/``)."""

SUFFIX = {"places": ".csv"}
"""The suffix of each kind's files where it is not ``.toml`` (places files are tables)."""

COPIED = (".toml", ".md", ".csv")
"""Suffixes of the files ``missionsim init`` copies (settings, their READMEs, observed series)."""

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def data_path(*parts: str) -> Path:
    """The file system path of a file or folder in ``missionsim/data/``.

    An installed package on a file system gives its own path; a package imported from a zip
    archive is extracted once per process (and removed at exit).
    """
    item = resources.files("missionsim").joinpath("data", *parts)
    if isinstance(item, Path):
        return item
    return _extracted.enter_context(resources.as_file(item))  # pragma: no cover - zipped


def shipped(kind: str = "scenarios") -> dict[str, Path]:
    """Shipped files of one kind (:data:`KINDS`) by name (file stem), sorted.

    Files in sub-folders count too (the historical episodes in ``scenarios/history/``); stems
    are unique across them.

    Raises:
        ValueError: ``kind`` is not one of :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f"kind = {kind!r}: expected one of {', '.join(KINDS)}")
    folder = data_path(kind)
    if not folder.is_dir():
        return {}
    suffix = SUFFIX.get(kind, ".toml")
    return {p.stem: p for p in sorted(folder.rglob(f"*{suffix}"), key=lambda p: p.stem)}


def find_shipped(value: str | Path, kind: str = "scenarios") -> Path | None:
    """The shipped file a bare name refers to, or ``None``.

    A value is a bare name when it is not an existing path and has no folder part; a
    ``.toml`` suffix is allowed (``baseline`` and ``baseline.toml`` both name the shipped
    baseline; for places files, ``.csv``). Existing files always win, so a local
    ``baseline.toml`` is never shadowed.
    """
    path = Path(value)
    try:
        if path.exists() or len(path.parts) != 1:
            return None
    except (OSError, ValueError):  # unreadable or malformed path: not a name
        return None
    stem = path.stem if path.suffix == SUFFIX.get(kind, ".toml") else path.name
    return shipped(kind).get(stem)


def copy_templates(folder: str | Path, force: bool = False) -> list[Path]:
    """Copy every kind of shipped file (:data:`KINDS`, with READMEs) into ``folder``.

    Args:
        folder: Destination; ``scenarios/``, ``sweeps/``, ``missions/``, ``places/`` and
            ``advise/`` are created inside it.
        force: Overwrite files that already exist.

    Returns:
        The files written.

    Raises:
        FileExistsError: A file to write exists and ``force`` is false (nothing is written).
        NotADirectoryError: ``folder`` exists and is not a folder.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: exists and is not a folder")
    plan = []
    for kind in KINDS:
        source = data_path(kind)
        for item in sorted(source.rglob("*")):
            if item.suffix in COPIED and item.is_file():
                plan.append((item, folder / kind / item.relative_to(source)))
    clashes = [dest for _, dest in plan if dest.exists()]
    if clashes and not force:
        raise FileExistsError(f"{clashes[0]}: already exists ({len(clashes)} of the "
                              f"{len(plan)} files would be overwritten); pass --force to "
                              "overwrite them, or choose another folder")
    for item, dest in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item, dest)
    return [dest for _, dest in plan]
