"""Runs per second of the working tree against an earlier release, side by side.

Usage::

    .venv/bin/python benchmarks/release.py                    # 5 rounds × 5 workshop runs each
    .venv/bin/python benchmarks/release.py --quick            # 2 rounds × 2 runs (~1 minute)
    .venv/bin/python benchmarks/release.py --rounds 7 --runs 8
    .venv/bin/python benchmarks/release.py --entry model --entry scenario
    .venv/bin/python benchmarks/release.py --release 4f6571f --cache /tmp/missionsim-benchmarks
    .venv/bin/python benchmarks/release.py --no-save --strict

Target (the performance issue): a workshop run of 120 months at ≥ 5× the runs per second of
the release before it, commit ``4f6571f``.

How:

1. **The release** is exported with ``git archive <commit>`` into a temporary folder (the
   working tree and the index are not touched) and installed into its own virtual environment
   made with the interpreter this script runs under (``sys._base_executable``): ``uv pip sync``
   of that commit's ``requirements.lock``, then the package itself, not editable, without
   dependencies (as ``make venv`` does). The environment is kept under ``--cache`` (default
   ``/tmp/missionsim-benchmarks/release-<commit>``) with a stamp, so a rerun skips the
   install; it is rebuilt when the commit, the interpreter or the lock differ.
2. **The working tree** runs under this script's own interpreter (the project's ``.venv``,
   where ``missionsim`` is installed in editable mode).
3. **Rounds.** Each round runs one fresh process per version (``python -I``, this file with
   ``--worker``), the order alternating from round to round (old first, then new first), so
   that the machine's slow spells fall on both. A process imports missionsim (timed), does one
   warm-up run (timed: the first run pays any just-in-time compilation and first-use caches),
   then ``--runs`` timed runs with seeds ``seed, seed + 1, …`` (the same in both versions).
   A run is ``MissionModel(preset=..., rng=seed, horizon=months)`` built and run for
   ``months`` (entry ``model``, the default), or ``missionsim.run(scenario, seed=seed)`` of
   the bare preset's scenario, which also builds the run's tables (entry ``scenario``, what a
   study's worker does per run). Both exist with the same arguments in both versions.
4. **Figures.** Runs/s of a version in a round = timed runs / their total seconds. The ratio
   is new / old within each round; the table gives the median over rounds and the range.

A fault (no git, an unknown commit, an install that fails offline, a worker that fails) is
reported in one line and the exit status is 2. The report is printed as Markdown and kept in
``benchmarks/results/release-<date>[-quick].md`` and ``.json`` (``--no-save`` skips them).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
RELEASE = "4f6571f"
"""The release before the performance issue: ``Generated documents re-stamped``."""
TARGET = 5.0
"""Least ratio of the working tree's runs/s to the release's (workshop, 120 months)."""
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "missionsim-benchmarks"
ENTRIES = ("model", "scenario")
WORKER_TIMEOUT_S = 900
STAMP = "installed.json"
VERSIONS = ("python", "numpy", "mesa", "numba", "missionsim")


class Fault(Exception):
    """A failure of the set-up (git, the install, a worker), reported in one line."""


# --- worker (runs in its own process, under either version's interpreter) --------------------
def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def worker(entries: list[str], preset: str, months: int, seed: int, runs: int) -> dict:
    """Import missionsim, warm up, time ``runs`` runs of each entry; return the figures."""
    clock = time.perf_counter
    start = clock()
    import missionsim
    from missionsim import MissionModel

    import_s = clock() - start

    def model_run(s: int) -> tuple[float | None, float]:
        t0 = clock()
        model = MissionModel(preset=preset, rng=s, horizon=months)
        t1 = clock()
        model.run(months)
        return t1 - t0, clock() - t1

    def scenario_run(s: int) -> tuple[float | None, float]:
        t0 = clock()
        missionsim.run({"name": preset, "world": {"preset": preset}, "horizon": months},
                       seed=s)
        return None, clock() - t0  # the build is not timed apart

    kinds = {"model": model_run, "scenario": scenario_run}
    out = {"import_s": import_s, "entries": {},
           "module": str(Path(missionsim.__file__).resolve().parent),
           "versions": {"python": platform.python_version(),
                        **{d: _version(d) for d in VERSIONS[1:]}},
           "executable": sys.executable}
    for entry in entries:
        one = kinds[entry]
        gc.collect()
        t0 = clock()
        one(seed + runs)  # warm-up: a seed that is not timed
        warmup_s = clock() - t0
        build, rest, total = [], [], []
        for i in range(runs):
            gc.collect()
            t0 = clock()
            b, r = one(seed + i)
            total.append(clock() - t0)
            build.append(b)
            rest.append(r)
        out["entries"][entry] = {"warmup_s": warmup_s, "run_s": total, "build_s": build,
                                 "step_s": rest}
    return out


# --- set-up: the release's environment -------------------------------------------------------
def _run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command; a missing program or a non-zero exit becomes a one-line Fault."""
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False, **kwargs)
    except FileNotFoundError:
        raise Fault(f"{what}: {cmd[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise Fault(f"{what}: no answer after {kwargs.get('timeout')} s") from None
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace") if isinstance(proc.stderr, bytes) \
            else proc.stderr or ""
        lines = [line.strip() for line in err.splitlines() if line.strip()]
        # git, uv and a Python traceback put the cause last (uv then adds hints)
        lines = [line for line in lines if not line.startswith("hint:")] or lines
        raise Fault(f"{what} failed (exit {proc.returncode}): "
                    f"{lines[-1] if lines else 'no message'}")
    return proc


def git(*args: str) -> str:
    """Output of a read-only git command in the repository (no optional index writes)."""
    return _run(["git", "--no-optional-locks", "-C", str(ROOT), *args],
                f"git {args[0]}", text=True).stdout.strip()


def resolve_commit(name: str) -> str:
    """The full hash of ``name``; a Fault when the repository has no such commit."""
    try:
        return git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
    except Fault as exc:
        if "exit 1)" in str(exc):
            raise Fault(f"commit {name!r} not found in {ROOT}") from None
        raise


def working_tree() -> dict:
    """HEAD and whether tracked files differ from it."""
    head = git("rev-parse", "HEAD")
    changed = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": head, "local_changes": bool(changed),
            "subject": git("log", "-1", "--format=%s", head)}


def uv_program() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not found:
        raise Fault("uv not found (neither next to this interpreter nor on PATH)")
    return found


def base_python() -> str:
    """The interpreter this script's environment was made from."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    if Path(base).exists():
        return str(Path(base))
    proc = _run([str(ROOT / "scripts" / "find-python")], "scripts/find-python", text=True)
    return proc.stdout.strip()


def release_env(commit: str, cache: Path, rebuild: bool) -> tuple[Path, float | None]:
    """The release's virtual environment (made when missing); its python, install seconds."""
    lock = _run(["git", "-C", str(ROOT), "show", f"{commit}:requirements.lock"],
                f"git show {commit[:7]}:requirements.lock").stdout
    base = base_python()
    stamp = {"commit": commit, "python": base,
             "lock_sha256": hashlib.sha256(lock).hexdigest()}
    folder = cache / f"release-{commit[:12]}"
    python = folder / "venv" / "bin" / "python"
    stamp_file = folder / STAMP
    if not rebuild and stamp_file.exists() and python.exists():
        try:
            kept = json.loads(stamp_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        if all(kept.get(k) == v for k, v in stamp.items()):
            return python, None
    uv = uv_program()
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise Fault(f"cache folder {folder}: {exc.strerror}") from None
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="missionsim-release-") as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        archive = Path(tmp) / "tree.tar"
        _run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), commit],
             f"git archive {commit[:7]}")
        _run(["tar", "-x", "-f", str(archive), "-C", str(tree)], "tar -x")
        venv = folder / "venv"
        _run([uv, "venv", "-q", "--python", base, str(venv)], f"uv venv ({base})")
        print(f"installing {commit[:7]} into {venv} ...", file=sys.stderr, flush=True)
        _run([uv, "pip", "sync", "-q", "--python", str(python), str(tree / "requirements.lock")],
             f"installing {commit[:7]}'s requirements.lock")
        _run([uv, "pip", "install", "-q", "--python", str(python), "--no-deps", str(tree)],
             f"installing missionsim at {commit[:7]}")
    seconds = time.perf_counter() - start
    stamp_file.write_text(json.dumps({**stamp, "install_s": seconds}, indent=2) + "\n",
                          encoding="utf-8")
    return python, seconds


# --- rounds ------------------------------------------------------------------------------------
def run_worker(python: str, entries: list[str], preset: str, months: int, seed: int,
               runs: int, label: str) -> dict:
    """One fresh, isolated process of one version; its parsed figures."""
    cmd = [python, "-I", str(HERE), "--worker", json.dumps(
        {"entries": entries, "preset": preset, "months": months, "seed": seed, "runs": runs})]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="missionsim-release-run-") as cwd:
        proc = _run(cmd, f"the {label} worker", text=True, env=env, cwd=cwd,
                    timeout=WORKER_TIMEOUT_S)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        raise Fault(f"the {label} worker printed no figures") from None


def summary(rounds: list[dict], versions: list[str], entries: list[str]) -> dict:
    """Medians and ranges over rounds, per entry and version; ratios new / old."""
    out = {}
    for entry in entries:
        per = {}
        for v in versions:
            recs = [r[v]["entries"][entry] for r in rounds]
            rps = [len(x["run_s"]) / sum(x["run_s"]) for x in recs]
            runs = [t for x in recs for t in x["run_s"]]
            builds = [t for x in recs for t in x["build_s"] if t is not None]
            steps = [t for x in recs for t in x["step_s"]]
            warm = [x["warmup_s"] for x in recs]
            medians = [statistics.median(x["run_s"]) for x in recs]
            per[v] = {
                "runs_per_s": rps,
                "runs_per_s_median": statistics.median(rps),
                "run_s_median": statistics.median(runs),
                "build_s_median": statistics.median(builds) if builds else None,
                "ms_per_step_median": 1e3 * statistics.median(steps) / rounds[0]["months"],
                "import_s": [r[v]["import_s"] for r in rounds],
                "warmup_s": warm,
                "first_run_extra_s": [w - m for w, m in zip(warm, medians, strict=True)],
            }
        ratios = [n / o for n, o in zip(per["new"]["runs_per_s"], per["old"]["runs_per_s"],
                                         strict=True)]
        out[entry] = {**per, "ratio": ratios, "ratio_median": statistics.median(ratios)}
    return out


# --- report ------------------------------------------------------------------------------------
def on_target(settings: dict) -> bool:
    """Whether the settings are those the target is stated at."""
    return settings["preset"] == "workshop" and settings["months"] == 120


def _cpu_model() -> str:
    from parallel import cpu_model  # imported here: timing workers run isolated (-I)

    return cpu_model()


def _load() -> str:
    from parallel import load_average  # imported here: timing workers run isolated (-I)

    return load_average()


def _span(values: list[float], fmt: str) -> str:
    return f"{format(min(values), fmt)}–{format(max(values), fmt)}"


def report(record: dict) -> str:
    """The Markdown report: one table per entry, the target, the versions and the machine."""
    from configurations import markdown_table

    s, meta = record["summary"], record["settings"]
    new, old = record["versions"]["new"], record["versions"]["old"]
    mode = "quick mode" if record["mode"] == "quick" else "full run"
    out = [f"## Release comparison ({mode})", "",
           f"Preset `{meta['preset']}`, {meta['months']} months a run; {meta['rounds']} "
           f"round{'s' * (meta['rounds'] != 1)}, each one fresh process per version (order "
           f"alternating) with one warm-up run and {meta['runs']} timed "
           f"run{'s' * (meta['runs'] != 1)} (seeds {meta['seed']}–"
           f"{meta['seed'] + meta['runs'] - 1}). "
           "Runs/s of a round = timed runs / their seconds; the ratio is taken within each "
           "round. *First run extra*: the warm-up run's seconds minus the round's median run "
           "(compilation and first-use caches).", ""]
    labels = {"old": f"release `{old['commit'][:7]}`",
              "new": "working tree" + (" (+ local changes)" if new["local_changes"] else "")}
    commits = {"old": old["commit"][:7], "new": new["commit"][:7]}
    for entry in meta["entries"]:
        e = s[entry]
        what = ("`MissionModel(...)` built and run" if entry == "model"
                else "`missionsim.run(scenario, seed=...)`: the model and its tables")
        out += [f"### Entry `{entry}`: {what}", ""]
        rows = []
        for v in ("old", "new"):
            f = e[v]
            build = "–" if f["build_s_median"] is None else f"{1e3 * f['build_s_median']:.0f}"
            rows.append([labels[v], commits[v], f"{f['runs_per_s_median']:.2f}",
                         _span(f["runs_per_s"], ".2f"), f"{f['run_s_median']:.3f}", build,
                         f"{f['ms_per_step_median']:.2f}",
                         f"{statistics.median(f['import_s']):.2f}",
                         f"{statistics.median(f['first_run_extra_s']):.2f} "
                         f"(max {max(f['first_run_extra_s']):.2f})"])
        out.append(markdown_table(
            ["version", "commit", "runs/s", "runs/s range", "s a run", "build ms",
             "ms a month" if entry == "model" else "ms a month (build, tables)",
             "import s", "first run extra s"], rows, "llrrrrrrr"))
        verdict = e["result"] + (" (the target is at workshop, 120 months)"
                                 if e["result"] == "SKIP" else "")
        out += ["", markdown_table(
            ["ratio new / old", "median", "range over rounds", "by round", "target", "result"],
            [["runs/s", f"{e['ratio_median']:.2f}×", _span(e["ratio"], ".2f") + "×",
              ", ".join(f"{r:.2f}" for r in e["ratio"]), f"≥ {TARGET:g}×", verdict]],
            "lrrlrl"), ""]
    loads = [record["machine"].get(f"load average (1/5/15 min) at {w}", "") for w in
             ("start", "end")]
    busy = [float(x.split(" / ")[0]) for x in loads if x.count(" / ") == 2]
    if busy and max(busy) > (record["machine"]["cpu count"] or 1):
        out += [f"**The machine was busy**: a 1-minute load average of up to {max(busy):.2f} "
                f"on {record['machine']['cpu count']} cores (the benchmark itself keeps one "
                "busy). Both versions shared it round by round, so the ratio holds better than "
                "the runs/s, but rerun on a quiet machine before judging the target.", ""]
    out += ["### Versions", ""]
    rows = []
    for v in ("old", "new"):
        info = record["versions"][v]
        subject = info["subject"]
        subject = subject if len(subject) <= 60 else subject[:59] + "…"
        rows.append([labels[v], info["commit"][:12], subject,
                     *[info["packages"].get(k, "?") for k in VERSIONS], info["module"]])
    out.append(markdown_table(["version", "commit", "subject", *VERSIONS, "imported from"],
                              rows, "lll" + "l" * len(VERSIONS) + "l"))
    install = record["install_s"]
    out += ["", f"Release environment: `{record['release_env']}` "
            + ("(reused from the cache)." if install is None
               else f"(installed in {install:.1f} s).")]
    out += ["", "### Machine", ""]
    out.append(markdown_table(["", ""], [[k, str(v)] for k, v in record["machine"].items()],
                              "ll"))
    return "\n".join(out)


def save(record: dict, text: str, folder: Path) -> Path:
    """Write ``release-<date>[-quick][-n].json`` and ``.md``; never over an earlier one."""
    from configurations import free_stem

    folder.mkdir(parents=True, exist_ok=True)
    name = free_stem(folder, f"release-{record['date'][:10]}"
                     + ("-quick" if record["mode"] == "quick" else ""))
    (folder / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (folder / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    return folder / f"{name}.md"


# --- main --------------------------------------------------------------------------------------
def measure(args: argparse.Namespace) -> tuple[dict, str]:
    old_commit = resolve_commit(args.release)
    tree = working_tree()
    python_old, install_s = release_env(old_commit, args.cache, args.rebuild)
    pythons = {"old": str(python_old), "new": sys.executable}
    entries = args.entry or ["model"]
    entries = list(dict.fromkeys(entries))
    rounds = []
    info = {"load average (1/5/15 min) at start": _load()}
    for i in range(args.rounds):
        order = ("old", "new") if i % 2 == 0 else ("new", "old")
        result = {"order": list(order), "months": args.months}
        for v in order:
            print(f"round {i + 1}/{args.rounds}: {v} ...", end=" ", file=sys.stderr,
                  flush=True)
            r = run_worker(pythons[v], entries, args.preset, args.months, args.seed,
                           args.runs, "release" if v == "old" else "working tree")
            result[v] = r
            e = r["entries"][entries[0]]
            print(f"import {r['import_s']:.2f} s, warm-up {e['warmup_s']:.2f} s, "
                  f"{len(e['run_s']) / sum(e['run_s']):.2f} runs/s ({entries[0]})",
                  file=sys.stderr, flush=True)
        rounds.append(result)
    info["load average (1/5/15 min) at end"] = _load()
    versions = {
        "old": {"commit": old_commit, "local_changes": False,
                "subject": git("log", "-1", "--format=%s", old_commit),
                "python": pythons["old"]},
        "new": {**tree, "python": pythons["new"]},
    }
    for v in versions:
        versions[v]["packages"] = rounds[0][v]["versions"]
        versions[v]["module"] = rounds[0][v]["module"]
    if Path(versions["new"]["module"]).is_relative_to(Path(args.cache)) \
            or not Path(versions["new"]["module"]).is_relative_to(ROOT):
        raise Fault(f"the working tree's interpreter {sys.executable} imports missionsim from "
                    f"{versions['new']['module']}, not from {ROOT} (run with .venv/bin/python)")
    if Path(versions["old"]["module"]).is_relative_to(ROOT):
        raise Fault(f"the release's environment imports missionsim from the working tree "
                    f"({versions['old']['module']})")
    settings = {"preset": args.preset, "months": args.months, "rounds": args.rounds,
                "runs": args.runs, "seed": args.seed, "entries": entries}
    figures = summary(rounds, ["old", "new"], entries)
    for e in figures.values():
        e["result"] = ("SKIP" if not on_target(settings)
                       else "PASS" if e["ratio_median"] >= TARGET else "FAIL")
    record = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "target": {"ratio": TARGET, "preset": "workshop", "months": 120},
        "settings": settings,
        "machine": {"cpu count": os.cpu_count(), "cpu model": _cpu_model(),
                    "platform": platform.platform(), **info},
        "versions": versions,
        "release_env": str(Path(pythons["old"]).parents[1]),
        "install_s": install_s,
        "rounds": rounds,
        "summary": figures,
    }
    return record, report(record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 rounds × 2 runs (a check that everything works)")
    parser.add_argument("--rounds", type=int, help="rounds, each one process per version "
                        "(default 5; 2 with --quick)")
    parser.add_argument("--runs", type=int, help="timed runs per process (default 5; 2 with "
                        "--quick)")
    parser.add_argument("--months", type=int, default=120, help="months a run (default 120)")
    parser.add_argument("--preset", default="workshop", help="preset (default workshop)")
    parser.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--entry", action="append", choices=ENTRIES,
                        help="what a run is: model (default) or scenario (repeatable)")
    parser.add_argument("--release", default=RELEASE,
                        help=f"the commit to compare with (default {RELEASE})")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"folder of the release's environments (default {DEFAULT_CACHE})")
    parser.add_argument("--rebuild", action="store_true",
                        help="install the release's environment afresh")
    parser.add_argument("--out", type=Path, default=HERE.parent / "results",
                        help="folder of the kept reports (default benchmarks/results)")
    parser.add_argument("--no-save", action="store_true", help="print only; keep no files")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when the ratio is below the target")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        task = json.loads(args.worker)
        print(json.dumps(worker(task["entries"], task["preset"], task["months"], task["seed"],
                                task["runs"])), flush=True)
        return 0

    args.rounds = args.rounds or (2 if args.quick else 5)
    args.runs = args.runs or (2 if args.quick else 5)
    for name in ("rounds", "runs", "months"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} {getattr(args, name)}: expected a whole number ≥ 1")
    args.cache = args.cache.expanduser().resolve()
    try:
        record, text = measure(args)
    except Fault as exc:
        print(f"release.py: {exc}", file=sys.stderr)
        return 2
    print(text)
    if not args.no_save:
        path = save(record, text, args.out)
        print(f"\nWrote {path} and {path.with_suffix('.json').name}", file=sys.stderr)
    failed = any(e["result"] == "FAIL" for e in record["summary"].values())
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
