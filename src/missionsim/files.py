"""Settings files: the strict-TOML base that scenario and sweep files share.

Both kinds of file are read the same way: bounded reading (:func:`read_settings`: regular
files only, at most :data:`~missionsim.limits.MAX_FILE_BYTES`, nesting at most
:data:`~missionsim.limits.MAX_NESTING` deep), an ``extends`` chain merged key by key
(:func:`read_chain`, :func:`merge`), and validation by a strict pydantic model
(:class:`Strict`: no unknown key, no type coercion, frozen). Every problem becomes a
:class:`~missionsim.errors.ScenarioError` whose message is one line naming the file, the key
path (:func:`key_path`) and what was expected (:func:`describe_error`); names and free text are
cleaned by :func:`clean_name` and :func:`clean_text`.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from missionsim import limits
from missionsim.errors import ScenarioError

SHOWN_PATH_CHARS = 200
"""Longest path printed as given in a message; longer (or unprintable) paths are quoted and
shortened."""

TOML_ERROR_CHARS = 120
"""Longest TOML parser message quoted in a message."""


class Strict(BaseModel):
    """Base of every settings schema: unknown keys refused, no coercion, frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Described(Strict):
    """Base of a settings file with a ``name`` and a ``description``.

    The name is cleaned by :func:`clean_name` and the description by :func:`clean_text`, so
    scenario, sweep and mission files treat them alike.
    """

    @field_validator("name", mode="before", check_fields=False)
    @classmethod
    def _clean_name(cls, value: Any) -> Any:
        return clean_name(value)

    @field_validator("description", mode="before", check_fields=False)
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return clean_text(value)


def is_number(value: Any) -> bool:
    """Whether ``value`` is an int or a float (a boolean is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_float(value: Any) -> Any:
    """Numbers as floats (an integer too large for a float stays as it is, to be refused)."""
    if not is_number(value):
        return value
    try:
        return float(value)
    except OverflowError:
        return value


# --- messages ---------------------------------------------------------------------------------
PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
"""A key TOML writes without quotes."""


def quote_key(name: str) -> str:
    """One key as TOML writes it in a dotted path (quoted when it holds dots, spaces, ...)."""
    return name if PLAIN_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def key_path(parts: Any) -> str:
    """A TOML-style dotted key path, quoting keys that need it.

    Quoting keeps a message on one line whatever the keys contain.
    """
    out = []
    for part in parts:
        text = str(part)
        if len(text) > limits.MAX_KEY_CHARS:
            text = text[:limits.MAX_KEY_CHARS - 1] + "…"
        out.append(quote_key(text))
    return ".".join(out)


def short(value: Any, limit: int = limits.MAX_QUOTED_CHARS) -> str:
    """``repr(value)`` on one line, shortened to ``limit`` characters."""
    return limits.quote(value, limit)


def one_of(value: str, registry: Mapping[str, Any], what: str) -> str:
    """``value`` if it is a key of ``registry``, else a ValueError listing the keys."""
    if value not in registry:
        raise ValueError(f"{short(value)} is not a {what}; expected one of "
                         f"{', '.join(sorted(registry))}")
    return value


def clean_name(value: Any) -> Any:
    """A name with surrounding spaces stripped, if it is a printable one-line string.

    Names label tables, reports and run ids, so ``"base"`` and ``"base "`` must be one name
    and a name must not carry control or direction-changing characters.

    Raises:
        ValueError: The name is empty, too long, or not printable on one line.
    """
    if not isinstance(value, str):
        return value  # the type check reports it
    name = value.strip()
    if not name:
        raise ValueError("expected a non-empty name")
    if len(name) > limits.MAX_NAME_CHARS:
        raise ValueError(f"expected a name of at most {limits.MAX_NAME_CHARS} characters, got "
                         f"{len(name):,}")
    if not name.isprintable():
        raise ValueError(f"expected a name of printable characters on one line, got "
                         f"{short(name)}")
    return name


def clean_text(value: Any) -> Any:
    """Free text (a description): stripped, bounded, and free of control characters.

    Raises:
        ValueError: The text is too long or holds control or direction-changing characters.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) > limits.MAX_TEXT_CHARS:
        raise ValueError(f"expected at most {limits.MAX_TEXT_CHARS:,} characters, got "
                         f"{len(text):,}")
    if not all(ch.isprintable() or ch in "\n\t" for ch in text):
        raise ValueError("expected printable text (line breaks allowed), got control or "
                         "direction-changing characters")
    return text


_REPLACEMENTS = {
    "Input should be a valid integer": "expected a whole number",
    "Input should be a valid number": "expected a number",
    "Input should be a valid string": "expected a string",
    "Input should be a valid boolean": "expected true or false",
    "Input should be a valid dictionary or instance of": "expected a table",
    "Input should be a valid dictionary": "expected a table",
    "Input should be a valid list": "expected a list",
    "Input should be greater than or equal to": "expected a value ≥",
    "Input should be less than or equal to": "expected a value ≤",
    "Input should be greater than": "expected a value >",
    "String should have at least 1 character": "expected a non-empty string",
}
"""pydantic's phrases and the words a message uses instead."""

_SHOWS_VALUE = ("int_", "float_", "string_", "bool_", "dict_", "model_", "greater", "less",
                "too_short")
"""Kinds of pydantic error whose message ends with the value given."""


def error_path(err: Mapping[str, Any]) -> list[str]:
    """The key path of a pydantic error, without the validators' own entries."""
    return [str(part) for part in err["loc"]
            if not (str(part).startswith("function-") and "[" in str(part))]


def describe_error(exc: ValidationError,
                   allowed_keys: Callable[[tuple], list[str]] | None = None) -> str:
    """The first pydantic error as ``key.path: what was expected, got VALUE``.

    Args:
        exc: The validation error.
        allowed_keys: The keys allowed at a location of the schema (given the location of
            the table holding an unknown key), for "unknown key; expected one of" messages.
    """
    err = exc.errors(include_url=False)[0]
    kind = err["type"]
    value = err.get("input")
    path = key_path(error_path(err))
    if kind == "extra_forbidden":
        allowed = allowed_keys(err["loc"][:-1]) if allowed_keys is not None else []
        hint = f"; expected one of {', '.join(allowed)}" if allowed else ""
        return f"{path or '(top level)'}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required key is missing"
    message = err["msg"]
    message = message.removeprefix("Value error, ")
    for old, new in _REPLACEMENTS.items():
        if message.startswith(old):
            message = new + ("" if new == "expected a table" else message[len(old):])
            break
    message = message.split(" [")[0]
    if kind.startswith(_SHOWS_VALUE):
        message = f"{message}, got {short(value)}"
    return f"{path or '(top level)'}: {message}"


# --- reading ----------------------------------------------------------------------------------
class FileProblem(Exception):
    """Why a path cannot be read as a TOML settings file (the text completes "PATH: ...")."""


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def shown(path: Path) -> str:
    """A path for a one-line message: as given when short and printable, else quoted."""
    text = str(path)
    return (text if text.isprintable() and len(text) <= SHOWN_PATH_CHARS
            else short(text, SHOWN_PATH_CHARS))


KIND_WORDS = {".toml": "TOML"}
"""How messages name a kind of file when not by its suffix."""


def read_settings_text(path: Path, kind: str = ".toml") -> str:
    """Read a text file within the input limits, or raise :class:`FileProblem`.

    Only regular files (or links to them) of at most :data:`~missionsim.limits.MAX_FILE_BYTES`
    are opened, so a FIFO, a device such as ``/dev/zero`` or a huge file is refused unread.
    A UTF-8 byte-order mark is accepted.

    Args:
        path: The file.
        kind: What the file is expected to be, for messages (``.toml``, ``.csv``).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileProblem("no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileProblem(f"a loop of symbolic links, expected a {kind} file") from None
        raise FileProblem(f"cannot read ({exc.strerror})") from None
    except ValueError:  # an embedded NUL
        raise FileProblem("not a valid path") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileProblem(f"is a folder, expected a {kind} file")
    for test, what in _KINDS:
        if test(info.st_mode):
            raise FileProblem(f"is {what}, expected a regular {kind} file")
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"is not a regular file, expected a {kind} file")
    if info.st_size > limits.MAX_FILE_BYTES:
        raise FileProblem(f"is {info.st_size:,} bytes; expected a "
                          f"{'settings' if kind == '.toml' else kind} file of at most "
                          f"{limits.MAX_FILE_BYTES:,} bytes")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FileProblem(f"cannot read ({exc.strerror})") from None
    if len(raw) > limits.MAX_FILE_BYTES:  # it grew since stat
        raise FileProblem(f"is over {limits.MAX_FILE_BYTES:,} bytes; expected a smaller file")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as Windows editors write, is fine
    except UnicodeDecodeError:
        raise FileProblem(f"not UTF-8 text, expected a {KIND_WORDS.get(kind, kind)} file") from None
    return text


def read_csv_rows(path: Path) -> list[list[str]]:
    """Read a CSV data file within the input limits: its rows, blank rows left out.

    Raises:
        FileProblem: The file cannot be read (see :func:`read_settings_text`) or is not CSV.
    """
    text = read_settings_text(path, ".csv")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise FileProblem(f"not a CSV file ({exc})") from None
    return [row for row in rows if any(cell.strip() for cell in row)]


def read_settings(path: Path) -> dict[str, Any]:
    """Read a TOML settings file within the input limits, or raise :class:`FileProblem`.

    The file is read by :func:`read_settings_text`; tables and arrays may nest at most
    :data:`~missionsim.limits.MAX_NESTING` deep; a file with no settings is refused.
    """
    text = read_settings_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(f"not valid TOML ({short(str(exc), TOML_ERROR_CHARS)[1:-1]})") from None
    except RecursionError:
        raise FileProblem(f"nested more than {limits.MAX_NESTING} levels deep") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise FileProblem(f"not valid TOML ({short(str(exc), TOML_ERROR_CHARS)[1:-1]})") from None
    depth = nesting(data)
    if depth > limits.MAX_NESTING:
        raise FileProblem(f"nested {depth} levels deep; expected at most {limits.MAX_NESTING}")
    if not data:
        raise FileProblem("holds no settings (empty or only comments)")
    return data


def nesting(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (0 for a plain value); iterative."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if depth + 1 <= limits.MAX_NESTING:  # deeper is refused anyway: stop counting
            stack.extend((child, depth + 1) for child in children)
    return deepest


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML settings file; any problem raises :class:`ScenarioError` naming the file."""
    try:
        return read_settings(Path(path))
    except FileProblem as exc:
        raise ScenarioError(f"{shown(Path(path))}: {exc}") from None


def merge(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Merge two TOML tables key by key; values in ``child`` win, tables merge recursively."""
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_chain(path: str | Path, _stack: tuple[Path, ...] = (),
               _first: Path | None = None) -> dict[str, Any]:
    """Read a TOML file and everything it ``extends``, merged, without validating it.

    A parent's ``name``, ``title`` and ``description`` belong to it and are not inherited.

    Raises:
        ScenarioError: For a file that cannot be read (see :func:`read_settings`), a bad
            ``extends`` or a cycle. A problem with a file named by ``extends`` names the file
            that extends it, the key and the target.
    """
    path = Path(path)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links; a NUL in the path
        resolved = path.absolute()
    # the first file's problems name it; a parent's go to the file that extends it (below)
    data = read_settings(path) if _stack else read_toml(path)
    parent = data.get("extends")
    if parent is None:
        return data
    where = f"{shown(path)}: extends"
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"{where}: expected the path of another scenario file, got "
                            f"{short(parent)}")
    parent_path = path.parent / parent
    try:
        parent_resolved = parent_path.resolve()
    except (OSError, RuntimeError, ValueError):
        parent_resolved = parent_path
    if parent_resolved in (*_stack, resolved):  # named by the file the user gave
        cycle = " → ".join(p.name for p in (*_stack, resolved, parent_resolved))
        raise ScenarioError(f"{shown(_first or path)}: extends: cycle of files ({cycle})")
    if len(_stack) + 1 >= limits.MAX_EXTENDS_DEPTH:  # named by the file the user gave
        raise ScenarioError(f"{shown(_first or path)}: extends: chain longer than "
                            f"{limits.MAX_EXTENDS_DEPTH} files")
    try:
        base = read_chain(parent_path, (*_stack, resolved), _first or path)
    except FileProblem as exc:
        raise ScenarioError(f"{where}: {short(parent)} ({shown(parent_path)}): {exc}") from None
    return merge(inherited(base), {k: v for k, v in data.items() if k != "extends"})


OWN_KEYS = ("name", "title", "description")  # a file's own: never inherited through extends


def inherited(base: Mapping[str, Any]) -> dict[str, Any]:
    """What a file inherits from the file it extends: all but :data:`OWN_KEYS`."""
    return {k: v for k, v in base.items() if k not in OWN_KEYS}
