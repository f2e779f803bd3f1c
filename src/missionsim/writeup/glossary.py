"""The glossary: every term the app, the report and the appraisal page use, from one file.

The terms live in ``missionsim/data/glossary.toml`` (shipped with the package); this module
reads and checks it once per process. The appraisal page's glossary
(:mod:`missionsim.writeup.appraisal.glossary`), the comparison report's glossary section
(:func:`section`) and the browser app's hover texts (:func:`explain`) all come from it, so a
term is explained the same way wherever it appears.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionsim import resources
from missionsim.files import read_toml

FILE = "glossary.toml"
"""The glossary's file in ``missionsim/data/``."""
USES = ("app", "report", "appraisal")
"""Where a term may be explained: the browser app, the comparison report, the appraisal page."""
KEYS = ("term", "explanation", "used_in")
"""The keys of each ``[[term]]`` table, all required."""


class GlossaryError(ValueError):
    """The glossary file is malformed, or a term is not in it (one line naming file and key)."""


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes:
        term: The word or phrase as a reader meets it.
        explanation: One or two plain sentences.
        used_in: Where it is explained (a subset of :data:`USES`).
    """

    term: str
    explanation: str
    used_in: tuple[str, ...]


def parse(data: dict[str, Any], source: str) -> tuple[Term, ...]:
    """Check the glossary's tables and return its terms in the file's order.

    Args:
        data: The file as read from TOML.
        source: The file's name, for messages.

    Raises:
        GlossaryError: One line naming the file, the entry and the key.
    """
    extra = sorted(set(data) - {"term"})
    if extra:
        raise GlossaryError(f"{source}: {extra[0]}: unknown key; expected [[term]] tables")
    entries = data.get("term")
    if not isinstance(entries, list) or not entries:
        raise GlossaryError(f"{source}: term: expected [[term]] tables, got none")
    terms, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"{source}: term[{i}]"
        if not isinstance(entry, dict) or set(entry) != set(KEYS):
            keys = sorted(entry) if isinstance(entry, dict) else entry
            raise GlossaryError(f"{where}: expected the keys {', '.join(KEYS)}, got {keys}")
        for key in ("term", "explanation"):
            if not isinstance(entry[key], str) or not entry[key].strip() or "\n" in entry[key]:
                raise GlossaryError(f"{where}.{key}: expected one line of text")
        used = entry["used_in"]
        if not isinstance(used, list) or not used or not set(used) <= set(USES):
            raise GlossaryError(f"{where}.used_in: expected a list drawn from "
                                f"{', '.join(USES)}, got {used!r}")
        if entry["term"].casefold() in seen:
            raise GlossaryError(f"{where}.term: {entry['term']!r} appears twice")
        seen.add(entry["term"].casefold())
        terms.append(Term(entry["term"].strip(), entry["explanation"].strip(), tuple(used)))
    return tuple(terms)


@functools.cache
def terms() -> tuple[Term, ...]:
    """Every term of the shipped glossary, in the file's order (read once per process)."""
    path: Path = resources.data_path(FILE)
    return parse(read_toml(path), FILE)


def used_in(use: str) -> tuple[Term, ...]:
    """The terms explained in one place (a value of :data:`USES`), in the file's order."""
    return tuple(t for t in terms() if use in t.used_in)


def explain(term: str) -> str:
    """The explanation of a term (matched without regard to case).

    Raises:
        GlossaryError: The term is not in the glossary.
    """
    wanted = term.strip().casefold()
    for t in terms():
        if t.term.casefold() == wanted:
            return t.explanation
    raise GlossaryError(f"{FILE}: {term!r} is not in the glossary; add a [[term]] for it")


def section(use: str, heading: str) -> str:
    """A glossary as an HTML ``<section id="glossary">`` of definitions.

    Args:
        use: Whose terms (a value of :data:`USES`).
        heading: The section's ``<h2>``.
    """
    items = "".join(f"<dt>{html.escape(t.term)}</dt><dd>{html.escape(t.explanation)}</dd>"
                    for t in used_in(use))
    return (f'<section id="glossary">\n<h2>{html.escape(heading)}</h2>\n'
            f'<dl class="glossary">{items}</dl>\n</section>')
