"""What the builders of the generated documents share.

Each simulated document (:mod:`missionsim.writeup.docs`) is built from a
:class:`~missionsim.writeup.docs.DocSettings`: the common settings (``--replicates``,
``--preset``, ``--horizon``, ``--quick``, ``--workers``, ``--store``, ``--resume``) and its own
(``--set KEY=VALUE``). This module reads those settings, turns them into the
:class:`~missionsim.experiments.options.RunOptions` the analyses take, writes the command line
that rebuilds a document, and draws its tables and figures the same way in every document.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from missionsim.experiments.options import RunOptions
from missionsim.writeup import markdown as md
from missionsim.writeup.docs import DocSettings


def check_keys(settings: DocSettings, name: str, allowed: Iterable[str]) -> None:
    """Refuse document settings (``--set KEY=VALUE``) this document does not know.

    Raises:
        ValueError: A key that is not one of ``allowed`` (one line naming it and the others).
    """
    known = list(allowed)
    for key in settings.extra:
        if key not in known:
            hint = f"expected one of {', '.join(known)}" if known else "it takes none"
            raise ValueError(f"--set {key}: not a setting of the {name} document ({hint})")


def integer(settings: DocSettings, key: str, default: int | None, low: int = 1) -> int | None:
    """A whole-number document setting (``--set KEY=N``), or ``default`` when not given.

    Raises:
        ValueError: The value is not a whole number of at least ``low``.
    """
    text = settings.extra.get(key)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"--set {key}={text}: expected a whole number") from None
    if value < low:
        raise ValueError(f"--set {key}={text}: expected a whole number ≥ {low}")
    return value


def names(settings: DocSettings, key: str) -> tuple[str, ...] | None:
    """A comma-separated list setting (``--set KEY=a,b``), or ``None`` when not given."""
    text = settings.extra.get(key)
    if text is None:
        return None
    return tuple(part.strip() for part in re.split(r"[,\s]+", text) if part.strip())


def run_options(settings: DocSettings, folder: str | None = None,
                scheduler: Any = None) -> RunOptions:
    """How to run a document's studies: its workers, store and resumption.

    Args:
        settings: The build's settings (``store``, ``resume``, ``workers``).
        folder: A sub-folder of the store for this study (``None``: the store itself).
        scheduler: A dask.distributed scheduler address (instead of local workers).

    Progress bars show on standard error when it is a terminal.
    """
    out = settings.store if settings.store is None or folder is None else (
        settings.store / folder)
    return RunOptions(out=out, resume=settings.resume,
                      workers=None if scheduler is not None else settings.workers,
                      scheduler=scheduler, progress=sys.stderr.isatty())


def command(name: str, settings: DocSettings) -> str:
    """The command that builds the document with ``settings`` (what shapes it, not where)."""
    parts = ["missionsim", "docs", name]
    for option in ("replicates", "preset", "horizon"):
        value = getattr(settings, option)
        if value is not None:
            parts += [f"--{option}", str(value)]
    if settings.quick:
        parts.append("--quick")
    for key, value in sorted(settings.extra.items()):
        parts += ["--set", f"{key}={value}"]
    return " ".join(parts)


def table(header: Sequence[Any], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """A Markdown table (:func:`missionsim.writeup.markdown.table`) with empty cells as ``| |``.

    The documents' tables with an empty heading or value have always written them so.
    """
    return re.sub(r"\|  (?=\|)", "| ", md.table(header, rows, align))


def png(figure: Any, dpi: float | None = None) -> bytes:
    """A matplotlib figure as PNG bytes (``dpi``: the figure's own when ``None``)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **({} if dpi is None else {"dpi": dpi}))
    return buffer.getvalue()


def log(line: str) -> None:
    """A progress line of a build, on standard error."""
    print(line, file=sys.stderr, flush=True)
