"""The observed patterns of the validation and their tolerances, from ``data/patterns.toml``.

:func:`observed` reads the file once, checks it (:mod:`missionsim.analysis.datafiles`; series
of one pattern must have equal lengths) and returns the series as tables.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from missionsim.analysis.datafiles import Entry, check, load

FILE = "patterns.toml"
"""The file in ``missionsim/data/``."""


class _FirstProfile(Entry):
    year: list[str]
    month: list[int]
    gld: list[float]
    fit_a: float
    fit_k: float
    sd_month: list[int]
    sd: list[float]
    sd_date: list[str]
    improving: float


class _ReformedProfile(Entry):
    year: list[str]
    month: list[int]
    gld: list[float]
    gain_low: float
    gain_high: float


class _RoughSleeping(Entry):
    date: list[str]
    month: list[int]
    count: list[int]
    cut: list[float]
    held_2006: float


class _Squeeze(Entry):
    early_share_from: float
    early_share_to: float
    cut_most_deprived: float
    cut_least_deprived: float


class _Tolerance(Entry):
    a: float
    k: float
    series_rmse: float
    sd: float
    improving: float
    g3_cut: float
    g3_hold: float
    g3_path: float


class _File(Entry):
    first_profile: _FirstProfile
    reformed_profile: _ReformedProfile
    rough_sleeping: _RoughSleeping
    squeeze: _Squeeze
    tolerance: _Tolerance


@dataclass(frozen=True)
class Observed:
    """The observed data of patterns G1–G4 and the tolerances of their checks.

    Attributes:
        first_profile: G1, national GLD by year: ``year``, ``month`` (from 2012/13), ``gld``.
        first_profile_sd: G1, council SD of GLD (pp) by month.
        first_profile_sd_dates: G1, when the brief dates each council SD, by month.
        first_profile_fit: G1, the brief's fit of the national series: ``A`` and ``k``.
        improving: G1, share of councils improving from the first to the last SD month.
        reformed_profile: G2, national GLD by year: ``year``, ``month`` (0 is 2024/25), ``gld``.
        gain_range: G2, the observed gain a year (pp), lowest and highest.
        rough_sleeping: G3, counts: ``date``, ``month`` (0 is June 1998), ``count`` and
            ``cut`` (share cut since month 0, as the brief states it).
        held_2006: G3, about the cut still held in 2006.
        squeeze: G4, the early-intervention share of spending before and after, and the cut
            to core funding per person in the most and least deprived tenths.
        tolerance: Each check's tolerance, by name (see the file).
    """

    first_profile: pd.DataFrame
    first_profile_sd: dict[int, float]
    first_profile_sd_dates: dict[int, str]
    first_profile_fit: dict[str, float]
    improving: float
    reformed_profile: pd.DataFrame
    gain_range: tuple[float, float]
    rough_sleeping: pd.DataFrame
    held_2006: float
    squeeze: dict[str, float]
    tolerance: dict[str, float]


def _same_length(path, table: str, entry: Entry, *columns: str) -> None:
    lengths = {c: len(getattr(entry, c)) for c in columns}
    first = columns[0]
    for column, n in lengths.items():
        check(n == lengths[first], path, f"{table}.{column}",
              f"{n} values, but {first} has {lengths[first]}")


@functools.cache
def observed() -> Observed:
    """The observed patterns, read from ``missionsim/data/patterns.toml`` once and checked.

    Raises:
        DataFileError: The file is invalid (one line naming the file and the key).
    """
    data, path = load(FILE, _File)
    g1, g2, g3 = data.first_profile, data.reformed_profile, data.rough_sleeping
    _same_length(path, "first_profile", g1, "year", "month", "gld")
    _same_length(path, "first_profile", g1, "sd_month", "sd", "sd_date")
    _same_length(path, "reformed_profile", g2, "year", "month", "gld")
    _same_length(path, "rough_sleeping", g3, "date", "month", "count", "cut")
    for month in g1.sd_month:
        check(month in g1.month, path, "first_profile.sd_month",
              f"month {month} is not one of the profile's months")
    return Observed(
        first_profile=pd.DataFrame({"year": g1.year, "month": g1.month, "gld": g1.gld}),
        first_profile_sd=dict(zip(g1.sd_month, g1.sd, strict=True)),
        first_profile_sd_dates=dict(zip(g1.sd_month, g1.sd_date, strict=True)),
        first_profile_fit={"A": g1.fit_a, "k": g1.fit_k},
        improving=g1.improving,
        reformed_profile=pd.DataFrame({"year": g2.year, "month": g2.month, "gld": g2.gld}),
        gain_range=(g2.gain_low, g2.gain_high),
        rough_sleeping=pd.DataFrame({"date": g3.date, "month": g3.month, "count": g3.count,
                                     "cut": g3.cut}),
        held_2006=g3.held_2006,
        squeeze=data.squeeze.model_dump(),
        tolerance=data.tolerance.model_dump())
