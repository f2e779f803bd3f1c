"""The Advise page: the best reform package within a budget, searched in the background.

The page runs an :class:`~missionsim.ui.advice_job.AdviceJob` — the search of ``missionsim
advise`` (NSGA-II over reform packages, each evaluated over one common ensemble of futures) —
in a thread owned by the browser session. The user sets the budget, the objectives, the
robustness measure, the reforms a package may use and the search's size
(:mod:`~missionsim.ui.advice_form`), starting from the shipped advice file. A progress line
follows the search generation by generation; Cancel stops it after the run in hand. When it
is done the page shows the Pareto front as an ECharts chart (cost against the main outcome
measure, the robust preferred option drawn apart), the preferred option and the rule that
chose it, the front's table, the preferred option's failure conditions, and downloads of the
advice record and, made on demand, of the options appraisal (:mod:`~missionsim.ui.advice_view`).

The session's job and choices are kernel-scoped reactive variables: each browser session has
its own, and a search keeps running while the user looks at another page of the app. When
the session closes, its search is cancelled.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import solara

from missionsim.analysis.advise import MEASURES, OBJECTIVES
from missionsim.ui import advice_form as form
from missionsim.ui.advice_job import (
    APPRAISAL_NAME,
    PARETO_NAME,
    RECORD_NAME,
    ZIP_NAME,
    AdviceJob,
    failure_message,
)
from missionsim.ui.advice_view import CHART_HEIGHT_PX, explain, table_html
from missionsim.ui.fields import Field
from missionsim.ui.jobs import (
    CANCELLED,
    CANCELLING,
    FAILED,
    FINAL_STATES,
    FINISHED,
    RUNNING,
    safe_download,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
"""How often the page reads the job's progress."""


def term(text: str, key: str) -> str:
    """``text`` as HTML that explains the term ``key`` on hover."""
    return f'<abbr class="ms-term" title="{html.escape(explain(key))}">{html.escape(text)}</abbr>'


def para(text: str, classes: list[str] | None = None) -> None:
    """A paragraph of plain text (escaped), on its own line."""
    solara.HTML(tag="p", classes=classes or [], unsafe_innerHTML=html.escape(text))


# kernel-scoped: each browser session has its own values, kept while it visits other pages
_job: solara.Reactive[AdviceJob | None] = solara.reactive(None)
_inputs: solara.Reactive[form.Inputs] = solara.reactive(form.default_inputs())
_problem: solara.Reactive[str] = solara.reactive("")

CSS = """
.ms-advice-summary { font-size: 1.1em; color: #202124; background: #f3f6fa;
  border-left: 5px solid #1f4e79; padding: 8px 12px; margin: 4px 0 12px; }
.ms-advice-card { margin-bottom: 14px; }
.ms-advice-chart { width: 100%; }
.ms-advice-preferred { font-size: 15px; }
.ms-advice-rule, .ms-advice-note { font-size: 14px; color: #3c4043; }
.ms-advice-scroll { overflow-x: auto; max-width: 100%; }
table.ms-advice-table { border-collapse: collapse; font-size: 14px; margin: 6px 0 10px; }
table.ms-advice-table th, table.ms-advice-table td { border: 1px solid #c8c8c8;
  padding: 5px 8px; vertical-align: top; }
table.ms-advice-table th { background: #eef1f4; text-align: left; font-weight: 500;
  cursor: help; white-space: nowrap; }
table.ms-advice-table td { min-width: 3em; }
table.ms-advice-table td:nth-child(3) { min-width: 22em; }
table.ms-advice-table td.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
table.ms-advice-table tr.preferred td { background: #fdecea; font-weight: 500; }
abbr.ms-term { cursor: help; text-decoration: underline dotted; }
.ms-advice-terms { font-size: 14px; color: #3c4043; margin: 0 0 10px; }
.ms-advice-failure li { font-size: 14px; margin-bottom: 4px; }
.ms-advise-count { font-size: 1.2em; font-weight: 500; margin: 6px 0 2px; }
.ms-advice-label { font-weight: 500; margin-top: 10px; }
.ms-advise-objective .v-input { margin-top: 0; padding-top: 0; }
.ms-advise-objective .v-input__slot { margin-bottom: 0; }
.ms-advise-objective .v-messages { display: none; }
.ms-advise-size-note { font-size: 14px; color: #5f6368; }
"""

TERMS_LINE = ("Terms (hover for a short explanation): "
              + " · ".join(term(t, k) for t, k in (
                  ("Pareto front", "pareto"), ("preferred option", "preferred"),
                  ("p10", "p10"), ("regret", "regret"), ("P(target met)", "p_target"),
                  ("PV", "pv"), ("future", "future"))))
"""The line of terms, each explained on hover, above the results."""


@solara.component
def Advise():
    """The Advise page."""
    solara.Style(CSS)
    job = _job.value
    seen = solara.use_reactive(None)  # the last reading; the page redraws when it changes
    kick = solara.use_reactive(0)  # restarts the poll when an appraisal is asked for

    def poll(cancel: threading.Event) -> None:
        """Read the job (and its appraisal) until both are over."""
        while job is not None and not cancel.is_set():
            now = (job.progress(), job.appraisal.reading())
            if now != seen.value:
                seen.set(now)
            if now[0].state in FINAL_STATES and now[1][0] != RUNNING:
                return
            cancel.wait(POLL_SECONDS)

    solara.use_thread(poll, dependencies=[job, kick.value], intrusive_cancel=False)
    _ = seen.value  # read here, so that the page redraws when the poll sees a change
    now = job.progress() if job is not None else None
    inputs = _inputs.value
    settings, problem = form.check_inputs(inputs)
    busy = now is not None and now.state not in FINAL_STATES

    def change(**values) -> None:
        _problem.set("")
        _inputs.set(replace(_inputs.value, **values))

    def run() -> None:
        valid, reason = form.check_inputs(_inputs.value)
        reason = reason or form.plan_problem(valid)
        if reason:
            _problem.set(reason)
            return
        try:
            try:
                abandon = solara.kernel_closed_event()
            except RuntimeError:
                abandon = None
            new = AdviceJob(valid, abandon=abandon)
        except Exception as exc:  # noqa: BLE001 - shown in the page
            log.exception("preparing the search failed")
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
            seen.set((job.progress(), job.appraisal.reading()))

    with solara.Sidebar():
        Controls(inputs, settings, problem, busy, change, run, cancel)
    if problem or _problem.value:
        solara.Error(problem or _problem.value, classes=["ms-advise-error", "ms-advise-invalid"])
    if job is None or now is None:
        solara.Info("Set the budget, the objectives, the robustness measure, the reforms a "
                    "package may use and the search's size, then Search. The search runs in "
                    "the background: you can keep using the app while it runs.",
                    classes=["ms-advise-idle"])
    elif now.state in (RUNNING, CANCELLING):
        with solara.Card("Searching for packages", margin=0, classes=["ms-advise-progress"]):
            share = 100.0 * now.done / now.total if now.total else 0.0
            solara.ProgressLinear(share if now.done else True)
            para(now.text, classes=["ms-advise-count"])
            para(f"{job.settings.search.population} packages a generation, each run in "
                 f"{job.settings.futures.count} futures, on {job.workers} worker "
                 f"process{'es' if job.workers > 1 else ''}.",
                 classes=["ms-advise-size-note"])
    elif now.state == CANCELLED:
        solara.Warning(now.text + ". Change the settings or search again.",
                       classes=["ms-advise-cancelled"])
    elif now.state == FAILED:
        solara.Error(now.error, classes=["ms-advise-error", "ms-advise-failed"])
    elif now.state == FINISHED and job.view is not None:
        Results(job, kick)


@solara.component
def Controls(inputs: form.Inputs, settings, problem: str, busy: bool, change, run, cancel):
    """The sidebar: budget, objectives, measure, reforms, size, and Search / Cancel."""
    with solara.Card("Advise on a package", margin=0):
        Field("Budget (£m, present value over the horizon)", value=inputs.budget,
              on_value=lambda v: change(budget=v or ""), kind=str, classes=["ms-advise-budget"])
        solara.HTML(tag="div", classes=["ms-advice-note"], unsafe_innerHTML=(
            "Public money for the package, as a " + term("present value", "pv")
            + ", such as 30 or £30m."))
        solara.HTML(tag="div", classes=["ms-advice-label"],
                    unsafe_innerHTML="Objectives to optimise")
        for objective in OBJECTIVES:
            def toggle(on: bool, objective: str = objective) -> None:
                chosen = [o for o in OBJECTIVES if (o == objective and on)
                          or (o != objective and o in _inputs.value.objectives)]
                change(objectives=tuple(chosen))

            with solara.Div(classes=["ms-advise-objective", f"ms-advise-objective-{objective}"]):
                solara.Checkbox(label=form.OBJECTIVE_WORDS[objective],
                                value=objective in inputs.objectives, on_value=toggle)
        solara.HTML(tag="div", classes=["ms-advice-note"], unsafe_innerHTML=(
            "Robustness measure: what the search optimises of each objective over the "
            f"{term('futures', 'future')}: the mean, or the worst tenth ("
            + term("p10", "p10") + ")."))
        solara.ToggleButtonsSingle(value=inputs.measure, values=list(MEASURES),
                                   on_value=lambda v: change(measure=v),
                                   classes=["ms-advise-measure"])
        solara.SelectMultiple("Reforms a package may use", values=list(inputs.reforms),
                              all_values=form.all_reforms(),
                              on_value=lambda v: change(reforms=tuple(v)),
                              classes=["ms-advise-reforms"])
        solara.HTML(tag="div", classes=["ms-advice-label"], unsafe_innerHTML="Search size")
        solara.ToggleButtonsSingle(value=inputs.size, values=list(form.SIZES),
                                   on_value=lambda v: change(size=v),
                                   classes=["ms-advise-size"])
        size = form.SIZES.get(inputs.size)
        if size is not None:
            solara.HTML(tag="div", classes=["ms-advise-size-note"],
                        unsafe_innerHTML=html.escape(f"{size.describe()}: {size.note}."))
        with solara.Row(gap="8px", style={"flex-wrap": "wrap", "margin-top": "8px"}):
            solara.Button("Search", color="primary", on_click=run,
                          disabled=bool(problem) or busy, classes=["ms-advise-run"])
            solara.Button("Cancel", color="primary", outlined=True, on_click=cancel,
                          disabled=not busy, classes=["ms-advise-cancel"])
        para("Every package meets the same futures (common random numbers), so differences "
             "between packages are due to the packages alone.", classes=["ms-advice-note"])


@solara.component
def Results(job: AdviceJob, kick):
    """The front chart, the preferred option, the table, failure conditions and downloads."""
    view = job.view
    para(view.summary, classes=["ms-advice-summary"])
    solara.HTML(tag="div", classes=["ms-advice-terms"], unsafe_innerHTML=TERMS_LINE)
    with solara.Card(margin=0, classes=["ms-advice-card", "ms-advice-front"]):
        solara.HTML(tag="h3", unsafe_innerHTML=term("Pareto front", "pareto")
                    + ": cost against the outcome")
        with solara.Div(classes=["ms-advice-chart"]):
            solara.FigureEcharts(option=view.option, responsive=True,
                                 attributes={"style": f"height: {CHART_HEIGHT_PX}px; "
                                                      "width: 100%;"})
        para("Each point is a package on the Pareto front; hover over it for the "
                    "package and its measures. The red diamond is the robust preferred "
                    "option; the dashed line the budget.", classes=["ms-advice-note"])
    with solara.Card(margin=0, classes=["ms-advice-card", "ms-advice-preferred-card"]):
        solara.HTML(tag="h3", unsafe_innerHTML=term("Robust preferred option", "preferred"))
        if view.preferred:
            para(view.preferred, classes=["ms-advice-preferred"])
            para(view.rule, classes=["ms-advice-rule"])
        else:
            solara.Warning("No package evaluated is within the budget.")
    with solara.Card(margin=0, classes=["ms-advice-card", "ms-advice-table-card"]):
        solara.HTML(tag="h3", unsafe_innerHTML="Packages on the "
                    + term("Pareto front", "pareto") + " (hover a heading for its meaning)")
        solara.HTML(tag="div", classes=["ms-advice-scroll"], unsafe_innerHTML=table_html(view))
    with solara.Card(margin=0, classes=["ms-advice-card", "ms-advice-failure"]):
        solara.HTML(tag="h3", unsafe_innerHTML="When the preferred option fails ("
                    + term("scenario discovery", "prim") + ")")
        found = view.failure
        if found.boxes:
            items = "".join(f"<li>{html.escape(b)}</li>" for b in found.boxes)
            solara.HTML(tag="div", unsafe_innerHTML=(
                f"<p class='ms-advice-note'>It misses the target in {found.misses} of "
                f"{found.futures} futures. Each condition below gives its "
                f"{term('coverage', 'coverage')} and {term('density', 'density')}.</p>"
                f"<ul class='ms-advice-boxes'>{items}</ul>"))
        else:
            para(found.message, classes=["ms-advice-note", "ms-advice-no-boxes"])
    Downloads(job, kick)
    para(f"Search: {len(job.advice.candidates)} packages, "
                f"{len(job.advice.evaluations)} runs in {job.seconds:.1f} s on {job.workers} "
                f"worker process{'es' if job.workers > 1 else ''}; root seed "
                f"{job.advice.plan.seed}. The same settings give the same answer with "
                "\"missionsim advise\".", classes=["ms-advice-note"])


@solara.component
def Downloads(job: AdviceJob, kick):
    """The advice record, its front, every file zipped, and the appraisal on demand."""
    state, error = job.appraisal.reading()

    def make_appraisal() -> None:
        job.appraisal.start()
        kick.set(kick.value + 1)

    with solara.Row(gap="12px", style={"flex-wrap": "wrap", "align-items": "center"}):
        for what, name, mime, make in (
                ("advice record", RECORD_NAME, "application/json", job.record_bytes),
                ("Pareto front", PARETO_NAME, "text/csv", job.pareto_bytes),
                ("every file", ZIP_NAME, "application/zip", job.zip_bytes)):
            with solara.Div(classes=[f"ms-advise-download-{name.split('.')[-1]}"]):
                solara.FileDownload(_Data(make, what), filename=name, mime_type=mime,
                                    label=f"Download {what} ({name})")
        with solara.Div(classes=["ms-advise-appraisal"]):
            if state == FINISHED:
                solara.FileDownload(job.appraisal.data, filename=APPRAISAL_NAME,
                                    mime_type="text/html",
                                    label=f"Download appraisal ({APPRAISAL_NAME})")
            elif state == RUNNING:
                para("Making the appraisal (a further comparison of the shortlisted "
                            "options)…", classes=["ms-advice-note"])
            else:
                solara.Button("Make the options appraisal (HTML)", outlined=True,
                              color="primary", on_click=make_appraisal,
                              classes=["ms-advise-make-appraisal"])
    if state == FAILED:
        solara.Error(error, classes=["ms-advise-appraisal-failed"])


@dataclass(frozen=True)
class _Data:
    """A download's bytes: a callable equal for equal jobs (so not rebuilt each render)."""

    make: Callable[[], bytes]
    what: str

    def __call__(self) -> bytes:
        return safe_download(self.make, self.what)
