"""Complete costs and options at equal cost.

- Present values follow the Green Book's annual discounting; the public cost splits by payer.
- Resources a reform draws from others (donations, volunteer time) are counted, as paired
  changes against the baseline, in the total resource cost.
- ``compare --equal-cost`` gives every option the same public cost within 1%; a package
  scales as a whole; a budget an option cannot reach is refused in one line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from missionsim.analysis.stats import summarise
from missionsim.cli import main
from missionsim.errors import ScenarioError
from missionsim.experiments.costs import discount_factors, england_factor, run_costs
from missionsim.experiments.equalcost import largest_scale
from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.study import compare
from missionsim.model.params import PARAMETERS, PRESETS

SERIAL = RunOptions(workers=1)


def scenario(name: str, reforms: dict, horizon: int = 36, **world) -> Scenario:
    return Scenario.from_mapping({"name": name, "horizon": horizon, "replicates": 3,
                                  "world": {"preset": "small", "params": world},
                                  "reforms": reforms}, source="<test>")


BASE = scenario("baseline", {})


def test_green_book_discounting_is_annual_from_the_start():
    factors = discount_factors(np.array([0, 1, 12, 13, 24, 25, 120]), 0.035)
    assert factors == pytest.approx([1, 1, 1, 1 / 1.035, 1 / 1.035, 1 / 1.035**2, 1 / 1.035**9])
    assert discount_factors(np.arange(1, 50), 0.0) == pytest.approx(np.ones(49))
    with pytest.raises(ValueError, match="discount rate"):
        discount_factors(np.arange(3), 1.5)


def test_public_cost_is_the_booked_reform_money_split_by_payer():
    results = compare([BASE, scenario("partnerships", {"civil_society_partnerships": {}})],
                      options=SERIAL)
    months = results.months
    assert (months["cost_department"] + months["cost_council"]).to_numpy() == pytest.approx(
        months["reform_cost"].to_numpy(), abs=1e-12)
    undiscounted = run_costs(months, rate=0.0)
    total = months.groupby(["scenario", "replicate"])["reform_cost"].sum()
    assert undiscounted["public"].to_numpy() == pytest.approx(total.loc[undiscounted.index])
    summary = summarise(results).set_index("scenario")
    row = summary.loc["partnerships"]
    share = PARAMETERS["civil_society_partnerships_council_share"].default
    assert row["public_council"] == pytest.approx(share * row["public_cost"])
    assert row["public_department"] + row["public_council"] == pytest.approx(row["public_cost"])
    # discounting at 3.5% lowers a three-year stream, but by less than 3.5% × 2 years
    assert row["public_cost"] < row["reform_cost"] < row["public_cost"] * 1.035**2
    assert summary.loc["baseline", "public_cost"] == 0.0


def test_resources_drawn_from_others_are_counted_in_the_total():
    # mobilisation raises donations and volunteering: paired over six seeds, the total
    # resource cost exceeds the public cost by what it draws
    results = compare([BASE.with_changes(replicates=6, horizon=48),
                       scenario("mobilisation", {"citizen_mobilisation": {}}, horizon=48)
                       .with_changes(replicates=6)], options=SERIAL)
    row = summarise(results).set_index("scenario").loc["mobilisation"]
    assert row["drawn_donations"] > 0 and row["drawn_volunteers"] > 0
    assert row["resource_cost"] == pytest.approx(
        row["public_cost"] + row["drawn_donations"] + row["drawn_volunteers"])
    assert row["resource_per_point"] > row["cost_per_point"] > 0 or row["effect_end"] <= 0


def test_england_equivalent_scales_by_people_served():
    runs = pd.DataFrame({"people_served": [float(PRESETS["small"]["cohort_total"])] * 2})
    assert england_factor(runs) == pytest.approx(
        PARAMETERS["cohort_total"].default / PRESETS["small"]["cohort_total"])


def test_equal_cost_gives_every_option_the_same_public_cost_within_one_percent():
    options = [scenario("capacity", {"local_capacity": {}}),
               scenario("trials", {"experimentation": {}}),
               scenario("codesign", {"workforce_codesign": {}}),
               scenario("package", {"devolution": {"intensity": 0.5},
                                    "learning_accountability": {"intensity": 1.0}})]
    results = compare([BASE, *options], options=SERIAL, equal_cost="reachable")
    scaling = results.manifest["equal_cost"]
    summary = summarise(results).set_index("scenario")
    for s in options:
        assert summary.loc[s.name, "public_cost"] == pytest.approx(scaling["budget"], rel=0.01)
    # the package scaled as a whole: its two intensities keep their ratio
    package = results.manifest["scenarios"]["package"]["content"]["reforms"]
    assert package["devolution"]["intensity"] * 2 == pytest.approx(
        package["learning_accountability"]["intensity"])
    # 'reachable' is the most the cheapest option can cost: it sits at its top, none is capped
    assert any(scaling["scale"][s.name] == pytest.approx(largest_scale(s)) for s in options)
    assert scaling["capped"] == []

    half = compare([BASE, *options[:2]], options=SERIAL, equal_cost=scaling["budget"] / 2)
    again = summarise(half).set_index("scenario")
    for s in options[:2]:
        assert again.loc[s.name, "public_cost"] == pytest.approx(scaling["budget"] / 2,
                                                                 rel=0.01)


def test_options_that_cannot_reach_the_budget_are_capped_and_flagged():
    review = scenario("review", {"learning_accountability": {}})
    capacity = scenario("capacity", {"local_capacity": {}})
    # local_capacity at intensity 1 costs £0.25m a council-year: 10 councils × 3 years ≈ £7m
    results = compare([BASE, review, capacity], options=SERIAL, equal_cost=5.0)
    scaling = results.manifest["equal_cost"]
    assert scaling["capped"] == ["review"]  # at most ~£0.6m: it cannot absorb £5m
    summary = summarise(results).set_index("scenario")
    assert summary.loc["capacity", "public_cost"] == pytest.approx(5.0, rel=0.01)
    assert summary.loc["review", "public_cost"] < 5.0 * 0.99
    content = results.manifest["scenarios"]["review"]["content"]["reforms"]
    assert content["learning_accountability"]["intensity"] == pytest.approx(
        PARAMETERS["learning_accountability_max_intensity"].default)
    # the full-intensity ranking is run beside the equal-cost one, and ranked apart
    assert set(scaling["as_set"]) == {"review", "capacity"}
    as_set = summary.loc[scaling["as_set"]["capacity"]]
    assert bool(as_set["as_set"]) and as_set["public_cost"] > 5.0
    assert sorted(summary.loc[~summary["as_set"], "rank"]) == [1, 2, 3]
    assert sorted(summary.loc[summary["as_set"], "rank"]) in ([1, 2], [1, 3], [2, 3])


def test_a_budget_no_option_can_reach_is_one_line():
    with pytest.raises(ScenarioError) as err:
        compare([BASE, scenario("review", {"learning_accountability": {}})], options=SERIAL,
                equal_cost=50_000.0)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("equal cost £50,000.00m: no option can reach it; the dearest, "
                              "'review', costs at most £")
    assert message.endswith("m")


def test_equal_cost_in_a_scenario_file_scales_the_options(tmp_path):
    base = tmp_path / "base.toml"
    base.write_text('name = "base"\nhorizon = 24\nreplicates = 2\nequal_cost = "reachable"\n'
                    '[world]\npreset = "small"\n', encoding="utf-8")
    option = tmp_path / "option.toml"
    option.write_text('extends = "base.toml"\nname = "option"\n[reforms.devolution]\n',
                      encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('equal_cost = -3\n', encoding="utf-8")
    assert main(["compare", str(base), str(option), "--out", str(tmp_path / "out"),
                 "--workers", "1", "--no-progress"]) == 0
    assert main(["validate", str(bad)]) == 2


@pytest.mark.parametrize("value", ["abc", "-5", "£0m", "nan", "inf", "£2e9m"])
def test_a_bad_equal_cost_on_the_command_line_is_one_line(value, capsys, tmp_path):
    path = tmp_path / "a.toml"
    path.write_text('[reforms.devolution]\n', encoding="utf-8")
    assert main(["compare", str(path), "--out", str(tmp_path / "out"),
                 "--equal-cost", value]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith(f"missionsim: error: --equal-cost = {value!r}: expected an amount")


def test_the_discount_rate_is_an_option_of_compare_and_report(tmp_path, capsys):
    base = tmp_path / "base.toml"
    base.write_text('name = "base"\nhorizon = 30\nreplicates = 2\n[world]\npreset = "small"\n',
                    encoding="utf-8")
    option = tmp_path / "option.toml"
    option.write_text('extends = "base.toml"\nname = "option"\n[reforms.local_capacity]\n',
                      encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", str(base), str(option), "--out", str(out), "--workers", "1",
                 "--no-progress", "--discount-rate", "0"]) == 0
    undiscounted = capsys.readouterr().out
    assert "present value at 0.0% a year" in undiscounted
    assert main(["report", str(out), "--report", str(tmp_path / "r.html")]) == 0
    discounted = capsys.readouterr().out
    assert "present value at 3.5% a year" in discounted
    # 30 months: the third year is discounted once, so the public cost falls
    cost = [float(line.split("|")[8].split()[0]) for text in (undiscounted, discounted)
            for line in text.splitlines() if line.startswith("| 1 |") or "| option |" in line]
    assert len(cost) == 2 and cost[1] < cost[0]


def test_the_table_lists_options_at_equal_cost_before_their_versions_as_set():
    from missionsim.writeup.summary import markdown

    options = [scenario("capacity", {"local_capacity": {}}),
               scenario("trials", {"experimentation": {}})]
    results = compare([BASE, *options], options=SERIAL, equal_cost="reachable")
    lines = [line for line in markdown(summarise(results)).splitlines()[2:]]
    names = [line.split("|")[2].strip() for line in lines]
    as_set = [name.endswith("(as set)") for name in names]
    assert as_set == sorted(as_set) and sum(as_set) == 2  # equal cost first, then as set


def test_the_equal_cost_budget_is_a_present_value_at_the_rate_given():
    capacity = scenario("capacity", {"local_capacity": {}})
    money = {}
    for rate in (0.0, 0.2):
        results = compare([BASE, capacity], options=SERIAL, equal_cost=5.0, discount_rate=rate)
        assert results.manifest["equal_cost"]["rate"] == rate
        own = run_costs(results.months, rate).xs("capacity", level="scenario")
        assert own["public"].mean() == pytest.approx(5.0, rel=0.01)
        money[rate] = run_costs(results.months, 0.0).xs("capacity", level="scenario")[
            "public"].mean()
    # later years count for less at 20% a year, so the same present value buys more money
    assert money[0.2] > money[0.0] * 1.05
