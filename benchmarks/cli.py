"""Start-up time of the ``missionsim`` command and of ``import missionsim``.

Usage::

    .venv/bin/python benchmarks/cli.py                # 15 repeats of each command
    .venv/bin/python benchmarks/cli.py --repeats 30
    .venv/bin/python benchmarks/cli.py --json benchmarks/results/cli.json
    .venv/bin/python benchmarks/cli.py --strict       # exit 1 when a target fails

Each command runs in a fresh process, from a temporary folder outside the checkout, with the
repeats of all commands interleaved, so that other load on the machine spreads evenly over
them. The table gives the median and the fastest wall-clock time of each command, and beside
them the bare interpreter (``python -c pass``) measured the same way: the ratio to it is what
this package adds, and is steadier than seconds on a noisy machine.

Target: ``missionsim --help`` and ``missionsim --version`` take at most 0.5 s (median).
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from configurations import markdown_table, package_version

BIN = Path(sys.executable).parent
TARGET_S = 0.5
"""Most seconds (median) ``--help`` and ``--version`` may take."""

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import missionsim": [sys.executable, "-c", "import missionsim"],
    "missionsim --version": [str(BIN / "missionsim"), "--version"],
    "missionsim --help": [str(BIN / "missionsim"), "--help"],
    "missionsim list reforms": [str(BIN / "missionsim"), "list", "reforms"],
    "import missionsim.model.model": [sys.executable, "-c", "import missionsim.model.model"],
}
"""What is timed; the first is the reference."""

TARGETED = ("missionsim --version", "missionsim --help")


def time_once(argv: list[str], cwd: str) -> float:
    """Wall-clock seconds of one run of ``argv`` (which must succeed)."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    with tempfile.TemporaryDirectory() as cwd:
        for argv in COMMANDS.values():  # warm the file cache and the bytecode
            time_once(argv, cwd)
        for _ in range(args.repeats):
            for name, argv in COMMANDS.items():
                times[name].append(time_once(argv, cwd))
    ref = statistics.median(times["python -c pass"])
    rows, failed = [], []
    for name, values in times.items():
        median = statistics.median(values)
        target = ""
        if name in TARGETED:
            ok = median <= TARGET_S
            target = f"≤ {TARGET_S} s: {'PASS' if ok else 'FAIL'}"
            if not ok:
                failed.append(name)
        rows.append([name, f"{median:.3f}", f"{min(values):.3f}", f"{median / ref:.1f}",
                     target])
    print(f"# CLI start-up ({args.repeats} repeats, interleaved)\n")
    print(markdown_table(["command", "median s", "fastest s", "× bare python", "target"], rows,
                         "lrrrl"))
    machine = {"python": platform.python_version(), "machine": platform.machine(),
               "system": platform.platform(), "missionsim": package_version("missionsim"),
               "typer": package_version("typer"),
               "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}
    print("\n" + ", ".join(f"{k} {v}" for k, v in machine.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": machine, "times": times}, indent=2) + "\n")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
