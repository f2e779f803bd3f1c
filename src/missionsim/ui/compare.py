"""The Compare page: 2 to 4 scenarios over paired replicates, run in the background.

The page runs a :class:`~missionsim.ui.jobs.CompareJob` — the same study as ``missionsim
compare`` — in a thread owned by the browser session, so the server stays responsive while it
runs. A progress bar counts the runs; Cancel stops the study after the run in hand. When the
study is done the page shows fan charts of the mission indicator, the effect table of
:func:`missionsim.analysis.stats.summarise` and :func:`missionsim.writeup.summary.effect_table`
(the figures the terminal and the HTML report show), the report's headline, and downloads of
the results (CSV) and of the report (HTML) (:mod:`missionsim.ui.comparison`).

The page keeps the session's job and settings in kernel-scoped reactive variables: each
browser session has its own, and a study keeps running while the user looks at another page of
the app. When the session closes, its study is cancelled.

Scenarios are listed by their titles. Set-ups handed over from the Explore page
(:func:`add_setup`) join the list for the session. Scenarios that cannot be paired (different
missions or worlds) are refused before anything runs, in one line naming the two
(:func:`check_settings`), as ``missionsim compare`` refuses them.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import solara

from missionsim.experiments.executors import available_cores
from missionsim.experiments.scenario import Scenario, ScenarioError
from missionsim.experiments.scenario_tables import pairing_problem
from missionsim.ui import labels
from missionsim.ui.controls import Explained
from missionsim.ui.fields import Field
from missionsim.ui.figure import ChartPanel
from missionsim.ui.jobs import (
    CANCELLED,
    CANCELLING,
    FAILED,
    FINAL_STATES,
    REPORT_NAME,
    RUNNING,
    CompareJob,
    failure_message,
    safe_download,
)
from missionsim.ui.live import Settings, base_scenario, choices

log = logging.getLogger(__name__)

SCENARIOS_RANGE = (2, 4)
"""How many scenarios one comparison on the page may hold."""
REPLICATES_RANGE = (2, 50)
"""Replicates per scenario the page accepts (two at least, for a confidence interval)."""
DEFAULT_REPLICATES = 5
"""Replicates per scenario when the page first opens."""
DEFAULT_CHOICES = ("baseline", "all_reforms")
"""The scenarios chosen when the page first opens (those that exist)."""
CSV_NAME = "missionsim-comparison.csv"
"""The results download's file name."""
POLL_SECONDS = 0.25
"""How often the page reads the job's progress."""
SETUP_PREFIX = "set-up "
"""Choices that stand for a set-up added from the Explore page ("set-up 1", "set-up 2", …)."""


# --- checks of the page's settings -----------------------------------------------------------
def scenario_of(choice: str, extra: Mapping[str, Scenario] | None = None) -> Scenario:
    """The scenario a choice stands for: a set-up added from Explore, or a picker choice."""
    return (extra or {}).get(choice) or base_scenario(choice)


def pairing_of(chosen: Sequence[str], extra: Mapping[str, Scenario] | None = None) -> str:
    """Why the chosen scenarios cannot be paired: one line naming the control ('' if they can).

    The reason is :func:`~missionsim.experiments.scenario_tables.pairing_problem`'s.

    Args:
        chosen: Choices of the page.
        extra: Set-ups added from the Explore page, by their choice.
    """
    try:
        unpaired = pairing_problem([scenario_of(c, extra) for c in chosen])
    except ScenarioError as exc:
        return f"Scenarios: {exc}"
    return f"Scenarios: {unpaired}" if unpaired else ""


def check_settings(chosen: Sequence[str], baseline: str | None, replicates: int | None,
                   extra: Mapping[str, Scenario] | None = None,
                   unpaired: str | None = None) -> str:
    """Why the page's settings cannot run, as one line naming the control ('' when they can).

    Scenarios of different missions or worlds cannot be compared over paired replicates
    (:func:`~missionsim.experiments.scenario_tables.pairing_problem`): the line names the two
    scenarios and what differs.

    Args:
        chosen: Picker choices (:func:`missionsim.ui.live.choices`) to compare.
        baseline: The chosen scenario the others are compared with.
        replicates: Replicates per scenario, as typed (``None`` when not a whole number).
        extra: Set-ups added from the Explore page, by their choice.
        unpaired: :func:`pairing_of` the chosen scenarios when already known (the page keeps
            it while the choice stays, rather than reading the files at each redraw).
    """
    lo, hi = SCENARIOS_RANGE
    offered = {*choices(), *(extra or {})}
    unknown = [c for c in chosen if c not in offered]
    if unknown:
        return f"Scenarios: {unknown[0]!r} is not one of the listed scenarios"
    if not lo <= len(chosen) <= hi:
        return f"Scenarios: choose {lo} to {hi} scenarios ({len(chosen)} chosen)"
    if baseline not in chosen:
        return "Baseline: choose one of the chosen scenarios"
    unpaired = pairing_of(chosen, extra) if unpaired is None else unpaired
    if unpaired:
        return unpaired
    lo, hi = REPLICATES_RANGE
    if (isinstance(replicates, bool) or not isinstance(replicates, int)
            or not lo <= replicates <= hi):
        shown = "nothing" if replicates is None else replicates
        return f"Replicates: expected a whole number from {lo} to {hi}, got {shown}"
    return ""


def descriptions(chosen: Sequence[str], extra: Mapping[str, Scenario]) -> str:
    """The chosen scenarios' titles with one line of description each, as HTML list items."""
    items = []
    for choice in chosen:
        if choice in extra:
            title, hint = extra[choice].title, extra[choice].summary()
        else:
            title, hint = labels.choice_title(choice), labels.choice_hint(choice)
        items.append(f"<li><b>{html.escape(title)}</b>: {html.escape(hint)}</li>")
    return "".join(items)


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
_extra: solara.Reactive[dict[str, Scenario]] = solara.reactive({})


def add_setup(settings: Settings) -> str:
    """Add an Explore set-up to this session's Compare page, chosen if there is room.

    The scenario keeps the set-up's reforms, intensities, targets and world, under a title
    such as "Your set-up: devolution at 60%".

    Args:
        settings: The Explore page's settings.

    Returns:
        The set-up's title.

    Raises:
        ScenarioError: The settings do not make a valid scenario (one line).
    """
    n = len(_extra.value) + 1
    base = base_scenario(settings.choice)
    title = labels.setup_title(base, settings.reforms, bool(settings.params))
    scenario = settings.scenario().with_changes(name=f"{SETUP_PREFIX}{n}", title=title)
    choice = f"{SETUP_PREFIX}{n}"
    _extra.set({**_extra.value, choice: scenario})
    if len(_chosen.value) < SCENARIOS_RANGE[1]:
        _chosen.set([*_chosen.value, choice])
    return title


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
.ms-compare-descriptions { font-size: 14px; color: #5f6368; padding-left: 18px; margin: 0; }
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
    extra = _extra.value
    offered = {*choices(), *extra}
    unpaired = solara.use_memo(
        lambda: pairing_of(chosen, extra) if set(chosen) <= offered else "",
        dependencies=[tuple(chosen), tuple(extra)])
    problem = check_settings(chosen, baseline, _replicates.value, extra, unpaired)
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
        reason = check_settings(_chosen.value, baseline, _replicates.value, extra)
        if reason:
            _problem.set(reason)
            return
        try:
            scenarios = [scenario_of(c, extra) for c in _chosen.value]
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
            solara.v.Select(label=f"Scenarios ({SCENARIOS_RANGE[0]} to {SCENARIOS_RANGE[1]})",
                            items=labels.items([*choices(), *extra], extra), v_model=chosen,
                            on_v_model=set_chosen, multiple=True,
                            class_="ms-compare-scenarios")
            solara.HTML(tag="ul", classes=["ms-compare-descriptions"],
                        unsafe_innerHTML=descriptions(chosen, extra))
            with Explained("Baseline"):
                solara.v.Select(label="Baseline (the others are compared with it)",
                                items=labels.items(chosen, extra), v_model=baseline,
                                on_v_model=_baseline.set, class_="ms-compare-baseline")
            lo, hi = REPLICATES_RANGE
            with Explained("Replicate"):
                Field(f"Replicates per scenario ({lo} to {hi})", value=_replicates.value,
                      on_value=set_replicates, optional=True, classes=["ms-compare-replicates"])
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
                        "scenarios alone.", style={"font-size": "14px", "color": "#5f6368"})
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
        ChartPanel(lambda: view.fan_outcome, "fan-outcome", ["ms-fan", "ms-fan-outcome"],
                   csv=view.fan_outcome.csv)
        ChartPanel(lambda: view.fan_difference, "fan-difference",
                   ["ms-fan", "ms-fan-difference"], csv=view.fan_difference.csv)
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
        return safe_download(self.job.csv_bytes, "results table")


@dataclass(frozen=True)
class _ReportData:
    """The report download of a job (written when first asked for, then kept)."""

    job: CompareJob

    def __call__(self) -> bytes:
        return safe_download(self.job.report_bytes, "report")
