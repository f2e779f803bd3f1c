"""The Compare page: 2 to 4 scenarios over paired replicates, run in the background.

The page runs :func:`missionsim.experiments.study.compare` — the same study as ``missionsim
compare`` — in a thread owned by the browser session, on local worker processes, so the server stays
responsive while it runs. A progress bar counts the runs; Cancel stops the study after the run in
hand (the worker processes are shut down and queued runs dropped). When the study is done the page
shows fan charts of the mission indicator, the effect table of
:func:`missionsim.analysis.stats.summarise` and :func:`missionsim.writeup.summary.effect_table` (the
figures the terminal and the HTML report show), a one-line headline, and downloads of the results
(CSV) and of the report (HTML).

:class:`CompareJob` holds the study and knows nothing of Solara, so it is tested without a
browser. The page keeps the session's job and settings in kernel-scoped reactive variables:
each browser session has its own, and a study keeps running while the user looks at another
page of the app. When the session closes, its study is cancelled.
"""

from __future__ import annotations

import html
import logging
import math
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import solara

from missionsim.analysis import stats
from missionsim.experiments import study
from missionsim.experiments.execution import available_cores
from missionsim.experiments.scenario import Scenario, ScenarioError
from missionsim.experiments.study import Results, RunError
from missionsim.model.missions import MISSIONS, Mission
from missionsim.ui import svg
from missionsim.ui.live import base_scenario, choices
from missionsim.writeup import report
from missionsim.writeup.summary import effect_table

log = logging.getLogger(__name__)

SCENARIOS_RANGE = (2, 4)
"""How many scenarios one comparison on the page may hold."""
REPLICATES_RANGE = (2, 50)
"""Replicates per scenario the page accepts (two at least, for a confidence interval)."""
DEFAULT_REPLICATES = 5
DEFAULT_CHOICES = ("baseline", "all_reforms")
"""The scenarios chosen when the page first opens (those that exist)."""
CSV_NAME = "missionsim-comparison.csv"
REPORT_NAME = "missionsim-report.html"
POLL_SECONDS = 0.25
"""How often the page reads the job's progress."""

READY = "ready"
RUNNING = "running"
CANCELLING = "cancelling"
CANCELLED = "cancelled"
FINISHED = "finished"
FAILED = "failed"
FINAL_STATES = (CANCELLED, FINISHED, FAILED)


# --- checks of the page's settings -----------------------------------------------------------
def check_settings(chosen: Sequence[str], baseline: str | None, replicates: int | None) -> str:
    """Why the page's settings cannot run, as one line naming the control ('' when they can).

    Args:
        chosen: Picker choices (:func:`missionsim.ui.live.choices`) to compare.
        baseline: The chosen scenario the others are compared with.
        replicates: Replicates per scenario, as typed (``None`` when not a whole number).
    """
    lo, hi = SCENARIOS_RANGE
    offered = set(choices())
    unknown = [c for c in chosen if c not in offered]
    if unknown:
        return f"Scenarios: {unknown[0]!r} is not one of the listed scenarios"
    if not lo <= len(chosen) <= hi:
        return f"Scenarios: choose {lo} to {hi} scenarios ({len(chosen)} chosen)"
    if baseline not in chosen:
        return "Baseline: choose one of the chosen scenarios"
    lo, hi = REPLICATES_RANGE
    if (isinstance(replicates, bool) or not isinstance(replicates, int)
            or not lo <= replicates <= hi):
        shown = "nothing" if replicates is None else replicates
        return f"Replicates: expected a whole number from {lo} to {hi}, got {shown}"
    return ""


def failure_message(exc: BaseException) -> str:
    """A readable one-line message for an error raised while preparing or running a study."""
    if isinstance(exc, ScenarioError | ValueError | RunError):
        return str(exc)
    return f"The comparison stopped with an error: {type(exc).__name__}: {exc}"


# --- what the page shows of finished results -------------------------------------------------
PALETTE = report.PALETTE + report.PALETTE_2
TARGET_COLOUR = "#636363"


def ordered_summary(results: Results, baseline: str | None = None) -> pd.DataFrame:
    """:func:`~missionsim.analysis.stats.summarise`, best first, as the terminal prints it."""
    summary = stats.summarise(results, baseline)
    order = summary.assign(_name=summary["scenario"]).sort_values(["rank", "_name"],
                                                                   kind="stable")
    order = order.drop(columns="_name").reset_index(drop=True)
    order.attrs.update(summary.attrs)
    return order


def fan_table(results: Results, baseline: str) -> pd.DataFrame:
    """The mission indicator by scenario and month: mean and 95% CI across replicates.

    The interval is that of the mean (``mean ± t·sd/√n``, t with n − 1 degrees of freedom), as
    in the report's trajectory figure. ``difference`` is the paired difference from the
    baseline in the same replicate, with its interval: at the deadline and at the end it is the
    effect of :func:`missionsim.analysis.stats.summarise`.

    Returns:
        Columns ``scenario``, ``month``, ``n``, ``mean``, ``lo``, ``hi``, ``difference``,
        ``difference_lo``, ``difference_hi`` (interval bounds are NaN with one replicate).
    """
    from scipy import stats as sps

    months = results.months
    wide = months.pivot_table(index=["month", "replicate"], columns="scenario",
                              values="outcome", aggfunc="first")

    def interval(values: pd.Series) -> tuple[np.ndarray, ...]:
        grid = values.unstack("replicate")
        n = grid.notna().sum(axis=1).to_numpy()
        mean = grid.mean(axis=1).to_numpy()
        sd = grid.std(axis=1, ddof=1).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(n >= 2, sps.t.ppf(0.975, np.maximum(n - 1, 1)), np.nan)
            half = t * sd / np.sqrt(n)
        return grid.index.to_numpy(), n, mean, mean - half, mean + half

    frames = []
    for name in results.scenarios:
        if name not in wide.columns:
            continue
        month, n, mean, lo, hi = interval(wide[name].dropna())
        diff = (wide[name] - wide[baseline]).dropna()
        d_month, _, d_mean, d_lo, d_hi = interval(diff)
        d = pd.DataFrame({"month": d_month, "difference": d_mean, "difference_lo": d_lo,
                          "difference_hi": d_hi})
        frame = pd.DataFrame({"scenario": name, "month": month, "n": n, "mean": mean,
                              "lo": lo, "hi": hi}).merge(d, on="month", how="left")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def colours(names: Sequence[str], baseline: str) -> dict[str, str]:
    """The report's colours: the baseline near-black, the others in the report's palette."""
    out = {baseline: report.BASELINE_COLOUR}
    others = [n for n in names if n != baseline]
    for k, name in enumerate(others):
        out[name] = PALETTE[k % len(PALETTE)]
    return out


def fan_outcome_svg(fan: pd.DataFrame, mission: Mission, order: Sequence[str],
                    palette: dict[str, str], end: int) -> str:
    """Fan chart of the mission indicator: each scenario's mean and 95% CI band."""
    months = np.arange(end + 1)
    lines = [svg.Line("target trajectory", mission.trajectory(months), TARGET_COLOUR,
                      dash="6 4", width=1.5)]
    bands = []
    for name in order:
        f = fan[fan["scenario"] == name]
        bands.append(svg.Band(f["lo"], f["hi"], palette[name], opacity=0.16, x=f["month"]))
        lines.append(svg.Line(name, f["mean"], palette[name], width=2.6, x=f["month"]))
    return svg.line_chart(svg.Chart(
        title=f"Mission: {mission.indicator} ({mission.unit})", x=months, lines=lines,
        bands=bands, xlim=(0, end), markers=[(mission.deadline, "deadline")], width=620,
        height=330))


def fan_difference_svg(fan: pd.DataFrame, mission: Mission, order: Sequence[str],
                       palette: dict[str, str], baseline: str, end: int) -> str:
    """Fan chart of each scenario's paired difference from the baseline, with 95% CI bands."""
    months = np.arange(end + 1)
    unit = "percentage points" if mission.unit == "%" else mission.unit
    lines = [svg.Line(f"{baseline} (no difference)", np.zeros(months.size),
                      report.BASELINE_COLOUR, dash="4 3", width=1.5)]
    bands = []
    for name in order:
        if name == baseline:
            continue
        f = fan[fan["scenario"] == name]
        bands.append(svg.Band(f["difference_lo"], f["difference_hi"], palette[name],
                              opacity=0.18, x=f["month"]))
        lines.append(svg.Line(name, f["difference"], palette[name], width=2.6, x=f["month"]))
    return svg.line_chart(svg.Chart(
        title=f"Difference from {baseline}", x=months, lines=lines, bands=bands,
        xlim=(0, end), ylabel=unit, markers=[(mission.deadline, "deadline")], width=620,
        height=330))


def headline(summary: pd.DataFrame) -> str:
    """One plain-language line: the best scenario at the deadline and its effect with 95% CI.

    Args:
        summary: :func:`missionsim.analysis.stats.summarise` of the study.
    """
    mission = MISSIONS[summary.attrs["mission"]]
    unit = "percentage points" if mission.unit == "%" else mission.unit
    d, base = summary.attrs["deadline"], summary.attrs["baseline"]
    when = f"month {d} (the deadline)" if d == mission.deadline else f"month {d}"
    others = summary[~summary["baseline"].astype(bool)].sort_values("scenario")
    if others.empty:
        return f"Only {base} was run: there is nothing to compare it with."
    gain = others["effect_deadline"] * mission.direction
    best = others.loc[gain.fillna(-np.inf).idxmax()]
    mean, lo, hi = best["effect_deadline"], best["effect_deadline_lo"], best[
        "effect_deadline_hi"]
    if math.isfinite(lo) and math.isfinite(hi):
        effect = f"{mean:+.2f} {unit} (95% CI {lo:+.2f} to {hi:+.2f})"
        clear = lo > 0 or hi < 0
        note = ("the interval excludes zero" if clear else
                f"the interval includes zero: not distinguishable from {base}")
    else:
        effect, note = f"{mean:+.2f} {unit}", "too few replicates for an interval"
    if mission.direction * mean > 0:
        return f"Best at {when}: {best['scenario']}, {effect} against {base}; {note}."
    return (f"No scenario improved on {base} at {when}; the closest is {best['scenario']}, "
            f"{effect}; {note}.")


def effect_table_html(summary: pd.DataFrame) -> str:
    """The effect table (:func:`~missionsim.writeup.summary.effect_table`) as HTML, best first."""
    header, rows = effect_table(summary)
    out = ['<table class="ms-effect-table"><thead><tr>']
    out += [f"<th>{html.escape(str(h))}</th>" for h in header]
    out.append("</tr></thead><tbody>")
    for base, name, row in zip(summary["baseline"], summary["scenario"], rows, strict=True):
        klass = "baseline" if base else ""
        out.append(f'<tr class="{klass}" data-scenario="{html.escape(str(name))}">')
        for j, cell in enumerate(row):
            num = ' class="num"' if j >= 2 else ""
            out.append(f"<td{num}>{html.escape(str(cell))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


@dataclass(frozen=True)
class ComparisonView:
    """Everything the page draws from finished results (built off the page's thread).

    Attributes:
        summary: :func:`missionsim.analysis.stats.summarise`, best first.
        header: Column headings of the effect table.
        rows: Its cells, one list per scenario, best first.
        table_html: The effect table as HTML.
        headline: One plain-language line about the best scenario.
        fan_outcome: SVG fan chart of the mission indicator.
        fan_difference: SVG fan chart of the paired differences from the baseline.
        caption: What the charts' bands are.
    """

    summary: pd.DataFrame
    header: list[str]
    rows: list[list]
    table_html: str
    headline: str
    fan_outcome: str
    fan_difference: str
    caption: str


def describe(results: Results, baseline: str | None = None) -> ComparisonView:
    """Build the charts, the effect table and the headline of a comparison's results.

    Args:
        results: The results of :func:`missionsim.experiments.study.compare`.
        baseline: Scenario the others are compared with (default: the study's baseline).
    """
    summary = ordered_summary(results, baseline)
    base = summary.attrs["baseline"]
    mission = MISSIONS[summary.attrs["mission"]]
    header, rows = effect_table(summary)
    fan = fan_table(results, base)
    names = [base, *[n for n in summary["scenario"] if n != base]]
    palette = colours(names, base)
    end = int(results.months["month"].max())
    n = int(fan["n"].min())
    caption = (f"Lines: mean of {n} replicates per scenario. Shaded: 95% confidence interval of "
               "the mean (mean ± t·sd/√n), as in the report. Differences are paired: replicate "
               "r of every scenario has the same seed, world and shocks.")
    return ComparisonView(
        summary=summary, header=header, rows=rows, table_html=effect_table_html(summary),
        headline=headline(summary),
        fan_outcome=fan_outcome_svg(fan, mission, names, palette, end),
        fan_difference=fan_difference_svg(fan, mission, names, palette, base, end),
        caption=caption)


# --- the job ---------------------------------------------------------------------------------
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


class CompareJob:
    """A comparison run in a background thread, with progress and cancellation.

    Thread-safe: :meth:`start`, :meth:`cancel` and every reading may be called from any thread.
    The study is :func:`missionsim.experiments.study.compare` with the given settings, so its
    results equal those of a direct call (same seeds, same tables).

    Args:
        scenarios: The scenarios to compare (validated
        :class:`~missionsim.experiments.scenario.Scenario`). replicates: Paired replicates per
        scenario. baseline: Name of the scenario the others are compared with (default: the first).
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
        self.on_progress = on_progress
        self.abandon = abandon
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._downloads: dict[str, bytes] = {}
        self._download_lock = threading.Lock()
        self.state = READY
        self.done = 0
        self.total = len(self.scenarios) * replicates
        self.error = ""
        self.results: Results | None = None
        self.view: ComparisonView | None = None
        self.seconds = 0.0

    # --- control ---------------------------------------------------------------------------
    def start(self) -> CompareJob:
        """Start the study in a background thread; return the job.

        Raises:
            RuntimeError: If the job was started before.
        """
        with self._lock:
            if self.state != READY:
                raise RuntimeError("this comparison was started before; make a new one")
            self.state = RUNNING
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="missionsim-compare",
                                            daemon=True)
            self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the study to stop after the run in hand (returns at once)."""
        self._cancel.set()
        with self._lock:
            if self.state == RUNNING:
                self.state = CANCELLING

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the job to be over; return whether it is."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.over

    # --- readings --------------------------------------------------------------------------
    @property
    def over(self) -> bool:
        """Whether the job finished, failed or was cancelled."""
        with self._lock:
            return self.state in FINAL_STATES

    def progress(self) -> Progress:
        """A consistent reading of the state, runs done, runs planned and error."""
        with self._lock:
            return Progress(self.state, self.done, self.total, self.error)

    # --- the study -------------------------------------------------------------------------
    def _stopping(self) -> bool:
        return self._cancel.is_set() or (self.abandon is not None and self.abandon.is_set())

    def _on_result(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, total
        if self.on_progress is not None:
            self.on_progress(done, total)
        if done < total and self._stopping():
            raise _Cancelled

    def _run(self) -> None:
        results: Results | None = None
        view: ComparisonView | None = None
        error = ""
        cancelled = False
        try:
            if self._stopping():
                raise _Cancelled
            results = study.compare(self.scenarios, replicates=self.replicates,
                                    baseline=self.baseline, seed=self.seed,
                                    workers=self.workers, on_result=self._on_result)
            view = describe(results, self.baseline)
        except _Cancelled:
            cancelled = True
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            if not isinstance(exc, ScenarioError):
                log.exception("the comparison failed")
            error = failure_message(exc)
        # by here study.compare has shut its worker processes down, even when cancelled
        with self._lock:
            self.seconds = time.monotonic() - self._started
            if cancelled:
                self.state = CANCELLED
            elif error:
                self.state, self.error = FAILED, error
            else:
                self.results, self.view, self.state = results, view, FINISHED

    # --- downloads -------------------------------------------------------------------------
    def _download(self, key: str, make: Callable[[Results], bytes]) -> bytes:
        with self._download_lock:
            if key not in self._downloads:
                if self.results is None:
                    raise RuntimeError("the comparison has no results yet")
                self._downloads[key] = make(self.results)
            return self._downloads[key]

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


def _safe_download(make: Callable[[], bytes], what: str) -> bytes:
    """The download's bytes; on failure a short text file saying why (logged)."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - a download must never raise into the page
        log.exception("preparing the %s download failed", what)
        return f"The {what} could not be prepared: {failure_message(exc)}\n".encode()


# --- the page ---------------------------------------------------------------------------------
def _default_choices() -> list[str]:
    offered = choices()
    chosen = [c for c in DEFAULT_CHOICES if c in offered]
    return chosen if len(chosen) >= SCENARIOS_RANGE[0] else offered[:SCENARIOS_RANGE[0]]


# kernel-scoped: each browser session has its own values, kept while it visits other pages
_job: solara.Reactive[CompareJob | None] = solara.reactive(None)
_chosen: solara.Reactive[list[str]] = solara.reactive(_default_choices())
_baseline: solara.Reactive[str | None] = solara.reactive(_default_choices()[0])
_replicates: solara.Reactive[int | None] = solara.reactive(DEFAULT_REPLICATES)
_problem: solara.Reactive[str] = solara.reactive("")

CSS = """
.ms-compare-headline { font-size: 1.35em; font-weight: 500; color: #202124;
  background: #f3f6fa; border-left: 5px solid #1f4e79; padding: 10px 14px; margin: 4px 0 12px; }
.ms-fan { width: 100%; }
.ms-compare-caption { font-size: 0.95em; color: #3c4043; margin: 2px 0 14px; }
.ms-effect { overflow-x: auto; max-width: 100%; }
table.ms-effect-table { border-collapse: collapse; font-size: 1.0em; margin: 6px 0 14px; }
table.ms-effect-table th, table.ms-effect-table td { border: 1px solid #c8c8c8;
  padding: 5px 8px; vertical-align: top; }
table.ms-effect-table th { background: #eef1f4; text-align: left; font-weight: 500; }
table.ms-effect-table td.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
table.ms-effect-table tr.baseline td { background: #f7f7f7; font-style: italic; }
.ms-compare-count { font-size: 1.25em; font-weight: 500; }
.ms-compare-plan { font-size: 1.0em; color: #3c4043; }
"""


@solara.component
def Compare():
    """The Compare page."""
    solara.Style(CSS)
    job = _job.value
    seen = solara.use_reactive(None)  # the last progress read; the page redraws when it changes

    def poll(cancel: threading.Event) -> None:
        """Read the job's progress until it is over."""
        while job is not None and not cancel.is_set():
            now = job.progress()
            if now != seen.value:
                seen.set(now)
            if now.state in FINAL_STATES:
                return
            cancel.wait(POLL_SECONDS)

    solara.use_thread(poll, dependencies=[job], intrusive_cancel=False)
    _ = seen.value  # read here, so that the page redraws when the poll sees a change
    now = job.progress() if job is not None else None
    chosen = _chosen.value
    baseline = _baseline.value if _baseline.value in chosen else (chosen[0] if chosen else None)
    problem = check_settings(chosen, baseline, _replicates.value)
    busy = now is not None and now.state not in FINAL_STATES

    def set_chosen(values: list[str]) -> None:
        _problem.set("")
        _chosen.set(list(values))
        if _baseline.value not in values and values:
            _baseline.set(values[0])

    def set_replicates(value: int | None) -> None:
        _problem.set("")
        _replicates.set(value)

    def run() -> None:
        reason = check_settings(_chosen.value, baseline, _replicates.value)
        if reason:
            _problem.set(reason)
            return
        try:
            scenarios = [base_scenario(c) for c in _chosen.value]
            base = scenarios[_chosen.value.index(baseline)].name
            try:
                abandon = solara.kernel_closed_event()
            except RuntimeError:
                abandon = None
            new = CompareJob(scenarios, int(_replicates.value), baseline=base, abandon=abandon)
        except Exception as exc:  # noqa: BLE001 - shown in the page
            if not isinstance(exc, ScenarioError | ValueError):
                log.exception("preparing the comparison failed")
            _problem.set(failure_message(exc))
            return
        old = _job.value
        if old is not None:
            old.cancel()
        _problem.set("")
        _job.set(new.start())

    def cancel() -> None:
        if job is not None:
            job.cancel()
            seen.set(job.progress())

    with solara.Sidebar():
        with solara.Card("Compare scenarios", margin=0):
            solara.SelectMultiple(f"Scenarios ({SCENARIOS_RANGE[0]} to {SCENARIOS_RANGE[1]})",
                                  values=chosen, all_values=choices(), on_value=set_chosen,
                                  classes=["ms-compare-scenarios"])
            solara.Select(label="Baseline (the others are compared with it)", values=chosen,
                          value=baseline, on_value=_baseline.set,
                          classes=["ms-compare-baseline"])
            lo, hi = REPLICATES_RANGE
            solara.InputInt(f"Replicates per scenario ({lo} to {hi})", value=_replicates.value,
                            on_value=set_replicates, continuous_update=False, optional=True,
                            classes=["ms-compare-replicates"])
            if not problem:
                runs = len(chosen) * int(_replicates.value)
                workers = min(available_cores(), runs)
                solara.Text(f"{len(chosen)} scenarios × {_replicates.value} replicates = "
                            f"{runs} runs on {workers} worker process"
                            f"{'es' if workers > 1 else ''}", classes=["ms-compare-plan"])
            with solara.Row(gap="8px", style={"flex-wrap": "wrap", "margin-top": "8px"}):
                solara.Button("Run comparison", color="primary", on_click=run,
                              disabled=bool(problem) or busy, classes=["ms-compare-run"])
                solara.Button("Cancel", color="primary", outlined=True, on_click=cancel,
                              disabled=not busy, classes=["ms-compare-cancel"])
            solara.Text("Replicate r of every scenario runs with the same seed, world and "
                        "shocks (common random numbers), so differences are due to the "
                        "scenarios alone.", style={"font-size": "0.85em", "color": "#5f6368"})
    if problem or _problem.value:
        solara.Error(problem or _problem.value,
                     classes=["ms-compare-error", "ms-compare-invalid"])
    if job is None or now is None:
        solara.Info("Choose 2 to 4 scenarios, a baseline and the number of replicates, then "
                    "Run comparison. The study runs in the background: you can keep using the "
                    "app while it runs.", classes=["ms-compare-idle"])
    elif now.state in (RUNNING, CANCELLING):
        with solara.Card("Running the comparison", margin=0, classes=["ms-compare-progress"]):
            share = 100.0 * now.done / now.total if now.total else 0.0
            solara.ProgressLinear(share if now.done else True)
            extra = "" if now.done else f" · starting {job.workers} worker processes"
            solara.Text(now.text + extra, classes=["ms-compare-count"])
    elif now.state == CANCELLED:
        solara.Warning(now.text + ". Change the settings or run again.",
                       classes=["ms-compare-cancelled"])
    elif now.state == FAILED:
        solara.Error(now.error, classes=["ms-compare-error", "ms-compare-failed"])
    elif job.view is not None:
        ResultsView(job)


@solara.component
def ResultsView(job: CompareJob):
    """Fan charts, the headline, the effect table and the downloads of a finished job."""
    view = job.view
    names = " vs ".join(s.name for s in job.scenarios)
    solara.HTML(tag="div", classes=["ms-compare-headline"],
                unsafe_innerHTML=html.escape(view.headline))
    with solara.Columns([1, 1]):
        solara.HTML(tag="div", classes=["ms-fan", "ms-fan-outcome"],
                    unsafe_innerHTML=view.fan_outcome)
        solara.HTML(tag="div", classes=["ms-fan", "ms-fan-difference"],
                    unsafe_innerHTML=view.fan_difference)
    solara.Text(view.caption, classes=["ms-compare-caption"])
    solara.HTML(tag="div", classes=["ms-effect"], unsafe_innerHTML=view.table_html)
    seed = job.results.manifest.get("root_seed") if job.results is not None else None
    solara.Text(f"Study: {names}; {job.replicates} replicates each (root seed {seed}), "
                f"baseline {job.baseline}. {job.done} runs in {job.seconds:.1f} s on "
                f"{job.workers} worker process{'es' if job.workers > 1 else ''}. The table "
                "holds the same statistics as \"missionsim compare\" and the report.",
                classes=["ms-compare-caption"])
    with solara.Row(gap="12px"):
        with solara.Div(classes=["ms-download-csv"]):
            solara.FileDownload(_CsvData(job), filename=CSV_NAME, mime_type="text/csv",
                                label=f"Download results ({CSV_NAME})")
        with solara.Div(classes=["ms-download-report"]):
            solara.FileDownload(_ReportData(job), filename=REPORT_NAME, mime_type="text/html",
                                label=f"Download report ({REPORT_NAME})")


@dataclass(frozen=True)
class _CsvData:
    """The CSV download of a job: a callable equal for equal jobs (so not rebuilt each render)."""

    job: CompareJob

    def __call__(self) -> bytes:
        return _safe_download(self.job.csv_bytes, "results table")


@dataclass(frozen=True)
class _ReportData:
    """The report download of a job (written when first asked for, then kept)."""

    job: CompareJob

    def __call__(self) -> bytes:
        return _safe_download(self.job.report_bytes, "report")


__all__ = ["CompareJob", "ComparisonView", "Compare", "Progress", "check_settings", "describe",
           "fan_table", "headline"]
