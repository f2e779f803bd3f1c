"""Benchmark the package search: time to a Pareto front on the workshop world.

Usage::

    .venv/bin/python benchmarks/advise.py                  # full size (about 2,000 evaluations)
    .venv/bin/python benchmarks/advise.py --quick          # smoke size (about 70 evaluations)
    .venv/bin/python benchmarks/advise.py --workers 2      # local worker processes
    .venv/bin/python benchmarks/advise.py --no-save        # print only

What is measured. ``missionsim.advise`` on ``scenarios/baseline.toml`` (the 30-place workshop
world) at a 36-month horizon, the nine reforms at intensities 0.5 and 1 from month 0, 12 or
24, at most four reforms a package, a £20m budget, over a common ensemble of 16 futures that
vary every declared assumption and uncertainty; NSGA-II with a population of 25 for 5
generations. An *evaluation* is one package in one future (one run), so the search plans at
most 25 × 5 × 16 = 2,000 evaluations (packages proposed twice are evaluated once), plus the
package of no reforms in every future. The target is a Pareto front within 20 minutes on 2
cores. ``--quick`` runs 8 packages × 2 generations × 4 futures.

Reported: the wall time from the call to the Pareto front (drawing the futures, the search,
the measures, writing the output folder), split into the time inside the studies that run
the evaluations (``execute``: the runs, the store's chunks and reading them back) and the
rest (the optimiser, scenario building, measures, files); evaluations per second; the
serial time of one run (median of 3, in this process, after one warm-up run) and from it the
parallel efficiency of the evaluations; and the other load on the machine while it ran
(cores kept busy by other processes, from ``/proc/stat``), since a shared machine slows
everything. Results go to ``benchmarks/results/advise-<date>[-quick].json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from configurations import markdown_table
from parallel import load_average, machine

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
RESULTS = HERE.parent / "results"
TARGET_MINUTES = 20.0

SIZES = {
    "full": {"population": 25, "generations": 5, "futures": 16},
    "quick": {"population": 8, "generations": 2, "futures": 4},
}
SEARCH = {
    "horizon": 36,
    "reforms": ["local_capacity", "long_term_funding", "civil_society_partnerships",
                "devolution", "mission_leadership", "experimentation", "workforce_codesign",
                "citizen_mobilisation", "learning_accountability"],
    "intensities": [0.5, 1.0],
    "starts": [0, 12, 24],
    "max_reforms": 4,
    "seed": 2026,
}
BUDGET = 20.0


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (from /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    values = [int(v) for v in fields[:8]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


class TreeCpu:
    """CPU seconds of this process and every descendant (the fork server's workers too).

    Sampled every quarter of a second in a thread (psutil), keeping each process's latest
    figure, so that workers that have ended still count.
    """

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        root = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = [root]
            for proc in procs:
                try:
                    t = proc.cpu_times()
                    self.seen[proc.pid] = t.user + t.system
                except psutil.Error:
                    pass
            self._stop.wait(0.25)

    def __enter__(self) -> TreeCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def one_run_seconds(horizon: int, repeats: int = 3) -> float:
    """Median time of one run of the workshop baseline (serial, after a warm-up)."""
    from missionsim.experiments.runner import execute_run, spec_for
    from missionsim.experiments.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml").with_changes(horizon=horizon)
    execute_run(spec_for(scenario, 0))
    times = []
    for r in range(1, repeats + 1):
        start = time.perf_counter()
        execute_run(spec_for(scenario, r))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def benchmark(size: str, workers: int | None) -> dict:
    import missionsim
    from missionsim.analysis.advise import evaluate
    from missionsim.experiments.executors import resolve_workers, shutdown
    from missionsim.experiments.options import RunOptions

    inside = {"seconds": 0.0, "studies": 0}
    real_execute = evaluate.execute

    def timed_execute(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real_execute(*args, **kwargs)
        finally:
            inside["seconds"] += time.perf_counter() - start
            inside["studies"] += 1

    evaluate.execute = timed_execute
    n = resolve_workers(workers)
    per_run = one_run_seconds(SEARCH["horizon"])
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(f"{time.perf_counter() - start:8.1f} s  {line}")
        print(lines[-1], file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as folder, TreeCpu() as cpu:
        time.sleep(0.3)  # the first sample
        cpu0 = cpu.seconds
        busy0 = busy_seconds()
        start = time.perf_counter()
        advice = missionsim.advise(ROOT / "scenarios" / "baseline.toml", budget=BUDGET,
                                   options=RunOptions(out=Path(folder) / "advice", workers=n),
                                   log=log, **SEARCH, **SIZES[size])
        wall = time.perf_counter() - start
        busy1 = busy_seconds()
        time.sleep(0.3)  # one more sample of the workers before they are shut down
        shutdown()
    evaluate.execute = real_execute
    counts = advice.info["counts"]
    ideal = counts["ran"] * per_run / n
    other = (None if busy0 is None or busy1 is None
             else max(0.0, (busy1 - busy0 - (cpu.seconds - cpu0)) / wall))
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "size": size,
        "settings": {**SEARCH, **SIZES[size], "budget": BUDGET, "preset": "workshop"},
        "workers": n,
        "wall_s": wall,
        "wall_min": wall / 60,
        "inside_studies_s": inside["seconds"],
        "outside_studies_s": wall - inside["seconds"],
        "studies": inside["studies"],
        "candidates": counts["candidates"],
        "evaluations": counts["evaluations"],
        "ran": counts["ran"],
        "evaluations_per_s": counts["ran"] / wall,
        "one_run_s": per_run,
        "efficiency": ideal / inside["seconds"] if inside["seconds"] else None,
        "pareto": len(advice.pareto),
        "preferred": advice.preferred,
        "preferred_package": advice.words() if advice.preferred else None,
        "other_load": other,
        "target_min": TARGET_MINUTES,
        "result": ("PASS" if wall / 60 <= TARGET_MINUTES else "FAIL") if size == "full"
        else "–",
        "log": lines,
        "machine": {**machine(), "pymoo": _version("pymoo"),
                    "load average (1/5/15 min) at end": load_average()},
    }


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def report(fig: dict) -> str:
    s = fig["settings"]
    out = [f"## Package search benchmark ({fig['size']} size)", "",
           f"`missionsim.advise` on `scenarios/baseline.toml` (workshop, 30 places), "
           f"{s['horizon']}-month runs, {len(s['reforms'])} reforms at intensities "
           f"{s['intensities']} from months {s['starts']}, at most {s['max_reforms']} a "
           f"package, budget £{s['budget']:g}m; {s['futures']} futures; NSGA-II population "
           f"{s['population']} × {s['generations']} generations; {fig['workers']} worker "
           "process(es). An evaluation is one package in one future (one run).", ""]
    out.append(markdown_table(
        ["wall (min)", "in studies (s)", "outside (s)", "packages", "evaluations",
         "evaluations/s", "one run (s)", "efficiency", "Pareto set", "other load", "target",
         "result"],
        [[f"{fig['wall_min']:.2f}", f"{fig['inside_studies_s']:.1f}",
          f"{fig['outside_studies_s']:.1f}", str(fig["candidates"]), str(fig["ran"]),
          f"{fig['evaluations_per_s']:.2f}", f"{fig['one_run_s']:.3f}",
          "–" if fig["efficiency"] is None else f"{fig['efficiency']:.0%}", str(fig["pareto"]),
          "–" if fig["other_load"] is None else f"{fig['other_load']:.2f}",
          f"≤ {fig['target_min']:g} min (full size)", fig["result"]]],
        "rrrrrrrrrrll"))
    out += ["", f"Preferred option: {fig['preferred']} ({fig['preferred_package']}).", "",
            "*In studies*: time inside the studies that run the evaluations (runs, results "
            "store); *outside*: futures, optimiser, scenarios, measures and files. "
            "*Efficiency*: evaluations × one serial run ÷ workers ÷ time in studies. "
            "*Other load*: cores other processes kept busy on average (0 on a quiet "
            "machine).", "", "### Progress", "", "```text", *fig["log"], "```", "",
            "### Machine", ""]
    out.append(markdown_table(["", ""], [[k, str(v)] for k, v in fig["machine"].items()],
                              "ll"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke size: 8 packages × 2 generations × 4 futures")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes (default: every core)")
    parser.add_argument("--no-save", action="store_true",
                        help="print only; do not write benchmarks/results/advise-<date>.*")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers: expected a whole number ≥ 1")
    fig = benchmark("quick" if args.quick else "full", args.workers)
    text = report(fig)
    print(text)
    if not args.no_save:
        stem = f"advise-{fig['date'][:10]}" + ("-quick" if args.quick else "")
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{stem}.json").write_text(json.dumps(fig, indent=2) + "\n",
                                             encoding="utf-8")
        (RESULTS / f"{stem}.md").write_text(text + "\n", encoding="utf-8")
        print(f"\nWrote {RESULTS / stem}.json and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
