"""Run ``missionsim validate`` on every file of the hostile corpus, one process each.

Usage::

    .venv/bin/python tests/hostile/campaign.py                   # this checkout
    .venv/bin/python tests/hostile/campaign.py --src OLD/src     # another version's source
    .venv/bin/python tests/hostile/campaign.py --json out.json   # every case's outcome

Each file is validated in its own process (``python -m missionsim.cli validate FILE``) with a
time-out and a memory cap, so a version that hangs on a FIFO or reads ``/dev/zero`` without
limit is measured, not suffered. The table counts, per category: internal errors (status 1 or
a traceback), hangs (past the time-out), messages of more than one line or longer than the
bound, messages that do not name the file, malformed files accepted, and valid controls
refused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from corpus import Case, generate

TIMEOUT_S = 20.0
"""A validation taking longer than this counts as a hang."""
MEMORY_BYTES = 4 * 2**30
"""Address-space cap of each validation process (a runaway read fails instead of swapping)."""
MESSAGE_CHARS = 400
"""Longest acceptable message line, beyond the file's own path."""


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def judge(case: Case, src: str | None) -> dict:
    """Validate one case in a fresh process and judge the outcome."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    argv = [sys.executable, "-m", "missionsim.cli", "validate", str(case.path)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S,
                              env=env, preexec_fn=_cap_memory, errors="replace")
    except subprocess.TimeoutExpired:
        return {"case": case.name, "category": case.category, "outcome": "hang"}
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
    path = str(case.path)
    longest = max((len(ln.replace(path, "")) for ln in lines), default=0)
    internal = done.returncode not in (0, 2) or "Traceback" in done.stderr
    outcome = {
        "case": case.name, "category": case.category, "status": done.returncode,
        "internal": internal, "lines": len(lines), "longest": longest,
        "named": any(case.path.name in ln for ln in lines),
        "accepted_bad": done.returncode == 0 and not case.valid,
        "refused_good": done.returncode != 0 and case.valid,
        "first": lines[0][:200] if lines else "",
    }
    outcome["outcome"] = "internal" if internal else "ok"
    return outcome


def tally(results: list[dict]) -> dict[str, Counter]:
    """Counts per category (and ``all``) of every kind of failure."""
    counts: dict[str, Counter] = {}
    for r in results:
        for key in (r["category"], "all"):
            c = counts.setdefault(key, Counter())
            c["files"] += 1
            if r["outcome"] == "hang":
                c["hangs"] += 1
                continue
            c["status 1 or traceback"] += r["internal"]
            c["more than one line"] += r["lines"] != 1
            c["over-long"] += r["longest"] > MESSAGE_CHARS
            c["file not named"] += not r["named"]
            c["malformed accepted"] += r["accepted_bad"]
            c["valid refused"] += r["refused_good"]
    return counts


COLUMNS = ("files", "status 1 or traceback", "hangs", "more than one line", "over-long",
           "file not named", "malformed accepted", "valid refused")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", help="a missionsim source folder to test instead")
    parser.add_argument("--json", type=Path, help="write every case's outcome here")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hostile") as tmp:
        cases = generate(Path(tmp) / "corpus")
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(pool.map(lambda c: judge(c, args.src), cases))
    counts = tally(results)
    print("| category | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    for name in [*sorted(k for k in counts if k != "all"), "all"]:
        print(f"| {name} | " + " | ".join(str(counts[name][c]) for c in COLUMNS) + " |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    failures = sum(counts["all"][c] for c in COLUMNS[1:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
