"""The one HTML helper: escaped text, tables of plain-text cells, and embedded figures.

The report's tables and the browser app's effect table are written by :func:`table`, so a cell
reads the same in both.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any


def escape(text: Any) -> str:
    """HTML-escaped text (quotes included, so it is safe in attribute values too)."""
    return html.escape(str(text), quote=True)


def table(header: Sequence[Any], rows: Sequence[Sequence[Any]], numeric_from: int = 1,
          row_classes: Sequence[str] | None = None, cls: str = "",
          row_attributes: Sequence[Mapping[str, Any]] | None = None) -> str:
    """An HTML table of plain-text cells (escaped here).

    Args:
        header: Column headings.
        rows: Cells, converted with ``str``.
        numeric_from: Columns from this one on are numbers (``class="num"``: right-aligned).
        row_classes: A class for each row ('' for none).
        cls: The table's class ('' for none).
        row_attributes: More attributes for each row, such as ``{"data-scenario": name}``.
    """
    out = [f'<table class="{escape(cls)}">' if cls else "<table>", "<thead><tr>"]
    out += [f"<th>{escape(h)}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        klass = row_classes[i] if row_classes else ""
        attributes = f' class="{escape(klass)}"' if klass else ""
        if row_attributes:
            attributes += "".join(f' {name}="{escape(value)}"'
                                  for name, value in row_attributes[i].items())
        out.append(f"<tr{attributes}>")
        for j, cell in enumerate(row):
            num = ' class="num"' if j >= numeric_from else ""
            out.append(f"<td{num}>{escape(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def figure(uri: str, alt: str, caption: str) -> str:
    """An image (a data URI) with its alternative text and caption."""
    return (f'<figure><img alt="{escape(alt)}" src="{uri}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")
