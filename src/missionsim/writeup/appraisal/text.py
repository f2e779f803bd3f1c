"""Small formatters the appraisal's sections share: money, intervals, shares, sections.

Numbers are formatted here once, so the same quantity reads the same in every table; the
escaping and the tables themselves are the comparison report's (:mod:`..report.html`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from missionsim.analysis import stats
from missionsim.writeup import markdown as md
from missionsim.writeup.report import html as h

DASH = "–"


def money(x: Any, digits: int = 2) -> str:
    """£m: ``£1.23m`` (``–`` when not a number)."""
    return f"£{float(x):,.{digits}f}m" if md.finite(x) else DASH


def number(x: Any, digits: int = 2) -> str:
    """A plain number (``–`` when not a number)."""
    return md.number(x, digits)


def mean_interval(values: Iterable[float], digits: int = 2, signed: bool = False) -> str:
    """The mean and its 95% interval (t distribution): ``69.31 (69.05 to 69.57)``.

    ``signed`` writes a change: ``+0.12 (+0.05 to +0.19)``.
    """
    mean, lo, hi = stats.mean_ci(np.asarray(list(values), dtype=float))
    if signed:
        return md.interval(mean, lo, hi, digits)
    if not md.finite(mean):
        return DASH
    if not (md.finite(lo) and md.finite(hi)):
        return md.number(mean, digits)
    return f"{md.number(mean, digits)} ({md.number(lo, digits)} to {md.number(hi, digits)})"


def share_of(successes: int, n: int) -> str:
    """A share with its 95% Wilson interval: ``62% (31%–86%)``."""
    return md.share_interval(*stats.wilson(int(successes), int(n)))


def percent(x: Any, digits: int = 0) -> str:
    """A share as a percentage."""
    return md.percent(x, digits)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 future``, ``3 futures``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def section(anchor: str, number_: int | None, title: str, parts: Iterable[str]) -> str:
    """A ``<section>`` with its id and numbered heading."""
    head = f"{number_}. {title}" if number_ is not None else title
    body = "\n".join(p for p in parts if p)
    return f'<section id="{h.escape(anchor)}">\n<h2>{h.escape(head)}</h2>\n{body}\n</section>'


def para(text: str, cls: str = "") -> str:
    """A paragraph of plain text (escaped)."""
    klass = f' class="{h.escape(cls)}"' if cls else ""
    return f"<p{klass}>{h.escape(text)}</p>"


def listing(items: Iterable[str]) -> str:
    """A bulleted list of plain-text items (escaped)."""
    return "<ul>" + "".join(f"<li>{h.escape(i)}</li>" for i in items) + "</ul>"


def pairs(rows: Iterable[tuple[str, Any]], cls: str) -> str:
    """A two-column table of labels and values, without a heading row."""
    body = "".join(f"<tr><th>{h.escape(k)}</th><td>{h.escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="{h.escape(cls)}"><tbody>{body}</tbody></table>'


def value(v: Any) -> str:
    """A setting or parameter value as written in tables."""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        return f"{float(v):g}" if math.isfinite(float(v)) else DASH
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, list | tuple):
        return ", ".join(value(x) for x in v) if v else "(none)"
    if isinstance(v, dict):
        return "; ".join(f"{k} = {value(x)}" for k, x in v.items()) if v else "(none)"
    return DASH if v is None else str(v)
