"""The Advise page's background job: an advice search in a thread, with progress and cancel.

:class:`AdviceJob` runs :func:`missionsim.analysis.advise.advise` (the search of ``missionsim
advise``) in a thread owned by the browser session, on local worker processes, so the server
stays responsive while it runs. It follows the search generation by generation (advise's
``log`` lines) and run by run within a generation (``RunOptions.on_result``);
:meth:`AdviceJob.cancel` stops it after the run in hand (the worker processes are shut down
and queued runs dropped). When the search is done the job holds the
:class:`~missionsim.analysis.advise.Advice`, what the page draws of it
(:class:`~missionsim.ui.advice_view.AdviceView`) and its downloads: the advice record
(``advice.json``, ``pareto.csv``, and every file :meth:`~missionsim.analysis.advise.Advice.write`
writes, zipped) and, made on demand in the background because it runs a further comparison,
the options appraisal (:func:`missionsim.writeup.appraisal.write_appraisal`).

Nothing here depends on Solara, so the job is tested without a browser.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from missionsim.analysis.advise import Advice, AdviseSettings, advise
from missionsim.experiments.executors import available_cores
from missionsim.experiments.options import RunOptions
from missionsim.ui.advice_view import AdviceView, describe
from missionsim.ui.jobs import (
    CANCELLED,
    CANCELLING,
    FAILED,
    FINISHED,
    READY,
    RUN_BY_RUN,
    RUNNING,
    BackgroundJob,
    _Cancelled,
)

log = logging.getLogger(__name__)

APPRAISAL_NAME = "missionsim-appraisal.html"
"""The appraisal download's file name."""
RECORD_NAME = "missionsim-advice.json"
"""The advice record download's file name."""
PARETO_NAME = "missionsim-pareto.csv"
"""The Pareto front download's file name."""
ZIP_NAME = "missionsim-advice.zip"
"""The download of every file the advice writes."""
GENERATION_LINE = re.compile(r"^generation (\d+)/(\d+):")
"""How advise's log line at the start of a generation reads (``generation 2/3: …``)."""


def failure_message(exc: BaseException) -> str:
    """A readable one-line message for an error raised while preparing or running a search."""
    if isinstance(exc, ValueError):  # ScenarioError, StoreError, DiscoveryError: one line each
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"The search stopped with an error: {type(exc).__name__}: {exc}"


@dataclass(frozen=True)
class Progress:
    """A consistent reading of a job.

    Attributes:
        state: ``ready``, ``running``, ``cancelling``, ``cancelled``, ``finished`` or
            ``failed``.
        generation: The generation running (1 the first; 0 before it starts).
        generations: Generations planned.
        done: Runs done in this generation.
        total: Runs of this generation.
        error: One-line message when the job failed.
    """

    state: str
    generation: int
    generations: int
    done: int = 0
    total: int = 0
    error: str = ""

    @property
    def text(self) -> str:
        """What the page says about it, e.g. 'Generation 2 of 3: 40 of 96 runs'."""
        where = (f"in generation {self.generation} of {self.generations}" if self.generation
                 else "before the first generation")
        if self.state == CANCELLED:
            return f"Cancelled {where}"
        if self.state == CANCELLING:
            return f"Cancelling {where}…"
        if self.state == FINISHED:
            return f"Finished: {self.generations} generations"
        if self.state == FAILED:
            return f"Stopped {where}: {self.error}"
        if not self.generation:
            return "Drawing the futures…"
        runs = f": {self.done} of {self.total} runs" if self.total else ""
        return f"Generation {self.generation} of {self.generations}{runs}"


class AdviceJob(BackgroundJob):
    """An advice search run in a background thread, with progress and cancellation.

    Thread-safe: :meth:`start`, :meth:`cancel` and every reading may be called from any
    thread. The search is :func:`~missionsim.analysis.advise.advise` with the given settings,
    so its answer equals that of a direct call (same seeds, same candidates).

    Args:
        settings: Validated settings (:func:`missionsim.ui.advice_form.check_inputs`).
        workers: Local worker processes (default: one per available core).
        on_progress: Called with a :class:`Progress` whenever it changes, in the job's thread.
        abandon: An event that cancels the job when set (e.g. the browser session closing).

    Attributes:
        state: As :attr:`Progress.state`.
        advice: The :class:`~missionsim.analysis.advise.Advice` once finished.
        view: What the page draws of it (:class:`~missionsim.ui.advice_view.AdviceView`).
        lines: Advise's log lines so far.
        seconds: Wall-clock seconds the job took (once over).
        appraisal: The appraisal made on demand (:class:`AppraisalTask`).
    """

    WHAT = "advice search"
    THREAD = "missionsim-advise"

    def __init__(self, settings: AdviseSettings, workers: int | None = None,
                 on_progress: Callable[[Progress], None] | None = None,
                 abandon: threading.Event | None = None) -> None:
        if not isinstance(settings, AdviseSettings):
            raise TypeError("AdviceJob: settings must be AdviseSettings (load_settings)")
        self.settings = settings
        self.workers = workers or available_cores()
        super().__init__(on_progress, abandon)
        self.generation = 0
        self.generations = settings.search.generations
        self.lines: list[str] = []
        self.advice: Advice | None = None
        self.view: AdviceView | None = None
        self.appraisal = AppraisalTask(self)

    # --- readings --------------------------------------------------------------------------
    def progress(self) -> Progress:
        """A consistent reading of the state, generation, runs and error."""
        with self._lock:
            return Progress(self.state, self.generation, self.generations, self.done,
                            self.total, self.error)

    # --- the search ------------------------------------------------------------------------
    def _tell(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.progress())

    def _failure(self, exc: BaseException) -> str:
        return failure_message(exc)

    def _on_line(self, line: str) -> None:
        """Advise's log: one line at the start of each generation, and one when done."""
        found = GENERATION_LINE.match(line)
        with self._lock:
            self.lines.append(line)
            if found:
                self.generation, self.generations = int(found[1]), int(found[2])
                self.done = self.total = 0
        self._tell()
        if found and self.stopping():
            raise _Cancelled

    def _on_result(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, total
        self._tell()
        if done < total and self.stopping():
            raise _Cancelled

    def _work(self) -> tuple[Advice, AdviceView]:
        options = RunOptions(workers=self.workers, on_result=self._on_result,
                             max_chunk=RUN_BY_RUN)
        advice = advise(settings=self.settings, options=options, log=self._on_line)
        return advice, describe(advice)

    def _keep(self, result: tuple[Advice, AdviceView]) -> Advice:
        self.advice, self.view = result
        return self.advice

    # --- downloads -------------------------------------------------------------------------
    def _written(self, advice: Advice) -> dict[str, bytes]:
        """Every file :meth:`Advice.write` writes, by name."""
        with tempfile.TemporaryDirectory(prefix="missionsim-advice-") as tmp:
            return {p.name: p.read_bytes() for p in advice.write(Path(tmp))}

    def record_bytes(self) -> bytes:
        """``advice.json``: the settings, plan, seeds, versions, front and preferred option."""
        return self._download("json", lambda a: self._written(a)["advice.json"])

    def pareto_bytes(self) -> bytes:
        """``pareto.csv``: the front's packages with every measure."""
        return self._download("pareto", lambda a: self._written(a)["pareto.csv"])

    def zip_bytes(self) -> bytes:
        """Every file the advice writes (:data:`~missionsim.analysis.advise.engine.FILES`)."""

        def make(advice: Advice) -> bytes:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in self._written(advice).items():
                    archive.writestr(name, data)
            return buffer.getvalue()

        return self._download("zip", make)


class AppraisalTask:
    """The options appraisal of a finished search, made on demand in a background thread.

    :func:`~missionsim.writeup.appraisal.write_appraisal` runs a further paired comparison
    (business as usual and the shortlisted options at equal cost, as many replicates as the
    advice has futures), so the page makes it only when asked. It stops when the browser
    session closes.

    Attributes:
        state: ``ready``, ``running``, ``finished`` or ``failed``.
        error: One-line message when it failed.
        data: The HTML page's bytes once finished.
    """

    def __init__(self, job: AdviceJob) -> None:
        self.job = job
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.state = READY
        self.error = ""
        self.data = b""

    def start(self) -> None:
        """Start making the appraisal (once; later calls do nothing while it runs or is made).

        Raises:
            RuntimeError: If the search has no advice yet.
        """
        if self.job.advice is None:
            raise RuntimeError("the search has no advice yet")
        with self._lock:
            if self.state in (RUNNING, FINISHED):
                return
            self.state, self.error = RUNNING, ""
            self._thread = threading.Thread(target=self._run, name="missionsim-appraisal",
                                            daemon=True)
            self._thread.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the appraisal to be made or to fail; return whether it is over."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            return self.state in (FINISHED, FAILED)

    def reading(self) -> tuple[str, str]:
        """A consistent reading: ``(state, error)``."""
        with self._lock:
            return self.state, self.error

    def _on_result(self, done: int, total: int) -> None:
        abandon = self.job.abandon
        if done < total and abandon is not None and abandon.is_set():
            raise _Cancelled

    def _run(self) -> None:
        from missionsim.writeup.appraisal import write_appraisal

        data, error = b"", ""
        try:
            options = RunOptions(workers=self.job.workers, on_result=self._on_result,
                                 max_chunk=RUN_BY_RUN)
            with tempfile.TemporaryDirectory(prefix="missionsim-appraisal-") as tmp:
                path = write_appraisal(self.job.advice, Path(tmp) / APPRAISAL_NAME,
                                       options=options)
                data = path.read_bytes()
        except _Cancelled:
            error = "The appraisal was stopped: the browser session closed."
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            log.exception("making the appraisal failed")
            error = failure_message(exc).replace("The search", "The appraisal")
        with self._lock:
            if error:
                self.state, self.error = FAILED, error
            else:
                self.state, self.data = FINISHED, data


__all__ = ["APPRAISAL_NAME", "PARETO_NAME", "RECORD_NAME", "ZIP_NAME", "AdviceJob",
           "AppraisalTask", "Progress", "failure_message"]
