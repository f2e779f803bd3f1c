"""The parameter declarations (``data/parameters/*.toml``): complete, consistent, strict."""

from __future__ import annotations

import shutil

import pytest

from missionsim import resources
from missionsim.model.params import GROUPS, PARAMETERS, ROLES, assumptions, load_declarations
from missionsim.model.reforms import REFORMS


def test_every_declaration_has_a_role_a_plausible_range_and_a_source():
    for p in PARAMETERS.values():
        assert p.role in ROLES and p.source.strip() and p.meaning.strip() and p.unit.strip()
        assert p.low <= p.plausible[0] <= p.default <= p.plausible[1] <= p.high, p.name
        assert not p.reform or p.reform in REFORMS, p.name
    assert len(assumptions()) >= 100
    for name in REFORMS:  # every reform's cost, payer split and top are declared
        for key in ("cost", "council_share", "max_intensity"):
            assert PARAMETERS[f"{name}_{key}"].reform == name


@pytest.fixture
def copy(tmp_path):
    folder = tmp_path / "parameters"
    shutil.copytree(resources.data_path("parameters"), folder)
    return folder


def declaration_error(folder) -> str:
    with pytest.raises(ValueError) as err:
        load_declarations(folder)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_a_plausible_range_outside_the_bounds_is_one_line(copy):
    path = copy / "network.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('name = "trust_growth"')
    head, tail = text[:start], text[start:]
    end = tail.index("\n[[parameter]]") if "\n[[parameter]]" in tail else len(tail)
    entry = tail[:end]
    lines = [line for line in entry.splitlines() if not line.startswith("plausible")]
    bad = "\n".join([*lines, "plausible = [0.0, 5.0]"]) + "\n"
    path.write_text(head + bad + tail[end:], encoding="utf-8")
    message = declaration_error(copy)
    assert str(path) in message and "(trust_growth).plausible" in message
    assert "within the bounds" in message


@pytest.mark.parametrize(("addition", "expected"), [
    ('[[parameter]]\nname = "x"\ndefault = 1.0\nlow = 0.0\nhigh = 2.0\nunit = "u"\n'
     'meaning = "m"\nsource = "s"\nrole = "guess"\n', "role: expected one of setting"),
    ('[[parameter]]\nname = "x"\ndefault = 3.0\nlow = 0.0\nhigh = 2.0\nunit = "u"\n'
     'meaning = "m"\nsource = "s"\n', "default: 3.0 is outside [0, 2]"),
    ('[[parameter]]\nname = "x"\ndefault = 1.0\nlow = 0.0\nhigh = 2.0\nunit = "u"\n'
     'meaning = "m"\n', "source: required key is missing"),
    ('[[parameter]]\nname = "x"\ndefault = 1.0\nlow = 0.0\nhigh = 2.0\nunit = "u"\n'
     'meaning = "m"\nsource = "s"\nshade = 1\n', "shade: unknown key"),
    ('[[parameter]]\nname = "trust_growth"\ndefault = 1.0\nlow = 0.0\nhigh = 2.0\n'
     'unit = "u"\nmeaning = "m"\nsource = "s"\n', "'trust_growth' is declared twice"),
])
def test_a_bad_declaration_is_one_line_naming_the_file(copy, addition, expected):
    path = copy / f"{GROUPS[0]}.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + addition, encoding="utf-8")
    message = declaration_error(copy)
    assert expected in message
    if "twice" not in expected:
        assert str(path) in message
