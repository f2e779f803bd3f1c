"""The page's glossary: the terms of the appraisal in a sentence or two each.

The terms come from the shared glossary file (:mod:`missionsim.writeup.glossary`), the same
source as the comparison report's glossary and the browser app's hover texts.
"""

from __future__ import annotations

from missionsim.writeup import glossary as shared

TERMS = tuple((t.term, t.explanation) for t in shared.used_in("appraisal"))
"""Each term and its explanation, in the order a reader meets them."""


def glossary() -> str:
    """The glossary as a ``<section>`` of definitions."""
    return shared.section("appraisal", "Glossary")
