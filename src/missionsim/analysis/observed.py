"""The observed patterns of the validation and their tolerances, from ``data/patterns.toml``.

:func:`observed` reads the file once, checks it (:mod:`missionsim.analysis.datafiles`; series
of one pattern must have equal lengths, named scenarios, missions, patterns and series must
exist) and returns the series as tables. The national series of the historical episodes are
observed-series CSV files beside their scenarios in ``scenarios/history/``
(:mod:`missionsim.analysis.series`), read from there: :func:`series` reads one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim import resources
from missionsim.analysis.datafiles import DataFileError, Entry, check, load, one_of
from missionsim.analysis.series import Series, SeriesError, read_series
from missionsim.experiments.scenario import shipped
from missionsim.files import shown
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS

FILE = "patterns.toml"
"""The file in ``missionsim/data/``."""
HISTORY = ("scenarios", "history")
"""The folder of the historical episodes (scenario files and their observed series), in
``missionsim/data/``."""
G1_SERIES = "G1"
"""The pattern whose observed series is the first profile's national GLD."""
G3_SERIES = "G3"
"""The pattern whose observed series is the rough-sleeping counts of 1998–2001."""
QUARTILES = 3
"""Values of a distribution given by its quartiles (lower, median, upper)."""
COMPARED = "outcome"
"""The measure of the G1 and G3 series: their checks compare the published values with the
model's true indicator (the convention of the shipped missions: the published value is the true
one at month 0; docs/model.md section 11)."""


class _FirstProfile(Entry):
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


class _Pattern(Entry):
    scenarios: list[str]
    observed: str | None = None


class _Published(Entry):
    sd: list[float]
    improving: float
    fsm_gap: list[float]
    fsm_correlation: float


class _Bands(Entry):
    correlation_min: float
    rmse_over_naive: float
    change_correlation_min: float
    standard_errors: float


class _HeldOut(_Pattern):
    title: str
    cited: list[str]
    gap_tolerance: float | None = None
    steeper_cut: float | None = None
    steeper_years: int | None = None
    noise_factor: float | None = None
    published: _Published | None = None
    bands: _Bands | None = None


class _Fitted(Entry):
    parameter: str
    mission: str
    patterns: list[str]
    to: str
    target: str
    also: list[str] = []
    unit: str = ""
    calibrated: str | None = None


class _File(Entry):
    first_profile: _FirstProfile
    reformed_profile: _ReformedProfile
    rough_sleeping: _RoughSleeping
    squeeze: _Squeeze
    tolerance: _Tolerance
    pattern: dict[str, _Pattern]
    held_out: dict[str, _HeldOut]
    fitted: list[_Fitted]


@dataclass(frozen=True)
class Episode:
    """What a pattern or held-out episode runs and the data it is judged on.

    Attributes:
        key: ``G1`` … ``G4`` for a fitted pattern, ``H1`` … for a held-out episode.
        scenarios: The shipped scenarios it runs, by name.
        observed: Its observed-series file in ``scenarios/history/`` (``None``: none).
        title: A held-out episode's title (empty for a pattern, whose title is in its code).
        cited: Parameters whose declared source cites the episode though no value was fitted
            to its numbers.
        settings: Other figures of the episode's entry (tolerances, variants), by name; a
            sub-table (C1's ``published`` and ``bands``) as a dictionary of its figures.
    """

    key: str
    scenarios: tuple[str, ...]
    observed: str | None
    title: str = ""
    cited: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fitted:
    """A parameter fitted to one or more patterns (an entry of ``[[fitted]]``).

    Attributes:
        parameter: Its name (``world.NAME`` for a parameter of the mission's world).
        mission: The mission whose file sets it.
        also: Other missions that take the same value.
        patterns: The patterns it was fitted to.
        to: What it was fitted to, in words.
        target: The source of that target.
        unit: The unit its value is quoted in (empty: none).
        calibrated: The calibration that fitted it (``missionsim calibrate``), or ``None`` for
            a value set by hand to meet the pattern.
    """

    parameter: str
    mission: str
    also: tuple[str, ...]
    patterns: tuple[str, ...]
    to: str
    target: str
    unit: str
    calibrated: str | None


@dataclass(frozen=True)
class Observed:
    """The observed data of patterns G1–G4, the held-out episodes and the tolerances.

    Attributes:
        first_profile: G1, national GLD by year: ``year``, ``month`` (from 2012/13), ``gld``.
        first_profile_sd: G1, council SD of GLD (pp) by month.
        first_profile_sd_dates: G1, when the brief dates each council SD, by month.
        first_profile_fit: G1, the brief's fit of the national series: ``A`` and ``k``.
        improving: G1, share of councils improving from the first to the last SD month.
        reformed_profile: G2, national GLD by year: ``year``, ``month`` (0 is 2024/25), ``gld``.
        gain_range: G2, the observed gain a year (pp), lowest and highest.
        rough_sleeping: G3, counts: ``date``, ``month`` (0 is June 1998), ``count`` and
            ``cut`` (share cut since month 0).
        held_2006: G3, about the cut still held in 2006.
        squeeze: G4, the early-intervention share of spending before and after, and the cut
            to core funding per person in the most and least deprived tenths.
        tolerance: Each check's tolerance, by name (see the file).
        patterns: What each fitted pattern runs and is judged on, by key.
        held_out: The same for each held-out episode, by key.
        fitted: Which parameters were fitted to which patterns.
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
    patterns: dict[str, Episode]
    held_out: dict[str, Episode]
    fitted: tuple[Fitted, ...]

    def fitted_to(self, key: str) -> list[Fitted]:
        """The parameters fitted to one pattern (none for a held-out episode)."""
        return [f for f in self.fitted if key in f.patterns]


def history_path(name: str) -> Path:
    """A file in the folder of the historical episodes (``scenarios/history/NAME``)."""
    return resources.data_path(*HISTORY, name)


def series(name: str) -> Series:
    """An episode's observed series, read from ``scenarios/history/NAME`` and checked.

    Raises:
        SeriesError: The file is invalid (one line naming the file, row and column).
    """
    return read_series(history_path(name))


def _same_length(path, table: str, entry: Entry, *columns: str) -> None:
    lengths = {c: len(getattr(entry, c)) for c in columns}
    first = columns[0]
    for column, n in lengths.items():
        check(n == lengths[first], path, f"{table}.{column}",
              f"{n} values, but {first} has {lengths[first]}")


def _episode(key: str, entry: _Pattern, path: Path) -> Episode:
    for i, name in enumerate(entry.scenarios):
        one_of(name, shipped(), path, f"{key}.scenarios[{i}]", "scenario")
    if entry.observed is not None:
        check(history_path(entry.observed).is_file(), path, f"{key}.observed",
              f"no file {entry.observed!r} in scenarios/history/")
    held = isinstance(entry, _HeldOut)
    settings = ({k: v for k, v in entry.model_dump().items()
                 if k not in ("scenarios", "observed", "title", "cited") and v is not None}
                if held else {})
    return Episode(key=key.split(".")[-1], scenarios=tuple(entry.scenarios),
                   observed=entry.observed, title=entry.title if held else "",
                   cited=tuple(entry.cited) if held else (),
                   settings=settings)


def _read_series(name: str | None, path: Path, where: str) -> pd.DataFrame:
    """The rows of an episode's series that its checks compare with (:data:`COMPARED`)."""
    check(name is not None, path, f"{where}.observed", "expected the observed series' file")
    try:
        table = series(str(name)).table
    except SeriesError as exc:
        raise DataFileError(f"{shown(path)}: {where}.observed: {exc}") from None
    table = table[table["measure"] == COMPARED].sort_values("month").reset_index(drop=True)
    check(len(table) > 0, path, f"{where}.observed", f"{name}: no rows of measure {COMPARED}")
    return table


@functools.cache
def observed() -> Observed:
    """The observed patterns, read from ``missionsim/data/patterns.toml`` once and checked.

    Raises:
        DataFileError: The file, or an observed series it names, is invalid (one line naming
            the file and the key).
    """
    data, path = load(FILE, _File)
    g1, g2 = data.first_profile, data.reformed_profile
    _same_length(path, "first_profile", g1, "sd_month", "sd", "sd_date")
    _same_length(path, "reformed_profile", g2, "year", "month", "gld")
    patterns = {key: _episode(f"pattern.{key}", e, path) for key, e in data.pattern.items()}
    held = {key: _episode(f"held_out.{key}", e, path) for key, e in data.held_out.items()}
    for key in sorted(set(patterns) & set(held)):
        check(False, path, f"held_out.{key}", "a key of a fitted pattern too")
    for key in (G1_SERIES, G3_SERIES):
        check(key in patterns, path, f"pattern.{key}", "missing")
    for key, episode in held.items():
        for i, name in enumerate(episode.cited):
            one_of(name, PARAMETERS, path, f"held_out.{key}.cited[{i}]", "parameter")
        gap = episode.settings.get("published", {}).get("fsm_gap")
        if gap is not None:
            check(len(gap) == QUARTILES and gap == sorted(gap), path,
                  f"held_out.{key}.published.fsm_gap",
                  f"expected {QUARTILES} values in order (the quartiles), got {gap}")
    for i, f in enumerate(data.fitted):
        one_of(f.mission, MISSIONS, path, f"fitted[{i}].mission", "mission")
        for j, key in enumerate(f.patterns):
            one_of(key, patterns, path, f"fitted[{i}].patterns[{j}]", "fitted pattern")
    profile = _read_series(patterns[G1_SERIES].observed, path, f"pattern.{G1_SERIES}")
    for month in g1.sd_month:
        check(month in set(profile["month"]), path, "first_profile.sd_month",
              f"month {month} is not one of the profile's months")
    counts = _read_series(patterns[G3_SERIES].observed, path, f"pattern.{G3_SERIES}")
    first_count = float(counts["value"].iloc[0])
    return Observed(
        first_profile=pd.DataFrame({"year": profile["date"], "month": profile["month"],
                                    "gld": profile["value"]}),
        first_profile_sd=dict(zip(g1.sd_month, g1.sd, strict=True)),
        first_profile_sd_dates=dict(zip(g1.sd_month, g1.sd_date, strict=True)),
        first_profile_fit={"A": g1.fit_a, "k": g1.fit_k},
        improving=g1.improving,
        reformed_profile=pd.DataFrame({"year": g2.year, "month": g2.month, "gld": g2.gld}),
        gain_range=(g2.gain_low, g2.gain_high),
        rough_sleeping=pd.DataFrame({"date": counts["date"], "month": counts["month"],
                                     "count": counts["value"].astype(int),
                                     "cut": 1.0 - counts["value"] / first_count}),
        held_2006=data.rough_sleeping.held_2006,
        squeeze=data.squeeze.model_dump(),
        tolerance=data.tolerance.model_dump(),
        patterns=patterns,
        held_out=held,
        fitted=tuple(Fitted(parameter=f.parameter, mission=f.mission, also=tuple(f.also),
                            patterns=tuple(f.patterns), to=f.to, target=f.target,
                            unit=f.unit, calibrated=f.calibrated) for f in data.fitted))
