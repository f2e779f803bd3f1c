"""Packages and their genes: encoding, decoding, scenarios, words; budget feasibility."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from missionsim.analysis.advise import Choice, Gene, Space, load_settings, make_plan
from missionsim.analysis.advise.evaluate import Archive, Candidate, with_package
from missionsim.experiments.options import RunOptions

SPACE = Space(genes=(Gene("local_capacity", (0.5, 1.0, 2.0), (0, 12)),
                     Gene("devolution", (1.0,), (0, 12, 24)),
                     Gene("learning_accountability", (0.5,), (0,))),
              targets=("all", {"deprivation_deciles": [8, 9, 10]}))


def every_package(space: Space):
    options = []
    for gene in space.genes:
        choices = [None] + [Choice(gene.reform, i, s, t) for i in gene.intensities
                            for s in gene.starts for t in range(len(space.targets))]
        options.append(choices)
    for combo in itertools.product(*options):
        yield tuple(c for c in combo if c is not None)


def test_every_package_survives_encoding_and_decoding():
    packages = list(every_package(SPACE))
    assert len(packages) == SPACE.size() == (1 + 3 * 2 * 2) * (1 + 3 * 2) * (1 + 2)
    keys = set()
    for package in packages:
        genes = SPACE.encode(package)
        assert SPACE.decode(genes) == SPACE.canonical(package)
        keys.add(SPACE.key(package))
    assert len(keys) == len(packages)  # distinct packages, distinct keys


def test_genes_with_one_value_are_left_out_of_the_variables():
    names = set(SPACE.variables())
    assert "local_capacity:intensity" in names and "local_capacity:start" in names
    assert "devolution:intensity" not in names and "devolution:start" in names
    assert "learning_accountability:intensity" not in names
    assert "learning_accountability:start" not in names
    assert {f"{g.reform}:target" for g in SPACE.genes} <= names  # two targeting options
    assert {f"{g.reform}:on" for g in SPACE.genes} <= names


def test_genes_of_reforms_left_out_do_not_matter():
    package = (Choice("local_capacity", 2.0, 12, 1),)
    genes = SPACE.encode(package)
    other = {**genes, "devolution:start": 2, "devolution:target": 1}
    assert SPACE.key(SPACE.decode(other)) == SPACE.key(package)


def test_integer_genes_are_rounded_and_held_in_the_grid():
    genes = SPACE.encode((Choice("local_capacity", 0.5, 0),))
    genes["local_capacity:intensity"] = 1.6  # crossover works on floats
    genes["local_capacity:start"] = 7.0  # beyond the grid
    assert SPACE.decode(genes) == (Choice("local_capacity", 2.0, 12),)


def test_encoding_refuses_what_the_space_does_not_hold():
    with pytest.raises(ValueError, match="not in the search space"):
        SPACE.encode((Choice("citizen_mobilisation", 1.0, 0),))
    with pytest.raises(ValueError, match="intensity 1.5 is not in the space"):
        SPACE.encode((Choice("local_capacity", 1.5, 0),))


def test_a_package_becomes_scenario_tables_with_its_targeting_passed_verbatim():
    package = (Choice("devolution", 1.0, 24), Choice("local_capacity", 2.0, 0, 1))
    assert SPACE.reforms(package) == {
        "local_capacity": {"start": 0, "intensity": 2.0,
                           "target": {"deprivation_deciles": [8, 9, 10]}},
        "devolution": {"start": 24, "intensity": 1.0}}
    assert SPACE.words(package) == ("local_capacity ×2 from month 0 in deprivation tenths 8, "
                                    "9, 10; devolution ×1 from month 24")
    assert SPACE.words(()) == "no reforms"


@pytest.mark.parametrize(("option", "words"), [
    ({"capacity_below": 0.5}, "places with capacity below 0.5"),
    ({"capacity_above": 0.6}, "places with capacity above 0.6"),
    ({"off_trajectory": True}, "places off their trajectory (chosen yearly)"),
    ({"places": ["Blackpool", "E06000009"]}, "Blackpool, E06000009"),
    ({"deprivation_deciles": [10]}, "deprivation tenths 10"),
])
def test_targeting_options_read_as_words(option, words):
    from missionsim.analysis.advise.space import target_words

    assert target_words(option) == words


def test_reforms_that_cannot_be_targeted_take_every_place_only():
    plan = plan_of(reforms=["long_term_funding", "local_capacity", "mission_leadership"],
                   targets=[{"deprivation_deciles": [9, 10]}, {"capacity_below": 0.4}])
    space = plan.space
    assert space.targets == ({"deprivation_deciles": [9, 10]}, {"capacity_below": 0.4}, "all")
    options = {g.reform: space.options(g) for g in space.genes}
    assert options == {"long_term_funding": (2,), "local_capacity": (0, 1),
                       "mission_leadership": (2,)}
    assert "long_term_funding:target" not in space.variables()
    assert space.size() == (1 + 2 * 2 * 1) * (1 + 2 * 2 * 2) * (1 + 2 * 2 * 1)
    package = (Choice("long_term_funding", 1.0, 0, 2), Choice("local_capacity", 0.5, 12, 1))
    scenario = with_package(plan, "c0001", package)
    settings = scenario.reform_settings()
    assert "target" not in settings["long_term_funding"]
    assert settings["local_capacity"]["target"] == {"capacity_below": 0.4}


def plan_of(**changes):
    scenario = {"name": "small_base", "horizon": 36, "replicates": 1, "seed": 3,
                "world": {"preset": "small"}}
    settings = load_settings({"budget": 5.0, "search": {"reforms": ["local_capacity",
                                                                    "devolution"],
                                                        "starts": [0, 12]},
                              "futures": {"count": 2}}, changes)
    return make_plan(settings, scenario)


def test_a_candidate_scenario_is_the_scenario_with_its_package_added():
    plan = plan_of()
    package = (Choice("local_capacity", 1.0, 12), Choice("devolution", 0.5, 0))
    scenario = with_package(plan, "c0007", package)
    assert scenario.name == "c0007" and scenario.horizon == 36
    assert scenario.reform_settings() == {
        "local_capacity": {"start": 12, "end": None, "intensity": 1.0},
        "devolution": {"start": 0, "end": None, "intensity": 0.5}}
    assert scenario.world == plan.scenario.world
    assert scenario.description == plan.space.words(package)


def archive_with(plan, costs: dict[str, list[float]], sizes: dict[str, int]) -> Archive:
    archive = Archive(plan, ensemble=None, options=RunOptions(workers=1))
    rows = []
    for name, values in costs.items():
        package = tuple(Choice("local_capacity", 1.0, 0) for _ in range(sizes[name]))[:1] + (
            (Choice("devolution", 1.0, 0),) if sizes[name] > 1 else ())
        archive.candidates[name] = Candidate(name, package, 0)
        for k, cost in enumerate(values):
            rows.append({"candidate": name, "future": k, "seed": k, "deadline": 70.0 + k,
                         "horizon": 71.0, "most_deprived": 60.0, "target_met": False,
                         "cost": cost})
    archive._frames.append(pd.DataFrame(rows))
    return archive


def test_the_budget_constraint_is_the_mean_cost_over_futures_less_the_budget():
    plan = plan_of(budget=5.0, objectives=["deadline", "cost"])
    archive = archive_with(plan, {"c0001": [4.0, 5.0], "c0002": [4.5, 6.5],
                                  "c0003": [5.0, 5.0]}, {"c0001": 1, "c0002": 2, "c0003": 2})
    candidates = list(archive.candidates.values())
    f, g = archive.objectives(candidates)
    np.testing.assert_allclose(g[:, 0], [4.5 - 5.0, 5.5 - 5.0, 0.0])  # ≤ 0: within budget
    np.testing.assert_allclose(f[:, 0], [-70.5, -70.5, -70.5])  # minimised: outcome negated
    np.testing.assert_allclose(f[:, 1], [4.5, 5.5, 5.0])


def test_a_largest_number_of_reforms_is_a_second_constraint():
    plan = plan_of(budget=5.0, max_reforms=1)
    archive = archive_with(plan, {"c0001": [1.0], "c0002": [1.0]}, {"c0001": 1, "c0002": 2})
    _, g = archive.objectives(list(archive.candidates.values()))
    assert g.shape == (2, 2)
    np.testing.assert_allclose(g[:, 1], [0.0, 1.0])


def test_settings_digest_ignores_generations_and_names_but_not_the_search():
    a = load_settings({"budget": 5.0}, {"generations": 3})
    b = load_settings({"budget": 5.0, "name": "other"}, {"generations": 9})
    c = load_settings({"budget": 5.0}, {"population": 30})
    assert a.digest() == b.digest() != c.digest()
    assert json.dumps(a.content(), sort_keys=True)  # plain data
