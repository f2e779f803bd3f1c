"""Plain words for the browser app: what the pickers show, and what a hover explains.

Nothing here depends on Solara. A picker choice (:func:`missionsim.ui.live.choices`) is shown
by its scenario's ``title`` with a one-line hint from its ``description``; a bare world by a
label built from the preset's own data ("Workshop world (30 places)"). Every figure and
heading the app shows is explained on hover from the shared glossary
(:mod:`missionsim.writeup.glossary`), the same source as the report's glossary.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence

from missionsim.experiments.scenario import Scenario
from missionsim.experiments.scenario_tables import MAX_TITLE_CHARS, readable_title
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PRESET_DESCRIPTIONS, PRESET_PLACES, PRESETS
from missionsim.model.placesfile import load_places
from missionsim.writeup.glossary import explain

HINT_CHARS = 160
"""The longest hint under a picker: about two lines of the sidebar."""
MIN_HINT_WORDS = 5
"""A description's first sentence shorter than this repeats the title; the hint goes on."""

EFFECT_HEADINGS = (
    ("Rank", "Rank"), ("Scenario", "Baseline"),
    ("Outcome at the deadline (month {deadline})", "Outcome at the deadline"),
    ("Effect at the deadline (month {deadline}, 95% range)", "Paired effect"),
    ("Effect at the end (month {end}, 95% range)", "Effect at the end"),
    ("Effect in the most deprived tenth (month {end})", "Most deprived"),
    ("Chance of meeting the target (95% range)", "Chance of meeting the target"),
    ("Public cost (£m, present value)", "Public cost"),
    ("£m per point gained (present value)", "£m per point"),
    ("Staff turnover (a year)", "Staff turnover"),
    ("Charities closed", "Charities closed"),
)
"""The Compare page's effect table headings, in the columns' order
(:func:`missionsim.writeup.summary.effect_table`), each with the glossary term its hover
explains. ``{deadline}`` and ``{end}`` are the months."""

SIDEBAR_TERMS = ("Start from", "Run number", "Play speed", "Intensity", "Start month",
                 "Where it acts", "World conditions", "Find a place", "Baseline", "Replicate")
"""The glossary terms of the sidebars' controls (explained on hover and in the docs)."""


def preset_title(preset: str) -> str:
    """A bare world's label from the preset's own data: "Workshop world (30 places)"."""
    places = PRESET_PLACES.get(preset)
    n = load_places(places).n if places else PRESETS[preset].get("n_localities")
    return f"{readable_title(preset)} world ({n} places)"


def mission_title(mission: str) -> str:
    """A mission with no reforms, by its statement: "Mission only: Cut rough sleeping …"."""
    statement = MISSIONS[mission].title.split(" (")[0]
    return first_sentence(f"Mission only: {statement}", MAX_TITLE_CHARS)


def first_sentence(text: str, limit: int = HINT_CHARS) -> str:
    """The first sentence of ``text``, cut to ``limit`` characters (an ellipsis marks a cut).

    A first sentence of fewer than :data:`MIN_HINT_WORDS` words ("Devolution alone.") only
    repeats the title, so the next sentence is added to it.
    """
    text = " ".join(text.split())
    sentences = re.findall(r".+?[.!?](?=\s|$)|.+$", text)
    sentence = sentences[0].strip() if sentences else text
    if len(sentence.split()) < MIN_HINT_WORDS and len(sentences) > 1:
        sentence = f"{sentence} {sentences[1].strip()}"
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


@functools.cache
def _choice_words(choice: str) -> tuple[str, str]:
    """A picker choice's title and hint (read once per process: shipped files do not change)."""
    from missionsim.ui.live import MISSION_PREFIX, PRESET_PREFIX, base_scenario

    if choice.startswith(PRESET_PREFIX) and choice[len(PRESET_PREFIX):] in PRESETS:
        preset = choice[len(PRESET_PREFIX):]
        return preset_title(preset), f"No reforms; {PRESET_DESCRIPTIONS.get(preset, '')}"
    if choice.startswith(MISSION_PREFIX) and choice[len(MISSION_PREFIX):] in MISSIONS:
        mission = MISSIONS[choice[len(MISSION_PREFIX):]]
        return mission_title(mission.name), f"No reforms. {mission.title}."
    scenario = base_scenario(choice)
    return scenario.title, first_sentence(scenario.description)


def choice_title(choice: str) -> str:
    """What a picker shows for a choice: its scenario's title."""
    return _choice_words(choice)[0]


def choice_hint(choice: str) -> str:
    """The one line shown under a picker for a choice: its description's first sentence."""
    return _choice_words(choice)[1]


def items(values: Iterable[str], extra: dict[str, Scenario] | None = None) -> list[dict]:
    """Picker items: each choice's title as its text, the choice itself as its value.

    Args:
        values: Picker choices.
        extra: Scenarios made on the page, by their choice (shown by their own titles).
    """
    extra = extra or {}
    return [{"text": extra[v].title if v in extra else choice_title(v), "value": v}
            for v in values]


def tip(term: str) -> str:
    """The hover text of a glossary term (:func:`missionsim.writeup.glossary.explain`)."""
    return explain(term)


def with_tip(label: str, term: str) -> str:
    """HTML of a label that explains ``term`` on hover (a ``title`` attribute), escaped."""
    return (f'<span class="ms-term" title="{html.escape(tip(term), quote=True)}">'
            f"{html.escape(label)}</span>")


def effect_headings(header: Sequence[str], deadline: object, end: object) -> list[str]:
    """The effect table's plain headings for a header of the same columns."""
    plain = [text.format(deadline=deadline, end=end) for text, _ in EFFECT_HEADINGS]
    return plain if len(plain) == len(header) else list(header)


def setup_title(base: Scenario, reforms: Sequence[tuple[str, bool, float, int]],
                changed_world: bool) -> str:
    """A title for an Explore set-up: "Your set-up: devolution at 60%".

    Args:
        base: The scenario the set-up started from.
        reforms: Reform rows ``(name, on, intensity, start)`` as the controls set them.
        changed_world: Whether world conditions were changed.
    """
    on = [f"{name.replace('_', ' ')} at {intensity:.0%}" for name, is_on, intensity, _ in reforms
          if is_on]
    text = ", ".join(on) if on else f"{base.title}, no reforms"
    if changed_world:
        text += ", changed world"
    title = f"Your set-up: {text}"
    return title if len(title) <= MAX_TITLE_CHARS else title[:MAX_TITLE_CHARS - 1] + "…"
