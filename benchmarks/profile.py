"""Where a step's time goes: phase by phase, and the functions that dominate, at each preset.

Usage::

    .venv/bin/python benchmarks/profile.py                     # workshop and england, 120 months
    .venv/bin/python benchmarks/profile.py --preset england --months 60
    .venv/bin/python benchmarks/profile.py --functions 20       # also the top 20 functions
    .venv/bin/python benchmarks/profile.py --json benchmarks/results/profile.json

Each preset is built and run in this process with :meth:`MissionModel.step`, each phase of
:data:`missionsim.model.phases.PHASES` wrapped in a clock (which costs about a microsecond a
phase). The table gives each phase's
milliseconds per step and its share of the step; ``--functions`` adds a ``cProfile`` of a
second run of the same model (cProfile inflates Python-heavy code, so read its shares as a
ranking, not as times). The figures, the machine and the package versions go to ``--json``.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import platform
import sys
import time
from pathlib import Path

_HERE = sys.path.pop(0)  # this folder first would make this file the standard `profile`
import cProfile  # noqa: E402
import pstats  # noqa: E402

sys.path.insert(0, _HERE)

from configurations import markdown_table, package_version  # noqa: E402

DEFAULT_PRESETS = ("workshop", "england")
"""Presets profiled by default: the live workshop world and the England-size world."""
DEFAULT_MONTHS = 120
"""Months run per preset (the default horizon)."""


def phase_times(preset: str, months: int, seed: int) -> dict:
    """Milliseconds per step of each phase, the build time and the agents, for one preset."""
    from missionsim import MissionModel
    from missionsim.model import model as model_module
    from missionsim.model.phases import PHASES, Phase

    clock = time.perf_counter
    spent = dict.fromkeys((p.name for p in PHASES), 0.0)

    def timed(phase: Phase) -> Phase:
        def run(model) -> None:
            t = clock()
            phase.run(model)
            spent[phase.name] += clock() - t
        return Phase(phase.name, phase.summary, run)

    start = clock()
    model = MissionModel(preset=preset, rng=seed, horizon=months)
    build = clock() - start
    model_module.PHASES = tuple(timed(p) for p in PHASES)
    try:
        start = clock()
        model.run(months)
        total = clock() - start
    finally:
        model_module.PHASES = PHASES
    agents = model.staff.n + int(model.orgs.active.sum())
    return {"preset": preset, "months": months, "build_s": build, "run_s": total,
            "ms_per_step": 1e3 * total / months, "agents": agents,
            "us_per_agent_step": 1e6 * total / (months * agents),
            "phases_ms": {k: 1e3 * v / months for k, v in spent.items()}}


def function_profile(preset: str, months: int, seed: int, top: int) -> list[dict]:
    """The ``top`` functions by own time over a run of ``months`` (cProfile)."""
    from missionsim import MissionModel

    model = MissionModel(preset=preset, rng=seed, horizon=months)
    profiler = cProfile.Profile()
    profiler.enable()
    model.run(months)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (file, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        where = f"{Path(file).name}:{line}({name})" if line else name
        rows.append({"function": where, "calls": calls, "own_ms_per_step": 1e3 * own / months,
                     "cumulative_ms_per_step": 1e3 * cumulative / months})
    rows.sort(key=lambda r: -r["own_ms_per_step"])
    return rows[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", action="append", help="Preset to profile (repeatable).")
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS, help="Months per run.")
    parser.add_argument("--seed", type=int, default=1, help="Model seed.")
    parser.add_argument("--functions", type=int, default=0,
                        help="Also list the top N functions by own time (cProfile).")
    parser.add_argument("--json", type=Path, help="Also write every figure to this file.")
    args = parser.parse_args(argv)
    if args.months < 1:
        parser.error(f"--months {args.months}: expected a whole number ≥ 1")
    presets = args.preset or list(DEFAULT_PRESETS)
    from missionsim.model import kernels

    start = time.perf_counter()
    kernels.warm()  # compiled code loaded (or compiled) before any step is timed
    warm_s = time.perf_counter() - start
    print(f"Compiled kernels ({'numba' if kernels.COMPILED else 'NumPy fallback'}) ready in "
          f"{warm_s:.2f} s (compile on the first run after a change, then a cache load)\n")
    results = [phase_times(p, args.months, args.seed) for p in presets]
    phases = list(results[0]["phases_ms"])
    print(f"## Time per step by phase ({args.months} months, seed {args.seed})\n")
    header = ["phase", *[f"{r['preset']} ms" for r in results],
              *[f"{r['preset']} share" for r in results]]
    rows = [[name, *[f"{r['phases_ms'][name]:.2f}" for r in results],
             *[f"{100 * r['phases_ms'][name] / r['ms_per_step']:.0f}%" for r in results]]
            for name in phases]
    rows.append(["**step**", *[f"**{r['ms_per_step']:.2f}**" for r in results],
                 *["100%" for _ in results]])
    print(markdown_table(header, rows, "l" + "r" * (2 * len(results))))
    print()
    print(markdown_table(["preset", "agents", "build s", "µs per agent-step"],
                         [[r["preset"], f"{r['agents']:,}", f"{r['build_s']:.3f}",
                           f"{r['us_per_agent_step']:.3f}"] for r in results], "lrrr"))
    profiles = {}
    if args.functions:
        for preset in presets:
            profiles[preset] = function_profile(preset, args.months, args.seed, args.functions)
            print(f"\n## Top {args.functions} functions by own time: {preset} (cProfile)\n")
            print(markdown_table(
                ["function", "calls", "own ms/step", "cumulative ms/step"],
                [[r["function"], f"{r['calls']:,}", f"{r['own_ms_per_step']:.3f}",
                  f"{r['cumulative_ms_per_step']:.3f}"] for r in profiles[preset]], "lrrr"))
    if args.json:
        record = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                  "machine": {"processor": platform.machine(), "platform": platform.platform(),
                              "python": sys.version.split()[0]},
                  "versions": {d: package_version(d) for d in ("missionsim", "mesa", "numpy")},
                  "kernels_ready_s": warm_s, "results": results, "functions": profiles}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
