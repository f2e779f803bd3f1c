"""Claims to evidence: what the model shows for each claim it was built to express.

The six claims about mission-led government that the model must be able to express (design
brief §1) are broken into *sub-claims*, each a testable statement with

- the **mechanism**: the model element that carries it and the section of ``docs/model.md``
  that implements it;
- a **comparison**: a treatment scenario against a control scenario (an :class:`Arm` each,
  built from a shipped file in ``scenarios/`` with stated changes), run over the same paired
  seeds by :func:`missionsim.experiments.study.compare` (common random numbers);
- a **measure**: a reporter (section 7.9 of ``docs/model.md``) read at the mission's deadline,
  at the end of the run, or averaged over a window (:data:`MEASURES`, :data:`TIMINGS`);
- the **direction** the claim predicts for the paired difference treatment − control.

The catalogue of claims, arms, measures and sub-claims is data, ``missionsim/data/claims.toml``
(:mod:`~missionsim.analysis.claims.catalogue`). :func:`evaluate` computes each effect with
:func:`missionsim.analysis.stats.paired_effect` (the mean paired difference and its 95% t
interval, as ``missionsim compare`` reports it) and applies the one verdict rule,
:func:`missionsim.analysis.stats.verdict`:

- **supported**: the 95% confidence interval lies entirely on the predicted side of zero;
- **contradicted**: it lies entirely on the opposite side;
- **not shown**: it includes zero (or there are too few replicates for an interval).

:mod:`missionsim.writeup.claims` writes ``docs/claims.md`` (``missionsim docs claims``). The
verdicts are consequences of the model's stated assumptions, not forecasts.

Example::

    from missionsim.analysis import claims
    from missionsim.experiments.options import RunOptions

    study = claims.run(replicates=3, horizon=40, preset="small",
                       options=RunOptions(workers=1))
    table = claims.evaluate(study)
"""

from __future__ import annotations

from typing import Any

from missionsim.analysis.claims.catalogue import (
    TIMINGS,
    Arm,
    Catalogue,
    Claim,
    Measure,
    SubClaim,
    read_catalogue,
)
from missionsim.analysis.claims.study import (
    DEFAULT_PRESET,
    DEFAULT_REPLICATES,
    DEFAULT_SEED,
    ClaimStudy,
    counts,
    effect,
    evaluate,
    run,
    scenarios_for,
    subclaims,
    values,
)
from missionsim.analysis.stats import (
    CONTRADICTED,
    NOT_SHOWN,
    SUPPORTED,
    VERDICT_RULE,
    VERDICTS,
    verdict,
)

__all__ = [
    "ARMS", "CLAIMS", "CONTRADICTED", "DEFAULT_PRESET", "DEFAULT_REPLICATES", "DEFAULT_SEED",
    "MEASURES", "NOT_SHOWN", "SECTIONS", "SUBCLAIMS", "SUPPORTED", "TIMINGS", "VERDICTS",
    "VERDICT_RULE", "Arm", "Catalogue", "Claim", "ClaimStudy", "Measure", "SubClaim",
    "counts", "effect", "evaluate", "read_catalogue", "run", "scenarios_for", "subclaims",
    "values", "verdict",
]

_PARTS = {"CLAIMS": "claims", "SECTIONS": "sections", "ARMS": "arms", "MEASURES": "measures",
          "SUBCLAIMS": "subclaims"}
"""Module attributes read from the catalogue when first asked for (the file is read once)."""


def __getattr__(name: str) -> Any:
    """``CLAIMS``, ``SECTIONS``, ``ARMS``, ``MEASURES``, ``SUBCLAIMS``: parts of the catalogue."""
    if name in _PARTS:
        return getattr(read_catalogue(), _PARTS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
