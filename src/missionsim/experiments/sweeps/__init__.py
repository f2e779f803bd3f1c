"""Sweeps: a design over parameters and reform settings, run as one study.

- :mod:`~missionsim.experiments.sweeps.spec`: the sweep file and its schema (:class:`Sweep`,
  :func:`load_sweep`);
- :mod:`~missionsim.experiments.sweeps.factors`: what a factor varies and its checks;
- :mod:`~missionsim.experiments.sweeps.design`: the design's sample and points
  (:func:`sample`, :func:`design_points`, :func:`apply_point`);
- :mod:`~missionsim.experiments.sweeps.run`: the runs, the manifest and :func:`run_sweep`.

The sensitivity analysis of a sweep's results is :mod:`missionsim.analysis.sensitivity`.
"""

from missionsim.experiments.sweeps.design import apply_point, design_points, problem, sample
from missionsim.experiments.sweeps.factors import REFORM_FIELDS, Factor, Target, target
from missionsim.experiments.sweeps.run import manifest, run_sweep, specs
from missionsim.experiments.sweeps.spec import (
           DESIGNS,
           MAX_RUNS,
           Output,
           Sweep,
           as_sweep,
           load_sweep,
)

__all__ = ["DESIGNS", "MAX_RUNS", "REFORM_FIELDS", "Factor", "Output", "Sweep", "Target",
           "apply_point", "as_sweep", "design_points", "load_sweep", "manifest", "problem",
           "run_sweep", "sample", "specs", "target"]
