"""The Explain page: the model in plain language, read from ``docs/model.md``.

Nothing here is a second copy of the documentation: the page shows sections of the model
document itself — "In brief, for workshop facilitators", the reforms' generated table (section
7.1, built from the reform classes), the known limitations (section 11) and the sources
(section 9) — so the app and the docs cannot disagree.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown as markdown_lib
import solara

from missionsim import resources

MODEL_DOC = resources.data_path("model.md")
"""The model's documentation (ODD), shipped with the package (``docs/model.md`` in the source)."""

SECTIONS = (
    ("In brief, for workshop facilitators", "brief"),
    ("Known limitations", "limitations"),
    ("Sources", "sources"),
)


class MissingDoc(RuntimeError):
    """The model document or one of its sections cannot be found."""


def section(text: str, title: str) -> str:
    """The body of the level-2 section titled ``title`` (with or without its number)."""
    m = re.search(rf"^## (?:\d+ )?{re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        raise MissingDoc(f"{MODEL_DOC}: no section '{title}'")
    return m.group(1).strip()


def generated(text: str, name: str) -> str:
    """A generated table (between ``BEGIN GENERATED: name`` and ``END GENERATED`` markers)."""
    m = re.search(rf"<!-- BEGIN GENERATED: {re.escape(name)} -->\n(.*?)<!-- END GENERATED",
                  text, re.S)
    if not m:
        raise MissingDoc(f"{MODEL_DOC}: no generated table '{name}'")
    return m.group(1).strip()


def reforms_table(table: str) -> list[dict[str, str]]:
    """Rows of the generated reforms table as dictionaries keyed by column."""
    lines = [ln for ln in table.splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _plain(markdown: str) -> str:
    """Links to other sections of the document become plain text (they lead nowhere here)."""
    return re.sub(r"\[([^\]]+)\]\(#[^)]*\)", r"\1", markdown)


DOC_CSS = """
.ms-doc table { border-collapse: collapse; margin: 8px 0 16px; font-size: 15px; }
.ms-doc th, .ms-doc td { border: 1px solid #dadce0; padding: 4px 8px; vertical-align: top; }
.ms-doc th { background: #f1f3f4; }
.ms-doc code { background: #f1f3f4; padding: 0 3px; border-radius: 3px; }
.ms-doc h1 { font-size: 1.8em; margin: 8px 0 12px; }
.ms-doc h2 { font-size: 1.35em; margin: 18px 0 8px; }
.ms-doc p, .ms-doc li { line-height: 1.5; }
.ms-doc strong { font-weight: 600; }
"""


def to_html(text: str) -> str:
    """Markdown (with tables) as HTML, rendered here so the browser fetches nothing."""
    return markdown_lib.markdown(text, extensions=["tables", "fenced_code"])


@solara.component
def Doc(text: str, name: str = ""):
    """A piece of the documentation, rendered as HTML."""
    solara.HTML(tag="div", classes=["ms-doc", f"ms-doc-{name}"] if name else ["ms-doc"],
                unsafe_innerHTML=to_html(text))


@lru_cache(maxsize=4)
def _content(stamp: float) -> dict[str, object]:
    text = MODEL_DOC.read_text(encoding="utf-8")
    parts: dict[str, object] = {key: _plain(section(text, title)) for title, key in SECTIONS}
    # the brief's first paragraph is about the document itself, not the model
    brief = str(parts["brief"])
    if brief.startswith("This section"):
        parts["brief"] = brief.split("\n\n", 1)[-1]
    parts["reforms"] = reforms_table(generated(text, "reforms"))
    return parts


def content() -> dict[str, object]:
    """The page's content, read from the model document (re-read when the file changes)."""
    if not MODEL_DOC.is_file():
        raise MissingDoc(f"{MODEL_DOC}: not found; the Explain page reads the model document "
                         "from the source checkout")
    return _content(MODEL_DOC.stat().st_mtime)


@solara.component
def Explain():
    """The Explain page."""
    try:
        parts = content()
    except (MissingDoc, OSError) as exc:
        solara.Error(str(exc))
        return
    solara.Style(DOC_CSS)
    with solara.Column(style={"max-width": "980px"}, classes=["ms-explain"]):
        Doc("# How the model works\n\n" + str(parts["brief"]), "brief")
        Doc("## The reforms and their trade-offs")
        rows = list(parts["reforms"])  # type: ignore[call-overload]
        with solara.Columns([1, 1]):
            for half in (rows[0::2], rows[1::2]):
                with solara.Column():
                    for row in half:
                        ReformCard(row)
        with solara.Details("Known limitations", expand=False):
            Doc(str(parts["limitations"]), "limitations")
        with solara.Details("Sources of the numbers", expand=False):
            Doc(str(parts["sources"]), "sources")
        Doc("The full model description (ODD protocol) is `docs/model.md` in the "
                        "source; how to run studies is `docs/usage.md`.")


@solara.component
def ReformCard(row: dict[str, str]):
    """One reform: what it does, what it costs and what can go wrong."""
    with solara.Card(row["title"], subtitle=row["name"].strip("`"), margin=0,
                     classes=["ms-reform-card"], style={"margin-bottom": "12px"}):
        Doc(f"**How it helps.** {row['mechanism']}\n\n"
            f"**Trade-off.** {row['trade-off']}\n\n"
            f"**Cost.** {row['cost basis']}")
