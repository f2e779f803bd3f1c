"""Every malformed file of the hostile corpus gets one line and status 2; valid ones pass.

The corpus (``corpus.py``: types, structure, sizes, encodings, special files, ``extends``
chains, names, numeric edge cases, sweeps, missions and places files) is validated in this
process through ``missionsim validate``. ``campaign.py`` runs the same corpus one process per
file, with a time-out and a memory cap, to compare versions.
"""

from __future__ import annotations

from collections import Counter

import pytest
from corpus import generate

from missionsim.cli import main

MESSAGE_CHARS = 400
"""Longest message line allowed, beyond the file's own path (which the user chose)."""
LEAST_MALFORMED = 300
CHILD_MEMORY_BYTES = 2 * 2**30
"""Address space of the process that validates the special files (the interpreter, NumPy and
pandas need about 1 GB of it; reading the bomb or /dev/zero would exceed the rest)."""
BOMB_BYTES = 3 * 2**30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("hostile"))


def test_the_corpus_covers_every_category(corpus):
    categories = Counter(c.category for c in corpus)
    assert set(categories) == {"types", "structure", "sizes", "encodings", "special",
                               "extends", "names", "numbers", "sweeps", "missions", "places"}
    assert sum(not c.valid for c in corpus) >= LEAST_MALFORMED
    assert all(n >= 5 for n in categories.values()), categories


@pytest.mark.timeout(300)
def test_every_malformed_file_is_refused_with_one_line_naming_it(corpus, capsys):
    wrong = []
    for case in corpus:
        status = main(["validate", str(case.path)])
        captured = capsys.readouterr()
        lines = [ln for ln in (captured.out + captured.err).splitlines() if ln.strip()]
        text = lines[0] if lines else ""
        problems = []
        if case.valid:
            if status != 0 or not text.startswith("ok "):
                problems.append("valid file refused")
        else:
            if status != 2:
                problems.append(f"status {status}")
            if captured.out:
                problems.append("printed on standard output")
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines")
        if case.path.name not in text and str(case.path) not in text:
            problems.append("file not named")
        if len(text.replace(str(case.path), "")) > MESSAGE_CHARS:
            problems.append(f"{len(text)} characters")
        if "Traceback" in captured.err or "internal error" in text:
            problems.append("internal error")
        if problems:
            wrong.append(f"{case.category}/{case.name}: {', '.join(problems)}: {text[:160]}")
    assert not wrong, "\n".join(wrong)


def test_several_files_at_once_get_a_line_each_and_status_2(corpus, capsys):
    picked = [c for c in corpus if c.category in ("names", "special")]
    assert main(["validate", *(str(c.path) for c in picked)]) == 2
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert len(lines) == len(picked)
    assert sum(line.startswith("ok ") for line in lines) == sum(c.valid for c in picked)


def test_special_files_and_size_bombs_in_a_real_process_return_at_once(tmp_path):
    """A FIFO, /dev/zero and a 3 GB file: refused unread, at once, in bounded memory."""
    import os
    import resource
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.toml"
    zero.symlink_to("/dev/zero")
    bomb = tmp_path / "bomb.toml"
    with open(bomb, "wb") as handle:  # sparse: 3 GB that take no disk
        handle.truncate(BOMB_BYTES)
    exe = shutil.which("missionsim", path=str(Path(sys.executable).parent))

    def cap_memory() -> None:  # a read of /dev/zero or the bomb would fail under this cap
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))

    done = subprocess.run([exe, "validate", str(fifo), str(zero), str(bomb)],
                          capture_output=True, text=True, timeout=60, preexec_fn=cap_memory)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert [line.split(": ")[0] for line in lines] == [str(fifo), str(zero), str(bomb)]
    assert "FIFO" in lines[0] and "character device" in lines[1]
    assert f"{BOMB_BYTES:,} bytes" in lines[2]
