"""Input fields that keep what is being typed while the page redraws.

Solara's ``InputInt``, ``InputFloat`` and ``InputText`` with ``continuous_update=False`` hold
the typed text only in the browser until Enter or leaving the field: a redraw of the page in
between (a study's progress, a playing model, another person's change in a room) renders the
field again with its old value, and the typing is lost. These fields keep the text on the
server as it is typed, so a redraw shows it; the value is still only handed on (``on_value``)
when the user presses Enter or leaves the field, as with Solara's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from solara.components.input import use_change

NOT_WHOLE = "Value must be an integer"
NOT_NUMBER = "Value must be a number"
EMPTY = "Value cannot be empty"


def parse(text: str | None, kind: type, optional: bool) -> tuple[Any, str]:
    """The value typed as ``text``, read as ``kind`` (``int``, ``float`` or ``str``).

    Returns ``(value, "")``, or ``(None, why)`` when ``text`` is not a ``kind``: the words
    Solara's own fields show (``None`` for an empty field that is ``optional``).
    """
    if kind is str:
        return text or "", ""
    text = (text or "").strip()
    if not text:
        return (None, "") if optional else (None, EMPTY)
    try:
        return kind(text), ""
    except ValueError:
        return None, NOT_WHOLE if kind is int else NOT_NUMBER


def shown(value: Any) -> str:
    """The text a field shows for ``value``."""
    return "" if value is None else str(value)


@solara.component
def Field(label: str, value: Any, on_value: Callable[[Any], None] | None = None,
          kind: type = int, optional: bool = False, classes: tuple[str, ...] | list[str] = (),
          dense: bool = False, style: str = "", disabled: bool = False):
    """A field for a whole number (``kind=int``), a number (``float``) or text (``str``).

    Args:
        label: The field's label.
        value: The value shown, or a ``solara.Reactive`` (then ``on_value`` is its ``set``).
        on_value: Called with the new value on Enter or leaving the field, when it differs
            from ``value``; not called while the text is not a ``kind`` (the label says why).
        kind: ``int``, ``float`` or ``str``.
        optional: An empty field means ``None`` (else it is an error).
        classes: CSS classes of the field.
        dense: The compact style.
        style: CSS style of the field.
        disabled: Whether the field takes input.
    """
    if isinstance(value, solara.Reactive):
        on_value, value = value.set, value.value
    text, set_text = solara.use_state(shown(value))
    error, set_error = solara.use_state("")

    def follow() -> None:  # a value changed elsewhere replaces the text
        set_text(shown(value))
        set_error("")

    solara.use_effect(follow, [shown(value)])

    def commit(typed: str | None) -> None:
        set_text(typed or "")
        new, why = parse(typed, kind, optional)
        set_error(why)
        if not why and new != value and on_value is not None:
            on_value(new)

    field = solara.v.TextField(
        v_model=text, on_v_model=lambda typed: set_text(typed or ""),
        label=f"{label} ({error})" if error else label, error=bool(error), disabled=disabled,
        dense=dense, hide_details="auto", class_=" ".join(classes), style_=style)
    use_change(field, commit)
    return field


__all__ = ["Field", "parse", "shown"]
