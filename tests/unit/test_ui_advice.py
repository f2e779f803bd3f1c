"""The Advise page's pure parts: its settings, its job, and what it draws of a real advice.

The advice is a real search of the workshop world made tiny (4 packages a generation, 2
generations, 4 futures, 36 months), run by the page's own job in the background.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import zipfile

import numpy as np
import pandas as pd
import pytest

from missionsim.analysis.advise import RULE, advise
from missionsim.analysis.advise.engine import FILES
from missionsim.experiments.options import RunOptions
from missionsim.ui import advice_form as form
from missionsim.ui.advice_job import CANCELLED, FAILED, FINISHED, AdviceJob, Progress
from missionsim.ui.advice_view import (
    FONT_PX,
    MIN_MISSES,
    chart_option,
    explain,
    failure_conditions,
    front_table,
    table_html,
)
from missionsim.writeup.appraisal.glossary import TERMS

TINY = {"horizon": 36, "population": 4, "generations": 2, "futures": 4}
"""Settings that make the smallest preset tiny: seconds, not minutes."""


def tiny_settings(**extra):
    inputs = dataclasses.replace(form.default_inputs(), size=form.SMALL.name)
    settings, problem = form.check_inputs(inputs, extra={**TINY, **extra})
    assert problem == "", problem
    return settings


@pytest.fixture(scope="module")
def finished():
    """The page's job, run to the end on two worker processes, with every reading it gave."""
    seen: list[Progress] = []
    job = AdviceJob(tiny_settings(), workers=2, on_progress=seen.append)
    assert job.progress() == Progress("ready", 0, 2)
    job.start()
    assert job.join(300), job.progress()
    return job, seen


# --- the settings --------------------------------------------------------------------------
def test_default_inputs_are_the_shipped_file_at_the_default_size():
    inputs = form.default_inputs()
    base = form.base_settings()
    assert inputs.size == form.DEFAULT_SIZE == form.MEDIUM.name
    assert float(inputs.budget) == base.budget
    settings, problem = form.check_inputs(inputs)
    assert problem == ""
    assert (settings.search.population, settings.search.generations,
            settings.futures.count) == (12, 3, 8)
    assert settings.objectives == base.objectives and settings.measure == base.measure
    assert settings.search.reform_intensities == base.search.reform_intensities


@pytest.mark.parametrize("size", list(form.SIZES.values()))
def test_each_size_sets_the_search(size):
    inputs = dataclasses.replace(form.default_inputs(), size=size.name)
    settings, problem = form.check_inputs(inputs)
    assert problem == ""
    assert settings.search.population == size.population
    assert settings.search.generations == size.generations
    assert settings.futures.count == size.futures
    assert f"{size.population} packages × {size.generations} generations" in size.describe()
    sizes = [s.most_runs for s in form.SIZES.values()]
    assert sizes == sorted(sizes)  # smallest first


@pytest.mark.parametrize(("change", "expected"), [
    ({"budget": "lots"}, "Budget: expected an amount in £m such as 40"),
    ({"budget": "-5"}, "Budget: expected an amount in £m"),
    ({"budget": "0"}, "Budget: expected an amount in £m"),
    ({"budget": ""}, "Budget: expected an amount in £m"),
    ({"objectives": ()}, "Objectives: choose at least one"),
    ({"objectives": ("cost", "wealth")}, "Objectives: 'wealth' is not one of"),
    ({"measure": "max"}, "Robustness measure: expected one of mean, p10"),
    ({"reforms": ()}, "Reforms: choose at least one"),
    ({"reforms": ("devolution", "magic")}, "Reforms: 'magic' is not one of the listed"),
    ({"size": "huge"}, "Search size: expected one of small, medium, full"),
])
def test_bad_inputs_give_one_line_naming_the_control(change, expected):
    inputs = dataclasses.replace(form.default_inputs(), **change)
    settings, problem = form.check_inputs(inputs)
    assert settings is None
    assert problem.startswith(expected) and "\n" not in problem


def test_settings_errors_are_the_advices_own_one_line_naming_the_control():
    settings, problem = form.check_inputs(form.default_inputs(), extra={"horizon": 0})
    assert settings is None
    assert problem.startswith("Horizon:") and "\n" not in problem


def test_budget_reads_as_the_command_line_reads_it():
    inputs = dataclasses.replace(form.default_inputs(), budget="£1,200m")
    settings, problem = form.check_inputs(inputs)
    assert problem == "" and settings.budget == 1200.0


def test_unchosen_reforms_lose_their_own_intensities_and_targeting_follows_the_reforms():
    only = ("devolution", "citizen_mobilisation")
    settings, problem = form.check_inputs(
        dataclasses.replace(form.default_inputs(), reforms=only))
    assert problem == "" and settings.search.reforms == list(only)
    assert settings.search.reform_intensities == {}  # local_capacity's grid went with it
    assert len(settings.search.targets) == 2  # every place, or the most deprived tenths
    assert form.plan_problem(settings) == ""
    central = ("long_term_funding", "mission_leadership")  # neither can be targeted
    settings, problem = form.check_inputs(
        dataclasses.replace(form.default_inputs(), reforms=central))
    assert problem == "" and settings.search.targets == ["all"]
    assert form.plan_problem(settings) == ""


# --- the job -------------------------------------------------------------------------------
def test_the_job_reports_each_generation_and_its_runs(finished):
    job, seen = finished
    assert job.progress().state == FINISHED and job.progress().text == "Finished: 2 generations"
    assert [p.generation for p in seen if p.state == "running"][-1] == 2
    for generation in (1, 2):
        runs = [(p.done, p.total) for p in seen if p.generation == generation and p.total]
        total = runs[-1][1]
        assert total % 4 == 0  # new packages × 4 futures
        counted = [d for k, (d, _) in enumerate(runs) if k == 0 or runs[k - 1][0] != d]
        assert counted == list(range(1, total + 1))  # each run once, in order
    running = next(p for p in seen if p.generation == 2 and p.total)
    assert running.text == f"Generation 2 of 2: 1 of {running.total} runs"
    assert len(job.lines) == 3 and job.lines[-1].startswith("done:")
    assert job.seconds > 0


def test_the_job_gives_the_answer_of_a_direct_call(finished):
    job, _ = finished
    direct = advise(settings=job.settings, options=RunOptions(workers=1))
    assert direct.preferred == job.advice.preferred
    assert list(direct.pareto.index) == list(job.advice.pareto.index)
    pd.testing.assert_frame_equal(direct.evaluations, job.advice.evaluations)


def test_cancel_stops_the_search_after_the_run_in_hand():
    settings = tiny_settings(generations=3)
    job = AdviceJob(settings, workers=1)
    first = threading.Event()
    job.on_progress = lambda p: first.set() if p.done >= 1 else None
    job.start()
    assert first.wait(120)
    job.cancel()
    assert job.join(120)
    now = job.progress()
    assert now.state == CANCELLED and now.generation == 1 and now.done < now.total
    assert now.text == "Cancelled in generation 1 of 3"
    assert job.advice is None and job.view is None
    with pytest.raises(RuntimeError, match="started before"):
        job.start()


def test_a_closed_session_abandons_its_search():
    closed = threading.Event()
    closed.set()
    job = AdviceJob(tiny_settings(), workers=1, abandon=closed).start()
    assert job.join(60)
    assert job.progress().state == CANCELLED and job.progress().generation == 0


def test_a_search_that_cannot_run_fails_in_one_line():
    job = AdviceJob(tiny_settings(horizon=12), workers=1).start()  # before the deadline
    assert job.join(60)
    now = job.progress()
    assert now.state == FAILED
    assert "deadline" in now.error and "\n" not in now.error
    assert now.text.startswith("Stopped before the first generation: ")


def test_downloads_hold_the_advice_record(finished):
    job, _ = finished
    record = json.loads(job.record_bytes())
    assert record["preferred"] == job.advice.preferred
    assert record["pareto"] == list(job.advice.pareto.index)
    front = pd.read_csv(io.BytesIO(job.pareto_bytes()), index_col=0)
    assert list(front.index) == list(job.advice.pareto.index)
    with zipfile.ZipFile(io.BytesIO(job.zip_bytes())) as archive:
        assert sorted(archive.namelist()) == sorted(FILES)


# --- what the page draws -------------------------------------------------------------------
def test_chart_has_one_point_per_package_on_the_front_and_the_preferred_apart(finished):
    job, _ = finished
    advice = job.advice
    option = chart_option(advice)
    json.dumps(option)  # it travels to the browser as JSON
    front, preferred = option["series"]
    assert sorted(p["name"] for p in front["data"]) == sorted(advice.pareto.index)
    assert [p["name"] for p in preferred["data"]] == [advice.preferred]
    for point in front["data"]:
        row = advice.candidates.loc[point["name"]]
        assert point["value"] == pytest.approx([row["cost_mean"], row["deadline_mean"]],
                                               abs=1e-4)
        tip = point["tooltip"]["formatter"]
        assert advice.words(point["name"]).split(";")[0] in tip
        assert "{" not in tip and "P(target met)" in tip
    assert front["markLine"]["data"] == [{"xAxis": advice.plan.budget}]
    sizes = [option["textStyle"]["fontSize"], option["tooltip"]["textStyle"]["fontSize"],
             option["legend"]["textStyle"]["fontSize"]]
    sizes += [option[a][k]["fontSize"] for a in ("xAxis", "yAxis")
              for k in ("axisLabel", "nameTextStyle")]
    assert min(sizes) >= FONT_PX >= 14
    assert "month 36" in option["yAxis"]["name"] and "mean" in option["yAxis"]["name"]


def test_chart_follows_the_measure_the_search_optimised(finished):
    job, _ = finished
    cautious = dataclasses.replace(job.advice, settings=job.advice.settings.model_copy(
        update={"measure": "p10", "objectives": ["most_deprived", "cost"]}))
    option = chart_option(cautious)
    point = option["series"][0]["data"][0]
    assert point["value"][1] == pytest.approx(
        cautious.candidates.loc[point["name"], "most_deprived_p10"], abs=1e-4)
    assert "most deprived" in option["yAxis"]["name"] and "p10" in option["yAxis"]["name"]


def test_table_rows_are_the_front_with_the_preferred_marked(finished):
    job, _ = finished
    advice = job.advice
    header, rows = front_table(advice)
    assert sorted(r[1] for r in rows) == sorted(advice.pareto.index)
    assert [r[1] for r in rows if r[0] == "★"] == [advice.preferred]
    keys = [c.key for c in header]
    for row in rows:
        source = advice.candidates.loc[row[1]]
        assert row[2] == source["package"]
        assert row[keys.index("cost_mean")] == f"{source['cost_mean']:,.2f}"
        assert row[keys.index("p_target_satisficing")] == \
            f"{source['p_target_satisficing']:.0%}"
    costs = [float(r[keys.index("cost_mean")].replace(",", "")) for r in rows]
    assert costs == sorted(costs)
    page = table_html(job.view)
    assert page.count("<tr data-candidate=") == len(rows)
    assert page.count('class="preferred"') == 1
    glossary = dict(TERMS)
    assert glossary["Regret"][:40] in page and glossary["Worst tenth (p10)"][:40] in page


def test_view_says_the_preferred_option_and_its_rule(finished):
    job, _ = finished
    view = job.view
    assert view.preferred.startswith(f"{job.advice.preferred}: {job.advice.words()}")
    assert RULE in view.rule
    assert f"{len(job.advice.pareto)} on the Pareto front" in view.summary
    for key in ("pareto", "preferred", "p10", "regret", "p_target", "pv"):
        assert len(explain(key)) > 20


def _with_misses(advice, missed: np.ndarray, rng: np.random.Generator):
    """The advice with the preferred option missing in the given futures of a new ensemble.

    The futures vary two inputs; misses are given, not simulated, so that the failure
    conditions the page shows can be checked against a known condition.
    """
    n = len(missed)
    futures = pd.DataFrame({"seed": np.arange(n), "labour_market_tightness": np.linspace(
        0.5, 2.0, n), "response_lag": rng.uniform(0.5, 1.5, n)},
        index=pd.RangeIndex(n, name="future"))
    own = pd.DataFrame({"candidate": advice.preferred, "future": np.arange(n),
                        "seed": np.arange(n), "deadline": 70.0, "horizon": 70.0,
                        "most_deprived": 65.0, "target_met": ~missed, "cost": 1.0})
    return dataclasses.replace(advice, futures=futures, evaluations=own)


def test_failure_conditions_are_prim_boxes_when_there_are_enough_misses(finished):
    job, _ = finished
    rng = np.random.default_rng(5)
    n = 60
    tight = np.linspace(0.5, 2.0, n) > 1.6  # misses where the labour market is tight
    found = failure_conditions(_with_misses(job.advice, tight, rng))
    assert found.misses == int(tight.sum()) and found.futures == n
    assert found.message == "" and found.boxes
    assert "labour market tightness" in found.boxes[0].lower()
    few = np.zeros(n, dtype=bool)
    few[:MIN_MISSES - 1] = True
    found = failure_conditions(_with_misses(job.advice, few, rng))
    assert found.boxes == () and "too few misses" in found.message
    found = failure_conditions(_with_misses(job.advice, np.zeros(n, dtype=bool), rng))
    assert found.boxes == () and "did not miss in any future" in found.message


def test_failure_conditions_of_the_real_advice_are_one_line(finished):
    job, _ = finished
    found = job.view.failure
    missed = int(job.advice.outcomes()["missed"].sum())
    assert found.misses == missed and found.futures == 4
    assert found.boxes or (found.message and "\n" not in found.message)


def test_the_page_draws_a_finished_search(finished):
    import solara
    from solara.components.echarts import EchartsWidget

    from missionsim.ui import advice as page
    from missionsim.ui.advice_job import AdviceJob as Job

    job, _ = finished
    assert isinstance(job, Job)

    @solara.component
    def Page():
        kick = solara.use_reactive(0)
        page.Results(job, kick)

    _, rc = solara.render(Page(), handle_error=False)
    try:
        charts = rc.find(EchartsWidget).widgets
        html = " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)
    finally:
        rc.close()
    assert len(charts) == 1 and charts[0].option == job.view.option
    assert "ms-advice-table" in html and job.advice.preferred in html


def test_the_appraisal_is_made_on_demand_in_the_background(finished):
    job, _ = finished
    assert job.appraisal.reading() == ("ready", "")
    job.appraisal.start()
    assert job.appraisal.join(300)
    assert job.appraisal.reading() == (FINISHED, "")
    page = job.appraisal.data.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and job.advice.preferred in page
    with pytest.raises(RuntimeError, match="no advice yet"):
        AdviceJob(job.settings).appraisal.start()
