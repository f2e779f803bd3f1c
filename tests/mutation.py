"""Random edits of a file's bytes, for the properties that mutated files never raise anything
but a one-line error (scenario, sweep and mission files)."""

from __future__ import annotations

from hypothesis import strategies as st

CHARACTERS = "=[]{}\"'.,# \n0123456789-+aeinfrtu_"
"""Characters an edit inserts: those that make TOML and its numbers, and a few letters."""

edits = st.lists(st.tuples(st.sampled_from(["delete", "insert", "replace"]),
                           st.floats(0, 1, exclude_max=True), st.integers(1, 8),
                           st.one_of(st.binary(min_size=1, max_size=8),
                                     st.text(CHARACTERS, min_size=1, max_size=8)
                                     .map(str.encode))),
                 min_size=1, max_size=5)
"""Up to five edits: where (a share of the length), how long, and the bytes put in."""


def apply(data: bytes, changes) -> bytes:
    """``data`` with the ``changes`` drawn from :data:`edits` applied in order."""
    text = bytearray(data)
    for op, where, length, chunk in changes:
        at = int(where * (len(text) + 1))
        if op == "delete":
            del text[at:at + length]
        elif op == "insert":
            text[at:at] = chunk
        else:
            text[at:at + len(chunk)] = chunk
    return bytes(text)
