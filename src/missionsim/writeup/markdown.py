"""One Markdown table helper and one set of number formatters for every document.

The terminal summary, the HTML report, the generated documents (model tables, claims,
validation, robustness, baseline) and the CLI's listings all format numbers and tables through
these functions, so a number reads the same wherever it appears.

Missing values (``None``, NaN, infinities) print as an en dash, ``–``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

DASH = "–"
"""What a missing value prints as."""

ALIGN = {"l": "---", "r": "---:", "c": ":---:", "L": ":---"}
"""Column alignments: ``l`` left (``---``), ``L`` explicitly left (``:---``), ``r`` right,
``c`` centred."""


def table(header: Sequence[Any], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """A Markdown pipe table.

    Args:
        header: Column headings.
        rows: Cells, converted with ``str``.
        align: One letter per column from :data:`ALIGN` (default: the first column left, the
            rest right, as for a label followed by numbers).

    Raises:
        ValueError: ``align`` does not give one known letter per column.
    """
    align = align if align is not None else "l" + "r" * (len(header) - 1)
    if len(align) != len(header) or any(a not in ALIGN for a in align):
        raise ValueError(f"align = {align!r}: expected one of {''.join(ALIGN)} per column "
                         f"({len(header)} columns)")
    lines = ["| " + " | ".join(str(h) for h in header) + " |",
             "|" + "|".join(ALIGN[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def finite(x: Any) -> bool:
    """Whether ``x`` is a number that can be printed (not None, NaN or infinite)."""
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def number(x: Any, digits: int = 2, sign: bool = False, thousands: bool = False) -> str:
    """A number with ``digits`` decimals.

    ``sign`` puts ``+`` before positives; ``thousands`` separates them (``1,234``).
    """
    if not finite(x):
        return DASH
    spec = f"{'+' if sign else ''}{',' if thousands else ''}.{digits}f"
    return format(float(x), spec)


def percent(x: Any, digits: int = 0) -> str:
    """A share as a percentage, ``0.42`` → ``42%``."""
    return format(float(x), f".{digits}%") if finite(x) else DASH


def interval(mean: Any, lo: Any, hi: Any, digits: int = 2) -> str:
    """An effect and its 95% interval: ``+0.98 (+0.93 to +1.03)``.

    Without a finite interval, the mean alone.
    """
    if not finite(mean):
        return DASH
    if not (finite(lo) and finite(hi)):
        return number(mean, digits, sign=True)
    return (f"{number(mean, digits, sign=True)} ({number(lo, digits, sign=True)} to "
            f"{number(hi, digits, sign=True)})")


def share_interval(p: Any, lo: Any, hi: Any) -> str:
    """A share with its interval: ``40% (17%–69%)``."""
    if not finite(p):
        return DASH
    return f"{percent(p)} ({percent(lo)}–{percent(hi)})"
