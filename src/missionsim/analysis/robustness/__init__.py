"""Global sensitivity of the reform ranking: which uncertainties change which reform looks best.

The nine single-reform scenarios (``scenarios/<reform>.toml``), the baseline and, for
reference, the all-reforms package are run over one design of the uncertainties
(:func:`missionsim.model.params.uncertainties`), in two stages, both through the sweep
machinery (:mod:`missionsim.experiments.sweeps`):

1. **Morris screening** over every uncertainty. One :class:`~missionsim.experiments.sweeps.Sweep`
   per scenario, all with the same design, factors, replicates and root seed, so design point
   ``p`` and replicate ``r`` run with the same seed and the same uncertainty values in every
   scenario (common random numbers). At each point the paired effect of each reform
   (reform minus baseline, replicate by replicate, averaged) is computed, the reform with the
   largest gain is the *best* and the gain of the best minus that of the runner-up is the
   *margin*. SALib's Morris method then gives μ* and σ of every reform's effect and of the
   margin.
2. **Sobol indices** (Saltelli design) over the leading uncertainties of the screening (those
   with the largest μ*, each output counting equally), the others staying at the scenarios'
   values, for the same outputs: S1 and ST with bootstrap intervals.

Then *which uncertainties change which reform looks best*: the share of design points at which
each reform ranks first (overall, by level of every uncertainty in the screening and by third
of each leading uncertainty's range in the Sobol sample), the one-at-a-time steps of the
Morris trajectories that change the best reform (rank flips, by uncertainty), and the regret
of choosing one reform everywhere.

The modules, by concern: :mod:`~.plan` (what to run), :mod:`~.running` (running both stages:
:func:`run`, :func:`run_stage`), :mod:`~.effects` (paired effects and indices),
:mod:`~.ranking` (the ranking, rank flips and regret) and :mod:`~.stages` (both stages
analysed at one month: :func:`analyse`, :class:`Analysis`). :mod:`missionsim.writeup.robustness`
writes ``docs/robustness.md`` and its figures (``missionsim docs robustness``).
"""

from __future__ import annotations

from missionsim.analysis.robustness.effects import (
    leading_uncertainties,
    morris_indices,
    paired_outcomes,
    point_table,
    sobol_indices,
)
from missionsim.analysis.robustness.plan import (
    BASELINE,
    MARGIN,
    OUTCOME,
    PACKAGES,
    SHOCK_SIZES,
    Plan,
    default_ranges,
    load_scenarios,
    make_sweeps,
    sobol_factors,
    uncertainty_ranges,
)
from missionsim.analysis.robustness.ranking import (
    first_by,
    package_beats,
    rank_flips,
    ranking,
    regret,
)
from missionsim.analysis.robustness.running import run, run_stage
from missionsim.analysis.robustness.stages import Analysis, Stage, analyse, analyse_stage

__all__ = [
    "BASELINE", "MARGIN", "OUTCOME", "PACKAGES", "SHOCK_SIZES", "Analysis", "Plan", "Stage",
    "analyse", "analyse_stage", "default_ranges", "first_by", "leading_uncertainties",
    "load_scenarios", "make_sweeps", "morris_indices", "package_beats", "paired_outcomes",
    "point_table", "rank_flips", "ranking", "regret", "run", "run_stage", "sobol_factors",
    "sobol_indices", "uncertainty_ranges",
]
