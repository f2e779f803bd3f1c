"""Snapshots of every generated document, regenerated at reduced size.

Each test regenerates one document with its generator (a script in ``scripts/`` or a function
of the package) at a reduced size, writes it into a temporary folder (never into ``docs/``),
normalises it and compares it, character for character, with the committed file of the same
name in ``tests/snapshots/``:

======================  ===============================================================
snapshot                generator, reduced size
======================  ===============================================================
``model_tables.md``     ``missionsim docs model-tables`` on a file holding only its markers
                        (parameters, reforms, reporters, missions; no simulation)
``baseline_tables.md``  ``missionsim docs baseline --replicates 3`` on a ``docs/model.md``
                        holding only the ``baseline_measured`` and ``baseline_patterns``
                        markers, followed by the numbers the prose of section 10 cites
                        (``scripts/measure-baseline --print``)
``validation.md``       ``missionsim docs validation --replicates 2 --workers 1`` (G1, G1s,
                        G2–G4; the figures are drawn but not compared)
``claims.md``           ``missionsim docs claims --replicates 3 --horizon 40 --preset small
                        --workers 1``, every sub-claim
``robustness.md``       ``missionsim docs robustness --quick``, the settings of
                        ``tests/validation/test_robustness.py`` (``small`` world, 40 months,
                        2 reforms at equal cost, 5 factors, 2 grouped Morris trajectories,
                        12 Latin hypercube points, 1 one-way sweep), ``--workers 1``
``report.txt``          ``missionsim.writeup.report.write_report`` for a three-scenario comparison
                        (``small`` world, 40 months, 3 replicates): the HTML without its
                        embedded images, one block element a line
``report_summary.md``   ``missionsim.writeup.report.summary_markdown`` of the same comparison
======================  ===============================================================

``tests/regression/golden_summary.json`` (``scripts/update-golden``) is not repeated here: it
has its own test, ``tests/regression/test_golden_summary.py``.

Normalisation replaces only what changes from one run, day or machine to the next, each with a
visible placeholder: ``{{timestamp}}`` and ``{{date}}`` (when a document was generated),
``{{version}}`` (the missionsim version), ``{{duration}}`` (how long the runs took),
``{{tmp}}`` (the temporary folder), ``{{images}}`` (the folder of a figure, whose file name is
kept), ``{{png}}`` (an embedded image) and ``{{study-hash}}`` (the report's study hash, which
hashes the package version). Each rule is tied to the words around the value it replaces or
to a form no model number takes (an ISO 8601 time stamp, a base64 data URI), so no number
computed by the model is masked; :data:`MASKED` pins how many placeholders each snapshot
holds, so a rule that starts to catch anything else fails the test.

Only the small adapter functions below (``*_document``) call the generators: when the code
moves, they are the only lines to change, and the snapshots prove that the documents did not.

A deliberate change to a document (a model change, a new table) changes its snapshot. Review
the difference the failure shows, then refresh the snapshots and commit them with the change::

    MISSIONSIM_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/regression/test_snapshots.py

(add ``-k claims`` and the like to refresh one). With the variable set, a snapshot that differs
is rewritten and its test is reported as skipped; without it, nothing under ``tests/snapshots/``
is ever written.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import io
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import script_module

from missionsim import __version__
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.study import compare
from missionsim.writeup.docs import DocSettings
from missionsim.writeup.report import summary_markdown, write_report

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
SNAPSHOTS = ROOT / "tests" / "snapshots"
UPDATE = os.environ.get("MISSIONSIM_UPDATE_SNAPSHOTS", "") not in ("", "0")
"""Rewrite the snapshots that differ instead of failing (``MISSIONSIM_UPDATE_SNAPSHOTS=1``)."""
REFRESH = ("MISSIONSIM_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest "
           "tests/regression/test_snapshots.py")
DIFF_LINES = 60
"""Lines of the unified diff a failure shows."""

# --- reduced sizes ----------------------------------------------------------------------------
BASELINE = DocSettings(replicates=3, workers=1)
VALIDATION = DocSettings(replicates=2, workers=1)
CLAIMS = DocSettings(replicates=3, horizon=40, preset="small", workers=1)
ROBUSTNESS = DocSettings(quick=True, workers=1)
"""The settings of tests/validation/test_robustness.py."""
REPORT_REPLICATES = 3
REPORT_WORLD = {"preset": "small"}
REPORT_SCENARIOS = [
    {"name": "baseline", "mission": "early_years", "world": REPORT_WORLD, "horizon": 40},
    {"name": "capacity", "mission": "early_years", "world": REPORT_WORLD, "horizon": 40,
     "reforms": {"local_capacity": {"start": 0}}},
    {"name": "tight_devolution", "description": "devolution in a tight labour market",
     "mission": "early_years", "horizon": 40,
     "world": {"preset": "small", "params": {"labour_market_tightness": 1.5}},
     "reforms": {"devolution": {"start": 6, "end": 30, "intensity": 0.5}},
     "uncertainties": {"funding_shock": {"low": 0.0, "high": 0.2}}},
]
"""The comparison the report describes: a reform from month 0, and a timed, partial reform on
a changed world with an uncertainty drawn per replicate."""


# --- adapters: the only calls into the generators ------------------------------------------
def _script(name: str):
    """A script of ``scripts/`` as a module."""
    return script_module.load(SCRIPTS / name, "snapshot_" + name.replace("-", "_"))


def _markers(names) -> str:
    """A document holding nothing but empty generated sections."""
    return "".join(f"<!-- BEGIN GENERATED: {n} -->\n<!-- END GENERATED: {n} -->\n\n"
                   for n in names)


def model_tables_document(folder: Path) -> str:
    """The code-derived tables of docs/model.md (``missionsim docs model-tables``)."""
    from missionsim.writeup import docs

    document = docs.DOCUMENTS["model-tables"]
    path = folder / document.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_markers(document.markers), encoding="utf-8")
    docs.write(document, folder, docs.DocSettings(), log=lambda _: None)
    return path.read_text(encoding="utf-8")


def _built(module, path: Path, settings: DocSettings) -> str:
    """Build a simulated document with its builder (no inputs stamp: it hashes the source)
    into ``path``, its figures beside it, and return its text."""
    built = module.build(path, settings)
    for relative, data in built.figures.items():
        (path.parent / relative).parent.mkdir(parents=True, exist_ok=True)
        (path.parent / relative).write_bytes(data)
    path.write_text(built.text, encoding="utf-8")
    return built.text


def baseline_tables_document(folder: Path) -> str:
    """The measured tables of docs/model.md section 10 (``missionsim docs baseline``, spliced
    into a file holding only their markers by the registry), then the numbers the section's
    prose cites (``scripts/measure-baseline --print``)."""
    from missionsim.analysis import baseline as measured
    from missionsim.writeup import baseline, docs

    document = docs.DOCUMENTS["baseline"]
    path = folder / document.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_markers(document.markers), encoding="utf-8")
    logged = []
    docs.write(document, folder, BASELINE, log=logged.append)
    seeds = range(BASELINE.replicates)
    prose = baseline.prose(measured.measure(seeds), measured.delivery_index(seeds))
    return (path.read_text(encoding="utf-8") + "Logged by `missionsim docs baseline`, then "
            "printed by `scripts/measure-baseline --print`:\n\n```text\n"
            + "\n".join(logged) + "\n\nnumbers the prose of section 10 cites:\n" + prose
            + "\n```\n")


def validation_document(folder: Path) -> str:
    """docs/validation.md (``missionsim docs validation``)."""
    from missionsim.writeup import validation

    return _built(validation, folder / "validation.md", VALIDATION)


def claims_document(folder: Path) -> str:
    """docs/claims.md (``missionsim docs claims``)."""
    from missionsim.writeup import claims

    return _built(claims, folder / "claims.md", CLAIMS)


def robustness_document(folder: Path) -> str:
    """docs/robustness.md (``missionsim docs robustness``); its figures and stores stay in
    ``folder``."""
    from missionsim.writeup import robustness

    settings = DocSettings(**{**vars(ROBUSTNESS), "store": folder / "store"})
    with contextlib.redirect_stderr(io.StringIO()):
        return _built(robustness, folder / "robustness.md", settings)


@functools.cache
def report_study() -> Results:
    """The comparison the report snapshots describe (run once, held in memory)."""
    return compare(REPORT_SCENARIOS, replicates=REPORT_REPLICATES, options=RunOptions(workers=1))


def report_document(folder: Path) -> str:
    """The HTML report (``missionsim.writeup.report.write_report``)."""
    path = write_report(report_study(), folder / "report.html")
    return path.read_text(encoding="utf-8")


def report_summary_document(folder: Path) -> str:
    """The report's Markdown summary (``missionsim.writeup.report.summary_markdown``)."""
    text = summary_markdown(report_study())
    (folder / "report_summary.md").write_text(text, encoding="utf-8")
    return text


DOCUMENTS: dict[str, Callable[[Path], str]] = {
    "model_tables.md": model_tables_document,
    "baseline_tables.md": baseline_tables_document,
    "validation.md": validation_document,
    "claims.md": claims_document,
    "robustness.md": robustness_document,
    "report.txt": report_document,
    "report_summary.md": report_summary_document,
}
"""Snapshot file name to the adapter that regenerates its document into a folder."""


# --- normalisation --------------------------------------------------------------------------
_NUMBER = r"\d+(?:\.\d+)?"
_VERSION = re.escape(__version__) + r"(?![\w.]*\d)"
RULES: list[tuple[str, re.Pattern[str]]] = [
    # an embedded image: the whole base64 payload
    ("png", re.compile(r"(?<=data:image/png;base64,)[A-Za-z0-9+/=]+")),
    # ISO 8601 time stamps: when a study was created, when a report was generated
    ("timestamp", re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?"
                             r"(?:Z|[+-]\d\d:\d\d)?")),
    # the generation date: "... on 2026-01-31", "| date | 2026-01-31 |"
    ("date", re.compile(r"(?:(?<=\bon )|(?<=\| date \| ))\d{4}-\d\d-\d\d\b")),
    # the package version: "missionsim 0.1.0", "| missionsim version | 0.1.0 |" and its HTML
    ("version", re.compile(rf"(?:(?<=\bmissionsim )|(?<=\bmissionsim version \| )"
                           rf"|(?<=>missionsim version</th><td>)){_VERSION}")),
    # the study hash, a hash of the runs' settings and of the package version
    ("study-hash", re.compile(r"(?<=>study hash</th><td>)[0-9a-f]+(?=</td>)")),
    # how long the runs took, in the wording of each generator
    ("duration", re.compile(
        rf"(?<=\bThe runs took ){_NUMBER} minutes"  # claims.md
        rf"|(?<=; ){_NUMBER} s(?= in all\.)"  # validation.md
        rf"|(?<=\| runtime \| ){_NUMBER} min(?= for [\d,]+ runs )"  # robustness.md
        rf"|(?:(?<=\(Morris )|(?<=, Sobol )){_NUMBER} min\b"  # robustness.md
        rf"|(?<=months, preset workshop, ){_NUMBER} s$",  # measure-baseline's summary line
        re.M)),
    # the folder of a figure linked from Markdown (the file name is kept)
    ("images", re.compile(r"(?<=\]\()[^()\s]*(?=/[\w.-]+\.png\))")),
]
"""What normalisation replaces: each rule's matches become ``{{name}}``."""

_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|tr|thead|tbody|table|figure|figcaption|ul|ol|li|div"
                        r"|style|title|head)>)(?!\n)")


def normalise(text: str, folder: Path) -> str:
    """``text`` with everything that varies between runs, days or machines replaced.

    Args:
        text: A generated document.
        folder: The temporary folder it was generated in (replaced by ``{{tmp}}``).

    Returns:
        The text with placeholders (see :data:`RULES`); HTML gets one block element a line so
        that a difference reads as a short diff.
    """
    for where in sorted({str(folder), os.path.realpath(folder)}, key=len, reverse=True):
        text = text.replace(where, "{{tmp}}")
    for name, pattern in RULES:
        text = pattern.sub("{{" + name + "}}", text)
    if text.lstrip().startswith("<!DOCTYPE html>"):
        text = _BLOCK_END.sub(r"\1\n", text)
    return text


def placeholders(text: str) -> dict[str, int]:
    """How many of each placeholder ``text`` holds."""
    return dict(sorted(Counter(re.findall(r"\{\{([\w-]+)\}\}", text)).items()))


MASKED: dict[str, dict[str, int]] = {
    "model_tables.md": {},
    "baseline_tables.md": {"tmp": 1},
    "validation.md": {"date": 1, "duration": 1, "images": 8, "version": 1},
    "claims.md": {"date": 1, "duration": 1, "version": 1},
    "robustness.md": {"date": 1, "duration": 1, "images": 3, "version": 1},
    "report.txt": {"png": 7, "study-hash": 1, "timestamp": 2, "version": 1},
    "report_summary.md": {},
}
"""The placeholders each snapshot holds: the volatile fields of each document, and no more."""


# --- the tests ------------------------------------------------------------------------------
def _diff(expected: str, actual: str, name: str) -> str:
    lines = list(difflib.unified_diff(expected.splitlines(keepends=True),
                                      actual.splitlines(keepends=True),
                                      fromfile=f"tests/snapshots/{name} (committed)",
                                      tofile=f"{name} (regenerated)"))
    shown = "".join(lines[:DIFF_LINES])
    if len(lines) > DIFF_LINES:
        shown += f"\n... {len(lines) - DIFF_LINES} more diff lines\n"
    return shown


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_document_matches_its_snapshot(name, tmp_path):
    raw = DOCUMENTS[name](tmp_path)
    assert "{{" not in raw, f"{name}: the generated text already holds a placeholder mark"
    actual = normalise(raw, tmp_path)
    assert placeholders(actual) == MASKED[name], (
        f"{name}: normalisation replaced {placeholders(actual)}, expected {MASKED[name]}: "
        "a rule now masks something else (or a volatile field moved); fix the rule or MASKED")
    snapshot = SNAPSHOTS / name
    expected = snapshot.read_text(encoding="utf-8") if snapshot.is_file() else None
    if actual == expected:
        return
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(actual, encoding="utf-8")
        pytest.skip(f"rewrote tests/snapshots/{name}")
    kept = tmp_path / f"{name}.regenerated"
    kept.write_text(actual, encoding="utf-8")
    if expected is None:
        pytest.fail(f"tests/snapshots/{name} is missing; create it with\n    {REFRESH}",
                    pytrace=False)
    pytest.fail(f"{name} differs from tests/snapshots/{name} (regenerated, normalised text in "
                f"{kept}):\n\n{_diff(expected, actual, name)}\nIf the change is deliberate, "
                f"review it and refresh the snapshots with\n    {REFRESH}\n", pytrace=False)


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_committed_snapshot_masks_only_volatile_fields(name):
    snapshot = SNAPSHOTS / name
    if not snapshot.is_file():
        pytest.skip(f"tests/snapshots/{name} is not written yet")
    assert placeholders(snapshot.read_text(encoding="utf-8")) == MASKED[name]


def test_normalisation_keeps_the_numbers_the_model_computes(tmp_path):
    raw = "\n".join([
        f"Generated by `scripts/make-claims` with missionsim {__version__} on 2026-01-31: 3 "
        "paired replicates, root seed 2026, horizons `early_years` 40 months. The runs took "
        "0.3 minutes.",
        f"| missionsim version | {__version__} |",
        "| date | 2026-01-31 |",
        "| runtime | 0.8 min for 352 runs (Morris 0.4 min, Sobol 0.3 min) on serial |",
        "| national GLD, month 36 | 70.12% | 69.80–70.40 | 0.1.0 |",
        "effect 0.8 min units, 2.5 s of delay, 12 s in total, a 2026-01-31 row",
        "measure-baseline: 3 seeds × 120 months, preset workshop, 1.6 s",
        "![G1](images/validation-g1.png) ![m](../img/robustness-morris.png)",
        f"written in {tmp_path}/doc.md; at month 24 the model is at 68.30%; 9 s in all.",
        "<tr data-volatile=\"created\"><th>study created</th><td>2026-01-31T10:20:30+00:00"
        "</td></tr><th>study hash</th><td>0123abcd</td>",
    ])
    text = normalise(raw, tmp_path)
    assert text.splitlines() == [
        "Generated by `scripts/make-claims` with missionsim {{version}} on {{date}}: 3 paired "
        "replicates, root seed 2026, horizons `early_years` 40 months. The runs took "
        "{{duration}}.",
        "| missionsim version | {{version}} |",
        "| date | {{date}} |",
        "| runtime | {{duration}} for 352 runs (Morris {{duration}}, Sobol {{duration}}) on "
        "serial |",
        "| national GLD, month 36 | 70.12% | 69.80–70.40 | 0.1.0 |",
        "effect 0.8 min units, 2.5 s of delay, 12 s in total, a 2026-01-31 row",
        "measure-baseline: 3 seeds × 120 months, preset workshop, {{duration}}",
        "![G1]({{images}}/validation-g1.png) ![m]({{images}}/robustness-morris.png)",
        "written in {{tmp}}/doc.md; at month 24 the model is at 68.30%; {{duration}} in all.",
        "<tr data-volatile=\"created\"><th>study created</th><td>{{timestamp}}</td></tr>"
        "<th>study hash</th><td>{{study-hash}}</td>",
    ]
