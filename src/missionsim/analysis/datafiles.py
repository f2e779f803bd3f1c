"""Catalogues shipped as data files: read from ``missionsim/data/``, validated on load.

A catalogue (the claims and their comparisons, the observed patterns and their tolerances) is
data, not code: a TOML file in the package's data folder, read within the input limits of
scenario files (:func:`missionsim.files.read_toml`) and checked against a
pydantic schema that forbids unknown keys. Every problem is one line that names the file and
the key: ``.../data/claims.toml: subclaims[3].measure: unknown measure 'outcom'; expected
one of ...``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from missionsim import resources
from missionsim.errors import ScenarioError
from missionsim.files import Strict, describe_error, read_toml, shown
from missionsim.limits import quote

Entry = Strict
"""Base of every catalogue schema: unknown keys refused, no coercion, frozen."""


class DataFileError(ValueError):
    """A shipped data file is invalid; the message is one line naming the file and key."""


def load[T: BaseModel](name: str, schema: type[T]) -> tuple[T, Path]:
    """Read ``missionsim/data/<name>`` and validate it against ``schema``.

    Returns:
        The validated catalogue and the file it came from (for later messages).

    Raises:
        DataFileError: The file is missing, unreadable, not TOML, or does not fit the schema.
    """
    path = resources.data_path(name)
    try:
        data = read_toml(path)
    except ScenarioError as exc:
        raise DataFileError(str(exc)) from None
    try:
        return schema.model_validate(data), path
    except ValidationError as exc:
        raise DataFileError(f"{shown(path)}: {describe_error(exc)}") from None


def check(ok: bool, path: Path, where: str, problem: str) -> None:
    """Raise a one-line :class:`DataFileError` at ``where`` in ``path`` unless ``ok``."""
    if not ok:
        raise DataFileError(f"{shown(path)}: {where}: {problem}")


def one_of(value: str, known: Iterable[str], path: Path, where: str, what: str) -> None:
    """Check that ``value`` names one of ``known`` (a reference to another part of a file)."""
    names = list(known)
    check(value in names, path, where, f"unknown {what} {quote(value)}; expected one of "
                                       f"{', '.join(names)}")
