"""The input fields that keep typing through redraws (:mod:`missionsim.ui.fields`)."""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara")
ipyvuetify = pytest.importorskip("ipyvuetify")

from missionsim.ui.fields import EMPTY, NOT_NUMBER, NOT_WHOLE, Field, parse  # noqa: E402


@pytest.mark.parametrize(("text", "kind", "optional", "expected"), [
    ("12", int, False, (12, "")), (" 7 ", int, True, (7, "")), ("", int, True, (None, "")),
    ("", int, False, (None, EMPTY)), ("1.5", int, True, (None, NOT_WHOLE)),
    ("abc", float, True, (None, NOT_NUMBER)), ("2.5", float, False, (2.5, "")),
    ("£30m", str, False, ("£30m", "")), (None, str, False, ("", "")),
])
def test_parse_reads_the_text_as_its_kind(text, kind, optional, expected):
    assert parse(text, kind, optional) == expected


def render(value, **kwargs):
    """The field rendered with a parent whose state another thread might redraw."""
    got: list = []
    redraw = solara.reactive(0)

    @solara.component
    def Page():
        _ = redraw.value  # a redraw of the parent, as a study's progress causes
        Field("Replicates", value=value, on_value=got.append, **kwargs)

    _, rc = solara.render(Page(), handle_error=False)
    return rc.find(ipyvuetify.TextField).widget, got, redraw


def test_typing_survives_a_redraw_and_enter_hands_on_the_value():
    field, got, redraw = render(15, optional=True)
    field.v_model = "12"  # typed in the browser, not yet entered
    redraw.set(1)
    assert field.v_model == "12" and got == []
    field.fire_event("keyup.enter", None)
    assert got == [12]


def test_leaving_the_field_hands_on_the_value_and_an_unchanged_one_is_not_handed_on():
    field, got, _ = render(15)
    field.fire_event("focusout", None)
    assert got == []  # nothing changed
    field.v_model = "16"
    field.fire_event("focusout", None)
    assert got == [16]


def test_text_that_is_not_a_whole_number_is_named_in_the_label_and_not_handed_on():
    field, got, _ = render(15)
    field.v_model = "1.5"
    field.fire_event("keyup.enter", None)
    assert got == []
    assert field.error is True and field.label == f"Replicates ({NOT_WHOLE})"
    field.v_model = "3"
    field.fire_event("keyup.enter", None)
    assert got == [3] and field.error is False and field.label == "Replicates"
