"""Run the performance benchmark and print a report.

Usage::

    .venv/bin/python benchmarks/run.py                 # full run (all configurations)
    .venv/bin/python benchmarks/run.py --quick         # 1 repeat, fewer steps
    .venv/bin/python benchmarks/run.py --only england  # one configuration (repeatable)
    .venv/bin/python benchmarks/run.py --json benchmarks/results/latest.json
    .venv/bin/python benchmarks/run.py --strict        # exit 1 when a target fails

Every repeat of every configuration runs in a fresh Python process (this file, called with
``--worker NAME SEED STEPS``), so that the peak RSS is measured per configuration and the
timings are not affected by earlier runs. The repeats go round by round (the first repeat of
every configuration, then the second, …), so that a slow spell of the machine falls on all of
them and the ratios between configurations are taken side by side. The worker prints one JSON
line; the runner collects them, takes the median over repeats and prints Markdown tables:
results, targets (PASS/FAIL) and the machine.

The configurations and targets are data, in ``configurations.py``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from configurations import CONFIGURATIONS, TARGETS, markdown_table, package_version

HERE = Path(__file__).resolve()

METRICS = ("kernels_s", "build_s", "run_s", "ms_per_step", "agents_start", "agents_end",
           "us_per_agent_step", "peak_rss_mb")


# --- worker (runs in its own process) --------------------------------------------------------
def _peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes on macOS
        return peak / (1024 * 1024)
    return peak / 1024


def _no_kernels() -> None:
    """Nothing to compile or load ahead of the build (a configuration without kernels)."""


def _factory(config: dict, seed: int):
    """Return ``(prepare, build, advance)`` callables for a configuration (imports done here).

    ``prepare`` loads missionsim's compiled kernels from numba's cache (or compiles them on the
    first run after a change), which a process pays once, whatever it then builds and runs;
    it is timed on its own, apart from the build.
    """
    kind, params = config["kind"], config["parameters"]
    prepare = _no_kernels
    if kind == "missionsim":
        from missionsim import MissionModel
        from missionsim.model import kernels

        prepare = kernels.warm

        def build():
            return MissionModel(rng=seed, **params)

        def advance(model, steps):
            model.run(steps)

    elif kind == "boltzmann":
        from mesa.examples.basic.boltzmann_wealth_model.model import (
            BoltzmannScenario,
            BoltzmannWealth,
        )

        def build():
            return BoltzmannWealth(BoltzmannScenario(rng=seed, **params))

        def advance(model, steps):
            for _ in range(steps):
                model.step()

    else:
        raise ValueError(f"unknown configuration kind {kind!r}")
    return prepare, build, advance


def _count_agents(model) -> int:
    """The model's agents, counted without making any (missionsim makes a post's agent when
    the model's agents are first read, and from then on as posts open: a count by
    ``len(model.agents)`` before the run would make the timed run pay for agents it never
    reads)."""
    count = getattr(model, "agent_count", None)
    return int(count) if count is not None else len(model.agents)


def worker(name: str, seed: int, steps: int) -> dict:
    """Build and run one configuration once; return the measurements."""
    config = CONFIGURATIONS[name]
    prepare, build, advance = _factory(config, seed)

    t0 = time.perf_counter()
    prepare()
    kernels_s = time.perf_counter() - t0
    gc.collect()
    t0 = time.perf_counter()
    model = build()
    build_s = time.perf_counter() - t0
    agents_start = _count_agents(model)

    gc.collect()
    t0 = time.perf_counter()
    advance(model, steps)
    run_s = time.perf_counter() - t0
    agents_end = _count_agents(model)

    mean_agents = (agents_start + agents_end) / 2
    return {
        "name": name,
        "seed": seed,
        "steps": steps,
        "kernels_s": kernels_s,
        "build_s": build_s,
        "run_s": run_s,
        "ms_per_step": run_s / steps * 1e3 if steps else float("nan"),
        "agents_start": agents_start,
        "agents_end": agents_end,
        "us_per_agent_step": (run_s / (steps * mean_agents) * 1e6
                              if steps and mean_agents else float("nan")),
        "peak_rss_mb": _peak_rss_mb(),
    }


# --- runner ----------------------------------------------------------------------------------
def run_once(name: str, seed: int, steps: int) -> dict:
    """Run one repeat in a fresh interpreter and return its parsed JSON result."""
    cmd = [sys.executable, str(HERE), "--worker", name, str(seed), str(steps)]
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"worker {name} seed {seed} failed (exit {proc.returncode}):\n"
                           f"{proc.stderr.strip() or proc.stdout.strip()}")
    return json.loads(lines[-1])


def summarise(results: list[dict]) -> dict:
    """Median of each metric over repeats."""
    return {key: statistics.median(r[key] for r in results) for key in METRICS}


def by_round(target: dict, results: dict) -> list[float]:
    """A reference target's ratio in each round: the reference's repeat over the config's.

    The repeats of a round run one after the other, so each ratio is taken side by side; a
    round where either failed is left out.
    """
    metric = target["metric"]
    pairs = zip(results.get(target["reference"], []), results.get(target["config"], []),
                strict=False)  # a config with fewer repeats pairs with the first rounds
    return [ref[metric] / got[metric] if got[metric] else float("inf") for ref, got in pairs]


def evaluate(target: dict, medians: dict, results: dict) -> tuple[float | None, str]:
    """Return ``(measured value, PASS/FAIL/SKIP)`` for one target.

    A ratio to a reference is the median of the rounds' ratios (:func:`by_round`): the
    machine's speed drifts between rounds, and a ratio of medians would mix rounds.
    """
    config, reference = target["config"], target.get("reference")
    if config not in medians or (reference is not None and reference not in medians):
        return None, "SKIP"
    value = medians[config][target["metric"]]
    if reference is not None:
        value = statistics.median(by_round(target, results))
    limit = target["limit"]
    ok = value <= limit if target["op"] == "<=" else value >= limit
    return value, "PASS" if ok else "FAIL"


def machine() -> dict:
    """The machine and the versions the benchmark ran with."""
    return {
        "cpu count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "mesa": package_version("mesa"),
        "numpy": package_version("numpy"),
        "missionsim": package_version("missionsim"),
    }


def _fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "×":  # ratios near 1 need two decimals to be read against their limit
        return f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.2f} {unit}"


def report(plan: dict, summaries: dict, errors: dict, verdicts: dict, info: dict,
           quick: bool, results: dict) -> str:
    """The Markdown report printed at the end of a run."""
    mode = "quick mode: 1 repeat, fewer steps" if quick else "full run"
    out = [f"## Benchmark results ({mode})", "",
           "Median over repeats; each repeat in a fresh process, the configurations' repeats "
           "in turn, round by round. *Kernels*: loading the "
           "compiled kernels from numba's cache (compiling them after a change), paid once "
           "a process before its first build and timed apart from it.", ""]
    rows = []
    for name, (repeats, steps) in plan.items():
        if name in errors:
            rows.append([name, str(steps), str(repeats)] + ["error"] * 7)
            continue
        m = summaries[name]
        rows.append([
            name, str(steps), str(repeats),
            f"{m['kernels_s']:.3f}",
            f"{m['build_s']:.3f}",
            f"{m['run_s']:.2f}",
            f"{m['ms_per_step']:.2f}",
            f"{m['agents_start']:,.0f} → {m['agents_end']:,.0f}",
            f"{m['us_per_agent_step']:.3f}",
            f"{m['peak_rss_mb']:.0f}",
        ])
    out.append(markdown_table(["configuration", "steps", "repeats", "kernels s", "build s",
                               "run s", "ms/step", "agents (start → end)", "µs/agent-step",
                               "peak RSS MB"], rows, "lrrrrrrrrr"))
    out += ["", "## Targets", ""]
    rows = []
    for key, target in TARGETS.items():
        value, verdict = verdicts[key]
        limit = f"{target['op'].replace('<=', '≤').replace('>=', '≥')} " \
                f"{_fmt_value(target['limit'], target['unit'])}"
        measured = _fmt_value(value, target["unit"])
        if target.get("reference") and verdict != "SKIP":
            ratios = by_round(target, results)
            measured += (f" (median of {len(ratios)} rounds; "
                         f"{_fmt_value(min(ratios), target['unit'])}–"
                         f"{_fmt_value(max(ratios), target['unit'])})")
        rows.append([key, target["description"], measured, limit, verdict])
    out.append(markdown_table(["target", "description", "measured", "limit", "result"], rows,
                      "lllrl"))
    out += ["", "## Machine", ""]
    out.append(markdown_table(["", ""], [[k, str(v)] for k, v in info.items()], "ll"))
    if errors:
        out += ["", "## Errors", ""]
        for name, message in errors.items():
            out += [f"### {name}", "", "```", message, "```", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="one repeat per configuration and fewer steps")
    parser.add_argument("--only", action="append", metavar="NAME",
                        choices=list(CONFIGURATIONS),
                        help="run only this configuration (may be given more than once)")
    parser.add_argument("--json", metavar="PATH", type=Path,
                        help="also write all measurements to this JSON file")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target fails")
    parser.add_argument("--worker", nargs=3, metavar=("NAME", "SEED", "STEPS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        name, seed, steps = args.worker
        if name not in CONFIGURATIONS:
            parser.error(f"unknown configuration {name!r}")
        print(json.dumps(worker(name, int(seed), int(steps))), flush=True)
        return 0

    names = args.only or list(CONFIGURATIONS)
    plan = {}
    for name in names:
        config = CONFIGURATIONS[name]
        repeats = 1 if args.quick else config["repeats"]
        steps = config["quick_steps"] if args.quick else config["steps"]
        plan[name] = (repeats, steps)

    results: dict[str, list[dict]] = {name: [] for name in plan}
    errors: dict[str, str] = {}
    # round by round (repeat i of every configuration, then repeat i + 1), so that a slow
    # spell of the machine falls on every configuration alike, and the ratios between them
    # (England against Boltzmann) are taken side by side
    for i in range(max((repeats for repeats, _ in plan.values()), default=0)):
        for name, (repeats, steps) in plan.items():
            if i >= repeats or name in errors:
                continue
            seed = CONFIGURATIONS[name]["seed"] + i
            print(f"{name}: repeat {i + 1}/{repeats} (seed {seed}, {steps} steps) ...",
                  end=" ", file=sys.stderr, flush=True)
            try:
                r = run_once(name, seed, steps)
            except RuntimeError as exc:
                print("failed", file=sys.stderr, flush=True)
                errors[name] = str(exc)
                continue
            print(f"build {r['build_s']:.2f} s, run {r['run_s']:.2f} s, "
                  f"{r['us_per_agent_step']:.3f} µs/agent-step, "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
            results[name].append(r)

    summaries = {name: summarise(rs) for name, rs in results.items()
                 if rs and name not in errors}
    verdicts = {key: evaluate(target, summaries, results) for key, target in TARGETS.items()}
    info = machine()
    print(report(plan, summaries, errors, verdicts, info, args.quick, results))

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "mode": "quick" if args.quick else "full",
            "machine": info,
            "configurations": {
                name: {"configuration": CONFIGURATIONS[name], "repeats": results.get(name, []),
                       "median": summaries.get(name), "error": errors.get(name)}
                for name in plan
            },
            "targets": {key: {**TARGETS[key], "measured": verdicts[key][0],
                              "result": verdicts[key][1],
                              **({"by_round": by_round(TARGETS[key], results)}
                                 if TARGETS[key].get("reference") else {})}
                        for key in TARGETS},
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nWrote {args.json}", file=sys.stderr)

    if errors:
        return 1
    if args.strict and any(v == "FAIL" for _, v in verdicts.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
