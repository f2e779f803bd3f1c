"""The local worker pool starts once per process and is reused; work goes in chunks."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from missionsim.experiments import executors
from missionsim.experiments.executors import local


def whoami(x: int) -> tuple[int, int]:
    time.sleep(0.005)  # long enough that both workers take chunks
    return x, os.getpid()


def mark(item: tuple[str, int]) -> int:
    """Leave a file named after the item as it starts, then work a little."""
    folder, x = item
    (Path(folder) / str(x)).touch()
    time.sleep(0.05)
    return x


def fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


@pytest.fixture(autouse=True)
def fresh_pool():
    executors.shutdown()
    yield
    executors.shutdown()


def test_a_second_study_reuses_the_workers_of_the_first():
    first = dict(executors.imap(whoami, range(40), workers=2))
    second = dict(executors.imap(whoami, range(40), workers=2))
    assert [v[0] for _, v in sorted(first.items())] == list(range(40))
    pids_first = {pid for _, pid in first.values()}
    pids_second = {pid for _, pid in second.values()}
    # the same processes (on a busy machine one of them may take every chunk of the second)
    assert len(pids_first) == 2 and pids_second <= pids_first
    assert os.getpid() not in pids_first


def test_another_worker_count_replaces_the_pool():
    two = {pid for _, (_, pid) in executors.imap(whoami, range(64), workers=2)}
    three = {pid for _, (_, pid) in executors.imap(whoami, range(64), workers=3)}
    assert not two & three and len(three) == 3


def test_a_failing_study_discards_the_pool_and_the_next_one_starts_afresh():
    before = {pid for _, (_, pid) in executors.imap(whoami, range(8), workers=2)}
    with pytest.raises(ValueError, match="seven"):
        list(executors.imap(fail_on_seven, range(20), workers=2))
    after = {pid for _, (_, pid) in executors.imap(whoami, range(8), workers=2)}
    assert not before & after


@pytest.mark.parametrize(("items", "workers", "size"),
                         [(1, 2, 1), (20, 2, 1), (160, 2, 10), (6000, 2, 16), (6000, 16, 16)])
def test_chunks_give_each_worker_several_and_stay_bounded(items, workers, size):
    assert local.chunk_size(items, workers) == size


@pytest.mark.parametrize(("items", "most", "size"), [(6000, 1, 1), (160, 4, 4), (160, 12, 10),
                                                     (20, 4, 1)])
def test_a_most_per_chunk_lowers_the_chunk(items, most, size):
    assert local.chunk_size(items, 2, most) == size


@pytest.mark.parametrize(("max_chunk", "least", "most"), [(1, 1, 10), (None, 12, 60)])
def test_a_caller_that_stops_ends_the_work_in_hand_at_once(tmp_path, max_chunk, least, most):
    """Stopping after the first result stops the workers: nothing more starts or runs on.

    Run by run (``max_chunk=1``) the first result comes after one item, and a few have begun
    by then. In the chunks chosen for 200 items on 2 workers (12 each) it comes only once a
    whole chunk is done; the chunks still in hand or queued (up to six) are abandoned, not
    waited for.
    """
    items = [(str(tmp_path), x) for x in range(200)]
    runs = executors.imap(mark, items, workers=2, max_chunk=max_chunk)
    next(runs)
    runs.close()  # as a cancelled study does
    started = len(list(tmp_path.iterdir()))
    assert "pool" not in local._POOL  # forgotten: the next study starts a new one
    time.sleep(0.5)  # ten items' time: a worker still running would start more
    assert len(list(tmp_path.iterdir())) == started
    assert least <= started <= most
    # the next study gives every result
    again = dict(executors.imap(mark, items[:40], workers=2, max_chunk=max_chunk))
    assert again == {x: x for x in range(40)}


START_METHOD_PROBE = """
import math, sys, threading, warnings
warnings.simplefilter("error")  # the fork itself must not warn
from missionsim.experiments import executors
from missionsim.experiments.executors import local
stop = threading.Event()
if sys.argv[1] == "thread":  # another Python thread is running: forking is not safe
    threading.Thread(target=stop.wait, daemon=True).start()
got = dict(executors.imap(math.sqrt, [float(i) for i in range(30)], workers=2))
assert got == {i: math.sqrt(i) for i in range(30)}, got
print(local._POOL["pool"]._mp_context.get_start_method())
stop.set()
executors.shutdown()
"""


@pytest.mark.parametrize(("threads", "method"), [("none", "fork"), ("thread", "forkserver")])
def test_workers_fork_from_a_single_threaded_process_else_from_a_fork_server(threads, method):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", START_METHOD_PROBE, threads],
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == [method], out.stderr


@pytest.mark.filterwarnings("ignore:.*use of fork:DeprecationWarning")
def test_a_forked_worker_does_not_keep_the_lock_of_the_study_that_started_it(tmp_path):
    import multiprocessing

    from missionsim.experiments.store import lock

    fd = lock.take(tmp_path / "out")
    ctx = multiprocessing.get_context("fork")
    done = ctx.Event()
    child = ctx.Process(target=done.wait, args=(60,))
    child.start()  # forked while the lock is held, like a pool started by a study
    try:
        lock.release(fd)
        again = lock.take(tmp_path / "out")  # the worker still runs, the lock is free
        lock.release(again)
    finally:
        done.set()
        child.join(30)


CLI_PROBE = """
import sys
from missionsim.cli import main
from missionsim.experiments.executors import local
try:
    main(["compare", sys.argv[1], sys.argv[2], "--replicates", "2", "--workers", "2",
          "--out", sys.argv[3]])
except SystemExit as exc:
    assert not exc.code, exc.code
print(local._POOL["pool"]._mp_context.get_start_method())
"""


def test_the_command_line_forks_its_workers_under_its_progress_bar(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    out = subprocess.run([sys.executable, "-c", CLI_PROBE, str(scenarios / "baseline.toml"),
                          str(scenarios / "devolution.toml"), str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split()[-1] == "fork", out.stderr
