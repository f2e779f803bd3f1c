"""Which reform is best at equal cost, in reduced form (``missionsim docs robustness --quick``).

The document is built once, ``--quick --workers 1``, on the 10-place world over 40 months (two
reforms, five factors in four groups, two grouped Morris trajectories, twelve Latin hypercube
points, one one-way sweep) into a temporary folder; the tests then analyse its results stores
again in-process (nothing is rerun but the equal-cost calibration, which is kept in memory) and
check the document and the numbers against independent recomputations.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import script_module

from missionsim.analysis import robustness as rb
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.model.params import PARAMETERS, assumptions, uncertainties
from missionsim.writeup import robustness as page_writer
from missionsim.writeup.docs import DIGEST, DocSettings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "robustness"
QUICK = page_writer.QUICK
PLAN = rb.Plan(preset="small", horizon=40, trajectories=2, replicates=1, samples=12,
               switching=1, switch_levels=3, switch_replicates=2, cost_replicates=1,
               factors=QUICK["factors"], reforms=QUICK["reforms"])
REFORMS = list(PLAN.reforms)
SCENARIOS = [rb.BASELINE, *REFORMS]
MISSIONSIM = [sys.executable, "-c", "import sys; from missionsim.cli import main; "
              "sys.exit(main(sys.argv[1:]))"]
"""The ``missionsim`` command, run by this Python."""
TOLERANCE = 1e-9


def build_command(folder: Path, *extra: str) -> list[str]:
    """``missionsim docs robustness --quick`` into ``folder`` (its ``docs/`` and store)."""
    return [*MISSIONSIM, "docs", "robustness", "--root", str(folder), "--quick", "--store",
            str(folder / "store"), *extra]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Build the document once (one worker), then analyse its stores again in-process."""
    folder = tmp_path_factory.mktemp("robustness")
    (folder / "docs").mkdir()
    done = subprocess.run(build_command(folder, "--workers", "1"), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    s = rb.run(PLAN, options=RunOptions(out=folder / "store", resume=True, workers=1))
    return {"folder": folder, "store": folder / "store", "doc": folder / "docs" / "robustness.md",
            "study": s, "stdout": done.stdout}


def stored(study, stage: str, name: str) -> Results:
    return Results.load(study["store"] / stage / name)


# --- the document ---------------------------------------------------------------------------
def test_the_document_has_every_section_in_order(study):
    text = study["doc"].read_text(encoding="utf-8")
    found = re.findall(r"^## (.+)$", text, re.M)
    assert [s for s in found if s in page_writer.SECTIONS] == list(page_writer.SECTIONS)
    assert DIGEST.match(text.splitlines()[0])
    assert "```bash\nmissionsim docs robustness --quick\n```" in text
    assert "--store" not in text.split("```bash")[1].split("```")[0]
    assert f"| root seed | {study['study'].seed} " in text
    assert re.search(r"\| date \| \d{4}-\d\d-\d\d \|", text)
    for name in [*REFORMS, *PLAN.factors]:
        assert f"`{name}`" in text, name
    for figure in ("screening", "best", "evppi"):
        link = re.search(rf"\]\((\S*robustness-{figure}\.png)\)", text)
        assert link, figure
        assert (study["doc"].parent / link.group(1)).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_document_reports_the_study_numbers(study):
    s, text = study["study"], study["doc"].read_text(encoding="utf-8")
    assert f"£{s.budget:.2f}m" in text
    for a in s.analyses:
        assert f"| {a.month} | {a.evppi.attrs['evpi']:.3f} | {a.evppi.attrs['floor']:.3f} |" in text
        top = a.best.iloc[0]
        assert f"`{a.best.index[0]}` is best in {top['p_best']:.0%}" in text
    table = text.split("## The factors varied")[1].split("\n## ")[0]
    assert re.findall(r"^\| `(\w+)` \|", table, re.M) == list(s.table.index)


# --- equal cost -----------------------------------------------------------------------------
def test_equal_cost_intensities_meet_the_budget(study):
    s = study["study"]
    assert s.budget > 0
    for reform in REFORMS:
        assert abs(s.cost[reform] / s.budget - 1) <= 0.01, reform
        assert 0 < s.intensity[reform] <= PARAMETERS[f"{reform}_max_intensity"].default
        assert math.isclose(s.intensity[reform], s.scale[reform])  # intensity 1 in the files
    runs = stored(study, "sample", REFORMS[0]).runs
    settings = runs["reforms"].iloc[0]
    settings = json.loads(settings) if isinstance(settings, str) else settings
    assert math.isclose(settings[REFORMS[0]]["intensity"], s.intensity[REFORMS[0]])


# --- designs and pairing ----------------------------------------------------------------------
def test_the_grouped_screening_moves_one_group_a_step(study):
    s = study["study"]
    groups = s.table["group"]
    k = groups.nunique()
    for name in SCENARIOS:
        runs = stored(study, "screening", name).runs
        assert len(runs) == PLAN.trajectories * (k + 1) * PLAN.replicates
    runs = stored(study, "screening", rb.BASELINE).runs.sort_values("point")
    x = runs[[f"factor:{f}" for f in s.table.index]].to_numpy(float)
    for t in range(PLAN.trajectories):
        block = x[t * (k + 1):(t + 1) * (k + 1)]
        moved = [set(groups.iloc[np.flatnonzero(step != 0)]) for step in np.diff(block, axis=0)]
        assert all(len(m) == 1 for m in moved)
        assert set().union(*moved) == set(groups)


def test_every_scenario_runs_the_same_points_and_seeds(study):
    s = study["study"]
    for stage in ("screening", "sample", f"switch-{s.switched[0]}"):
        first = None
        for name in SCENARIOS:
            runs = stored(study, stage, name).runs.set_index(["point", "replicate"]).sort_index()
            factors = runs[[c for c in runs.columns if c.startswith("factor:")]]
            if first is None:
                first = (runs["seed"], factors)
                continue
            pd.testing.assert_series_equal(runs["seed"], first[0])
            pd.testing.assert_frame_equal(factors, first[1])
    low, high = s.table["low"], s.table["high"]
    points = stored(study, "sample", rb.BASELINE).runs
    for f in s.table.index:
        assert low[f] <= points[f"factor:{f}"].min() < points[f"factor:{f}"].max() <= high[f]


def test_gains_are_the_paired_differences_of_the_stored_runs(study):
    s = study["study"]
    for a in s.analyses:
        months = {n: stored(study, "sample", n).months for n in SCENARIOS}

        def at(name, month=a.month, months=months):
            m = months[name]
            return m[m["month"] == month].set_index(["point", "replicate"])["outcome"].sort_index()

        for reform in REFORMS:
            want = ((at(reform) - at(rb.BASELINE)) * s.direction).groupby(level="point").mean()
            np.testing.assert_allclose(a.sample_gains[reform].to_numpy(), want.to_numpy(),
                                       atol=1e-12)


def test_unpaired_results_are_refused(study):
    results = {n: stored(study, "sample", n) for n in SCENARIOS}
    r = results[REFORMS[0]]
    months = r.months.copy()
    months["seed"] += 1
    results[REFORMS[0]] = Results(months, r.runs, r.places, r.manifest)
    with pytest.raises(ValueError, match="not paired"):
        rb.paired(results, PLAN.samples, PLAN.replicates, 36)


# --- the numbers --------------------------------------------------------------------------------
def test_p_best_sums_to_one_and_lies_in_its_interval(study):
    for a in study["study"].analyses:
        b = a.best
        assert set(b.index) == set(REFORMS)
        assert math.isclose(b["p_best"].sum(), 1.0)
        assert (b["low"] <= b["p_best"] + TOLERANCE).all()
        assert (b["p_best"] <= b["high"] + TOLERANCE).all()
        counts = a.sample_gains.idxmax(axis=1).value_counts(normalize=True)
        for reform in REFORMS:
            assert math.isclose(b.loc[reform, "p_best"], counts.get(reform, 0.0))


def test_evppi_lies_between_zero_and_the_evpi(study):
    for a in study["study"].analyses:
        evpi = a.evppi.attrs["evpi"]
        assert evpi >= 0
        assert math.isclose(evpi, rb.evpi(a.sample_gains.to_numpy()))
        assert (a.evppi["evppi"] >= 0).all()
        assert (a.evppi["evppi"] <= evpi + 1e-9).all()
        assert 0 <= a.evppi.attrs["floor"] <= evpi + 1e-9
        assert set(a.evppi.index) == set(PLAN.factors)


def test_switching_values_lie_within_the_plausible_ranges(study):
    s = study["study"]
    assert len(s.switched) == PLAN.switching
    for a in s.analyses:
        assert list(a.switching.index) == s.switched
        for f, r in a.switching.iterrows():
            low, high = s.table.loc[f, ["low", "high"]]
            assert (r["low"], r["high"]) == (low, high)
            assert r["preferred"] in REFORMS
            for side in ("below", "above"):
                if r[f"{side}_to"]:
                    assert low <= r[side] <= high
                    assert (r[side] <= r["default"]) if side == "below" else (
                        r[side] >= r["default"])
                else:
                    assert math.isnan(r[side])


def test_grouped_morris_indices_cover_every_group_and_output(study):
    s = study["study"]
    for a in s.analyses:
        m = a.morris
        assert set(m["group"]) == set(s.table["group"])
        assert set(m["output"]) == {*REFORMS, rb.MARGIN}
        assert (m["mu_star"] >= 0).all() and np.isfinite(m["mu_star"]).all()
        assert list(a.groups.index[:len(a.groups.attrs["top"])]) == a.groups.attrs["top"]


# --- resuming, settings, errors -----------------------------------------------------------------
def test_resuming_reuses_every_stored_run(study):
    timing = json.loads((study["store"] / "timing.json").read_text())
    s = study["study"]
    assert len(timing) == 1 and timing[0]["runs"] == sum(s.info["runs"].values())
    done = subprocess.run(build_command(study["folder"], "--workers", "1"), cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "already holds results" in done.stderr and "--resume" in done.stderr


@pytest.mark.parametrize(("extra", "words"), [
    (("--set", "factors=labour_market_tightness,moonshot_gain"), "moonshot_gain"),
    (("--set", "reforms=devolution"), "at least two reforms"),
    (("--set", "budget=1e6"), "budget"),
    (("--set", "colour=red"), "colour"),
])
def test_bad_input_is_one_line(tmp_path, extra, words):
    (tmp_path / "docs").mkdir()
    done = subprocess.run(build_command(tmp_path, "--workers", "1", *extra), cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and words in errors[0], done.stderr
    assert "Traceback" not in done.stderr


def test_settings_make_the_plan():
    assert page_writer.plan_for(DocSettings(quick=True)) == PLAN
    assert page_writer.plan_for(DocSettings()) == rb.Plan()
    plan = page_writer.plan_for(DocSettings(replicates=2, extra={
        "samples": "50", "reforms": "devolution,local_capacity", "budget": "12.5", "seed": "7"}))
    assert (plan.replicates, plan.samples, plan.seed, plan.budget) == (2, 50, 7, 12.5)
    for bad, words in ((("budget", "-3"), "positive"), (("samples", "0"), "≥ 2"),
                       (("reforms", "devolution,moonshots"), "moonshots")):
        with pytest.raises(ValueError, match=words):
            page_writer.plan_for(DocSettings(extra=dict([bad])))


def test_every_declared_assumption_and_uncertainty_is_a_factor():
    table = rb.factor_table()
    declared = [p.name for p in assumptions() if p.kind is not bool]
    declared += [p.name for p in uncertainties() if p.name not in declared]
    assert list(table.index) == declared
    for name, row in table.iterrows():
        p = PARAMETERS[name]
        assert p.low <= row["low"] < row["high"] <= p.high
        assert row["group"] == (rb.UNCERTAINTY_GROUP if p.uncertainty else
                                rb.REFORM_GROUP + p.reform if p.reform else p.group)


def test_the_full_size_fits_ninety_minutes_on_two_cores():
    runs = sum(rb.Plan().runs().values())
    assert runs <= 8_000  # at about 1.2 s a workshop run over 120 months on one core


def test_script_means_missionsim_docs_robustness():
    shim = script_module.load(SCRIPT, "robustness_shim")
    args = shim.parser().parse_args(["--preset", "small", "--samples", "40", "--resume",
                                     "--budget", "20", "--workers", "1"])
    assert shim.arguments(args) == [
        "docs", "robustness", "--root", str(ROOT), "--store", str(ROOT / "results" / "robustness"),
        "--preset", "small", "--workers", "1", "--set", "budget=20", "--set", "samples=40",
        "--resume"]
    for key in shim.SETTINGS:
        assert key in page_writer.SETTINGS
