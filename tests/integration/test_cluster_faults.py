"""Faults of a dask cluster: each is one ClusterError line, in bounded time, and keeps runs.

Everything stays on loopback (127.0.0.1): fake servers run in threads of the test, and a real
dask scheduler and worker run as subprocesses that the tests kill, freeze or leave without
workers. The time-outs are shortened through their environment variables.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from missionsim.cli import main
from missionsim.errors import ClusterError
from missionsim.experiments.executors import imap
from missionsim.experiments.executors.connect import (
    CONNECT_SECONDS_ENV,
    NO_WORKERS_SECONDS_ENV,
    cluster_seconds,
    scheduler_address,
)
from missionsim.experiments.executors.dask import SILENT_CHECKS
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.store import Store
from missionsim.experiments.study import compare
from missionsim.limits import CLUSTER_CONNECT_SECONDS, CLUSTER_NO_WORKERS_SECONDS

distributed = pytest.importorskip("distributed")

LOOPBACK = "127.0.0.1"
CONNECT_S = 8.0
"""Connect (and answer) time-out set for the tests; the default is 10 s. Shorter limits let a
healthy scheduler on a loaded 2-core machine (the whole suite running) miss one and look
lost."""
NO_WORKERS_S = 3.0
"""No-worker limit set for the tests; the default is 60 s."""
SLACK_S = 8.0
"""Allowance beyond a time-out on a busy machine: polling, closing the client."""
START_S = 60.0
"""Longest wait for a subprocess (scheduler, worker, the command line) to get going."""
REPLICATES = 40
"""Replicates per scenario in the killed studies: 80 runs, several seconds on one worker, so a
fault injected after the first stored runs lands mid-study."""
STORED_BEFORE_FAULT = 2
"""Runs stored before a fault is injected."""


@pytest.fixture(autouse=True)
def short_limits(monkeypatch):
    monkeypatch.setenv(CONNECT_SECONDS_ENV, str(CONNECT_S))
    monkeypatch.setenv(NO_WORKERS_SECONDS_ENV, str(NO_WORKERS_S))


def timed(call: Callable[[], object]) -> tuple[ClusterError, float]:
    """The ClusterError ``call()`` raises and the seconds it took."""
    start = time.monotonic()
    with pytest.raises(ClusterError) as info:
        call()
    return info.value, time.monotonic() - start


def study(address: str) -> Callable[[], object]:
    return lambda: list(imap(abs, [-1, -2, -3], scheduler=address))


# --- fake servers ---------------------------------------------------------------------------
@contextmanager
def serving(on_accept: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server on loopback calling ``on_accept`` with each connection; yields its address."""
    server = socket.create_server((LOOPBACK, 0))
    server.settimeout(0.1)  # so that the accept loop sees the stop flag
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)
            with suppress(OSError):
                on_accept(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"tcp://{LOOPBACK}:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
        for conn in held:
            conn.close()


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@contextmanager
def http_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the address and the limits -------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("127.0.0.1:8786", "tcp://127.0.0.1:8786"),
    (" tcp://127.0.0.1:8786 ", "tcp://127.0.0.1:8786"),
    ("TLS://scheduler.example:443", "tls://scheduler.example:443"),
    ("tcp://[::1]:8786", "tcp://[::1]:8786"),
])
def test_addresses_are_normalised(text, expected):
    assert scheduler_address(text) == expected


@pytest.mark.parametrize("bad", ["", "127.0.0.1", "tcp://", "http://127.0.0.1:8786",
                                 "127.0.0.1:0", "127.0.0.1:70000", "tcp://127.0.0.1:8786/x",
                                 "a b:8786", "x" * 500 + ":1"])
def test_a_malformed_address_is_refused_before_any_connection(bad):
    error, seconds = timed(study(bad))
    assert "expected tcp://HOST:PORT or HOST:PORT" in str(error)
    assert len(str(error).splitlines()) == 1 and len(str(error)) < 300
    assert seconds < 1


def test_a_scheduler_of_another_type_is_refused():
    error, _ = timed(lambda: list(imap(abs, [1], scheduler=42)))
    assert "expected an address" in str(error)


def test_time_outs_come_from_the_environment(monkeypatch):
    assert cluster_seconds(CONNECT_SECONDS_ENV, CLUSTER_CONNECT_SECONDS) == CONNECT_S
    monkeypatch.delenv(NO_WORKERS_SECONDS_ENV)
    assert (cluster_seconds(NO_WORKERS_SECONDS_ENV, CLUSTER_NO_WORKERS_SECONDS)
            == CLUSTER_NO_WORKERS_SECONDS)
    for bad in ("soon", "0", "-1", "inf", "nan"):
        monkeypatch.setenv(NO_WORKERS_SECONDS_ENV, bad)
        with pytest.raises(ValueError, match=f"{NO_WORKERS_SECONDS_ENV} = .*seconds > 0"):
            cluster_seconds(NO_WORKERS_SECONDS_ENV, CLUSTER_NO_WORKERS_SECONDS)


# --- what answers is not a scheduler --------------------------------------------------------
def test_a_closed_port_is_reported_at_once():
    with socket.socket() as reserved:  # bound but not listening: connections are refused
        reserved.bind((LOOPBACK, 0))
        address = f"tcp://{LOOPBACK}:{reserved.getsockname()[1]}"
        error, seconds = timed(study(address))
    assert str(error).startswith(f"dask scheduler {address}: cannot connect: connection refused")
    assert seconds < CONNECT_S


def test_a_server_that_never_replies_times_out():
    with serving(lambda conn: None) as address:
        error, seconds = timed(study(address))
    assert str(error) == (f"dask scheduler {address}: accepted the connection but sent no dask "
                          f"reply within {CONNECT_S:g} s (is it a dask scheduler's address?)")
    assert CONNECT_S - 0.5 < seconds < CONNECT_S + SLACK_S


def test_a_server_that_replies_in_another_protocol_is_recognised():
    def answer(conn: socket.socket) -> None:  # what an HTTP server says to a binary request
        conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    with serving(answer) as address:
        error, seconds = timed(study(address))
    assert str(error) == (f"dask scheduler {address}: replied in another protocol than dask's "
                          "(is it a dask scheduler's address?)")
    assert seconds < CONNECT_S + SLACK_S


def test_a_server_that_hangs_up_is_recognised():
    with serving(lambda conn: conn.close()) as address:
        error, seconds = timed(study(address))
    assert "closed the connection without a dask reply" in str(error)
    assert seconds < CONNECT_S + SLACK_S


def test_an_http_server_is_one_line_with_status_2_from_the_command_line(tmp_path):
    scenario = tmp_path / "a.toml"
    scenario.write_text('name = "a"\nhorizon = 12\nseed = 1\n[world]\npreset = "small"\n')
    with http_server() as address:
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "missionsim.cli", "compare", str(scenario), "--replicates",
             "2", "--no-progress", "--out", str(tmp_path / "out"), "--scheduler", address],
            capture_output=True, text=True, timeout=START_S + CONNECT_S + SLACK_S)
        seconds = time.monotonic() - start
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"missionsim: error: dask scheduler {address}: accepted the "
                                  f"connection but sent no dask reply within {CONNECT_S:g} s")
    assert seconds < START_S + CONNECT_S + SLACK_S
    # nothing was stored, so the folder is free for the same study once a cluster is up
    assert main(["compare", str(scenario), "--replicates", "2", "--workers", "1",
                 "--no-progress", "--out", str(tmp_path / "out")]) == 0


# --- a real scheduler, in this process ------------------------------------------------------
# Without a dashboard the scheduler still serves HTTP on loopback, on port 8787 when it is free.
port_warning = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


@port_warning
def test_a_scheduler_without_workers_stops_after_the_limit():
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  dashboard_address=None, host=LOOPBACK) as cluster:
        error, seconds = timed(study(cluster.scheduler_address))
        assert str(error) == (f"dask scheduler {cluster.scheduler_address}: no worker for "
                              f"{NO_WORKERS_S:g} s (start workers with `dask worker "
                              f"{cluster.scheduler_address}`)")
        assert NO_WORKERS_S <= seconds < NO_WORKERS_S + SLACK_S
        with distributed.Client(cluster) as client:
            error, seconds = timed(study(client))
        assert "no worker for" in str(error)
        assert NO_WORKERS_S <= seconds < NO_WORKERS_S + SLACK_S


@port_warning
def test_a_worker_address_is_not_a_scheduler():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp", dashboard_address=None,
                                  host=LOOPBACK) as cluster:
        worker = next(iter(cluster.workers.values())).address
        error, _ = timed(study(worker))
        assert str(error) == f"dask scheduler {worker}: is a dask Worker, not a scheduler"
        assert sorted(imap(abs, [-1, -2, -3], scheduler=cluster.scheduler_address)) == [
            (0, 1), (1, 2), (2, 3)]


@port_warning
@pytest.mark.slow
def test_a_run_that_keeps_killing_its_worker_is_reported(monkeypatch):
    # the nanny restarts the worker each time (which may take longer than the shortened
    # no-worker limit on a busy machine); dask gives up after its allowed failures
    monkeypatch.setenv(NO_WORKERS_SECONDS_ENV, str(START_S))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host=LOOPBACK) as cluster:
        error, _ = timed(lambda: list(imap(os._exit, [1], scheduler=cluster.scheduler_address)))
    assert str(error) == (f"dask scheduler {cluster.scheduler_address}: workers died while "
                          "running a run, too often to retry (check the workers' memory and "
                          "logs)")


# --- a real cluster of subprocesses, faults mid-study ---------------------------------------
@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    worker: subprocess.Popen


def _signal(proc: subprocess.Popen, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)  # its own session: the process and any child it started


@pytest.fixture
def cluster(tmp_path) -> Iterator[Cluster]:
    """A dask scheduler and one single-threaded worker (no nanny) on loopback."""
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", *args], cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        procs.append(proc)
        return proc

    info = tmp_path / "scheduler.json"
    try:
        scheduler = start("distributed.cli.dask_scheduler", "--host", LOOPBACK, "--port", "0",
                          "--no-dashboard", "--scheduler-file", str(info))
        deadline = time.monotonic() + START_S
        address = None
        while address is None and time.monotonic() < deadline and scheduler.poll() is None:
            with suppress(OSError, ValueError, KeyError):
                address = json.loads(info.read_text())["address"]
            time.sleep(0.1)
        assert address, "the dask scheduler did not start"
        worker = start("distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                       "--no-dashboard", "--host", LOOPBACK, "--local-directory",
                       str(tmp_path / "worker"))
        with distributed.Client(address, timeout=START_S) as client:
            client.wait_for_workers(1, timeout=START_S)
        yield Cluster(address, scheduler, worker)
    finally:
        for proc in procs:
            _signal(proc, signal.SIGKILL)
            proc.wait(timeout=START_S)


def scenario_files(tmp_path: Path) -> list[str]:
    files = []
    for name, extra in (("base", ""), ("devolved", "[reforms.devolution]\nstart = 3")):
        path = tmp_path / f"{name}.toml"
        path.write_text(f'name = "{name}"\nhorizon = 24\nseed = 7\n[world]\npreset = "small"\n'
                        f"{extra}\n")
        files.append(str(path))
    return files


def run_until_stored_then(cluster: Cluster, tmp_path: Path, fault: Callable[[], None]):
    """Start a stored study on ``cluster``, inject ``fault`` once runs are stored; return the
    command's outcome, the seconds from the fault to its exit, and the study's arguments."""
    out = tmp_path / "out"
    args = ["compare", *scenario_files(tmp_path), "--replicates", str(REPLICATES),
            "--no-progress", "--out", str(out)]
    env = {**os.environ, "MISSIONSIM_FLUSH_RUNS": "1"}  # each run is stored as it arrives
    proc = subprocess.Popen([sys.executable, "-m", "missionsim.cli", *args, "--scheduler",
                             cluster.address], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        store = Store(out)
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list(store.chunks.glob("*.months.parquet"))) >= STORED_BEFORE_FAULT:
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the study ended before the fault: {proc.stderr.read()}"
        fault()
        start = time.monotonic()
        _, stderr = proc.communicate(timeout=START_S)
        return proc.returncode, stderr, time.monotonic() - start, args
    finally:
        _signal(proc, signal.SIGKILL)
        proc.wait(timeout=START_S)


def assert_kept(out: Path) -> int:
    kept = Store(out).completed()
    assert STORED_BEFORE_FAULT <= len(kept) < 2 * REPLICATES
    return len(kept)


@pytest.mark.slow
def test_a_scheduler_killed_mid_study_then_resume_on_local_processes(cluster, tmp_path):
    status, stderr, seconds, args = run_until_stored_then(
        cluster, tmp_path, lambda: _signal(cluster.scheduler, signal.SIGKILL))
    assert status == 2, stderr
    assert stderr == (f"missionsim: error: dask scheduler {cluster.address}: lost the connection "
                      "to the scheduler (it stopped, or the network failed)\n")
    assert seconds < SLACK_S
    assert_kept(tmp_path / "out")

    assert main([*args, "--resume", "--workers", "2"]) == 0
    results = Results.load(tmp_path / "out")
    assert results.complete and len(results.runs) == 2 * REPLICATES
    assert results.runs["run_id"].is_unique
    assert results.months.groupby("run_id").size().eq(25).all()
    # the runs done on the cluster and those resumed locally are the serial ones
    serial = compare(scenario_files(tmp_path), replicates=2, options=RunOptions(workers=1))
    first = results.runs[results.runs["replicate"] < 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, serial.runs, check_dtype=False)


@pytest.mark.slow
def test_all_workers_killed_mid_study_stop_it_after_the_no_worker_limit(cluster, tmp_path):
    status, stderr, seconds, _ = run_until_stored_then(
        cluster, tmp_path, lambda: _signal(cluster.worker, signal.SIGKILL))
    assert status == 2, stderr
    assert stderr == (f"missionsim: error: dask scheduler {cluster.address}: no worker for "
                      f"{NO_WORKERS_S:g} s (start workers with `dask worker {cluster.address}`)"
                      "\n")
    assert NO_WORKERS_S <= seconds < NO_WORKERS_S + SLACK_S
    assert_kept(tmp_path / "out")


@pytest.mark.slow
def test_a_frozen_scheduler_stops_the_study_after_the_time_out(cluster, tmp_path):
    status, stderr, seconds, _ = run_until_stored_then(
        cluster, tmp_path, lambda: _signal(cluster.scheduler, signal.SIGSTOP))
    assert status == 2, stderr
    assert stderr == (f"missionsim: error: dask scheduler {cluster.address}: stopped answering "
                      f"(no reply within {SILENT_CHECKS * CONNECT_S:g} s)\n")
    # a result fetch in flight may wait one time-out before the health checks wait theirs
    assert SILENT_CHECKS * CONNECT_S <= seconds < (SILENT_CHECKS + 1) * CONNECT_S + SLACK_S
    assert_kept(tmp_path / "out")
