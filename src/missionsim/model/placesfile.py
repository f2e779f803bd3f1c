"""Places files: real councils (or any set of places) as a CSV, checked on load.

A places file has one row per place, in the format of the DfE council data shipped with the
package (``data/places/england_councils_2018.csv``; source, licence and caveats in
``data/places/README.md``)::

    la_number,la_code,la_name,cohort_2018,fsm_cohort_2018,gld_2016,gld_2017,gld_2018,...,
    statistical_neighbours

Required: ``la_code`` (unique), ``la_name``, one ``cohort_YYYY`` (children in the measured
cohort) and at least one ``gld_YYYY`` (% reaching a good level of development). Optional:
``la_number``; ``fsm_cohort_YYYY`` (of whom eligible for free school meals);
``gld_fsm_YYYY`` and ``gld_other_YYYY`` (% GLD of FSM and other children);
``takeup_2yo_YYYY`` and ``takeup_3_4yo_YYYY`` (% take-up of funded early education, which can
exceed 100 where children are counted where they attend); ``statistical_neighbours`` (codes of
other places in the file, space-separated, closest first). Suppressed values are empty cells.
Every problem is one line naming the file, the row and the column.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from missionsim import limits, resources
from missionsim.files import FileProblem, read_csv_rows, shown

MAX_PLACES = limits.MAX_PLACES
MAX_NEIGHBOURS = limits.MAX_NEIGHBOURS
MAX_CODE_CHARS = limits.MAX_CODE_CHARS
TAKEUP_MAX = limits.MAX_TAKEUP
PERCENT = (0.0, 100.0)  # unit: a percentage
FIRST_ROW = 2  # structural: rows are numbered from 1 and the first is the header
YEARLY = {"cohort": (1.0, math.inf), "fsm_cohort": (0.0, math.inf), "gld": PERCENT,
          "gld_fsm": PERCENT, "gld_other": PERCENT, "takeup_2yo": (0.0, TAKEUP_MAX),
          "takeup_3_4yo": (0.0, TAKEUP_MAX)}
"""Columns written ``NAME_YYYY`` and the range of their values."""
COLUMN = re.compile(r"^(cohort|fsm_cohort|gld|gld_fsm|gld_other|takeup_2yo|takeup_3_4yo)_"
                    r"(\d{4})$")
OTHER = ("la_number", "la_code", "la_name", "statistical_neighbours")
"""Columns without a year."""


class PlacesError(ValueError):
    """A places file is invalid; the message is one line naming the file, row and column."""


@dataclass(frozen=True)
class PlacesData:
    """A checked places file.

    Attributes:
        table: One row per place, in file order: ``code``, ``name``, ``number`` (or NaN),
            ``NAME_YYYY`` columns as floats (NaN where suppressed), ``neighbours`` (a tuple of
            codes).
        years: For each yearly column name, the years present, in order.
        path: The file it was read from.
    """

    table: pd.DataFrame
    years: dict[str, tuple[int, ...]]
    path: str

    @property
    def cohort_year(self) -> int:
        """The year of the cohort column (the one the file has)."""
        return self.years["cohort"][-1]

    def latest(self, name: str) -> pd.Series:
        """The latest year's values of a yearly column, indexed by code."""
        year = self.years[name][-1]
        return self.table.set_index("code")[f"{name}_{year}"]

    @property
    def n(self) -> int:
        """Number of places."""
        return len(self.table)

    @property
    def cohort(self) -> np.ndarray:
        """Children in the measured cohort, per place."""
        return self.table[f"cohort_{self.cohort_year}"].to_numpy(float)

    @property
    def names(self) -> tuple[str, ...]:
        """Place names, in file order."""
        return tuple(self.table["name"])

    @property
    def codes(self) -> tuple[str, ...]:
        """Place codes, in file order."""
        return tuple(self.table["code"])

    def values(self, name: str, year: int | None = None) -> np.ndarray | None:
        """A yearly column's values (NaN where suppressed), or ``None`` if the file lacks it.

        Args:
            name: The column's name without its year (``gld``, ``takeup_2yo`` …).
            year: The year (default: the latest the file has).
        """
        years = self.years.get(name, ())
        if not years or (year is not None and year not in years):
            return None
        return self.table[f"{name}_{years[-1] if year is None else year}"].to_numpy(float)

    def neighbour_index(self, k: int) -> np.ndarray:
        """Each place's first ``k`` neighbours as row indices, padded with -1 (shape n × k)."""
        row = {code: i for i, code in enumerate(self.table["code"])}
        out = np.full((self.n, k), -1, dtype=np.int64)
        for i, neighbours in enumerate(self.table["neighbours"]):
            for j, code in enumerate(neighbours[:k]):
                out[i, j] = row[code]
        return out


def shipped_places() -> dict[str, Path]:
    """The shipped places files by name (file stem): ``england_councils_2018``."""
    return resources.shipped("places")


def load_places(places: str | Path | PlacesData) -> PlacesData:
    """A places file by shipped name or by path; read once per process while unchanged.

    Raises:
        PlacesError: No such shipped name or file, or an invalid file (one line).
    """
    if isinstance(places, PlacesData):
        return places
    if not isinstance(places, str | Path) or not str(places):
        raise PlacesError(f"places = {limits.quote(places)}: expected the name of a shipped "
                          f"places file ({', '.join(shipped_places())}) or a path to one (.csv)")
    path = resources.find_shipped(places, "places") or Path(places)
    try:
        info = path.stat()
    except (OSError, ValueError):
        raise PlacesError(f"{shown(Path(places))}: no such places file; expected a shipped one "
                          f"({', '.join(shipped_places())}) or a path to a .csv file") from None
    return _cached(str(path.resolve()), (info.st_mtime_ns, info.st_size))


@functools.lru_cache(maxsize=16)  # structural: places files kept in memory
def _cached(path: str, stamp: tuple[int, int]) -> PlacesData:
    return read_places(path)


OBJECT_COLUMNS = ("code", "name", "neighbours")
"""Columns of a read places table held as Python objects (the rest are numbers)."""


def read_places(path: str | Path) -> PlacesData:
    """Read and check a places file (see the module docstring).

    Raises:
        PlacesError: One line naming the file, the row and what was expected.
    """
    path = Path(path)
    where = shown(path)
    try:
        rows = read_csv_rows(path)
    except FileProblem as exc:
        raise PlacesError(f"{where}: {exc}") from None
    if len(rows) < FIRST_ROW:  # a header and at least one place
        raise PlacesError(f"{where}: expected a header and at least one place")
    header = [h.strip() for h in rows[0]]
    years = _check_header(header, where)
    numeric = _numeric_columns(header)
    if len(rows) - 1 > MAX_PLACES:
        raise PlacesError(f"{where}: {len(rows) - 1:,} places; expected at most {MAX_PLACES:,}")
    records = []
    for i, row in enumerate(rows[1:], start=FIRST_ROW):
        if len(row) != len(header):
            raise PlacesError(f"{where}: row {i}: {len(row)} cells; expected {len(header)}")
        records.append(_record(dict(zip(header, (c.strip() for c in row), strict=True)),
                               f"{where}: row {i}", numeric))
    # codes, names, neighbour lists and the column names as Python objects: pandas'
    # Arrow-backed strings would cost a fresh process about 30 ms to set up on first use,
    # more than the rest of the read
    keys = list(records[0])
    table = pd.DataFrame({i: pd.Series([r[key] for r in records],
                                       dtype=object if key in OBJECT_COLUMNS else float)
                          for i, key in enumerate(keys)})
    table.columns = pd.Index(keys, dtype=object)
    seen: dict[str, int] = {}
    for i, code in enumerate(table["code"], start=FIRST_ROW):
        if code in seen:
            raise PlacesError(f"{where}: row {i}: la_code {code!r} repeats row {seen[code]}")
        seen[code] = i
    for i, (code, neighbours) in enumerate(zip(table["code"], table["neighbours"],
                                               strict=True), start=FIRST_ROW):
        for other in neighbours:
            if other == code:
                raise PlacesError(f"{where}: row {i}: statistical_neighbours: {code!r} lists "
                                  "itself")
            if other not in seen:
                raise PlacesError(f"{where}: row {i}: statistical_neighbours: "
                                  f"{limits.quote(other)} is not a la_code in the file")
    return PlacesData(table=table, years=years, path=str(path))


def _check_header(header: list[str], where: str) -> dict[str, tuple[int, ...]]:
    years: dict[str, list[int]] = {}
    for name in header:
        m = COLUMN.match(name)
        if m:
            name_part, year = m.groups()
            years.setdefault(name_part, []).append(int(year))
        elif name not in OTHER:
            raise PlacesError(f"{where}: column {limits.quote(name)}: unknown; expected "
                              f"{', '.join(OTHER)} or NAME_YYYY for NAME in "
                              f"{', '.join(YEARLY)}")
    if len(set(header)) != len(header):
        repeated = next(h for h in header if header.count(h) > 1)
        raise PlacesError(f"{where}: column {limits.quote(repeated)} appears twice")
    for name in ("la_code", "la_name"):
        if name not in header:
            raise PlacesError(f"{where}: column {name!r} is missing")
    if len(years.get("cohort", [])) != 1:
        raise PlacesError(f"{where}: expected one cohort_YYYY column (children in the measured "
                          f"cohort), got {len(years.get('cohort', []))}")
    if "gld" not in years:
        raise PlacesError(f"{where}: expected at least one gld_YYYY column")
    return {k: tuple(sorted(v)) for k, v in years.items()}


class _Columns(NamedTuple):
    """The ``NAME_YYYY`` columns of a checked header, worked out once for all its rows."""

    numeric: list[tuple[str, float, float, bool]]  # each column, its range, whether required
    cohort: str  # the cohort's column
    fsm: list[str]  # the FSM cohort's columns (each at most the cohort)


def _numeric_columns(header: list[str]) -> _Columns:
    numeric = []
    for column in header:
        m = COLUMN.match(column)
        if m:
            low, high = YEARLY[m.group(1)]
            numeric.append((column, low, high, m.group(1) == "cohort"))
    return _Columns(numeric, next(c for c, *_ in numeric if c.startswith("cohort_")),
                    [c for c, *_ in numeric if c.startswith("fsm_cohort_")])


def _record(cell: dict[str, str], where: str, columns: _Columns) -> dict[str, object]:
    code, name = cell["la_code"], cell["la_name"]
    if not code or len(code) > MAX_CODE_CHARS or not code.isprintable() or " " in code:
        raise PlacesError(f"{where}: la_code = {limits.quote(code)}; expected a code of at most "
                          f"{MAX_CODE_CHARS} characters without spaces")
    if not name or len(name) > limits.MAX_NAME_CHARS or not name.isprintable():
        raise PlacesError(f"{where}: la_name = {limits.quote(name)}; expected a printable name "
                          f"of at most {limits.MAX_NAME_CHARS} characters")
    out: dict[str, object] = {"code": code, "name": name,
                              "number": _number(cell, "la_number", where, 0.0, math.inf)}
    for column, low, high, required in columns.numeric:
        out[column] = _number(cell, column, where, low, high, required)
    cohort = out[columns.cohort]
    for key in columns.fsm:
        value = out[key]
        if value > cohort:  # NaN (no value) is never more
            raise PlacesError(f"{where}: {key} = {value:g}; expected at most the cohort "
                              f"({cohort:g})")
    neighbours = tuple(cell.get("statistical_neighbours", "").split())
    if len(neighbours) > MAX_NEIGHBOURS or len(set(neighbours)) != len(neighbours):
        raise PlacesError(f"{where}: statistical_neighbours: expected at most "
                          f"{MAX_NEIGHBOURS} different codes, got {len(neighbours)}")
    out["neighbours"] = neighbours
    return out


def _number(cell: dict[str, str], column: str, where: str, low: float, high: float,
            required: bool = False) -> float:
    text = cell.get(column, "")
    if not text:
        if required:
            raise PlacesError(f"{where}: {column}: empty; expected a number")
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise PlacesError(f"{where}: {column} = {limits.quote(text)}; expected a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise PlacesError(f"{where}: {column} = {limits.quote(text)}; expected a number in "
                          f"[{low:g}, {high:g}]")
    return value
