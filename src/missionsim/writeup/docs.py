"""The generated documents: one registry, one command (``missionsim docs NAME``).

Each :class:`Document` names the file it writes, the module that builds it and how
``--check`` decides whether the committed file is current:

- ``exact``: the document is cheap to build (tables from the code, a few runs), so ``--check``
  builds it and compares it with the committed file;
- ``inputs``: the document takes minutes to hours of simulation, so it records a digest of its
  inputs (the model's source and data, and the settings it was built with) in a comment on its
  first line, and ``--check`` compares that digest with the current one: a change to the model
  or to the settings makes it stale without running anything.

A builder module exposes ``build(path: Path, settings: DocSettings) -> Built``. Only the
section of the file the document owns changes (a whole file, or the text between its
``<!-- BEGIN GENERATED: name -->`` markers); figures it draws are written beside it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from missionsim import __version__, resources

SOURCE = Path(__file__).resolve().parents[1]
"""The package folder, whose model source and data make up a document's inputs."""

INPUT_FOLDERS = ("model", "experiments", "analysis", "data")
"""What a simulated document depends on: the model, how it is run and analysed, its data."""

DIGEST = re.compile(r"<!-- missionsim docs (?P<name>[a-z-]+); inputs (?P<digest>[0-9a-f]{16})"
                    r"; version (?P<version>[^;]+); settings (?P<settings>\{.*?\}) -->")
"""The first-line comment a simulated document carries."""


@dataclass(frozen=True)
class DocSettings:
    """Settings of a build; ``None`` keeps the document's own default (its full size).

    Attributes:
        replicates: Replicates (or seeds) per comparison or pattern.
        workers: Local worker processes (``None``: every core).
        preset: World preset.
        horizon: Months per run.
        quick: A reduced build for a look (never committed: ``--check`` treats its digest as
            different from the full one).
        store: A results folder to keep the runs in (and resume from).
        resume: Continue the runs already in ``store``.
        extra: Document-specific settings (``--set KEY=VALUE``).
    """

    replicates: int | None = None
    workers: int | None = None
    preset: str | None = None
    horizon: int | None = None
    quick: bool = False
    store: Path | None = None
    resume: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    def recorded(self) -> dict:
        """The settings that shape the document (not where runs are kept or how many cores)."""
        data = asdict(self)
        for key in ("workers", "store", "resume"):
            data.pop(key)
        # where the runs ran is not what they are: a scheduler given with --set is left out
        data["extra"] = {k: v for k, v in sorted(self.extra.items()) if k != "scheduler"}
        return data


@dataclass
class Built:
    """What a builder returns: the document's text and the figures it drew."""

    text: str
    figures: dict[str, bytes] = field(default_factory=dict)
    summary: str = ""


@dataclass(frozen=True)
class Document:
    """A generated document.

    Attributes:
        name: Its name on the command line.
        path: The file, relative to the repository (``docs/validation.md``).
        builder: The module with its ``build`` function.
        check: ``exact`` or ``inputs`` (see the module docstring).
        markers: The generated blocks it owns in a shared file (empty: the whole file).
        about: One line for ``missionsim docs --help``.
        minutes: About how long a full build takes on 2 cores.
    """

    name: str
    path: str
    builder: str
    check: Literal["exact", "inputs"]
    about: str
    markers: tuple[str, ...] = ()
    minutes: float = 1.0

    def build(self, path: Path, settings: DocSettings) -> Built:
        """Build the document's new content for ``path`` (which holds the current file)."""
        built = importlib.import_module(self.builder).build(path, settings)
        if self.check == "inputs":
            built.text = stamp(self.name, settings) + "\n" + strip_stamp(built.text)
        return built


DOCUMENTS: dict[str, Document] = {}
"""Every generated document, by name."""


def register(document: Document) -> Document:
    """Add a document to :data:`DOCUMENTS` (names are unique)."""
    if document.name in DOCUMENTS:
        raise ValueError(f"document {document.name!r} is registered twice")
    DOCUMENTS[document.name] = document
    return document


def inputs_digest(name: str, settings: DocSettings) -> str:
    """A digest of what a simulated document depends on: source, data and its settings."""
    h = hashlib.sha256(name.encode())
    for folder in INPUT_FOLDERS:
        root = resources.data_path() if folder == "data" else SOURCE / folder
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".toml", ".json", ".csv"):
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    h.update(json.dumps(settings.recorded(), sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def stamp(name: str, settings: DocSettings) -> str:
    """The first-line comment that records how a simulated document was made."""
    recorded = json.dumps(settings.recorded(), sort_keys=True, default=str)
    return (f"<!-- missionsim docs {name}; inputs {inputs_digest(name, settings)}; version "
            f"{__version__}; settings {recorded} -->")


def strip_stamp(text: str) -> str:
    """``text`` without a first-line stamp."""
    first, _, rest = text.partition("\n")
    return rest if DIGEST.fullmatch(first) else text


def splice(current: str, generated: str, markers: tuple[str, ...]) -> str:
    """``current`` with the blocks between each marker pair replaced from ``generated``.

    Raises:
        ValueError: A marker pair is missing from either text.
    """
    out = current
    for name in markers:
        pattern = re.compile(rf"(<!-- BEGIN GENERATED: {name} -->\n)(.*?)"
                             rf"(<!-- END GENERATED: {name} -->)", re.S)
        new = pattern.search(generated)
        if new is None or pattern.search(out) is None:
            raise ValueError(f"no <!-- BEGIN GENERATED: {name} --> block")
        body = new.group(2)
        out = pattern.sub(lambda m, b=body: m.group(1) + b + m.group(3), out)
    return out


def stale(document: Document, root: Path, settings: DocSettings) -> str | None:
    """Why the committed file is out of date, or ``None`` when it is current."""
    path = root / document.path
    if not path.is_file():
        return f"{document.path} does not exist"
    text = path.read_text(encoding="utf-8")
    if document.check == "exact":
        fresh = document.build(path, settings).text
        new = splice(text, fresh, document.markers) if document.markers else fresh
        return None if new == text else f"{document.path} differs from a fresh build"
    found = DIGEST.match(text)
    if found is None:
        return f"{document.path} records no inputs digest"
    recorded = DocSettings(**{k: v for k, v in json.loads(found["settings"]).items()})
    now = inputs_digest(document.name, recorded)
    if found["digest"] != now:
        return (f"{document.path} was built from other inputs (model, data or settings changed "
                f"since: digest {found['digest']}, now {now})")
    return None


register(Document("model-tables", "docs/model.md", "missionsim.writeup.model_tables", "exact",
                  "the parameter, reform, reporter and mission tables of the model description",
                  markers=("parameters", "reforms", "reporters", "missions"), minutes=0.01))
register(Document("baseline", "docs/model.md", "missionsim.writeup.baseline", "exact",
                  "the measured baseline tables of the model description (section 10)",
                  markers=("baseline_measured", "baseline_patterns"), minutes=0.2))
register(Document("validation", "docs/validation.md", "missionsim.writeup.validation", "inputs",
                  "the model against the observed patterns of the calibration brief", minutes=0.5))
register(Document("claims", "docs/claims.md", "missionsim.writeup.claims", "inputs",
                  "each claim of the design brief, its mechanism and the effect measured",
                  minutes=1))
register(Document("robustness", "docs/robustness.md", "missionsim.writeup.robustness", "inputs",
                  "which reform is best at equal cost, and which assumptions decide it",
                  minutes=15))


def write(document: Document, root: Path, settings: DocSettings, log=print) -> Path:
    """Build ``document`` and write it (and its figures) under ``root``; return its path.

    Raises:
        FileNotFoundError: The document's file (or its folder) is not under ``root``.
    """
    from missionsim.experiments.store import write_atomic

    path = root / document.path
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path.parent}: no such folder (run from the repository, or "
                                "give --root)")
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    built = document.build(path, settings)
    text = splice(current, built.text, document.markers) if document.markers else built.text
    for relative, data in built.figures.items():
        write_atomic(path.parent / relative, lambda p, d=data: p.write_bytes(d))
    if text != current:
        write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))
        log(f"missionsim: wrote {path}" + (f" ({built.summary})" if built.summary else ""))
    else:
        log(f"missionsim: {path} is unchanged")
    return path
