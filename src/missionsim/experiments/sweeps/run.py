"""Running a sweep: its runs (every design point × every replicate), manifest and study.

Every design point runs ``replicates`` times with the seeds of replicates ``0..R-1`` under
the root seed, so all points meet the same worlds and shocks (common random numbers) and
differences between points come from the factors alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from missionsim.experiments import options as run_options
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.runner import RunSpec, spec_for
from missionsim.experiments.study import execute
from missionsim.experiments.sweeps.design import apply_point, design_points, plain
from missionsim.experiments.sweeps.factors import target
from missionsim.experiments.sweeps.spec import Sweep, as_sweep


def specs(sweep: Sweep) -> list[RunSpec]:
    """The runs of a sweep: every design point × every replicate.

    Replicate ``r`` of every point has the same seed
    (:func:`~missionsim.experiments.runner.replicate_seed` of the root seed and ``r``) and the same
    draws of the scenario's uncertainties; run ids are
    ``"{scenario}/p{point:05d}/r{replicate:04d}"``.
    """
    out: list[RunSpec] = []
    for point, values in enumerate(design_points(sweep).to_dict("records")):
        values = {k: plain(v) for k, v in values.items()}
        params, reforms = apply_point(sweep, values, point)
        for replicate in range(sweep.replicates):
            out.append(spec_for(sweep.scenario, replicate, root=sweep.seed, point=point,
                                params=params, reforms=reforms, factors=values))
    return out


def manifest(sweep: Sweep) -> dict[str, Any]:
    """The study description :func:`run_sweep` stores with the results."""
    base = sweep.scenario
    points = design_points(sweep).reset_index()
    return {
        "kind": "sweep",
        "sweep": sweep.name,
        "description": sweep.description,
        "source": sweep.source,
        "sweep_digest": sweep.digest(),
        "design": sweep.design,
        "samples": sweep.samples,
        "levels": sweep.levels,
        "second_order": sweep.second_order,
        "sample_seed": sweep.sample_seed,
        "factors": {n: {"kind": target(n).kind.__name__,
                        **{k: v for k, v in f.model_dump().items() if v is not None}}
                    for n, f in sweep.factors.items()},
        "baseline": base.name,
        **base.mission_manifest(),
        "replicates": sweep.replicates,
        "root_seed": sweep.seed,
        "scenarios": {base.name: base.manifest_entry()},
        "points": [{k: plain(v) for k, v in row.items()} for row in points.to_dict("records")],
        "output": {"metric": sweep.output.metric, "month": sweep.output.month},
        "definition": sweep.definition(),
    }


def run_sweep(sweep: Sweep | str | Path | Mapping[str, Any], options: RunOptions | None = None,
              **deprecated: Any) -> Results:
    """Run every design point × replicate of a sweep.

    Args:
        sweep: A :class:`~missionsim.experiments.sweeps.spec.Sweep`, a path to a sweep file or
            a mapping.
        options: Where results go, resuming (runs stored are skipped), the executor and
            progress (:class:`~missionsim.experiments.options.RunOptions`; default: in memory,
            on every core).
        **deprecated: The keywords of :class:`~missionsim.experiments.options.RunOptions`
            (``out=``, ``workers=``, ...), as earlier versions took them; with a warning.

    Returns:
        :class:`~missionsim.experiments.results.Results`; ``runs`` has a ``factor:NAME`` column
        per factor and ``manifest["points"]`` lists the design.
    """
    options = run_options.resolve(options, deprecated, "run_sweep")
    sweep = as_sweep(sweep)
    return execute(specs(sweep), manifest(sweep), options)
