"""The generated tables of docs/model.md, from the model's own declarations.

``missionsim docs model-tables`` writes four blocks of the model description, each between
marker comments such as ``<!-- BEGIN GENERATED: parameters -->`` and
``<!-- END GENERATED: parameters -->``:

- ``parameters``: one table per group of :data:`missionsim.model.params.PARAMETERS`, then the
  presets (:data:`~missionsim.model.params.PRESETS`);
- ``reforms``: every registered reform (:data:`missionsim.model.reforms.REFORMS`), in the order
  reforms are applied each month;
- ``reporters``: every model-level reporter (:data:`missionsim.model.reporters.REPORTERS`);
- ``missions``: every field of every mission (:data:`missionsim.model.missions.MISSIONS`).

Nothing is simulated, so ``--check`` builds the tables and compares them with the file.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from missionsim.model.missions import MISSIONS, Mission
from missionsim.model.params import GROUPS, PARAMETERS, PRESET_DESCRIPTIONS, PRESETS, ROLES
from missionsim.model.reforms import REFORMS
from missionsim.model.reporters import REPORTERS
from missionsim.writeup import markdown as md
from missionsim.writeup.docs import Built, DocSettings

GROUP_ORDER = GROUPS
"""The order of the parameter groups (any other group follows, alphabetically)."""
GROUP_TITLES = {
    "world": "World: places, populations and the size of the delivery system",
    "finance": "Money, councils and charities",
    "workforce": "Frontline workforce",
    "evidence": "Programmes and evidence",
    "network": "Partnership network and local delivery",
    "government": "National government and accountability",
    "reforms": "Reforms: strengths, costs, payers and largest intensities",
    "uncertainty": "Uncertainties",
}
"""The heading of each parameter group's table."""
UNCERTAINTY_MARK = "†"
"""Marks a parameter that is an uncertainty."""
THOUSANDS = 1000
"""Whole numbers from this size on are written with thousands separators."""


def cell(value: Any) -> str:
    """Text safe for one Markdown table cell (reST ``literals`` become Markdown ones)."""
    return " ".join(str(value).split()).replace("``", "`").replace("|", "\\|")


def number(value: Any) -> str:
    """A declared value as it reads in a table: thousands separators, no float noise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if float(value).is_integer() and abs(value) >= THOUSANDS:
        return f"{int(value):,}"
    if float(value).is_integer() and isinstance(value, int):
        return str(value)
    return f"{value:g}"


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table of plain cells (:func:`cell`), every column left-aligned."""
    return md.table(header, [[cell(c) for c in row] for row in rows], "l" * len(header))


def parameters_section() -> str:
    """Parameter tables, one per group, then the presets."""
    params = list(PARAMETERS.values())
    groups = [g for g in GROUP_ORDER if any(p.group == g for p in params)]
    groups += sorted({p.group for p in params} - set(groups))
    out = []
    for group in groups:
        rows = []
        for p in (p for p in params if p.group == group):
            name = f"`{p.name}`" + (f" {UNCERTAINTY_MARK}" if p.uncertainty else "")
            kind = int if p.kind is int else float
            low, high = kind(p.low), kind(p.high)
            plausible = ("" if p.role == "setting" else
                         f"{number(kind(p.plausible[0]))} – {number(kind(p.plausible[1]))}")
            meaning = p.meaning + (f" (reform `{p.reform}`)" if p.reform else "")
            rows.append([name, p.role, number(p.default), plausible,
                         f"{number(low)} – {number(high)}", p.unit, meaning, p.source])
        title = GROUP_TITLES.get(group, group.capitalize())
        out.append(f"#### {title} (`{group}`)\n\n"
                   + table(["name", "role", "default", "plausible", "bounds", "unit", "meaning",
                            "source"], rows))
    counts = {role: sum(p.role == role for p in params) for role in ROLES}
    out.append(f"{UNCERTAINTY_MARK} An uncertainty: a condition the delivery system does not "
               "control, drawn per replicate or varied by sweeps rather than set as a lever. "
               "*Role*: a `setting` is chosen by a scenario (the world, a policy); an "
               "`assumption` is how a mechanism or a reform works, varied over its *plausible* "
               "range by the robustness analysis (`missionsim docs robustness`); *bounds* are "
               "what a value may be at all. In all: "
               + ", ".join(f"{n} {role}{'' if n == 1 else 's'}".replace("ys", "ies")
                           for role, n in counts.items()) + ".")
    rows = [[f"`{name}`", PRESET_DESCRIPTIONS.get(name, ""),
             ", ".join(f"`{k}` = {number(v)}" for k, v in values.items())]
            for name, values in PRESETS.items()]
    out.append("#### Presets\n\nA preset replaces the defaults above with these values; "
               "parameters given to `MissionModel` replace both.\n\n"
               + table(["preset", "world", "values"], rows))
    return "\n\n".join(out)


def reforms_section() -> str:
    """One row per registered reform, in the order reforms are applied each month.

    Then a paragraph on how cost and strength grow with intensity.
    """
    rows = []
    for name, cls in REFORMS.items():
        strengths = [f"`{p.name}`" for p in PARAMETERS.values()
                     if p.reform == name and p.role == "assumption"
                     and not p.name.endswith("_cost")]
        share = PARAMETERS[f"{name}_council_share"].default
        rows.append([f"`{name}`", cls.title, cls.mechanism, cls.tradeoff,
                     f"{cls.cost_basis}; councils pay {share:.0%}",
                     number(PARAMETERS[f"{name}_max_intensity"].default),
                     ", ".join(strengths)])
    r = PARAMETERS["reform_saturation"].default
    return (table(["name", "title", "mechanism", "trade-off", "cost basis", "largest intensity",
                   "strengths (declared assumptions)"], rows)
            + "\n\n**Intensity.** A reform's cost grows in proportion to its intensity. Its "
            "strength (how far it moves its levers) equals the intensity up to 1 and grows "
            "with diminishing returns above it, as 1 + (1 − e^(−r(i − 1)))/r with r = "
            f"`reform_saturation` ({number(r)}): at intensity 2 a reform costs twice as much "
            f"and acts {1 + (1 - math.exp(-r)) / r:.2f} times as strongly, and no reform acts "
            f"more than {1 + 1 / r:g} times as strongly as at intensity 1. A reform whose lever "
            "is exhausted at intensity 1 (every pot already a settlement, accountability no "
            "longer punitive, full autonomy) declares 1 as its largest intensity.")


def reporters_section() -> str:
    """One row per model-level reporter, in the order of the data frame's columns."""
    rows = [[f"`{name}`", (inspect.getdoc(f) or "").splitlines()[0] if f.__doc__ else ""]
            for name, f in REPORTERS.items()]
    return table(["column", "meaning"], rows)


def attribute_docs(cls: type) -> dict[str, str]:
    """Field descriptions from the ``Attributes:`` section of a Google-style docstring."""
    doc = inspect.getdoc(cls) or ""
    found: dict[str, str] = {}
    current = None
    in_attrs = False
    for line in doc.splitlines():
        if line.strip() == "Attributes:":
            in_attrs = True
            continue
        if not in_attrs:
            continue
        if line and not line.startswith(" "):
            break
        m = re.match(r"^ {4}(\w+): (.*)$", line)
        if m:
            current = m.group(1)
            found[current] = m.group(2).strip()
        elif current and line.strip():
            found[current] += " " + line.strip()
    return found


def missions_section() -> str:
    """Every field of every shipped mission, one column per mission, then every figure's source.

    The missions are the files in ``missionsim/data/missions/``.
    """
    missions = list(MISSIONS.values())
    meaning = attribute_docs(Mission)
    rows = []
    for f in dataclasses.fields(Mission):
        if f.name in ("sources", "file", "description"):
            continue
        values = [_mission_value(f.name, getattr(m, f.name)) for m in missions]
        rows.append([f"`{f.name}`", *values, meaning.get(f.name, "")])
    fields = table(["field", *[f"`{m.name}`" for m in missions], "meaning"], rows)
    keys = list(dict.fromkeys(k for m in missions for k in m.sources))
    sources = table(["figure", *[f"`{m.name}`" for m in missions]],
                    [[f"`{k}`", *[m.sources.get(k, "") for m in missions]] for k in keys])
    return f"{fields}\n\nSources of each figure, as the mission files give them:\n\n{sources}"


def _mission_value(name: str, value: Any) -> str:
    """A mission field as a table cell."""
    if name == "direction":
        return "raise" if value > 0 else "lower"
    if name == "trend":
        return " → ".join(f"{v:g} from month {m}" for m, v in value) if value else "none"
    if name == "displacement":
        return ("none" if not value else f"{value['share']:g} of the gaming gap to "
                f"{value['to']} (£{value['case_cost']:,.0f} a {value['unit']} a year)")
    if name == "places":
        if not value:
            return "drawn"
        if value["rescale"]:
            return f"`{value['column']}` positions, rescaled (SD {value['sd']:g})"
        return f"`{value['column']}` in {value['year'] or 'the latest year'}"
    if name == "world":
        return ", ".join(f"{k} = {v:,}" for k, v in value.items()) if value else "the preset's"
    return number(value) if isinstance(value, int | float) else str(value)


SECTIONS: dict[str, Callable[[], str]] = {
    "parameters": parameters_section,
    "reforms": reforms_section,
    "reporters": reporters_section,
    "missions": missions_section,
}
"""Each generated block of docs/model.md and the function that writes it."""


def build(path: Path, settings: DocSettings) -> Built:
    """The four generated blocks, each between its markers (the registry splices them in).

    Args:
        path: The model description (its current text is not needed: the tables come from
            the code alone).
        settings: Unused: the tables have no size to set.
    """
    blocks = [f"<!-- BEGIN GENERATED: {name} -->\n\n{make()}\n\n<!-- END GENERATED: {name} -->\n"
              for name, make in SECTIONS.items()]
    summary = (f"{len(PARAMETERS)} parameters, {len(REFORMS)} reforms, {len(REPORTERS)} "
               f"reporters, {len(MISSIONS)} missions")
    return Built(text="\n".join(blocks), summary=summary)
