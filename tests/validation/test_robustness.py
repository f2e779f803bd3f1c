"""The global sensitivity of the reform ranking, in reduced form (``missionsim docs robustness``).

The document is built once, ``--quick``, on the 10-place world (Morris screening of three
uncertainties with two trajectories, then a tiny Sobol design over the two leading ones) into a
temporary folder; the tests then read its results stores and document and check them against
independent recomputations.
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

from missionsim import REFORMS, __version__
from missionsim.analysis import robustness as rb
from missionsim.analysis.sensitivity import sensitivity
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.sweeps import design_points
from missionsim.model.params import uncertainties
from missionsim.writeup import robustness as page_writer
from missionsim.writeup.docs import DIGEST, DocSettings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "robustness"
SCREENED = ("labour_market_tightness", "funding_shock", "response_lag")
PLAN = rb.Plan(preset="small", horizon=36, trajectories=2, replicates=2, sobol_samples=4,
               sobol_replicates=1, leading=2, uncertainties=SCREENED)
MISSIONSIM = [sys.executable, "-c", "import sys; from missionsim.cli import main; "
              "sys.exit(main(sys.argv[1:]))"]
"""The ``missionsim`` command, run by this Python."""
SCENARIOS = [rb.BASELINE, *REFORMS, *rb.PACKAGES]


def build_command(folder: Path, *extra: str) -> list[str]:
    """``missionsim docs robustness --quick`` into ``folder`` (its ``docs/`` and store)."""
    return [*MISSIONSIM, "docs", "robustness", "--root", str(folder), "--quick", "--store",
            str(folder / "store"), *extra]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Build the document once (two worker processes), then analyse its stores again
    in-process without running anything."""
    folder = tmp_path_factory.mktemp("robustness")
    (folder / "docs").mkdir()
    store, doc, images = folder / "store", folder / "docs" / "robustness.md", folder / "docs"
    done = subprocess.run(build_command(folder, "--workers", "2"), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    analyses = rb.run(PLAN, options=RunOptions(out=store, resume=True, workers=1))
    return {"folder": folder, "store": store, "doc": doc, "images": images,
            "analysis": analyses[0], "analyses": analyses, "stdout": done.stdout}


def stored(study, stage: str, name: str) -> Results:
    return Results.load(study["store"] / stage / name)


def recomputed_effects(study, stage: str, column: str = "outcome_deadline") -> pd.DataFrame:
    """Mean over replicates of (reform − baseline), from the stored per-run table."""
    def wide(name):
        runs = stored(study, stage, name).runs
        return runs.set_index(["point", "replicate"])[column].sort_index()

    base = wide(rb.BASELINE)
    return pd.DataFrame({name: (wide(name) - base).groupby(level="point").mean()
                         for name in [*REFORMS, *rb.PACKAGES]})


# --- designs --------------------------------------------------------------------------------
def test_designs_have_the_right_shapes(study):
    a = study["analysis"]
    k, lead = len(SCREENED), a.leading
    morris, sobol = a.morris.sweep, a.sobol.sweep
    assert list(a.ranges) == list(SCREENED)
    assert morris.design == "morris" and sobol.design == "sobol"
    assert design_points(morris).shape == (PLAN.trajectories * (k + 1), k)
    assert list(design_points(morris).columns) == list(SCREENED)
    assert len(lead) == PLAN.leading and set(lead) <= set(SCREENED)
    assert list(sobol.factors) == lead
    assert design_points(sobol).shape == (PLAN.sobol_samples * (len(lead) + 2), len(lead))
    assert lead == list(a.scores.index[:PLAN.leading])
    for stage, sweep, reps in (("morris", morris, PLAN.replicates),
                               ("sobol", sobol, PLAN.sobol_replicates)):
        for name in SCENARIOS:
            res = stored(study, stage, name)
            assert len(res.runs) == sweep.n_points * reps
            assert res.complete
    for name, low_high in a.ranges.items():
        values = design_points(morris)[name]
        assert low_high[0] <= values.min() < values.max() <= low_high[1]


def test_every_scenario_runs_the_same_design_and_seeds(study):
    a = study["analysis"]
    for stage, sweeps in (("morris", a.morris.sweeps), ("sobol", a.sobol.sweeps)):
        assert list(sweeps) == SCENARIOS
        keys = None
        for name in SCENARIOS:
            runs = stored(study, stage, name).runs.set_index(["point", "replicate"]).sort_index()
            factors = runs[[f"factor:{f}" for f in sweeps[name].factors]]
            if keys is None:
                keys = (runs["seed"], factors)
                assert runs["seed"].groupby(level="point").nunique().max() == (
                    PLAN.replicates if stage == "morris" else PLAN.sobol_replicates)
                assert runs["seed"].groupby(level="replicate").nunique().max() == 1
                continue
            pd.testing.assert_series_equal(runs["seed"], keys[0])
            pd.testing.assert_frame_equal(factors, keys[1])
            assert sweeps[name].scenario.name == name
            assert sweeps[name].scenario.horizon == PLAN.horizon
            assert sweeps[name].scenario.world.preset == PLAN.preset


def test_unpaired_results_are_refused(study):
    a = study["analysis"]
    results = {n: stored(study, "morris", n) for n in SCENARIOS}
    months = results["devolution"].months.copy()
    months.loc[months["replicate"] == 1, "seed"] += 1
    results["devolution"] = Results(months, results["devolution"].runs,
                                    results["devolution"].places,
                                    results["devolution"].manifest)
    with pytest.raises(ValueError, match="not paired"):
        rb.paired_outcomes(results, a.morris.sweeps, a.month)


# --- effects, best reform and margin -------------------------------------------------------------
@pytest.mark.parametrize("stage", ["morris", "sobol"])
def test_effects_are_the_paired_differences_of_the_stored_runs(study, stage):
    points = getattr(study["analysis"], stage).points
    want = recomputed_effects(study, stage)
    for name in want.columns:
        np.testing.assert_allclose(points[name].to_numpy(), want[name].to_numpy(),
                                   rtol=0, atol=1e-12, err_msg=name)
    gains = want[list(REFORMS)].to_numpy()
    order = np.sort(gains, axis=1)
    np.testing.assert_allclose(points[rb.MARGIN].to_numpy(), order[:, -1] - order[:, -2],
                               atol=1e-12)
    assert (points[rb.MARGIN] >= 0).all()
    best = np.array(list(REFORMS))[gains.argmax(axis=1)]
    assert (points["best"].to_numpy() == best).all()
    assert (points["best"] != points["second"]).all()


def test_effects_at_another_month_come_from_the_month_by_month_table(study):
    a = study["analysis"]
    month = 24
    later = rb.analyse(PLAN, (a.morris.sweeps, {n: stored(study, "morris", n) for n in SCENARIOS}),
                       (a.sobol.sweeps, {n: stored(study, "sobol", n) for n in SCENARIOS}),
                       month=month)
    assert later.month == month
    months = {n: stored(study, "morris", n).months for n in SCENARIOS}
    def at(name):
        frame = months[name]
        return frame[frame["month"] == month].set_index(["point", "replicate"]).sort_index()

    base = at(rb.BASELINE)
    for name in REFORMS:
        mine = at(name)
        want = (mine["outcome"] - base["outcome"]).groupby(level="point").mean()
        np.testing.assert_allclose(later.morris.points[name].to_numpy(), want.to_numpy(),
                                   atol=1e-12)
    assert not np.allclose(later.morris.points[list(REFORMS)].to_numpy(),
                           a.morris.points[list(REFORMS)].to_numpy())
    text = page_writer.markdown([a, later], "missionsim docs robustness")
    assert f"## At month {month}\n" in text
    for name in REFORMS:
        assert f"`{name}`" in text.split(f"## At month {month}")[1]


# --- indices ------------------------------------------------------------------------------------
def test_morris_indices_are_finite_and_non_negative_where_they_must_be(study):
    a = study["analysis"]
    m = a.morris.indices
    assert set(m["output"]) == set(a.outputs)
    assert set(m["factor"]) == set(SCREENED)
    assert len(m) == len(a.outputs) * len(SCREENED)
    for column in ("mu", "mu_star", "sigma", "mu_star_conf", "noise"):
        assert np.isfinite(m[column]).all(), column
    for column in ("mu_star", "sigma", "mu_star_conf", "noise"):
        assert (m[column] >= 0).all(), column
    assert (m["mu_star"] >= m["mu"].abs() - 1e-12).all()
    assert (m.groupby("output")["mu_star"].max() > 0).all()


def test_morris_of_the_baseline_outcome_matches_the_sweep_machinery(study):
    a = study["analysis"]
    sweep = a.morris.sweeps[rb.BASELINE]
    theirs = sensitivity(stored(study, "morris", rb.BASELINE), sweep).set_index("factor")
    m = a.morris.indices
    mine = m[m["output"] == rb.OUTCOME].set_index("factor")
    for column in ("mu", "mu_star", "sigma"):
        np.testing.assert_allclose(mine.loc[theirs.index, column], theirs[column], rtol=1e-9)


def test_sobol_indices_are_finite_and_total_indices_non_negative(study):
    a = study["analysis"]
    s = a.sobol.indices
    assert set(s["output"]) == set(a.outputs)
    assert set(s["factor"]) == set(a.leading)
    for column in ("S1", "S1_conf", "ST", "ST_conf", "variance"):
        assert np.isfinite(s[column]).all(), column
    for column in ("ST", "S1_conf", "ST_conf", "variance"):
        assert (s[column] >= 0).all(), column


def test_a_leading_shock_month_brings_its_size_into_the_sobol_stage():
    ranges = rb.uncertainty_ranges()
    declared = {u.name for u in uncertainties()}
    assert set(rb.SHOCK_SIZES) | set(rb.SHOCK_SIZES.values()) <= declared
    for month, size in rb.SHOCK_SIZES.items():
        assert rb.sobol_factors(["response_lag", month], ranges) == ["response_lag", month, size]
        assert rb.sobol_factors([size, month], ranges) == [size, month]
        assert rb.sobol_factors([month], {month: ranges[month]}) == [month]
    assert rb.sobol_factors(list(SCREENED), ranges) == list(SCREENED)


def test_leading_scores_rank_the_normalised_mu_star(study):
    a = study["analysis"]
    mu = a.morris.indices.pivot(index="factor", columns="output", values="mu_star")
    outputs = [*REFORMS, rb.MARGIN]
    share = (mu[outputs] / mu[outputs].max(axis=0)).mean(axis=1).to_dict()
    for factor, score in a.scores.items():
        assert math.isclose(score, share[factor], rel_tol=1e-9)
    assert list(a.scores.index) == sorted(share, key=share.get, reverse=True)


# --- the ranking ------------------------------------------------------------------------------
def test_ranking_shares_flips_and_regret_are_consistent(study):
    a = study["analysis"]
    for stage in (a.morris, a.sobol):
        r = stage.ranking
        assert set(r["reform"]) == set(REFORMS)
        assert math.isclose(r["first"].sum(), 1.0)
        assert (r["top3"] >= r["first"]).all()
        counts = stage.points["best"].value_counts(normalize=True)
        for row in r.itertuples():
            assert math.isclose(row.first, counts.get(row.reform, 0.0))
        for _, groups in stage.by_group.groupby("factor"):
            assert groups["points"].sum() == len(stage.points)
            np.testing.assert_allclose(groups[list(REFORMS)].sum(axis=1), 1.0)
    assert a.choice == a.morris.ranking["reform"].iloc[0]
    flips = a.flips.set_index("factor")
    assert (flips["steps"] == PLAN.trajectories).all()
    assert (flips["flips"] <= flips["steps"]).all()
    best = a.morris.points["best"].to_numpy()
    assert flips["flips"].sum() == a.moves["count"].sum() <= (best[1:] != best[:-1]).sum()
    for stage in (a.morris, a.sobol):
        gains = stage.points[list(REFORMS)]
        loss = gains.max(axis=1) - gains[a.choice]
        got = a.regret[stage.design]
        assert math.isclose(got["mean"], loss.mean(), abs_tol=1e-12)
        assert math.isclose(got["max"], loss.max(), abs_tol=1e-12)
        assert got["max"] >= got["p95"] >= 0
        assert math.isclose(got["share"], float((stage.points["best"] != a.choice).mean()))
    beat = a.packages["all_reforms"]
    extra = a.morris.points["all_reforms"] - a.morris.points[list(REFORMS)].max(axis=1)
    assert math.isclose(beat["share"], float((extra > 0).mean()))


# --- the document, figures and script -------------------------------------------------
def test_markdown_names_every_reform_and_uncertainty_screened(study):
    text = study["doc"].read_text(encoding="utf-8")
    a = study["analysis"]
    for name in [*REFORMS, *rb.PACKAGES, *SCREENED]:
        assert f"`{name}`" in text, name
    table = text.split("## The uncertainties screened")[1].split("\n## ")[0]
    assert re.findall(r"^\| `(\w+)` \|", table, re.M) == list(SCREENED)
    assert DIGEST.match(text.splitlines()[0])
    assert "```bash\nmissionsim docs robustness --quick\n```" in text
    assert "--store" not in text.split("```bash")[1].split("```")[0]
    assert f"| root seed | {a.seed} " in text
    assert __version__ in text and re.search(r"\| date \| \d{4}-\d\d-\d\d \|", text)
    assert f"`{a.choice}` gives the largest gain" in text
    for figure in ("morris", "sobol", "best", "effects"):
        link = re.search(rf"\]\((\S*robustness-{figure}\.png)\)", text)
        assert link, figure
        path = study["doc"].parent / link.group(1)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resuming_reuses_every_stored_run(study):
    timing = json.loads((study["store"] / "timing.json").read_text())
    a = study["analysis"]
    planned = sum(s.n_runs for st in (a.morris, a.sobol) for s in st.sweeps.values())
    assert [t["runs"] for t in timing] == [planned]
    assert a.info["runs"] == planned and a.info["invocations"] == 1
    done = subprocess.run(build_command(study["folder"], "--workers", "1"), cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "already holds results" in done.stderr and "--resume" in done.stderr


def test_script_help():
    done = subprocess.run([sys.executable, str(SCRIPT), "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for option in ("--trajectories", "--sobol-samples", "--replicates", "--horizon",
                   "--workers", "--scheduler", "--out", "--resume"):
        assert option in done.stdout, option


def test_script_means_missionsim_docs_robustness():
    shim = script_module.load(SCRIPT, "robustness_shim")
    args = shim.parser().parse_args(["--preset", "small", "--sobol-samples", "8", "--resume",
                                     "--no-package", "--workers", "1"])
    assert shim.arguments(args) == [
        "docs", "robustness", "--root", str(ROOT), "--store", str(ROOT / "results" / "robustness"),
        "--preset", "small", "--workers", "1", "--set", "sobol_samples=8", "--set",
        "packages=none", "--resume"]


def test_settings_make_the_plan():
    assert page_writer.plan_for(DocSettings(quick=True)) == PLAN
    full = page_writer.plan_for(DocSettings())
    assert full == rb.Plan()
    plan = page_writer.plan_for(DocSettings(replicates=3, extra={
        "trajectories": "4", "reforms": "devolution,local_capacity", "packages": "none",
        "seed": "7"}))
    assert (plan.replicates, plan.trajectories, plan.seed) == (3, 4, 7)
    assert plan.reforms == ("devolution", "local_capacity") and plan.packages == ()
    for bad, words in ((("sobol_samples", "6"), "power of two"),
                       (("reforms", "devolution,moonshots"), "moonshots"),
                       (("trajectories", "0"), "≥ 1"), (("colour", "red"), "colour")):
        with pytest.raises(ValueError, match=words):
            page_writer.plan_for(DocSettings(extra=dict([bad])))
