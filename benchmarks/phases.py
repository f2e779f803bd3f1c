"""Phase by phase, the working tree's step beside an earlier commit's, side by side.

Usage::

    .venv/bin/python benchmarks/phases.py --against db10874                  # workshop, 6 rounds
    .venv/bin/python benchmarks/phases.py --against db10874 --preset england --rounds 4 --months 60
    .venv/bin/python benchmarks/phases.py --against db10874 --json benchmarks/results/phases.json

The commit is checked out (``git worktree add --detach``) under ``--cache`` and imported in place
of the working tree through ``PYTHONPATH``, with this environment's packages, so it must be a
commit that runs on them and has :data:`missionsim.model.phases.PHASES`. Each round runs
``profile.py``'s phase clock (:func:`profile.phase_times`) once for each tree, each in a fresh
process, the order alternating between rounds, so that both trees see the same machine. The
table gives each phase's least and median milliseconds a month over the rounds, and the ratio
of the least times (working tree / commit): on a shared machine the least time is the one
least disturbed by other work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from configurations import markdown_table, side_by_side, write_record

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "missionsim-benchmarks"
"""Where checked-out commits are kept between runs (shared with ``release.py``)."""

ONE_RUN = (
    "import importlib.util, json, sys; sys.path.append({here!r});"
    "spec = importlib.util.spec_from_file_location('phase_clock', {clock!r});"
    "p = importlib.util.module_from_spec(spec); spec.loader.exec_module(p);"
    "from missionsim.model import kernels; kernels.warm();"
    "p.phase_times({preset!r}, {months}, {seed} + 1);"  # warm-up run: first-use compiles
    "r = p.phase_times({preset!r}, {months}, {seed});"
    "print(json.dumps({{**r['phases_ms'], 'step': r['ms_per_step']}}))"
)
"""One round for one tree: a warm-up run of as many months (another seed), so that every kernel
is compiled or loaded before the timed run, then the timed run's phase times as JSON."""


def checkout(commit: str, cache: Path) -> Path:
    """The source folder of ``commit``, checked out under ``cache`` (reused when present)."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{commit}^{{commit}}"], cwd=ROOT,
                         capture_output=True, text=True)
    if sha.returncode != 0:
        raise SystemExit(f"--against {commit}: not a commit of this repository")
    full = sha.stdout.strip()
    tree = cache / f"tree-{full[:12]}"
    if not (tree / "src" / "missionsim").is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--force", "--detach", str(tree), full],
                       cwd=ROOT, check=True, capture_output=True)
    return tree / "src"


def one_round(src: Path, preset: str, months: int, seed: int) -> dict[str, float]:
    """Milliseconds a month of each phase, and of the step, for the tree at ``src``."""
    here = Path(__file__).resolve().parent
    code = ONE_RUN.format(here=str(here), clock=str(here / "profile.py"), preset=preset,
                          months=months, seed=seed)
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("PYTHONSAFEPATH", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"phases.py: the run of {src} failed: {tail}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def alternate(commit_src: Path, rounds: int, measure: Callable[[Path], dict[str, float]],
              show: Callable[[dict[str, float]], str]) -> dict[str, list[dict[str, float]]]:
    """``measure`` each tree's source folder, ``rounds`` times, the order alternating.

    Returns each tree's figures by round (``"commit"``, ``"working tree"``); each measure is
    reported on stderr as ``show`` words it.
    """
    trees = {"commit": commit_src, "working tree": ROOT / "src"}
    times: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for r in range(rounds):
        order = list(trees) if r % 2 == 0 else list(trees)[::-1]
        for name in order:
            times[name].append(measure(trees[name]))
            print(f"round {r + 1}/{rounds}: {name} {show(times[name][-1])}", file=sys.stderr)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="the earlier commit to compare with")
    parser.add_argument("--preset", default="workshop", help="preset (default workshop)")
    parser.add_argument("--months", type=int, default=120, help="months a run (default 120)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds (default 6)")
    parser.add_argument("--seed", type=int, default=1, help="model seed (default 1)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"folder of checked-out commits (default {DEFAULT_CACHE})")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    for name in ("months", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} {getattr(args, name)}: expected a whole number ≥ 1")
    times = alternate(checkout(args.against, args.cache), args.rounds,
                      lambda src: one_round(src, args.preset, args.months, args.seed),
                      lambda got: f"{got['step']:.3f} ms a month")
    rows, figures = [], {}
    for phase in times["commit"][0]:
        old = [t[phase] for t in times["commit"]]
        new = [t[phase] for t in times["working tree"]]
        figures[phase] = {"commit_ms": old, "working_tree_ms": new}
        row = side_by_side(phase, old, new, 3)
        if phase == "step":
            row[0], row[-1] = f"**{row[0]}**", f"**{row[-1]}**"
        rows.append(row)
    print(f"## Phases: working tree beside `{args.against}` ({args.preset}, {args.months} months, "
          f"{args.rounds} rounds, ms a month)\n")
    print(markdown_table(["phase", "commit least", "commit median", "tree least", "tree median",
                          "tree / commit (least)"], rows, "lrrrrr"))
    if args.json:
        write_record(args.json, {"against": args.against, "preset": args.preset,
                                 "months": args.months, "rounds": args.rounds, "seed": args.seed,
                                 "phases": figures})
    return 0


if __name__ == "__main__":
    sys.exit(main())
