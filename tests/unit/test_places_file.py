"""Places files: the shipped DfE council data loads; bad files get one line naming the row."""

from __future__ import annotations

import re

import pytest

from missionsim.model.placesfile import PlacesError, read_places
from missionsim.resources import data_path

SHIPPED = data_path("places", "england_councils_2018.csv")
TEXT = SHIPPED.read_text(encoding="utf-8")
HEADER, *ROWS = TEXT.splitlines()


def test_the_shipped_councils_load_with_their_neighbours():
    data = read_places(SHIPPED)
    table = data.table
    assert len(table) == 152 and table["code"].is_unique
    assert table["cohort_2018"].sum() == 652_349  # the README's total for England
    assert data.years["gld"] == (2016, 2017, 2018) and data.cohort_year == 2018
    assert table["neighbours"].map(len).eq(10).all()
    codes = set(table["code"])
    assert all(set(n) <= codes and code not in n
               for code, n in zip(table["code"], table["neighbours"], strict=True))
    camden = table.set_index("name").loc["Camden"]
    assert camden["code"] == "E09000007" and camden["gld_2018"] == 71.4
    # suppressed values are missing, not zero
    assert table["fsm_cohort_2018"].isna().sum() >= 1


def edit(row: int, column: str, value: str) -> str:
    names = HEADER.split(",")
    cells = ROWS[row].split(",")
    cells[names.index(column)] = value
    rows = list(ROWS)
    rows[row] = ",".join(cells)
    return "\n".join([HEADER, *rows]) + "\n"


BAD = [
    ("missing column", lambda: TEXT.replace("la_name,", "", 1), r"column 'la_name' is missing"),
    ("unknown column", lambda: TEXT.replace("la_name,", "la_title,", 1),
     r"column 'la_title': unknown"),
    ("duplicate code", lambda: edit(2, "la_code", ROWS[1].split(",")[1]),
     r"row 4: la_code 'E09000007' repeats row 3"),
    ("negative cohort", lambda: edit(5, "cohort_2018", "-3"),
     r"row 7: cohort_2018 = '-3'; expected a number in \[1, inf\]"),
    ("gld above 100", lambda: edit(5, "gld_2017", "140"),
     r"row 7: gld_2017 = '140'; expected a number in \[0, 100\]"),
    ("text for a number", lambda: edit(5, "gld_2016", "high"),
     r"row 7: gld_2016 = 'high'; expected a number"),
    ("more FSM than children", lambda: edit(5, "fsm_cohort_2018", "999999"),
     r"row 7: fsm_cohort_2018 = 999999; expected at most the cohort"),
    ("unknown neighbour", lambda: edit(5, "statistical_neighbours", "E09000007 X99"),
     r"row 7: statistical_neighbours: 'X99' is not a la_code in the file"),
    ("a place its own neighbour", lambda: edit(
        1, "statistical_neighbours", "E09000007"), r"row 3: statistical_neighbours: "
                                                    r"'E09000007' lists itself"),
    ("short row", lambda: "\n".join([HEADER, ROWS[0][:40]]) + "\n", r"row 2: \d+ cells"),
    ("no cohort", lambda: TEXT.replace("cohort_2018,fsm", "kids_2018,fsm", 1),
     r"column 'kids_2018': unknown"),
    ("empty", lambda: HEADER + "\n", r"expected a header and at least one place"),
]


@pytest.mark.parametrize(("what", "make", "expected"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_places_file_gets_one_line_naming_row_and_column(tmp_path, what, make, expected):
    path = tmp_path / "places.csv"
    path.write_text(make(), encoding="utf-8")
    with pytest.raises(PlacesError) as info:
        read_places(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: "), message
    assert re.search(expected, message), message


def test_special_files_are_refused_unread(tmp_path):
    with pytest.raises(PlacesError, match="is a character device"):
        read_places("/dev/zero")
    with pytest.raises(PlacesError, match="no such file"):
        read_places(tmp_path / "none.csv")
