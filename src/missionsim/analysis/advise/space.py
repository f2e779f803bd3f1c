"""The search space: packages of reforms, and how a candidate is encoded for the optimiser.

A **package** is a set of reforms, each at an intensity, from a start month (which sets the
order in which reforms begin) and with a targeting option. The optimiser (pymoo's NSGA-II with
mixed variables) sees each reform of the space as up to four genes:

``REFORM:on``
    whether the reform is in the package (``Binary``: bit-flip mutation);
``REFORM:intensity``
    the index of its intensity in the reform's grid (``Choice``);
``REFORM:start``
    the index of its start month in the grid of start months (``Choice``);
``REFORM:target``
    the index of its targeting option (``Choice``).

Grids are short (a few intensities, a few start months), so their genes are choices, which
pymoo recombines by uniform crossover and mutates by drawing a new value at random: every
value of a grid stays within one mutation's reach. As ordered integers under polynomial
mutation, a gene on a grid of two or three values seldom moves at all (on the known-answer
case of the tests, widened to two intensities, the integer encoding found the optimum in 5 of
10 seeds, the choices in 9).

A gene with a single value is left out (the value is fixed). Genes of a reform that is not in
the package do not matter: two candidates that decode to the same package are the same
candidate (:meth:`Space.key`), evaluated once.

Targeting options are passed verbatim to the reform's scenario table as its ``target`` key
(:meth:`Space.reforms`); ``"all"`` (every place) passes none. Whether scenario files accept a
``target`` yet is read from the scenario schema (:func:`targeting_available`), so targeting
options other than ``"all"`` are checked in :mod:`~missionsim.analysis.advise.plan` in one
place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from missionsim.analysis.advise.settings import EVERYWHERE

TARGET_KEY = "target"
"""The key of a reform's scenario table that restricts it to some places."""


def targeting_available() -> bool:
    """Whether scenario files accept a reform's ``target`` (place targeting)."""
    from missionsim.experiments.scenario_tables import ReformSpec

    return TARGET_KEY in ReformSpec.model_fields


@dataclass(frozen=True)
class Choice:
    """One reform in a package.

    Attributes:
        reform: The reform's name.
        intensity: Its intensity (a value of its grid).
        start: Its start month.
        target: The index of its targeting option (:attr:`Space.targets`).
    """

    reform: str
    intensity: float
    start: int
    target: int = 0


Package = tuple[Choice, ...]
"""A package: its reforms in the space's order (empty: no reform)."""


@dataclass(frozen=True)
class Gene:
    """One reform of the space and the values its genes choose from.

    Attributes:
        reform: The reform's name.
        intensities: Its intensities.
        starts: Its start months.
        targets: The indices of the targeting options it may take (:attr:`Space.targets`);
            ``None``: every option. A reform that cannot be targeted (it acts on national
            money flows or on the centre) takes ``"all"`` only.
    """

    reform: str
    intensities: tuple[float, ...]
    starts: tuple[int, ...]
    targets: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Space:
    """The packages the search may propose.

    Attributes:
        genes: One per reform the search may include, in the settings' order.
        targets: The targeting options (``"all"`` or a table passed as ``target``).
        max_reforms: The most reforms in one package (``None``: any number).
    """

    genes: tuple[Gene, ...]
    targets: tuple[Any, ...] = (EVERYWHERE,)
    max_reforms: int | None = None

    def options(self, gene: Gene) -> tuple[int, ...]:
        """The indices of the targeting options ``gene`` may take."""
        return tuple(range(len(self.targets))) if gene.targets is None else gene.targets

    # --- the optimiser's variables ---------------------------------------------------------
    def variables(self) -> dict[str, Any]:
        """The optimiser's (pymoo's) variables of the space (genes with one value are left out)."""
        from pymoo.core.variable import Binary
        from pymoo.core.variable import Choice as Options

        out: dict[str, Any] = {}
        for gene in self.genes:
            out[f"{gene.reform}:on"] = Binary()
            if len(gene.intensities) > 1:
                out[f"{gene.reform}:intensity"] = Options(
                    options=list(range(len(gene.intensities))))
            if len(gene.starts) > 1:
                out[f"{gene.reform}:start"] = Options(options=list(range(len(gene.starts))))
            if len(self.options(gene)) > 1:
                out[f"{gene.reform}:target"] = Options(
                    options=list(range(len(self.options(gene)))))
        return out

    def decode(self, x: Mapping[str, Any]) -> Package:
        """The package a candidate's genes describe."""
        chosen = []
        for gene in self.genes:
            if not bool(x[f"{gene.reform}:on"]):
                continue
            chosen.append(Choice(
                reform=gene.reform,
                intensity=gene.intensities[_index(x, f"{gene.reform}:intensity",
                                                  len(gene.intensities))],
                start=gene.starts[_index(x, f"{gene.reform}:start", len(gene.starts))],
                target=self.options(gene)[_index(x, f"{gene.reform}:target",
                                                 len(self.options(gene)))]))
        return tuple(chosen)

    def encode(self, package: Package) -> dict[str, Any]:
        """Genes that decode to ``package`` (the genes of reforms left out at index 0).

        Raises:
            ValueError: A reform, intensity, start month or targeting option not in the space.
        """
        by_reform = {c.reform: c for c in package}
        unknown = set(by_reform) - {g.reform for g in self.genes}
        if unknown:
            raise ValueError(f"reform {sorted(unknown)[0]!r} is not in the search space")
        x: dict[str, Any] = {}
        names = self.variables()
        for gene in self.genes:
            c = by_reform.get(gene.reform)
            x[f"{gene.reform}:on"] = c is not None
            values = {"intensity": (gene.intensities, None if c is None else c.intensity),
                      "start": (gene.starts, None if c is None else c.start),
                      "target": (self.options(gene), None if c is None else c.target)}
            for field, (grid, value) in values.items():
                name = f"{gene.reform}:{field}"
                if value is not None and value not in grid:
                    raise ValueError(f"{gene.reform} {field} {value!r} is not in the space")
                if name in names:
                    x[name] = 0 if value is None else list(grid).index(value)
        return x

    def canonical(self, package: Package) -> Package:
        """``package`` with its reforms in the space's order."""
        order = {g.reform: i for i, g in enumerate(self.genes)}
        return tuple(sorted(package, key=lambda c: order[c.reform]))

    # --- what a package is -----------------------------------------------------------------
    def key(self, package: Package) -> str:
        """A text that equal packages, and only they, share."""
        return json.dumps([[c.reform, c.intensity, c.start, self.targets[c.target]]
                           for c in self.canonical(package)], sort_keys=True)

    def reforms(self, package: Package) -> dict[str, dict[str, Any]]:
        """The package as a scenario's ``reforms`` tables."""
        out: dict[str, dict[str, Any]] = {}
        for c in self.canonical(package):
            table: dict[str, Any] = {"start": c.start, "intensity": c.intensity}
            option = self.targets[c.target]
            if option != EVERYWHERE:
                table[TARGET_KEY] = option
            out[c.reform] = table
        return out

    def words(self, package: Package) -> str:
        """The package in words, in the order its reforms begin."""
        if not package:
            return "no reforms"
        order = {g.reform: i for i, g in enumerate(self.genes)}
        parts = []
        for c in sorted(package, key=lambda c: (c.start, order[c.reform])):
            option = self.targets[c.target]
            where = "" if option == EVERYWHERE else f" in {target_words(option)}"
            parts.append(f"{c.reform} ×{c.intensity:g} from month {c.start}{where}")
        return "; ".join(parts)

    def size(self) -> int:
        """How many packages the space holds (before ``max_reforms``)."""
        total = 1
        for gene in self.genes:
            total *= 1 + len(gene.intensities) * len(gene.starts) * len(self.options(gene))
        return total


def _index(x: Mapping[str, Any], name: str, n: int) -> int:
    """A gene's index (0 when the gene is fixed), as a whole number within ``[0, n - 1]``."""
    if n == 1 or name not in x:
        return 0
    return min(n - 1, max(0, int(round(float(x[name])))))


def target_words(option: Any) -> str:
    """A targeting option in words.

    ``{deprivation_deciles = [8, 9, 10]}`` reads "deprivation tenths 8, 9, 10" (tenth 10 is
    the most deprived); ``{capacity_below = 0.5}`` "places with capacity below 0.5";
    ``{off_trajectory = true}`` "places off their trajectory (chosen yearly)";
    ``{places = ["Blackpool"]}`` "Blackpool". Other tables read key by key.
    """
    if not isinstance(option, Mapping):
        return str(option)
    if len(option) == 1:
        ((key, value),) = option.items()
        listed = (", ".join(str(v) for v in value) if isinstance(value, Sequence)
                  and not isinstance(value, str) else str(value))
        known = {"deprivation_deciles": f"deprivation tenths {listed}",
                 "capacity_below": f"places with capacity below {listed}",
                 "capacity_above": f"places with capacity above {listed}",
                 "off_trajectory": "places off their trajectory (chosen yearly)",
                 "places": listed}
        if key in known and (key != "off_trajectory" or value is True):
            return known[key]
    parts = []
    for key, value in option.items():
        words = key.replace("_", " ")
        if isinstance(value, bool):
            parts.append(words if value else f"not {words}")
        elif isinstance(value, Sequence) and not isinstance(value, str):
            parts.append(f"{words} {', '.join(str(v) for v in value)}")
        else:
            parts.append(f"{words} {value}")
    return "places with " + " and ".join(parts)
