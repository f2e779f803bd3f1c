"""The results store with real processes and real file systems: two writers on one folder, a
lock left by a killed process, Ctrl-C during a study, a full disk and a read-only one.

The file system tests mount small tmpfs file systems (``mount -t tmpfs``), which needs root
with the privilege to mount; without it they are skipped, saying why. Tests may run as root,
for whom a folder's mode does not stop writes: a read-only mount is the real test.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import missionsim.experiments.study as study
from missionsim.cli import main
from missionsim.errors import StoreError
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.store import LOCK, Store

SCENARIO = """name = "{name}"
horizon = {horizon}
replicates = {replicates}
seed = 5
[world]
preset = "small"
{extra}
"""
REFORM = "[reforms.devolution]\nstart = 6"
HORIZON = 24
SHORT = 12
"""Horizon of the studies that need not run long."""
LONG = 120
"""Horizon of the studies that must still be running when the test acts (a second writer, a
Ctrl-C): long enough that no scheduling gap on a busy machine lets them finish first."""
STARTUP_SECONDS = 120
"""Longest wait for a subprocess to reach a state (imports on a busy machine are slow)."""
POLL_SECONDS = 0.05
"""Pause between looks at a subprocess's progress."""
REFUSAL_SECONDS = 10
"""Longest a refused second writer may take (it is refused at once; the margin is for a busy
machine)."""


def scenario_files(folder: Path, replicates: int, horizon: int = HORIZON) -> list[str]:
    files = []
    for name, extra in (("base", ""), ("devolved", REFORM)):
        path = folder / f"{name}.toml"
        path.write_text(SCENARIO.format(name=name, horizon=horizon, replicates=replicates,
                                        extra=extra))
        files.append(str(path))
    return files


def command(files: list[str], out: Path, workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "missionsim.cli", "compare", *files, "--out", str(out),
            "--workers", str(workers), "--no-progress"]


def wait_for(condition, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not condition():
        assert proc is None or proc.poll() is None, f"the study ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_SECONDS)


def lock_holder(out: Path) -> int | None:
    try:
        return json.loads((out / LOCK).read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return None


def assert_every_run_once(out: Path, runs: int, months: int) -> Results:
    results = Results.load(out)
    assert len(results.runs) == runs and results.runs["run_id"].is_unique
    assert results.months.groupby("run_id").size().eq(months).all()
    assert sorted(results.runs["run_id"]) == sorted(results.manifest["seeds"])
    return results


# --- one writer per folder --------------------------------------------------------------------
READY = """
import sys
from missionsim.cli import main
# what compare imports, before the race starts
import missionsim.writeup.report, missionsim.experiments.study
print("ready", flush=True)
sys.stdin.readline()
sys.exit(main(sys.argv[1:]))
"""
"""The command line, started and waiting for a line on standard input to run its arguments."""


def test_a_second_cli_writer_is_refused_at_once_naming_the_first(tmp_path):
    replicates = 30
    files = scenario_files(tmp_path, replicates, horizon=LONG)
    out = tmp_path / "out"
    env = {**os.environ, "MISSIONSIM_FLUSH_RUNS": "2"}
    args = command(files, out)[3:]  # without `python -m missionsim.cli`
    second = subprocess.Popen([sys.executable, "-c", READY, *args, "--resume"], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert second.stdout.readline().strip() == "ready"
    first = subprocess.Popen(command(files, out), env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: lock_holder(out) == first.pid, first, "it took the lock")
        started = time.monotonic()
        _, refusal = second.communicate("go\n", timeout=REFUSAL_SECONDS)
        took = time.monotonic() - started
        assert first.poll() is None, "the first study ended before the second was refused"
    finally:
        _, err = first.communicate(timeout=STARTUP_SECONDS * 5)
    assert second.returncode == 2, refusal
    assert refusal.count("\n") == 1, refusal
    assert re.fullmatch(rf"missionsim: error: {re.escape(str(out))}: in use by another study "
                        rf"\(process {first.pid} on \S+, since \S+\); wait for it to finish or "
                        r"stop it, or choose another --out folder", refusal.strip()), refusal
    assert took < REFUSAL_SECONDS
    assert first.returncode == 0, err
    assert_every_run_once(out, 2 * replicates, LONG + 1)
    print(f"second writer refused in {took:.3f} s")


HOLD = """
import sys, time
from missionsim.experiments.store import Store
store = Store(sys.argv[1])
with store.locked():
    print("held", flush=True)
    time.sleep(600)  # until it is killed
"""


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path, monkeypatch):
    monkeypatch.setattr(study, "FLUSH_RUNS", 2)
    out = tmp_path / "out"
    replicates = 2
    files = scenario_files(tmp_path, replicates=replicates, horizon=SHORT)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match=rf"in use by another study \(process "
                                             rf"{holder.pid} on "):
            study.compare(files, options=RunOptions(workers=1, out=out))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert lock_holder(out) == holder.pid  # its name is still written: the lock is stale
    results = study.compare(files, options=RunOptions(workers=1, out=out))
    assert len(results.runs) == 2 * replicates
    assert (out / LOCK).read_text() == ""


# --- Ctrl-C -----------------------------------------------------------------------------------
@pytest.fixture
def ctrl_c_works():
    """The study's process starts with Ctrl-C working, as it does from a terminal.

    A process inherits an ignored SIGINT and a blocked signal mask from the one that starts it,
    and Python then installs no Ctrl-C handler. An earlier test in the same worker process
    (a library that spawns a helper process with SIGINT blocked or ignored) can leave either
    behind, so this test starts its study with SIGINT unblocked and handled, and puts back
    what it found afterwards.
    """
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@pytest.mark.slow
@pytest.mark.usefixtures("ctrl_c_works")
def test_ctrl_c_prints_the_runs_kept_and_resume_finishes(tmp_path):
    replicates = 40
    files = scenario_files(tmp_path, replicates, horizon=LONG)
    out = tmp_path / "out"
    env = {**os.environ, "MISSIONSIM_FLUSH_RUNS": "2"}
    cmd = command(files, out, workers=2)
    # its own process group, as a terminal's foreground job: Ctrl-C reaches the workers too
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    store = Store(out)
    wait_for(lambda: len(list(store.chunks.glob("*.months.parquet"))) >= 2, proc,
             "two chunks were written")
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=STARTUP_SECONDS)
    assert proc.returncode == 130, err  # 128 + SIGINT
    assert err.count("\n") == 1, err
    match = re.fullmatch(rf"missionsim: interrupted; (\d+) of {2 * replicates} runs are kept in "
                         rf"{re.escape(str(out))}: run the same command with --resume to "
                         r"finish", err.strip())
    assert match, err
    kept = int(match.group(1))
    assert kept == len(store.completed()) and 0 < kept < 2 * replicates
    assert (out / LOCK).read_text() == ""  # released on the way out

    resumed = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True,
                             timeout=STARTUP_SECONDS * 5)
    assert resumed.returncode == 0, resumed.stderr
    assert_every_run_once(out, 2 * replicates, LONG + 1)
    print(f"interrupted with {kept} of {2 * replicates} runs kept")


# --- real file systems that refuse writes -----------------------------------------------------
TMPFS_SMALL = "96k"
"""A tmpfs this small holds the manifest and two chunks of two runs (each about 36 KiB on
tmpfs's 4 KiB pages), not a third."""
TMPFS_ROOMY = "16m"
"""Room for every test study here."""


def mount(where: Path, options: str) -> None:
    where.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}): "
                    "needs root with the privilege to mount")


@pytest.fixture
def tmpfs(tmp_path):
    where = tmp_path / "disk"
    mounted = []

    def make(options: str) -> Path:
        mount(where, options)
        mounted.append(where)
        return where

    yield make
    for path in mounted:
        subprocess.run(["umount", str(path)], capture_output=True)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def cli_args(files: list[str], out: Path) -> list[str]:
    return ["compare", *files, "--out", str(out), "--workers", "1", "--no-progress"]


def test_a_full_disk_stops_the_study_with_one_line_and_keeps_the_runs(tmp_path, tmpfs,
                                                                      monkeypatch, capsys):
    monkeypatch.setattr(study, "FLUSH_RUNS", 2)
    disk = tmpfs(f"size={TMPFS_SMALL}")
    out = disk / "out"
    replicates = 4
    files = scenario_files(tmp_path, replicates=replicates, horizon=SHORT)
    assert main(cli_args(files, out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert re.fullmatch(rf"missionsim: error: {re.escape(str(out))}: cannot write chunk "
                        r"(\d{6}) \(no space left on the device\); the runs stored before are "
                        r"kept: free some space, then run the same command with --resume",
                        err.strip()), err
    kept = len(Results.load(out).runs)
    assert 0 < kept < 2 * replicates
    assert not list((out / "chunks").glob(".*.tmp"))
    remount(disk, f"size={TMPFS_ROOMY}")
    assert main([*cli_args(files, out), "--resume"]) == 0
    assert_every_run_once(out, 2 * replicates, SHORT + 1)
    print(f"full tmpfs of {TMPFS_SMALL}: {kept} runs kept")


def test_a_read_only_disk_is_one_line_and_the_store_stays_readable(tmp_path, tmpfs, capsys):
    disk = tmpfs(f"size={TMPFS_ROOMY}")
    out = disk / "out"
    replicates = 2
    files = scenario_files(tmp_path, replicates=replicates, horizon=SHORT)
    assert main(cli_args(files, out)) == 0
    remount(disk, "ro")
    capsys.readouterr()
    for args, doing in ((cli_args(files, out), "write its lock file .lock"),
                        (cli_args(files, disk / "new"), "create the folder")):
        assert main([*args, "--resume"]) == 2
        err = capsys.readouterr().err
        assert err.strip() == (f"missionsim: error: {args[args.index('--out') + 1]}: cannot "
                               f"{doing} (read-only file system); make it writable or "
                               "choose another --out folder"), err
    assert main(["repair", str(out)]) == 2
    assert "read-only file system" in capsys.readouterr().err
    # reading needs no lock and no write
    assert main(["report", str(out), "--report", str(tmp_path / "report.html")]) == 0
    assert_every_run_once(out, 2 * replicates, SHORT + 1)
