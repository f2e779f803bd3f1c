"""The Compare page's background job: a comparison in a thread, with progress and cancel.

:class:`CompareJob` runs :func:`missionsim.experiments.study.compare` — the same study as
``missionsim compare`` — in a thread owned by the browser session, on local worker processes,
so the server stays responsive while it runs. It counts the runs; :meth:`CompareJob.cancel`
stops the study after the run in hand (the worker processes are shut down and queued runs
dropped). When the study is done the job holds its results, what the page draws of them
(:class:`~missionsim.ui.comparison.ComparisonView`) and downloads of the results (CSV) and of
the report (HTML).

Nothing here depends on Solara, so the job is tested without a browser.
"""

from __future__ import annotations

import abc
import dataclasses
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from missionsim.experiments import study
from missionsim.experiments.executors import available_cores
from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import Scenario, ScenarioError
from missionsim.experiments.study import Results, RunError
from missionsim.ui.comparison import ComparisonView, describe, effect_table_html
from missionsim.writeup import report

log = logging.getLogger(__name__)

REPORT_NAME = "missionsim-report.html"
"""The report download's file name."""

# the states a job goes through
READY = "ready"
RUNNING = "running"
CANCELLING = "cancelling"
CANCELLED = "cancelled"
FINISHED = "finished"
FAILED = "failed"
FINAL_STATES = (CANCELLED, FINISHED, FAILED)
"""The states a job ends in."""
RUN_BY_RUN = 1
"""Runs the app's studies send to a worker at once: one, so that progress moves run by run and
Cancel takes effect when the next run finishes (``RunOptions.max_chunk``), not the next chunk
(in chunks of 12 a cancelled 200-run comparison went on for 6–9 s); a run costs far more than
sending it."""


def failure_message(exc: BaseException) -> str:
    """A readable one-line message for an error raised while preparing or running a study."""
    if isinstance(exc, ScenarioError | ValueError | RunError):
        return str(exc)
    return f"The comparison stopped with an error: {type(exc).__name__}: {exc}"


class _Cancelled(Exception):
    """Raised from the progress callback to stop a study."""


@dataclass(frozen=True)
class Progress:
    """A consistent reading of a job: its state, runs done and planned, and any error."""

    state: str
    done: int
    total: int
    error: str = ""

    @property
    def text(self) -> str:
        """What the page says about it, e.g. '12 of 30 runs'."""
        if self.state == CANCELLED:
            return f"Cancelled after {self.done} of {self.total} runs"
        if self.state == CANCELLING:
            return f"Cancelling after {self.done} of {self.total} runs…"
        if self.state == FINISHED:
            return f"Finished: {self.done} of {self.total} runs"
        if self.state == FAILED:
            return f"Stopped after {self.done} of {self.total} runs: {self.error}"
        return f"{self.done} of {self.total} runs"


class BackgroundJob(abc.ABC):
    """Work run once in a background thread: start, cancel, wait, and consistent readings.

    The shared machinery of :class:`CompareJob` and
    :class:`~missionsim.ui.advice_job.AdviceJob`. A subclass names itself in :attr:`WHAT`
    and its thread in :attr:`THREAD`, does the work in :meth:`_work` (whose progress
    callbacks raise :class:`_Cancelled` once :meth:`stopping`) and keeps the result in
    :meth:`_keep`; :meth:`_tell` is called after every change of state.

    Args:
        on_progress: The subclass's progress callback (kept as :attr:`on_progress`).
        abandon: An event that cancels the job when set (e.g. the browser session closing).
    """

    WHAT = "job"
    """What the job is called in its messages."""
    THREAD = "missionsim-job"
    """The name of its thread."""

    def __init__(self, on_progress: Callable | None, abandon: threading.Event | None) -> None:
        self.on_progress = on_progress
        self.abandon = abandon
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._result: object = None
        self._downloads: dict[str, bytes] = {}
        self._download_lock = threading.Lock()
        self.state = READY
        self.done = 0
        self.total = 0
        self.error = ""
        self.seconds = 0.0

    # --- control ---------------------------------------------------------------------------
    def start(self):
        """Start the work in a background thread; return the job.

        Raises:
            RuntimeError: If the job was started before.
        """
        with self._lock:
            if self.state != READY:
                raise RuntimeError(f"this {self.WHAT} was started before; make a new one")
            self.state = RUNNING
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._run, name=self.THREAD, daemon=True)
            self._thread.start()
        self._tell()
        return self

    def cancel(self) -> None:
        """Ask the work to stop after the run in hand (returns at once)."""
        self._cancel.set()
        with self._lock:
            if self.state == RUNNING:
                self.state = CANCELLING
        self._tell()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job to be over; return whether it is."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.over

    @property
    def over(self) -> bool:
        """Whether the job finished, failed or was cancelled."""
        with self._lock:
            return self.state in FINAL_STATES

    def stopping(self) -> bool:
        """Whether the job was cancelled or abandoned."""
        return self._cancel.is_set() or (self.abandon is not None and self.abandon.is_set())

    # --- the work --------------------------------------------------------------------------
    def _tell(self) -> None:  # noqa: B027 - an optional hook: doing nothing is the default
        """Called after every change of state (nothing by default)."""

    @abc.abstractmethod
    def _work(self) -> object:
        """Do the work and return its result."""

    @abc.abstractmethod
    def _keep(self, result: object) -> object:
        """Keep a finished job's result (called under the lock); return what downloads read."""

    def _failure(self, exc: BaseException) -> str:
        """The one-line message of an error raised by the work."""
        return failure_message(exc)

    def _run(self) -> None:
        result: object = None
        error = ""
        cancelled = False
        try:
            if self.stopping():
                raise _Cancelled
            result = self._work()
        except _Cancelled:
            cancelled = True
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            if not isinstance(exc, ScenarioError):
                log.exception("the %s failed", self.WHAT)
            error = self._failure(exc)
        # by here the study in hand has shut its worker processes down, even when cancelled
        with self._lock:
            self.seconds = time.monotonic() - self._started
            if cancelled:
                self.state = CANCELLED
            elif error:
                self.state, self.error = FAILED, error
            else:
                self._result = self._keep(result)
                self.state = FINISHED
        self._tell()

    # --- downloads -------------------------------------------------------------------------
    def _download(self, key: str, make: Callable[[object], bytes]) -> bytes:
        """``make(result)``, made once and kept (a finished job only)."""
        with self._download_lock:
            if key not in self._downloads:
                if self._result is None:
                    raise RuntimeError(f"the {self.WHAT} has nothing to download yet")
                self._downloads[key] = make(self._result)
            return self._downloads[key]


class CompareJob(BackgroundJob):
    """A comparison run in a background thread, with progress and cancellation.

    Thread-safe: :meth:`start`, :meth:`cancel` and every reading may be called from any thread.
    The study is :func:`missionsim.experiments.study.compare` with the given settings, so its
    results equal those of a direct call (same seeds, same tables).

    Args:
        scenarios: The scenarios to compare (validated
            :class:`~missionsim.experiments.scenario.Scenario`).
        replicates: Paired replicates per scenario.
        baseline: Name of the scenario the others are compared with (default: the first).
        workers: Local worker processes (default: one per available core, at most one per
            run).
        seed: Root seed (default: the baseline's).
        on_progress: Called as ``on_progress(done, total)`` after each run, in the job's
            thread.
        abandon: An event that cancels the job when set (e.g. the browser session closing).

    Attributes:
        state: ``ready``, ``running``, ``cancelling``, ``cancelled``, ``finished`` or
            ``failed``.
        done: Runs completed so far.
        total: Runs planned.
        error: One-line message when the job failed.
        results: The study's :class:`~missionsim.experiments.study.Results` once finished.
        view: What the page draws (:class:`ComparisonView`) once finished.
        seconds: Wall-clock seconds the job took (once over).

    Raises:
        ScenarioError: If the baseline is not one of the scenarios or ``replicates`` is not a
            whole number ≥ 1.
    """

    WHAT = "comparison"
    THREAD = "missionsim-compare"

    def __init__(self, scenarios: Sequence[Scenario], replicates: int,
                 baseline: str | None = None, workers: int | None = None,
                 seed: int | None = None,
                 on_progress: Callable[[int, int], None] | None = None,
                 abandon: threading.Event | None = None) -> None:
        self.scenarios = list(scenarios)
        if not self.scenarios:
            raise ScenarioError("compare: expected at least one scenario")
        names = [s.name for s in self.scenarios]
        self.baseline = names[0] if baseline is None else baseline
        if self.baseline not in names:
            raise ScenarioError(f"baseline {self.baseline!r}: expected one of "
                                f"{', '.join(names)}")
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
            raise ScenarioError(f"replicates = {replicates!r}: expected a whole number ≥ 1")
        self.replicates = replicates
        self.seed = seed
        self.workers = workers or max(1, min(available_cores(),
                                             len(self.scenarios) * replicates))
        super().__init__(on_progress, abandon)
        self.total = len(self.scenarios) * replicates
        self.results: Results | None = None
        self.view: ComparisonView | None = None

    # --- readings --------------------------------------------------------------------------
    def progress(self) -> Progress:
        """A consistent reading of the state, runs done, runs planned and error."""
        with self._lock:
            return Progress(self.state, self.done, self.total, self.error)

    # --- the study -------------------------------------------------------------------------
    def _on_result(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, total
        if self.on_progress is not None:
            self.on_progress(done, total)
        if done < total and self.stopping():
            raise _Cancelled

    def _work(self) -> tuple[Results, ComparisonView]:
        options = RunOptions(workers=self.workers, on_result=self._on_result,
                             max_chunk=RUN_BY_RUN)
        results = study.compare(self.scenarios, replicates=self.replicates,
                                baseline=self.baseline, seed=self.seed, options=options)
        view = describe(results, self.baseline)
        titles = {sc.name: sc.title for sc in self.scenarios}  # rows by title, not name
        return results, dataclasses.replace(
            view, table_html=effect_table_html(view.summary, titles))

    def _keep(self, result: tuple[Results, ComparisonView]) -> Results:
        self.results, self.view = result
        return self.results

    # --- downloads -------------------------------------------------------------------------
    def csv_bytes(self) -> bytes:
        """The tidy month-by-run table (``Results.frame()``) as CSV, UTF-8."""
        return self._download("csv", lambda r: r.frame().to_csv(index=False).encode("utf-8"))

    def report_bytes(self) -> bytes:
        """The self-contained HTML report (:func:`missionsim.writeup.report.write_report`)."""

        def make(results: Results) -> bytes:
            with tempfile.TemporaryDirectory(prefix="missionsim-report-") as tmp:
                path = report.write_report(results, Path(tmp) / REPORT_NAME,
                                           baseline=self.baseline)
                return path.read_bytes()

        return self._download("report", make)


def safe_download(make: Callable[[], bytes], what: str) -> bytes:
    """The download's bytes; on failure a short text file saying why (logged)."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - a download must never raise into the page
        log.exception("preparing the %s download failed", what)
        return f"The {what} could not be prepared: {failure_message(exc)}\n".encode()



__all__ = ["CANCELLED", "CANCELLING", "FAILED", "FINAL_STATES", "FINISHED", "READY", "RUNNING",
           "BackgroundJob", "CompareJob", "Progress", "failure_message", "safe_download"]
