"""Time to compile every kernel on a fresh install, the working tree beside an earlier commit.

Usage::

    .venv/bin/python benchmarks/compile.py --against b3b0f9a               # 2 rounds
    .venv/bin/python benchmarks/compile.py --against b3b0f9a --json benchmarks/results/compile.json

A fresh install has an empty numba cache, so the first run of the model in each process that
has none compiles every kernel (:func:`missionsim.model.kernels.warm`); the suite, the browser
app and a study's workers all pay for it on a new machine. Each round, for each tree in turn
(the order alternating between rounds), a fresh process calls ``warm()`` with
``NUMBA_CACHE_DIR`` set to a new empty folder (the compile), then a second process calls it
again on the cache the first wrote (the load). The commit is checked out as ``phases.py``
does. The table gives the least and the median seconds over the rounds and the ratio of the
least times (working tree / commit).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from configurations import markdown_table, side_by_side, write_record
from phases import DEFAULT_CACHE, alternate, checkout

WARM = ("import time; t = time.perf_counter();"
        "from missionsim.model import kernels; kernels.warm();"
        "print(time.perf_counter() - t)")
"""One process: import the kernels and compile or load every one; print the seconds."""


def seconds(src: Path, cache: Path) -> float:
    """Seconds for a fresh process to import and warm the kernels of ``src`` with ``cache``."""
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": str(cache)}
    env.pop("PYTHONSAFEPATH", None)
    out = subprocess.run([sys.executable, "-c", WARM], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"compile.py: warming the kernels of {src} failed: {tail}")
    return float(out.stdout.strip().splitlines()[-1])


def one_round(src: Path) -> dict[str, float]:
    """The compile (empty cache) and the load (the cache it wrote) of ``src``, in seconds."""
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        compiled = seconds(src, Path(cache))
        loaded = seconds(src, Path(cache))
    return {"compile": compiled, "load": loaded}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="the earlier commit to compare with")
    parser.add_argument("--rounds", type=int, default=2, help="rounds (default 2)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"folder of checked-out commits (default {DEFAULT_CACHE})")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds {args.rounds}: expected a whole number ≥ 1")
    times = alternate(checkout(args.against, args.cache), args.rounds, one_round,
                      lambda got: f"compile {got['compile']:.1f} s, load {got['load']:.1f} s")
    rows, figures = [], {}
    for what in ("compile", "load"):
        old = [t[what] for t in times["commit"]]
        new = [t[what] for t in times["working tree"]]
        figures[what] = {"commit_s": old, "working_tree_s": new}
        rows.append(side_by_side(what, old, new, 1))
    print(f"## Kernels on a fresh install: working tree beside `{args.against}` "
          f"({args.rounds} rounds, seconds)\n")
    print(markdown_table(["", "commit least", "commit median", "tree least", "tree median",
                          "tree / commit (least)"], rows, "lrrrrr"))
    if args.json:
        write_record(args.json, {"against": args.against, "rounds": args.rounds,
                                 "seconds": figures})
    return 0


if __name__ == "__main__":
    sys.exit(main())
