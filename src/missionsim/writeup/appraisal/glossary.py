"""The page's glossary: the terms of the appraisal in a sentence or two each."""

from __future__ import annotations

from missionsim.writeup.report import html as h

TERMS = (
    ("Present value (PV)", "Money spent in later years counted for less, at 3.5% a year by "
     "default (HM Treasury Green Book), so that spending at different times can be added up."),
    ("Business as usual", "The system as it is, with no new reforms: the comparator every "
     "option is measured against."),
    ("Equal cost", "Options scaled, by their intensities, to the same public cost in present "
     "value, so that they are compared for the same money."),
    ("Future", "One draw of everything the advice does not control (the uncertain assumptions "
     "about how the system works, outside conditions, the world's random events). Every "
     "package meets the same futures."),
    ("Pareto front", "The packages that no other package within the budget beats on every "
     "objective at once. Choosing along it trades one objective against another."),
    ("P(target met)", "The share of futures (or replicates) in which the mission's target is "
     "met at the deadline."),
    ("Worst tenth (p10)", "The value at the worst tenth of futures: nine in ten futures do at "
     "least this well."),
    ("Regret", "In one future, how far a package falls short of the best package in that "
     "future; its largest over all futures is the package's regret. A package with small "
     "regret is never far from the best, whatever happens."),
    ("Satisficing share", "The share of futures in which a package is good enough: meets the "
     "target (outcomes) or stays within the budget (cost)."),
    ("Robust preferred option", "The package the advice's stated rule picks from the Pareto "
     "front, weighing how it does across all futures rather than in an average one."),
    ("Switching value", "The value of an uncertain input at which the preferred option stops "
     "being the better of the two leading options."),
    ("Scenario discovery, PRIM", "A search for ranges of the inputs (boxes) in which the "
     "preferred option misses its target; PRIM is the patient rule induction method."),
    ("Coverage", "The share of all the futures in which the option misses that fall inside a "
     "box: how much of the failure the box explains."),
    ("Density", "The share of the futures inside a box in which the option misses: how "
     "reliably the box signals failure."),
    ("EVPI", "Expected value of perfect information: how much better the choice would be, on "
     "average, if every uncertain input were known before choosing."),
    ("EVPPI", "Expected value of partial perfect information: the same for knowing one input "
     "alone. Inputs with the largest EVPPI are the ones worth measuring next."),
    ("Noise floor", "The EVPPI the estimate gives an input that has no bearing at all: an EVPPI "
     "near it cannot be told from no information."),
    ("95% interval", "A range that, by the usual statistical reasoning, holds the true mean "
     "(or share) 95 times in 100."),
)
"""Each term and its explanation, in the order a reader meets them."""


def glossary() -> str:
    """The glossary as a ``<section>`` of definitions."""
    items = "".join(f"<dt>{h.escape(term)}</dt><dd>{h.escape(text)}</dd>"
                    for term, text in TERMS)
    return (f'<section id="glossary">\n<h2>Glossary</h2>\n<dl class="glossary">{items}</dl>\n'
            "</section>")
