"""Benchmark parallel execution of studies: processes, dask, and the results store.

Usage::

    .venv/bin/python benchmarks/parallel.py                      # full run
    .venv/bin/python benchmarks/parallel.py --quick              # short smoke run
    .venv/bin/python benchmarks/parallel.py --workers 1,2,4,8,16 # worker counts to time
    .venv/bin/python benchmarks/parallel.py --runs 64            # runs per configuration
    .venv/bin/python benchmarks/parallel.py --repeats 3          # fastest of 3 (busy machines)
    .venv/bin/python benchmarks/parallel.py --json benchmarks/results/parallel.json
    .venv/bin/python benchmarks/parallel.py --no-dask --strict

What is measured (the workshop preset: ``scenarios/baseline.toml``, 120-month horizon):

1. **Local processes.** Runs per second of ``missionsim.experiments.study.replicate`` serially
   (``RunOptions(workers=1)``) and with a pool of local processes at each worker count. The
   *whole call* is timed, pool start-up and shutdown included (what a user pays). Pool start-up
   is also measured on its own, as the time of a study of exactly ``workers`` tiny runs
   (horizon 1), and subtracted to give the *steady-state* figure (fastest of 3). Speed-up is
   relative to serial and parallel efficiency = speed-up / workers. With ``--repeats N`` each
   study is timed N times and the fastest kept (other processes can only slow a study down).
2. **dask.** A ``distributed.LocalCluster(n_workers=w, threads_per_worker=1,
   processes=True)`` at the largest worker count. Cluster start-up and the import of
   missionsim on every worker are timed separately and excluded from the study's runs/s.
3. **Results store.** The same serial study with ``RunOptions(out=<temporary folder>)`` and
   with ``out=None`` (in memory), alternated, 3 repeats, medians: overhead % =
   (t_store - t_memory) / t_memory. The time spent inside ``Store.open``,
   ``Store.write_chunk`` and ``Results.load`` is also measured directly (the store's own cost,
   free of the run-to-run noise of whole studies), and the store size on disk per run.
4. **Equality.** The ``months``, ``runs`` and ``places`` tables of every parallel study equal
   the serial ones (``pandas.testing.assert_frame_equal``, on the runs both hold).

Every measurement runs in a fresh Python process (this file, called with ``--task JSON``), as
in ``run.py``, so each study starts its own worker pool or cluster the way a user's script does.
The number of runs per configuration is chosen so that the study at the largest worker count
takes at least ``--target-seconds`` (20 s), and is a multiple of the worker count.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from configurations import markdown_table, package_version

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"

TARGET_SECONDS = 20.0
STARTUP_REPEATS = 3
STORE_REPEATS = 3
STORE_MIN_RUNS = 8
STORE_MIN_SECONDS = 4.0
"""Least serial seconds of the store-overhead study: the store's fixed costs (opening the
folder, reading the tables back) are set against a study of the length 8 runs took before
runs became four times faster."""
CEILING_LOOPS = 20_000_000
"""Iterations of the pure-Python loop of the CPU-loop reference (~1.5 s)."""
BUSY_LOAD = 0.2
"""Cores kept busy by other processes above which the report warns."""
TARGETS = [
    # (key, description, kind, workers, limit, minimum cores)
    ("efficiency_2", "process efficiency at 2 workers ≥ 90%", "efficiency", 2, 0.90, 2),
    ("efficiency_16", "process efficiency at 16 workers ≥ 90% (≥ 16 cores)", "efficiency", 16,
     0.90, 16),
    ("store_overhead", "results-store overhead ≤ 5%", "store", None, 0.05, 1),
]


# --- tasks (each runs in its own process) -----------------------------------------------------
def _scenario(horizon: int):
    """The baseline scenario with its horizon replaced."""
    from missionsim.experiments.scenario import Scenario
    from missionsim.files import read_chain

    data = read_chain(BASELINE)
    data.setdefault("name", BASELINE.stem)
    data["horizon"] = int(horizon)
    return Scenario.from_mapping(data, source=str(BASELINE))


def _save(results, path: str | None) -> None:
    if path:
        import pandas as pd

        pd.to_pickle({"months": results.months, "runs": results.runs,
                      "places": results.places}, path)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def task_calibrate(horizon: int) -> dict:
    """Time a few serial runs; measure the size of one run's result as sent between processes."""
    import pickle

    from missionsim.experiments.runner import execute_run, spec_for

    scenario = _scenario(horizon)
    times, sizes, rows = [], [], []
    for r in range(3):
        spec = spec_for(scenario, r)
        t0 = time.perf_counter()
        output = execute_run(spec)
        times.append(time.perf_counter() - t0)
        sizes.append(len(pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL)))
        rows.append(len(output.months))
    return {"run_s": times, "median_run_s": statistics.median(times),
            "result_bytes": statistics.median(sizes), "months_rows": rows[0]}


def task_study(workers: int, runs: int, horizon: int, store: bool = False,
               save: str | None = None, again: bool = False) -> dict:
    """Time one ``replicate`` call with local processes (or serially when ``workers`` is 1).

    With ``again``, time a second, identical call in the same process too: it reuses the
    worker pool the first one started, as a robustness screen's next batch or the app's next
    comparison does.
    """
    t0 = time.perf_counter()
    from missionsim.experiments import study
    from missionsim.experiments.options import RunOptions
    from missionsim.experiments.results import Results
    from missionsim.experiments.store import Store

    import_s = time.perf_counter() - t0
    scenario = _scenario(horizon)

    # Time spent in the store, measured directly (wrapping its three entry points).
    spent = {"open_s": 0.0, "write_s": 0.0, "load_s": 0.0, "chunks": 0}
    open_store = Store.open
    write_chunk = Store.write_chunk
    load = Results.load.__func__

    def timed_open(self, manifest, resume):
        t = time.perf_counter()
        try:
            return open_store(self, manifest, resume)
        finally:
            spent["open_s"] += time.perf_counter() - t

    def timed_write(self, tables):
        t = time.perf_counter()
        try:
            return write_chunk(self, tables)
        finally:
            spent["write_s"] += time.perf_counter() - t
            spent["chunks"] += 1

    def timed_load(cls, out):
        t = time.perf_counter()
        try:
            return load(cls, out)
        finally:
            spent["load_s"] += time.perf_counter() - t

    Store.open = timed_open
    Store.write_chunk = timed_write
    Results.load = classmethod(timed_load)

    with tempfile.TemporaryDirectory(prefix="missionsim-bench-") as tmp:
        out = Path(tmp) / "study" if store else None
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        results = study.replicate(scenario, replicates=runs,
                                  options=RunOptions(workers=workers, out=out))
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        again_s = None
        if again:
            t0 = time.perf_counter()
            study.replicate(scenario, replicates=runs, options=RunOptions(workers=workers))
            again_s = time.perf_counter() - t0
        size = _dir_size(out) if out is not None else 0
    if len(results.runs) != runs:
        raise RuntimeError(f"expected {runs} runs, got {len(results.runs)}")
    _save(results, save)
    return {"workers": workers, "runs": runs, "horizon": horizon, "store": store,
            "study_s": elapsed, "again_s": again_s, "main_cpu_s": cpu, "import_s": import_s,
            "store_bytes": size, **spent}


def _import_missionsim() -> bool:
    import missionsim.experiments.study  # noqa: F401

    return True


def task_dask(workers: int, runs: int, horizon: int, save: str | None = None) -> dict:
    """Start a LocalCluster, import missionsim on its workers, then time one study on it."""
    import logging

    from distributed import Client, LocalCluster

    from missionsim.experiments import study
    from missionsim.experiments.options import RunOptions

    scenario = _scenario(horizon)
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    client.wait_for_workers(workers)
    cluster_s = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        client.run(_import_missionsim)
        warmup_s = time.perf_counter() - t0
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        results = study.replicate(scenario, replicates=runs,
                                  options=RunOptions(scheduler=client))
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    finally:
        t0 = time.perf_counter()
        client.close()
        cluster.close()
        close_s = time.perf_counter() - t0
    if len(results.runs) != runs:
        raise RuntimeError(f"expected {runs} runs, got {len(results.runs)}")
    _save(results, save)
    return {"workers": workers, "runs": runs, "horizon": horizon, "cluster_s": cluster_s,
            "warmup_s": warmup_s, "study_s": elapsed, "main_cpu_s": cpu, "close_s": close_s}


def _spin(loops: int, results) -> None:
    t = time.perf_counter()
    x = 0
    for i in range(loops):
        x += i
    results.put(time.perf_counter() - t)


def task_ceiling(workers: int, loops: int) -> dict:
    """Time ``workers`` copies of a pure-Python loop running at once (a reference, no model).

    Each copy times itself. One copy alone and ``workers`` copies together are timed in turn,
    3 times; the efficiency is the median over the rounds of the mean of ``t_alone / t_copy``
    over the copies, i.e. the throughput of ``workers`` independent CPU-bound processes
    relative to ``workers`` times that of one. Below 100% on a quiet machine means the cores
    are shared (SMT siblings, a VM's vCPUs on shared cores, turbo limits).
    """
    import multiprocessing

    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")

    def copies(n: int) -> list[float]:
        results = ctx.Queue()
        procs = [ctx.Process(target=_spin, args=(loops, results)) for _ in range(n)]
        for proc in procs:
            proc.start()
        times = [results.get() for _ in procs]
        for proc in procs:
            proc.join()
        return times

    rounds = []
    for _ in range(3):
        alone = copies(1)[0]
        together = copies(workers)
        rounds.append({"alone_s": alone, "together_s": together,
                       "efficiency": statistics.mean(alone / t for t in together)})
    return {"workers": workers, "rounds": rounds,
            "efficiency": statistics.median(r["efficiency"] for r in rounds)}


TASKS = {"calibrate": task_calibrate, "study": task_study, "dask": task_dask,
         "ceiling": task_ceiling}


# --- runner -----------------------------------------------------------------------------------
def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (from /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    values = [int(v) for v in fields[:8]]
    busy = sum(values) - values[3] - values[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int, seen: dict[int, float]) -> None:
    """Record the CPU time of a process and all its descendants (psutil; best effort)."""
    try:
        import psutil
    except ImportError:
        return
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for proc in procs:
        try:
            t = proc.cpu_times()
            seen[proc.pid] = t.user + t.system
        except psutil.Error:
            pass


def run_task(name: str, **kwargs) -> dict:
    """Run one task in a fresh interpreter and return its parsed JSON result.

    While it runs, the CPU time of its process tree is sampled, and compared with the CPU time
    the whole machine spent busy: ``other_load`` is the average number of cores that other
    processes kept busy meanwhile (0 on a quiet machine).
    """
    cmd = [sys.executable, str(HERE), "--task", json.dumps({"name": name, **kwargs})]
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    seen: dict[int, float] = {}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        busy0, t0 = _busy_seconds(), time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env, cwd=ROOT)
        while proc.poll() is None:
            _tree_cpu(proc.pid, seen)
            time.sleep(0.25)
        busy1, wall = _busy_seconds(), time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [line for line in stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"task {name} {kwargs} failed (exit {proc.returncode}):\n"
                           f"{stderr.strip() or stdout.strip()}")
    result = json.loads(lines[-1])
    if busy0 is not None and busy1 is not None and seen:
        result["other_load"] = max(0.0, (busy1 - busy0 - sum(seen.values())) / wall)
    else:
        result["other_load"] = None
    return result


def available_cores() -> int:
    """Cores this process may use (CPU affinity), as ``experiments.executors`` counts them."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def default_workers(cores: int) -> list[int]:
    """1, 2, 4, ... up to ``cores``, plus ``cores`` itself."""
    counts, w = [], 1
    while w <= cores:
        counts.append(w)
        w *= 2
    return sorted(set(counts) | {cores})


def parse_workers(text: str) -> list[int]:
    try:
        counts = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected numbers like 1,2,4") from None
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected whole numbers ≥ 1")
    return counts


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not available
        return "unknown"


def machine() -> dict:
    """The machine and the versions the benchmark ran with."""
    return {
        "cpu count": os.cpu_count(),
        "available cores": available_cores(),
        "cpu model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        **{name: package_version(name) for name in ("missionsim", "mesa", "numpy", "pandas",
                                                    "pyarrow", "dask", "distributed")},
    }


def round_up(n: int, multiple: int) -> int:
    return max(multiple, math.ceil(n / multiple) * multiple)


def plan_runs(base: int, counts: list[int]) -> dict[int, int]:
    """Runs per worker count: all equal (a multiple of every count) when that stays close to
    ``base``, else ``base`` rounded up to a multiple of each count."""
    lcm = math.lcm(*counts)
    if lcm <= base:
        n = round_up(base, lcm)
        return {w: n for w in counts}
    return {w: round_up(base, w) for w in counts}


def equal_tables(reference: str, other: str) -> tuple[bool, str]:
    """Whether the tables in two saved results agree on the runs both hold."""
    import pandas as pd
    from pandas.testing import assert_frame_equal

    a, b = pd.read_pickle(reference), pd.read_pickle(other)
    common = set(a["runs"]["run_id"]) & set(b["runs"]["run_id"])
    if not common:
        return False, "no runs in common"
    try:
        for kind in ("months", "runs", "places"):
            fa = a[kind][a[kind]["run_id"].isin(common)].reset_index(drop=True)
            fb = b[kind][b[kind]["run_id"].isin(common)].reset_index(drop=True)
            assert_frame_equal(fa, fb, check_exact=True)
    except AssertionError as exc:
        return False, f"{kind}: {str(exc).splitlines()[0]}"
    return True, f"{len(common)} runs"


def log(message: str, end: str = "\n") -> None:
    print(message, end=end, file=sys.stderr, flush=True)


def _max_load(values) -> float | None:
    values = [v for v in values if v is not None]
    return max(values) if values else None


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)


def _load(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def benchmark(args: argparse.Namespace) -> dict:
    """Run every measurement; return all figures."""
    cores = available_cores()
    counts = sorted(set(args.workers or default_workers(cores)) | {1})
    if args.quick and not args.workers:
        counts = sorted({1, max(counts)})
    wmax = max(counts)
    horizon = args.horizon or (24 if args.quick else 120)
    startup_repeats = 1 if args.quick else STARTUP_REPEATS
    store_repeats = 1 if args.quick else STORE_REPEATS
    if wmax > cores:
        log(f"note: {wmax} workers on {cores} available cores (oversubscribed)")

    load_at_start = load_average()
    log(f"calibrating: 3 serial runs of horizon {horizon} ...", end=" ")
    calib = run_task("calibrate", horizon=horizon)
    log(f"{calib['median_run_s']:.2f} s per run, {calib['result_bytes'] / 1024:.0f} KiB "
        "pickled result")
    if args.runs:
        base = args.runs
    elif args.quick:
        base = 2 * wmax
    else:
        base = math.ceil(args.target_seconds * wmax / calib["median_run_s"])
    runs = plan_runs(base, counts)

    ceiling = {1: {"workers": 1, "efficiency": 1.0}}  # by definition
    for w in counts[1:]:
        log(f"CPU-loop reference: {w} pure-Python loops at once ...", end=" ")
        ceiling[w] = run_task("ceiling", workers=w, loops=CEILING_LOOPS)
        log(f"{ceiling[w]['efficiency']:.0%}")

    tmp = tempfile.TemporaryDirectory(prefix="missionsim-parallel-")
    saved = {}
    startups: dict[int, list[dict]] = {w: [] for w in counts}
    studies: dict[int, list[dict]] = {w: [] for w in counts}
    for i in range(startup_repeats):
        for w in counts:
            log(f"pool start-up, {w} worker(s), {w} run(s) of horizon 1 "
                f"[{i + 1}/{startup_repeats}] ...", end=" ")
            r = run_task("study", workers=w, runs=w, horizon=1)
            startups[w].append(r)
            log(f"{r['study_s']:.2f} s")
    for i in range(args.repeats):  # repeats outermost: a busy spell hits one repeat of each
        for w in counts:
            saved[w, i] = str(Path(tmp.name) / f"processes-{w}-{i}.pkl")
            log(f"study, {w} worker(s), {runs[w]} runs of horizon {horizon} "
                f"[{i + 1}/{args.repeats}] ...", end=" ")
            r = run_task("study", workers=w, runs=runs[w], horizon=horizon, save=saved[w, i],
                         again=w > 1)
            log(f"{r['study_s']:.1f} s ({r['runs'] / r['study_s']:.3f} runs/s)")
            studies[w].append(r)
    processes = {}
    for w in counts:
        best = min(studies[w], key=lambda r: r["study_s"])
        processes[w] = {**best, "study_repeats": [r["study_s"] for r in studies[w]],
                        "other_load_repeats": [r["other_load"] for r in studies[w]],
                        "startup_s": min(r["study_s"] for r in startups[w]),
                        "startup_repeats": [r["study_s"] for r in startups[w]],
                        "startup_other_load": [r["other_load"] for r in startups[w]]}

    serial = processes[1]
    rate1 = serial["runs"] / serial["study_s"]
    steady1 = (serial["runs"] / (serial["study_s"] - serial["startup_s"])
               if serial["study_s"] > serial["startup_s"] else None)
    for w, r in processes.items():
        r["runs_per_s"] = r["runs"] / r["study_s"]
        r["speedup"] = r["runs_per_s"] / rate1
        r["efficiency"] = r["speedup"] / w
        r["steady_s"] = r["study_s"] - r["startup_s"]
        r["again_efficiency"] = (r["runs"] / r["again_s"] / rate1 / w if r.get("again_s")
                                 else None)
        if r["steady_s"] > 0 and steady1 is not None:
            r["steady_runs_per_s"] = r["runs"] / r["steady_s"]
            r["steady_speedup"] = r["steady_runs_per_s"] / steady1
            r["steady_efficiency"] = r["steady_speedup"] / w
        else:  # start-up as long as the study: no steady state to speak of
            r["steady_runs_per_s"] = r["steady_speedup"] = r["steady_efficiency"] = None

    dask = None
    if not args.no_dask:
        repeats = []
        for i in range(args.repeats):
            saved["dask", i] = str(Path(tmp.name) / f"dask-{i}.pkl")
            log(f"dask LocalCluster, {wmax} worker(s), {runs[wmax]} runs "
                f"[{i + 1}/{args.repeats}] ...", end=" ")
            r = run_task("dask", workers=wmax, runs=runs[wmax], horizon=horizon,
                         save=saved["dask", i])
            log(f"cluster {r['cluster_s']:.1f} s, study {r['study_s']:.1f} s "
                f"({r['runs'] / r['study_s']:.3f} runs/s)")
            repeats.append(r)
        dask = min(repeats, key=lambda r: r["study_s"])
        dask["study_repeats"] = [r["study_s"] for r in repeats]
        dask["runs_per_s"] = dask["runs"] / dask["study_s"]
        dask["speedup"] = dask["runs_per_s"] / rate1
        dask["efficiency"] = dask["speedup"] / wmax
        whole = dask["cluster_s"] + dask["warmup_s"] + dask["study_s"] + dask["close_s"]
        dask["end_to_end_s"] = whole
        dask["end_to_end_runs_per_s"] = dask["runs"] / whole
        dask["end_to_end_efficiency"] = dask["end_to_end_runs_per_s"] / rate1 / wmax

    store_runs = 2 if args.quick else max(2 * wmax, STORE_MIN_RUNS,
                                          math.ceil(STORE_MIN_SECONDS / calib["median_run_s"]))
    store = {"runs": store_runs, "memory": [], "store": []}
    saved["memory"] = str(Path(tmp.name) / "memory.pkl")
    saved["store"] = str(Path(tmp.name) / "store.pkl")
    for i in range(args.store_repeats or store_repeats):
        for kind in ("memory", "store"):
            log(f"results store: {store_runs} serial runs, {kind} [{i + 1}/{store_repeats}] ...",
                end=" ")
            r = run_task("study", workers=1, runs=store_runs, horizon=horizon,
                         store=kind == "store", save=saved[kind])
            store[kind].append(r)
            log(f"{r['study_s']:.2f} s")
    t_memory = statistics.median(r["study_s"] for r in store["memory"])
    t_store = statistics.median(r["study_s"] for r in store["store"])
    fastest_memory = min(r["study_s"] for r in store["memory"])
    fastest_store = min(r["study_s"] for r in store["store"])
    store.update({
        "memory_s": t_memory,
        "store_s": t_store,
        "overhead": (t_store - t_memory) / t_memory,
        "overhead_fastest": (fastest_store - fastest_memory) / fastest_memory,
        "open_s": statistics.median(r["open_s"] for r in store["store"]),
        "write_s": statistics.median(r["write_s"] for r in store["store"]),
        "load_s": statistics.median(r["load_s"] for r in store["store"]),
        "chunks": store["store"][0]["chunks"],
        "bytes_per_run": statistics.median(r["store_bytes"] for r in store["store"]) / store_runs,
    })
    store["other_load"] = _max_load(r["other_load"] for k in ("memory", "store")
                                    for r in store[k])
    store["direct_overhead"] = (store["open_s"] + store["write_s"] + store["load_s"]) / t_memory

    equality = {}

    def tag(i: int) -> str:
        return f" [repeat {i + 1}]" if args.repeats > 1 else ""

    for w in counts:
        for i in range(args.repeats):
            if (w, i) != (1, 0):
                name = "serial" if w == 1 else f"{w} local processes"
                equality[f"serial vs {name}{tag(i)}"] = equal_tables(saved[1, 0], saved[w, i])
    for i in range(args.repeats if dask is not None else 0):
        equality[f"serial vs dask ({wmax} workers){tag(i)}"] = equal_tables(saved[1, 0],
                                                                            saved["dask", i])
    equality["in memory vs results store (read back)"] = equal_tables(saved["memory"],
                                                                       saved["store"])
    tmp.cleanup()
    info = machine()
    info["load average (1/5/15 min) at start"] = load_at_start
    info["load average (1/5/15 min) at end"] = load_average()

    targets = {}
    for key, description, kind, w, limit, min_cores in TARGETS:
        if kind == "store":
            value, steady = store["overhead"], store["direct_overhead"]
            ok = value <= limit
            ok_steady = steady <= limit
        elif w in processes and cores >= min_cores:
            value, steady = processes[w]["efficiency"], processes[w]["steady_efficiency"]
            ok, ok_steady = value >= limit, steady is not None and steady >= limit
        else:
            targets[key] = {"description": description, "limit": limit, "measured": None,
                            "steady": None, "result": "SKIP", "steady_result": "SKIP"}
            continue
        targets[key] = {"description": description, "limit": limit, "measured": value,
                        "steady": steady, "result": "PASS" if ok else "FAIL",
                        "steady_result": ("–" if steady is None else
                                          "PASS" if ok_steady else "FAIL")}

    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": info,
        "scenario": str(BASELINE.relative_to(ROOT)),
        "horizon": horizon,
        "workers": counts,
        "repeats": args.repeats,
        "startup_repeats": startup_repeats,
        "calibration": calib,
        "processes": {str(w): {**r, "ceiling": ceiling[w]["efficiency"]}
                      for w, r in processes.items()},
        "ceiling": {str(w): c for w, c in ceiling.items()},
        "dask": dask,
        "store": store,
        "equality": {k: {"identical": ok, "detail": d} for k, (ok, d) in equality.items()},
        "targets": targets,
    }


def report(fig: dict) -> str:
    """The Markdown report."""
    calib = fig["calibration"]
    mode = "quick mode: smoke run" if fig["mode"] == "quick" else "full run"
    out = [f"## Parallel execution benchmark ({mode})", "",
           f"Scenario `{fig['scenario']}` (workshop preset), horizon {fig['horizon']} months; "
           f"one serial run takes {calib['median_run_s']:.2f} s (median of 3) and its result "
           f"is {calib['result_bytes'] / 1024:.0f} KiB pickled ({calib['months_rows']} month "
           "rows). Each study runs in a fresh process.", ""]
    loads = [r["other_load"] for r in fig["processes"].values()]
    loads += [fig["dask"]["other_load"]] if fig["dask"] is not None else []
    worst = _max_load([*loads, fig["store"]["other_load"]])
    if worst is not None and worst > BUSY_LOAD:
        out += [f"**Warning: other processes kept up to {worst:.2f} cores busy during the "
                "measurements (column *other load*); speed-ups and efficiencies measured then "
                "are too low. Re-run on a quiet machine.**", ""]
    out += ["### Local processes", "",
            "*Whole call*: the `replicate(...)` call timed end to end, pool start-up and shutdown "
            f"included (what a user pays; fastest of {fig['repeats']}). *Pool start-up*: a "
            "study of exactly `workers` runs of horizon 1 (fastest of "
            f"{fig['startup_repeats']}), i.e. starting the workers (forked from "
            "the study's process), loading the compiled kernels and one model build in each, "
            "and shutdown. *Steady state*: whole call minus pool "
            "start-up. *Second study*: the same call again in the same process, which reuses "
            "the worker pool the first one started (whole call, against the serial whole "
            "call). Speed-up is against the serial figure of the same kind; efficiency = "
            "speed-up / workers.", ""]
    rows = []
    for w, r in fig["processes"].items():
        rows.append([w, str(r["runs"]), f"{r['study_s']:.1f}", f"{r['runs_per_s']:.3f}",
                     f"{r['speedup']:.2f}×", _pct(r["efficiency"]), f"{r['startup_s']:.2f}",
                     _num(r["steady_runs_per_s"], "{:.3f}"), _num(r["steady_speedup"], "{:.2f}×"),
                     _pct(r["steady_efficiency"]), _pct(r.get("again_efficiency")),
                     _pct(r["ceiling"]),
                     f"{r['main_cpu_s']:.1f}", _load(r["other_load"])])
    out.append(markdown_table(["workers", "runs", "whole call s", "runs/s", "speed-up",
                               "efficiency", "pool start-up s", "steady runs/s",
                               "steady speed-up", "steady efficiency",
                               "second study efficiency", "CPU-loop reference",
                               "main-process CPU s", "other load"], rows, "rrrrrrrrrrrrrr"))
    serial = fig["processes"]["1"]
    out += ["", f"The serial study used {serial['main_cpu_s']:.1f} s of CPU in "
            f"{serial['study_s']:.1f} s ({serial['main_cpu_s'] / serial['study_s']:.0%}); well "
            "below 100% means other processes competed for the cores and every figure here is "
            "unreliable. *CPU-loop reference*: the efficiency of `workers` copies of a "
            "pure-Python loop run at once, no missionsim involved; below 100% means the cores "
            "are not fully independent (SMT siblings, a VM's vCPUs on shared cores). It is a "
            "reference for the machine, not a bound on the model. *Other load*: cores kept "
            "busy by other processes on average while the study's process ran (from /proc/stat "
            "minus the CPU time of the study's process tree); it should be near 0."]
    if fig["dask"] is not None:
        d = fig["dask"]
        out += ["", "### dask.distributed LocalCluster", "",
                "`LocalCluster(n_workers=w, threads_per_worker=1, processes=True)`. Cluster "
                "start-up and importing missionsim on every worker (`client.run`) are excluded "
                "from runs/s and reported separately; *end to end* includes them and the "
                "cluster's shutdown. Speed-up against the serial whole-call figure.", ""]
        out.append(markdown_table(
            ["workers", "runs", "cluster start-up s", "worker import s", "study s", "runs/s",
             "speed-up", "efficiency", "shutdown s", "end-to-end runs/s",
             "end-to-end efficiency", "other load"],
            [[str(d["workers"]), str(d["runs"]), f"{d['cluster_s']:.2f}",
              f"{d['warmup_s']:.2f}", f"{d['study_s']:.1f}", f"{d['runs_per_s']:.3f}",
              f"{d['speedup']:.2f}×", _pct(d["efficiency"]), f"{d['close_s']:.2f}",
              f"{d['end_to_end_runs_per_s']:.3f}", _pct(d["end_to_end_efficiency"]),
              _load(d["other_load"])]],
            "rrrrrrrrrrrr"))
    s = fig["store"]
    n = len(s["memory"])
    out += ["", "### Results store overhead", "",
            f"The same serial study of {s['runs']} runs with `out=<temporary folder>` and with "
            f"`out=None`, alternated, {n} of each; *overhead* from the medians, *fastest* from "
            "the fastest of each. *Direct*: time inside `Store.open`, `Store.write_chunk` and "
            "`Results.load` (measured by wrapping them) over the in-memory time: the store's "
            "own cost without the run-to-run noise of whole studies.", ""]
    out.append(markdown_table(
        ["runs", "in memory s", "store s", "overhead", "fastest", "chunks", "open s",
         "write s", "read back s", "direct overhead", "on disk per run", "other load (max)"],
        [[str(s["runs"]), f"{s['memory_s']:.2f}", f"{s['store_s']:.2f}", _pct(s["overhead"]),
          _pct(s["overhead_fastest"]), str(s["chunks"]), f"{s['open_s']:.3f}",
          f"{s['write_s']:.3f}", f"{s['load_s']:.3f}", _pct(s["direct_overhead"]),
          f"{s['bytes_per_run'] / 1024:.1f} KiB", _load(s["other_load"])]],
        "rrrrrrrrrrrr"))
    out += ["", "### Targets", "",
            "*Result* is judged on the whole-call figure (store: the measured difference); "
            "*steady* on the steady-state figure (store: the direct measurement).", ""]
    rows = []
    for key, t in fig["targets"].items():
        op = "≤" if key == "store_overhead" else "≥"
        rows.append([key, t["description"], _pct(t["measured"]), _pct(t["steady"]),
                     f"{op} {t['limit'] * 100:.0f}%", t["result"], t["steady_result"]])
    out.append(markdown_table(["target", "description", "measured", "steady", "limit", "result",
                       "steady"], rows, "llrrrll"))
    out += ["", "### Equality", "",
            "`assert_frame_equal(..., check_exact=True)` on the `months`, `runs` and `places` "
            "tables, restricted to the runs both studies hold.", ""]
    rows = [[k, "yes" if e["identical"] else "NO", e["detail"]]
            for k, e in fig["equality"].items()]
    out.append(markdown_table(["comparison", "identical", "detail"], rows, "lll"))
    executors = [e for k, e in fig["equality"].items() if k.startswith("serial")]
    out += ["", f"identical: {'yes' if all(e['identical'] for e in executors) else 'NO'}"]
    out += ["", "### Machine", "", f"Date: {fig['date']}", ""]
    out.append(markdown_table(["", ""], [[k, str(v)] for k, v in fig["machine"].items()], "ll"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short smoke run: horizon 24, 2×workers runs, serial and the "
                             "largest worker count only, single repeats")
    parser.add_argument("--workers", type=parse_workers, metavar="LIST",
                        help="worker counts, e.g. 1,2,4,8,16 (default: powers of two up to "
                             "the available cores, plus the core count; 1 is always timed)")
    parser.add_argument("--runs", type=int, metavar="N",
                        help="runs per configuration (rounded up to a multiple of the worker "
                             "count; default: enough for --target-seconds at the largest "
                             "worker count)")
    parser.add_argument("--target-seconds", type=float, default=TARGET_SECONDS, metavar="S",
                        help="least duration of the study at the largest worker count "
                             f"(default {TARGET_SECONDS:.0f})")
    parser.add_argument("--horizon", type=int, metavar="MONTHS",
                        help="months per run (default 120; 24 with --quick)")
    parser.add_argument("--repeats", type=int, default=1, metavar="N",
                        help="time each study N times and keep the fastest (other processes "
                             "can only slow a study down; default 1)")
    parser.add_argument("--store-repeats", type=int, metavar="N",
                        help=f"repeats of the store-overhead pair (default {STORE_REPEATS}; 1 "
                             "with --quick)")
    parser.add_argument("--no-dask", action="store_true", help="skip the dask measurement")
    parser.add_argument("--json", metavar="FILE", type=Path,
                        help="also write all figures to this JSON file")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target fails or results differ")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.task:
        spec = json.loads(args.task)
        name = spec.pop("name")
        print(json.dumps(TASKS[name](**spec)), flush=True)
        return 0
    if args.runs is not None and args.runs < 1:
        parser.error("--runs: expected a whole number ≥ 1")
    if args.repeats < 1:
        parser.error("--repeats: expected a whole number ≥ 1")
    if args.store_repeats is not None and args.store_repeats < 1:
        parser.error("--store-repeats: expected a whole number ≥ 1")

    fig = benchmark(args)
    print(report(fig))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
        log(f"\nWrote {args.json}")
    failed = any(t["result"] == "FAIL" for t in fig["targets"].values())
    differ = any(not e["identical"] for e in fig["equality"].values())
    return 1 if args.strict and (failed or differ) else 0


if __name__ == "__main__":
    sys.exit(main())
