"""The Advise page's settings: search-size presets and the checks of what the user chose.

The page starts from the shipped advice file (``advise/early_years.toml``: the workshop
world, £30m over five years) and lets the user change the budget, the objectives, the
robustness measure the search optimises, the reforms a package may use and the size of the
search (:data:`SIZES`). :func:`check_inputs` turns those choices into validated
:class:`~missionsim.analysis.advise.settings.AdviseSettings` with the advice's own checks
(:func:`~missionsim.analysis.advise.settings.parse_budget`,
:func:`~missionsim.analysis.advise.settings.load_settings`), or one readable line naming the
control that is wrong.

Nothing here depends on Solara, so the checks are tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionsim.analysis.advise import MEASURES, OBJECTIVES, AdviseSettings, load_settings
from missionsim.analysis.advise.settings import EVERYWHERE, parse_budget
from missionsim.errors import ScenarioError
from missionsim.model.reforms import REFORMS
from missionsim.resources import shipped

SETTINGS_NAME = "early_years"
"""The shipped advice file (``advise/<name>.toml``) the page starts from."""

OBJECTIVE_WORDS = {
    "deadline": "Outcome at the deadline",
    "horizon": "Outcome at the horizon",
    "most_deprived": "Most deprived tenth of places",
    "p_target": "P(target met)",
    "cost": "Cost (£m PV)",
}
"""How the page names each objective of :data:`~missionsim.analysis.advise.OBJECTIVES`."""

MEASURE_WORDS = {
    "mean": "mean over the futures",
    "p10": "worst tenth of futures (p10)",
}
"""How the page names each robustness measure of :data:`~missionsim.analysis.advise.MEASURES`."""


@dataclass(frozen=True)
class SearchSize:
    """A preset size of the search.

    Attributes:
        name: What the page calls it.
        population: Packages per generation.
        generations: Generations, the initial population the first.
        futures: Futures in the common ensemble (each package runs once in each).
        note: What it is for, in a few words.
    """

    name: str
    population: int
    generations: int
    futures: int
    note: str

    @property
    def most_runs(self) -> int:
        """The most runs it can take (packages proposed × futures, plus no reforms)."""
        return (self.population * self.generations + 1) * self.futures

    def describe(self) -> str:
        """E.g. '12 packages × 3 generations × 8 futures (at most 296 runs)'."""
        return (f"{self.population} packages × {self.generations} generations × "
                f"{self.futures} futures (at most {self.most_runs:,} runs)")


SMALL = SearchSize("small", population=6, generations=2, futures=4,
                   note="a quick look: under 10 seconds on 2 cores")
"""The smallest search: enough to see the page work and the shape of the answer; too few
futures and packages to quote."""
MEDIUM = SearchSize("medium", population=12, generations=3, futures=8,
                    note="a first look: about 20 seconds on 2 cores")
"""The first-look search of ``docs/advise.md`` (section 3): 36 packages in 8 futures, about 20
seconds on 2 cores with the workshop world (18 s measured on 2026-12-02)."""
FULL = SearchSize("full", population=24, generations=10, futures=16,
                  note="the advice file's own size: about 4 minutes on 2 cores")
"""The shipped advice file's own size (24 packages × 10 generations × 16 futures), about 13
times the medium search."""
SIZES = {size.name: size for size in (SMALL, MEDIUM, FULL)}
"""The presets the page offers, smallest first."""
DEFAULT_SIZE = MEDIUM.name
"""The preset chosen when the page opens: a first look that finishes in about 20 seconds."""


@dataclass(frozen=True)
class Inputs:
    """What the user chose on the page.

    Attributes:
        budget: The budget as typed (``"30"``, ``"£30m"``).
        objectives: Objectives to optimise (some of
            :data:`~missionsim.analysis.advise.OBJECTIVES`).
        measure: What the search optimises of each over the futures
            (:data:`~missionsim.analysis.advise.MEASURES`).
        reforms: Reforms a package may use.
        size: A key of :data:`SIZES`.
    """

    budget: str
    objectives: tuple[str, ...]
    measure: str
    reforms: tuple[str, ...]
    size: str


def settings_file() -> Path:
    """The shipped advice file the page starts from."""
    return shipped("advise")[SETTINGS_NAME]


def base_settings() -> AdviseSettings:
    """The shipped advice file's settings, as the page opens with them."""
    return load_settings(settings_file())


def default_inputs() -> Inputs:
    """The page's first choices: the shipped file's, at the default size."""
    base = base_settings()
    return Inputs(budget=f"{base.budget:g}", objectives=tuple(base.objectives),
                  measure=base.measure, reforms=tuple(base.search.reforms), size=DEFAULT_SIZE)


def all_reforms() -> list[str]:
    """Every reform the page offers, in the registry's order."""
    return list(REFORMS)


def changes(inputs: Inputs, base: AdviseSettings | None = None) -> dict[str, Any]:
    """The keyword changes to the shipped settings that ``inputs`` stand for.

    A reform's own intensities (``search.reform_intensities``) are kept for the reforms still
    chosen and dropped for the others, which the search may no longer use; when no chosen
    reform can be targeted (long-term funding and mission leadership act on national money or
    on the centre), the only targeting option is every place.
    """
    base = base or base_settings()
    size = SIZES[inputs.size]
    own = {r: v for r, v in base.search.reform_intensities.items() if r in inputs.reforms}
    targetable = any(REFORMS[r].targetable for r in inputs.reforms if r in REFORMS)
    targets = list(base.search.targets) if targetable else [EVERYWHERE]
    return {"budget": inputs.budget, "objectives": list(inputs.objectives),
            "measure": inputs.measure, "reforms": list(inputs.reforms),
            "reform_intensities": own, "targets": targets, "population": size.population,
            "generations": size.generations, "futures": size.futures}


def check_inputs(inputs: Inputs, base: AdviseSettings | None = None,
                 extra: Mapping[str, Any] | None = None) -> tuple[AdviseSettings | None, str]:
    """The settings the page's choices make, or why they cannot run (one line).

    Args:
        inputs: What the user chose.
        base: The settings the choices change (default: the shipped file's).
        extra: Further keyword changes (a shorter ``horizon``, for tests).

    Returns:
        ``(settings, "")``, or ``(None, reason)`` with a reason that names the control.
    """
    try:
        parse_budget(inputs.budget)
    except ValueError as exc:
        return None, f"Budget: {exc}"
    if not inputs.objectives:
        return None, "Objectives: choose at least one objective to optimise"
    unknown = [o for o in inputs.objectives if o not in OBJECTIVES]
    if unknown:
        return None, f"Objectives: {unknown[0]!r} is not one of {', '.join(OBJECTIVES)}"
    if inputs.measure not in MEASURES:
        return None, f"Robustness measure: expected one of {', '.join(MEASURES)}"
    if not inputs.reforms:
        return None, "Reforms: choose at least one reform a package may use"
    offered = set(all_reforms())
    unknown = [r for r in inputs.reforms if r not in offered]
    if unknown:
        return None, f"Reforms: {unknown[0]!r} is not one of the listed reforms"
    if inputs.size not in SIZES:
        return None, f"Search size: expected one of {', '.join(SIZES)}"
    base = base or base_settings()
    try:
        valid = load_settings(base, {**changes(inputs, base), **(extra or {})}, LABELS)
    except ScenarioError as exc:
        return None, str(exc)
    return valid, ""


def plan_problem(settings: AdviseSettings) -> str:
    """Why the settings cannot be searched on their scenario (one line), or ''.

    Runs the advice's own checks against the scenario
    (:func:`~missionsim.analysis.advise.make_plan`): e.g. a choice of reforms none of which can
    be targeted while the file lists targeting options.
    """
    from missionsim.analysis.advise import make_plan

    try:
        make_plan(settings)
    except ScenarioError as exc:
        return str(exc)
    return ""


def chosen_words(values: Sequence[str], words: Mapping[str, str]) -> list[str]:
    """The page's names of ``values`` (the value itself where it has none)."""
    return [words.get(v, v) for v in values]


LABELS = {"budget": "Budget", "objectives": "Objectives", "measure": "Robustness measure",
          "reforms": "Reforms", "reform_intensities": "Reforms (their own intensities)",
          "targets": "Reforms (targeting)",
          "population": "Search size (packages)", "generations": "Search size (generations)",
          "futures": "Search size (futures)", "horizon": "Horizon"}
"""How a settings error names the page's control that set the value."""


__all__ = ["DEFAULT_SIZE", "FULL", "LABELS", "MEASURE_WORDS", "MEDIUM", "OBJECTIVE_WORDS",
           "SIZES", "SMALL", "Inputs", "SearchSize", "all_reforms", "base_settings", "changes",
           "check_inputs", "chosen_words", "default_inputs", "plan_problem", "settings_file"]
