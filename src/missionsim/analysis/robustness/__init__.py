"""Which reform is best, at equal cost, under structural uncertainty.

Policy teams ask which enabling reform is best. The answer rests on assumptions about how the
delivery system works (every mechanism number declared as an ``assumption`` with a plausible
range, :func:`missionsim.model.params.assumptions`) and on conditions outside it (the
``uncertainty`` parameters, :func:`missionsim.model.params.uncertainties`). This analysis
varies all of them together, for each reform alone run at the intensity that gives the same
public cost, and reads the paired gain (reform minus baseline, same seed and design point) at
the mission's deadline and at ten years:

1. **Equal cost.** :func:`missionsim.experiments.equalcost.equal_cost` scales each reform's
   intensity once, at the default assumptions (a policy is set before the truth is known).
2. **Screening** (:mod:`~.screening`): grouped Morris μ* (SALib, ``problem["groups"]``),
   one group per parameter group, one per reform for the assumptions about that reform's own
   strength and cost, and one for the uncertainties; then RBD-FAST first-order indices of the
   leading groups' factors, read from the sample of step 3.
3. **P(best)** (:mod:`~.choice`): over a Latin hypercube of every factor, the share of points
   at which each reform gives the largest gain, with a bootstrap interval.
4. **EVPPI** (:mod:`~.information`): the expected value of perfect information on each
   factor by the regression method of Strong, Oakley & Brennan (2014), and the overall EVPI.
5. **Switching values** (:mod:`~.choice`): one-way sweeps of the factors with the largest
   EVPPI, the others at their defaults; the value at which the preferred reform changes.

Modules: :mod:`~.plan` (the plan, the factors and their groups), :mod:`~.design` (designs and
their runs through the sweep machinery, pairing), :mod:`~.running` (:func:`run`),
:mod:`~.analyse` (one month: :class:`Analysis`; the whole: :class:`Study`).
:mod:`missionsim.writeup.robustness` writes ``docs/robustness.md``
(``missionsim docs robustness``).
"""

from __future__ import annotations

from missionsim.analysis.robustness.analyse import Analysis, Study, analyse
from missionsim.analysis.robustness.choice import p_best, switching_table, switching_value
from missionsim.analysis.robustness.design import gains, paired
from missionsim.analysis.robustness.information import evpi, evppi, evppi_table
from missionsim.analysis.robustness.plan import (
    BASELINE,
    REFORM_GROUP,
    UNCERTAINTY_GROUP,
    Plan,
    default_ranges,
    factor_table,
    group_of,
    load_scenarios,
)
from missionsim.analysis.robustness.running import run, switch_values
from missionsim.analysis.robustness.screening import MARGIN, factor_indices, group_morris

__all__ = [
    "BASELINE", "MARGIN", "REFORM_GROUP", "UNCERTAINTY_GROUP", "Analysis", "Plan", "Study",
    "analyse", "default_ranges", "evpi", "evppi", "evppi_table", "factor_indices",
    "factor_table", "gains", "group_morris", "group_of", "load_scenarios", "p_best", "paired",
    "run", "switch_values", "switching_table", "switching_value",
]
