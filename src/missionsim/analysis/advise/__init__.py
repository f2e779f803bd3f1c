"""Advice: the best reform package within a budget, robust to what is not known.

A policy team asks: "with £X, which package, in which order, in which places, gives us the
best chance of meeting the mission?". :func:`advise` answers with a Pareto set of packages
(outcome at the deadline and at the horizon, the most deprived tenth of places, P(target met)
and cost) found by NSGA-II (pymoo) over one common ensemble of futures, and a robust preferred
option. ``docs/advise.md`` is the guide; ``missionsim advise`` the command.

Modules, one concern each:

- :mod:`~.settings`: the advice file and its one-line errors (:func:`load_settings`);
- :mod:`~.plan`: the settings checked against the scenario (:func:`make_plan`);
- :mod:`~.space`: packages and their encoding as the optimiser's genes (:class:`Space`);
- :mod:`~.futures`: the common ensemble of futures (:func:`~.futures.draw`);
- :mod:`~.evaluate`: candidates run in every future, stored per generation (:class:`Archive`);
- :mod:`~.search`: NSGA-II, one generation at a time (:func:`~.search.run`);
- :mod:`~.measures`: mean, p10, regret, satisficing; the Pareto set; the preferred option;
- :mod:`~.result`: :class:`Advice`, what is returned and written;
- :mod:`~.engine`: :func:`advise`, which joins them.
"""

from __future__ import annotations

from missionsim.analysis.advise.engine import advise
from missionsim.analysis.advise.measures import measures, pareto, preferred, regret
from missionsim.analysis.advise.plan import Plan, make_plan
from missionsim.analysis.advise.result import RULE, Advice
from missionsim.analysis.advise.settings import (
    KEYWORDS,
    MEASURES,
    OBJECTIVES,
    AdviseSettings,
    load_settings,
    parse_budget,
)
from missionsim.analysis.advise.space import Choice, Gene, Package, Space, targeting_available

__all__ = ["KEYWORDS", "MEASURES", "OBJECTIVES", "RULE", "Advice", "AdviseSettings", "Choice",
           "Gene", "Package", "Plan", "Space", "advise", "load_settings", "make_plan",
           "measures", "parse_budget", "pareto", "preferred", "regret",
           "targeting_available"]
