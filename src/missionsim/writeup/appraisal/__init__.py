"""An options appraisal of an advice: one self-contained HTML file, in Green Book form.

:func:`write_appraisal` turns the :class:`~missionsim.analysis.advise.Advice` of
``missionsim advise`` into the page a UK policy team submits (HM Treasury Green Book:
options, costs and benefits in present value, value for money, distribution, risks), with no
external resources: inline CSS, the Pareto front as inline SVG, other figures as PNG data
URIs. Its sections:

1. strategic case: the mission, its target and deadline, the budget, the question;
2. options: the long list searched and the shortlist, each package in words;
3. costs and benefits in present value: over the advice's futures, and at equal cost with
   value for money (public cost per point gained);
4. the Pareto front (a chart and a table);
5. the robust preferred option and why (the rule, its measures against the runner-up);
6. distribution: who gains, by tenth of deprivation and by place;
7. risks: switching values and failure conditions (scenario discovery);
8. what to measure next (value of information, with its noise floor);
9. assumptions and seeds (every setting, factor, seed and version);

and a glossary. ``docs/appraisal.md`` is the guide.

Modules: :mod:`.gather` (the shortlist and the comparison at equal cost), :mod:`.evidence`
(switching values, EVPPI, failure conditions from the advice's ensemble), :mod:`.figures`,
:mod:`.case` (sections 1–3), :mod:`.choice` (4–5), :mod:`.spread` (6), :mod:`.risk` (7–8),
:mod:`.record` (9), :mod:`.glossary`, :mod:`.text` (formatters) and :mod:`.page` (the page).
"""

from __future__ import annotations

from missionsim.writeup.appraisal.gather import Appraisal, gather
from missionsim.writeup.appraisal.page import SECTIONS, appraisal_path, render, write_appraisal

__all__ = ["SECTIONS", "Appraisal", "appraisal_path", "gather", "render", "write_appraisal"]
