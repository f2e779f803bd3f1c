"""Observed series: what happened, as a data file the model is fitted to or tested against.

An observed series is a CSV file, one row per observation::

    month,value,measure,tolerance,date,source
    0,1850,outcome_reported,,June 1998,CALIBRATION B: first national count
    36,703,outcome_reported,0.2,June 2001,CALIBRATION B

``month`` (a whole month from the mission's month 0) and ``value`` (in the mission's unit) are
required. The optional columns: ``measure``, the model reporter the value is compared with
(``outcome_reported`` when absent: official series are the reported values; ``outcome`` for a
value measured independently of the returns, such as a survey); ``tolerance``, how far the
model may be from the value and still be within it (indicator units; absent: no tolerance is
claimed); ``date``, the calendar date; ``source``, where the value comes from. Every problem
is one line naming the file, the row and the column. ``missionsim calibrate --observed`` fits to
such a file and ``scenarios/history/`` keeps one per episode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from missionsim import limits
from missionsim.files import FileProblem, read_csv_rows, shown
from missionsim.model.reporters import REPORTERS

REQUIRED = ("month", "value")
"""Columns every observed series has."""
OPTIONAL = ("measure", "tolerance", "date", "source")
"""Columns it may have."""
DEFAULT_MEASURE = "outcome_reported"
"""The reporter a value is compared with when the file has no ``measure``: official series
are what was reported."""
MEASURES = ("outcome", "outcome_reported")
"""Reporters an observed value may name: the true or the reported national indicator."""
MAX_ROWS = 10_000
"""Most observations in one file."""


class SeriesError(ValueError):
    """An observed series file is invalid; the message is one line naming the file and row."""


@dataclass(frozen=True)
class Series:
    """An observed series, checked.

    Attributes:
        table: One row per observation: ``month``, ``value``, ``measure``, ``tolerance``
            (NaN when none is claimed), ``date``, ``source``, sorted by measure and month.
        path: The file it was read from.
    """

    table: pd.DataFrame
    path: str

    @property
    def last_month(self) -> int:
        """The latest month observed."""
        return int(self.table["month"].max())


def read_series(path: str | Path) -> Series:
    """Read and check an observed series (see the module docstring).

    Raises:
        SeriesError: One line naming the file, the row and what was expected.
    """
    path = Path(path)
    where = shown(path)
    try:
        rows = read_csv_rows(path)
    except FileProblem as exc:
        raise SeriesError(f"{where}: {exc}") from None
    if not rows:
        raise SeriesError(f"{where}: empty; expected a header with {', '.join(REQUIRED)}")
    header = [h.strip() for h in rows[0]]
    for name in REQUIRED:
        if name not in header:
            raise SeriesError(f"{where}: column {name!r} is missing; expected {', '.join(REQUIRED)}"
                              f" and optionally {', '.join(OPTIONAL)}")
    unknown = [h for h in header if h not in (*REQUIRED, *OPTIONAL)]
    if unknown or len(set(header)) != len(header):
        bad = unknown[0] if unknown else next(h for h in header if header.count(h) > 1)
        raise SeriesError(f"{where}: column {limits.quote(bad)}: unknown or repeated; expected "
                          f"{', '.join((*REQUIRED, *OPTIONAL))}")
    if len(rows) - 1 > MAX_ROWS:
        raise SeriesError(f"{where}: {len(rows) - 1:,} rows; expected at most {MAX_ROWS:,}")
    if len(rows) < 2:  # structural: a header and at least one observation
        raise SeriesError(f"{where}: no observations below the header")
    records = []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise SeriesError(f"{where}: row {i}: {len(row)} cells; expected {len(header)}")
        cell = dict(zip(header, (c.strip() for c in row), strict=True))
        records.append(_record(cell, f"{where}: row {i}"))
    table = pd.DataFrame.from_records(records)
    dupes = table.duplicated(["measure", "month"])
    if dupes.any():
        row = int(dupes.to_numpy().nonzero()[0][0]) + 2  # structural: 1-based, after the header
        raise SeriesError(f"{where}: row {row}: month {table['month'][row - 2]} of "
                          f"{table['measure'][row - 2]} is observed twice")
    table = table.sort_values(["measure", "month"], kind="stable").reset_index(drop=True)
    return Series(table=table, path=str(path))


def _record(cell: dict[str, str], where: str) -> dict[str, object]:
    """One row as typed values, or a :class:`SeriesError`."""
    try:
        month = int(cell["month"])
    except ValueError:
        raise SeriesError(f"{where}: month = {limits.quote(cell['month'])}; expected a whole "
                          "month") from None
    if not 0 <= month <= limits.MAX_HORIZON:
        raise SeriesError(f"{where}: month = {month}; expected a month in [0, "
                          f"{limits.MAX_HORIZON}]")
    value = _number(cell["value"], f"{where}: value")
    measure = cell.get("measure") or DEFAULT_MEASURE
    if measure not in MEASURES or measure not in REPORTERS:
        raise SeriesError(f"{where}: measure = {limits.quote(measure)}; expected one of "
                          f"{', '.join(MEASURES)}")
    tolerance = math.nan
    if cell.get("tolerance"):
        tolerance = _number(cell["tolerance"], f"{where}: tolerance")
        if tolerance <= 0:
            raise SeriesError(f"{where}: tolerance = {tolerance:g}; expected a value > 0")
    text = {k: cell.get(k, "") for k in ("date", "source")}
    for key, value_text in text.items():
        if len(value_text) > limits.MAX_TEXT_CHARS or not value_text.isprintable():
            raise SeriesError(f"{where}: {key}: expected printable text of at most "
                              f"{limits.MAX_TEXT_CHARS:,} characters")
    return {"month": month, "value": value, "measure": measure, "tolerance": tolerance,
            **text}


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SeriesError(f"{where} = {limits.quote(text)}; expected a number") from None
    if not math.isfinite(value):
        raise SeriesError(f"{where} = {limits.quote(text)}; expected a finite number")
    return value
