"""The store's Arrow schema: every table of every chunk is written with fixed column types.

Text is ``large_string``, whole numbers (ids, seeds, months, counts) int64 and measures
float64; the identity columns, ``mission``, ``preset``, ``horizon``, ``params``, ``reforms``,
``at``, ``month`` and ``place`` are never null. ``target_met`` is a nullable bool (null when the
run stops before the mission's deadline). Reporter columns take the type of the reporter's
return annotation (float64 without one); a sweep's ``factor:NAME`` columns take the type of what
the factor varies (float64, int64 or bool). Any other column, including a ``factor:NAME`` whose
name is neither a parameter nor a reform setting, is nullable text: strings as they are, missing
values as null, anything else as JSON. NaN is stored as null, as pandas does. A table that lacks
a declared column or holds a value its column cannot represent is refused with a one-line
:class:`ValueError` naming the table and the column (:func:`to_arrow`).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import pyarrow as pa

from missionsim.model.reporters import REPORTERS

TABLES = ("runs", "places", "months")
"""Tables in every chunk; the last is written last and marks the chunk complete."""

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
        _optional("people_served", FLOAT),
        _required("params", TEXT),
        _required("reforms", TEXT),
    ],
    "places": [
        *IDENTITY,
        _required("at", TEXT),
        _required("month", INT),
        _required("place", INT),
        _optional("name", TEXT),
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
    # imported here: the sweeps run studies, which write through this module
    from missionsim.experiments.sweeps.factors import target

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
    return json.dumps(value, sort_keys=True, default=json_default)


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


def json_default(value: Any) -> Any:
    """JSON for what :mod:`json` cannot write: NumPy scalars as numbers, the rest as text."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)

