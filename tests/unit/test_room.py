"""Room mode without a browser: codes, joining, limits, isolation, budget, validation, threads."""

from __future__ import annotations

import json
import re
import threading

import pytest

from missionsim import limits
from missionsim.cli import main
from missionsim.experiments.costs import GREEN_BOOK_RATE
from missionsim.experiments.equalcost import public_costs
from missionsim.experiments.options import RunOptions
from missionsim.ui import server
from missionsim.ui.jobs import FINISHED
from missionsim.ui.room import launch
from missionsim.ui.room.advice import Point, chart_option, proposal_points
from missionsim.ui.room.settings import (
    CODE_ALPHABET,
    CODE_CHARS,
    Package,
    RoomError,
    make_package,
    make_settings,
    proposal_name,
    room_code,
    unique_names,
)
from missionsim.ui.room.state import BASELINE_LABEL, COST_REPLICATES, Room

HORIZON = 36
"""The shortest horizon the early-years mission allows (its deadline): quick runs."""
KEY = "the-facilitator-key"
CODE = "ABC234"


def small_room(budget: float = 30.0, replicates: int = 2) -> Room:
    return Room(CODE, KEY, make_settings(budget=budget, replicates=replicates,
                                         horizon=HORIZON), workers=1)


def package(*rows) -> Package:
    return make_package(list(rows), HORIZON)


CHEAP = ("experimentation", 0.5, 0)
"""A package far within a £30m budget (checked in a test below)."""


# --- codes and keys ---------------------------------------------------------------------------
def test_codes_are_short_random_and_unambiguous():
    codes = {room_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == CODE_CHARS and set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    first, second = Room(), Room()
    assert first.code != second.code
    assert not first.is_facilitator(second._key) and first.is_facilitator(first._key)


def test_join_needs_the_code_typed_in_any_case_with_spaces():
    room = small_room()
    with pytest.raises(RoomError, match="not this room's code") as info:
        room.join("s1", "ZZZZZZ")
    assert "\n" not in str(info.value)
    assert not room.joined("s1")
    room.join("s1", " abc-234 ")
    room.join("s1", "wrong now but already in")  # joining again is harmless
    assert room.joined("s1") and room.participants(KEY) == 1
    for value in (None, 123, "", "ABC23", "ABC2345"):
        with pytest.raises(RoomError):
            room.join("s2", value)


def test_too_many_wrong_codes_lock_a_session_out_even_with_the_right_one():
    room = small_room()
    for _ in range(limits.MAX_JOIN_ATTEMPTS):
        with pytest.raises(RoomError, match="not this room's code"):
            room.join("guesser", "AAAAAA")
    with pytest.raises(RoomError, match="Too many wrong codes"):
        room.join("guesser", CODE)
    room.join("someone else", CODE)  # other sessions are not affected


def test_the_room_takes_at_most_its_participants():
    room = small_room()
    for i in range(limits.MAX_ROOM_PARTICIPANTS):
        room.join(f"s{i}", CODE)
    with pytest.raises(RoomError, match=f"full \\({limits.MAX_ROOM_PARTICIPANTS}"):
        room.join("one more", CODE)


# --- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "message"), [
    ("", "give the proposal a name"), ("   ", "give the proposal a name"),
    ("x" * (limits.MAX_PROPOSAL_NAME_CHARS + 1), "at most"), ("<script>", "'<' is not allowed"),
    ("a\nb;", "';' is not allowed"), ("---", "at least one letter"), (None, "expected some text"),
])
def test_bad_names_are_refused_with_one_line(text, message):
    with pytest.raises(RoomError, match=re.escape(message)) as info:
        proposal_name(text)
    assert "\n" not in str(info.value)


def test_good_names_are_tidied():
    assert proposal_name("  Team   Blue (v2) ") == "Team Blue (v2)"
    assert proposal_name("Équipe 3 & co") == "Équipe 3 & co"


@pytest.mark.parametrize(("rows", "message"), [
    ([], "switch on at least one reform"),
    ([("no_such_reform", 1.0, 0)], "is not a reform"),
    ([("devolution", 0.0, 0)], "intensity above 0"),
    ([("devolution", 99.0, 0)], "at most"),
    ([("devolution", True, 0)], "intensity"),
    ([("devolution", 1.0, HORIZON)], "start month from 0"),
    ([("devolution", 1.0, 1.5)], "start month"),
    ([("devolution", 1.0, 0), ("devolution", 0.5, 0)], "listed twice"),
    ("devolution", "expected reforms"),
    ([("devolution", 1.0)], "expected reforms"),
])
def test_bad_packages_are_refused_with_one_line(rows, message):
    with pytest.raises(RoomError, match=message) as info:
        make_package(rows, HORIZON)
    assert "\n" not in str(info.value)


def test_packages_are_canonical_so_equal_packages_match():
    a = make_package([("devolution", 0.5000001, 12), ("local_capacity", 1.0, 0)], HORIZON)
    b = make_package([("local_capacity", 1, 0), ("devolution", 0.5, 12)], HORIZON)
    assert a == b and "devolution ×0.5 from month 12" in a.words()


@pytest.mark.parametrize(("values", "message"), [
    ({"scenario": "../etc/passwd"}, "Scenario"), ({"budget": 0}, "Budget"),
    ({"budget": "30"}, "Budget"), ({"budget": float("nan")}, "Budget"),
    ({"replicates": 1}, "Replicates"), ({"replicates": limits.MAX_ROOM_REPLICATES + 1},
                                        "Replicates"),
    ({"horizon": 12}, "deadline"), ({"horizon": limits.MAX_ROOM_HORIZON + 1}, "Horizon"),
])
def test_bad_settings_are_refused_with_one_line(values, message):
    with pytest.raises(RoomError, match=message) as info:
        make_settings(**values)
    assert "\n" not in str(info.value)


def test_a_proposal_runs_under_its_own_name_and_title():
    settings = small_room().settings
    made = settings.scenario_of(package(("devolution", 0.5, 12)), "Bob devolves")
    assert made.name == made.title == "Bob devolves"  # its row in the effect table
    assert made.title != settings.base().title


# --- cost and budget ---------------------------------------------------------------------------
def test_cost_is_the_public_cost_in_present_value_the_equal_cost_machinery_counts():
    room = small_room()
    chosen = package(("local_capacity", 1.0, 0), ("devolution", 0.5, 12))
    cost = room.cost(chosen)
    settings = room.settings
    direct = public_costs({"x": settings.scenario_of(chosen, "x")}, COST_REPLICATES,
                          settings.base().seed, GREEN_BOOK_RATE, RunOptions(workers=1))["x"]
    assert cost == pytest.approx(direct) and cost > 0
    assert room.cost(package(CHEAP)) < cost
    assert room.cost(chosen) == cost  # kept: a second reading runs nothing


def test_a_package_over_the_budget_cannot_be_submitted_and_the_line_says_by_how_much():
    room = small_room(budget=1.0)
    room.join("s1", CODE)
    dear = package(("local_capacity", 1.0, 0))
    cost = room.cost(dear)
    assert cost > 1.0
    with pytest.raises(RoomError, match=re.escape(f"Over the budget by £{cost - 1.0:,.2f}m")):
        room.propose("s1", "Too dear", dear)
    assert room.mine("s1") == ()
    room.configure(KEY, budget=round(cost + 1, 2))
    made = room.propose("s1", "Now within", dear)
    assert made.cost == pytest.approx(cost)


# --- proposals, limits, isolation ---------------------------------------------------------------
def test_a_participant_must_join_before_proposing():
    room = small_room()
    with pytest.raises(RoomError, match="Join the room"):
        room.propose("stranger", "Mine", package(CHEAP))


def test_proposals_per_participant_and_per_room_are_bounded():
    room = small_room()
    cheap = package(CHEAP)
    each = limits.MAX_ROOM_PROPOSALS_EACH
    room.join("s0", CODE)
    for i in range(each):
        room.propose("s0", f"P{i}", cheap)
    with pytest.raises(RoomError, match=f"You have {each} proposals"):
        room.propose("s0", "One more", cheap)
    session = 1
    while len(room.proposals(KEY)) < limits.MAX_ROOM_PROPOSALS:
        room.join(f"s{session}", CODE)
        for i in range(min(each, limits.MAX_ROOM_PROPOSALS - len(room.proposals(KEY)))):
            room.propose(f"s{session}", f"P{session}.{i}", cheap)
        session += 1
    room.join("late", CODE)
    with pytest.raises(RoomError, match=f"holds {limits.MAX_ROOM_PROPOSALS} proposals"):
        room.propose("late", "Late", cheap)
    numbers = [p.number for p in room.proposals(KEY)]
    assert len(set(numbers)) == len(numbers) == limits.MAX_ROOM_PROPOSALS


def test_each_participant_sees_and_changes_only_its_own_until_shown():
    room = small_room()
    room.join("alice", CODE)
    room.join("bob", CODE)
    a = room.propose("alice", "Alice's plan", package(CHEAP))
    b = room.propose("bob", "Bob's plan", package(("devolution", 0.5, 6)))
    assert [p.name for p in room.mine("alice")] == ["Alice's plan"]
    assert [p.name for p in room.mine("bob")] == ["Bob's plan"]
    assert room.mine("not joined") == ()
    with pytest.raises(RoomError, match="not yours"):
        room.withdraw("alice", b.number)
    with pytest.raises(RoomError, match="not yours"):
        room.propose("alice", "Hijack", package(CHEAP), replace=b.number)
    assert room.mine("bob")[0].name == "Bob's plan"
    assert room.shared() is None  # nothing shared until the facilitator shows it
    for wrong in ("", "nope", None, KEY.upper()):
        with pytest.raises(RoomError, match="Only the facilitator"):
            room.proposals(wrong)
        with pytest.raises(RoomError, match="Only the facilitator"):
            room.show(wrong, True)
        with pytest.raises(RoomError, match="Only the facilitator"):
            room.compare(wrong)
        with pytest.raises(RoomError, match="Only the facilitator"):
            room.configure(wrong, budget=1000.0)
    assert room.settings.budget == 30.0
    room.show(KEY, True)
    assert [p.name for p in room.shared().proposals] == ["Alice's plan", "Bob's plan"]
    room.show(KEY, False)
    assert room.shared() is None
    replaced = room.propose("alice", "Alice, second try", package(("devolution", 1.0, 0)),
                            replace=a.number)
    assert replaced.number == a.number and len(room.mine("alice")) == 1
    room.withdraw("alice", a.number)
    assert room.mine("alice") == () and len(room.proposals(KEY)) == 1


def test_scenario_and_horizon_change_only_before_any_proposal():
    room = small_room()
    room.configure(KEY, horizon=HORIZON + 12)
    room.configure(KEY, horizon=HORIZON)
    room.join("s1", CODE)
    room.propose("s1", "Plan", package(CHEAP))
    with pytest.raises(RoomError, match="before any proposal"):
        room.configure(KEY, horizon=HORIZON + 12)
    room.configure(KEY, budget=45.0, replicates=3)
    assert (room.settings.budget, room.settings.replicates) == (45.0, 3)


def test_unique_names_never_clash_with_each_other_or_the_baseline():
    names = unique_names(["A", "A", BASELINE_LABEL, "A (2)"], {BASELINE_LABEL})
    assert len(set(names)) == 4 and BASELINE_LABEL not in names


# --- threads ------------------------------------------------------------------------------------
def test_many_sessions_at_once_never_pass_the_limits():
    room = small_room()
    room.cost(package(CHEAP))  # costed once; the threads then race on the room's state
    sessions = [f"s{i}" for i in range(limits.MAX_ROOM_PARTICIPANTS + 10)]
    refused: list[str] = []
    barrier = threading.Barrier(len(sessions))

    def act(session: str) -> None:
        barrier.wait()
        try:
            room.join(session, CODE)
            for i in range(limits.MAX_ROOM_PROPOSALS_EACH + 1):
                room.propose(session, f"{session} {i}", package(CHEAP))
        except RoomError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=act, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert room.participants(KEY) == limits.MAX_ROOM_PARTICIPANTS
    every = room.proposals(KEY)
    assert len(every) == limits.MAX_ROOM_PROPOSALS
    assert len({p.number for p in every}) == len(every)
    assert sum(len(room.mine(s)) for s in sessions) == len(every)
    assert all(len(room.mine(s)) <= limits.MAX_ROOM_PROPOSALS_EACH for s in sessions)
    assert sum("full" in r for r in refused) == 10


# --- the comparison ------------------------------------------------------------------------------
def test_the_facilitator_compares_every_proposal_paired_with_the_baseline():
    room = small_room(replicates=2)
    with pytest.raises(RoomError, match="No proposal yet"):
        room.compare(KEY)
    room.join("alice", CODE)
    room.join("bob", CODE)
    room.propose("alice", "Same name", package(CHEAP))
    room.propose("bob", "Same name", package(("devolution", 1.0, 0)))
    run = room.compare(KEY)
    with pytest.raises(RoomError, match="still running"):
        room.compare(KEY)
    assert run.job.join(120) and run.job.progress().state == FINISHED
    assert run.names == ("Same name", "Same name (2)")
    summary = run.job.view.summary.set_index("scenario")
    assert set(summary.index) == {BASELINE_LABEL, *run.names}
    assert summary.attrs["baseline"] == BASELINE_LABEL
    seeds = run.job.results.runs.groupby("replicate")["seed"].nunique()
    assert (seeds == 1).all()  # common random numbers: one seed per replicate
    points = proposal_points(run)
    assert [p.name for p in points] == list(run.names)
    assert points[0].cost == pytest.approx(run.proposals[0].cost)
    option = chart_option([Point("c1", "x", 1.0, 0.5)], points, 30.0)
    assert [len(s["data"]) for s in option["series"]] == [1, 2]
    room.show(KEY, True)
    assert room.shared().run is run


# --- opening a room ------------------------------------------------------------------------------
def test_an_opening_travels_to_the_server_in_its_environment_and_is_removed(monkeypatch):
    opening = launch.open_room(budget=12.5, horizon=48)
    env = server.environment(opening)
    assert launch.decode(env[launch.ENV]) == opening
    assert launch.ENV not in server.environment()
    join, facilitator = opening.links("127.0.0.1", 8800)
    assert join == "http://127.0.0.1:8800/"
    assert facilitator == f"http://127.0.0.1:8800/facilitator?key={opening.key}"
    with pytest.raises(RoomError, match="not a room"):
        launch.decode(json.dumps({"code": "x"}))
    monkeypatch.setattr(launch, "_room", None)
    monkeypatch.setenv(launch.ENV, opening.encode())
    room = launch.current()
    assert room.code == opening.code and room.is_facilitator(opening.key)
    assert room.settings.budget == 12.5 and launch.ENV not in __import__("os").environ
    assert launch.current() is room and launch.room_mode()


def test_ui_room_prints_the_code_and_the_facilitator_link(monkeypatch, capsys):
    started = {}
    monkeypatch.setattr(server.os, "execve", lambda path, argv, env: started.update(
        argv=argv, env=env))
    monkeypatch.setattr(server, "check_address", lambda host, port: None)  # nothing is bound
    assert main(["ui", "--room", "--port", "8765", "--budget", "£20m",
                 "--replicates", "3"]) in (0, None)
    err = capsys.readouterr().err
    code = re.search(r"with the code ([A-Z0-9]{6})", err).group(1)
    key = re.search(r"facilitator\?key=(\S+)", err).group(1)
    opening = launch.decode(started["env"][launch.ENV])
    assert (opening.code, opening.key) == (code, key)
    assert (opening.settings.budget, opening.settings.replicates) == (20.0, 3)
    assert "127.0.0.1" in started["argv"] and "warning" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["ui", "--budget", "20"], "--budget: only with --room"),
    (["ui", "--room", "--budget", "lots"], "--budget: expected an amount"),
    (["ui", "--room", "--replicates", "1"], "--replicates: expected a whole number"),
    (["ui", "--room", "--scenario", "nope"], "--scenario: 'nope' is not one of"),
])
def test_bad_room_options_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


# --- the advice search ----------------------------------------------------------------------------
def test_the_front_starts_at_no_package_and_stays_within_the_budget():
    from missionsim.analysis.advise import advise
    from missionsim.resources import find_shipped
    from missionsim.ui.room.advice import ADVICE_FILE, front_points

    settings = make_settings(budget=20.0, horizon=HORIZON)
    advice = advise(settings.base(), settings.budget, settings=find_shipped(ADVICE_FILE, "advise"),
                    horizon=HORIZON, population=4, generations=1, futures=2,
                    options=RunOptions(workers=1))
    points = front_points(advice)
    assert points and all(p.cost <= settings.budget for p in points)
    assert [p.cost for p in points] == sorted(p.cost for p in points)
    none = [p for p in points if p.name == "c0000"]
    assert not none or (none[0].cost == 0 and none[0].gain == 0)
    option = chart_option(points, [], settings.budget)
    assert len(option["series"][0]["data"]) == len(points)
    assert option["series"][0]["markLine"]["data"] == [{"xAxis": 20.0}]


def test_an_advice_search_stops_when_cancelled():
    from missionsim.ui.jobs import CANCELLED
    from missionsim.ui.room.advice import AdviceJob

    job = AdviceJob(make_settings(horizon=HORIZON), workers=1)
    job.cancel()
    assert job.join(120)
    state, done, error = job.reading()
    assert state == CANCELLED and error == "" and done < job.total and job.advice is None


def test_a_room_server_offers_no_page_that_runs_studies(monkeypatch):
    import importlib

    import missionsim.ui.app as app

    opening = launch.open_room(horizon=HORIZON)
    monkeypatch.setattr(launch, "_room", None)
    monkeypatch.setenv(launch.ENV, opening.encode())
    try:
        importlib.reload(app)
        assert [r.path for r in app.routes] == ["/", launch.FACILITATOR_PATH, "explain"]
        assert launch.current().code == opening.code
    finally:
        monkeypatch.setattr(launch, "_room", None)
        monkeypatch.delenv(launch.ENV, raising=False)
        importlib.reload(app)
    assert "compare" in [r.path for r in app.routes]


def test_a_room_served_to_the_network_warns_and_still_needs_the_code(monkeypatch, capsys):
    started = {}
    monkeypatch.setattr(server, "check_address", lambda host, port: None)  # nothing is bound
    monkeypatch.setattr(server.os, "execve", lambda path, argv, env: started.update(argv=argv))
    server.serve("0.0.0.0", 8765, launch.open_room())
    err = capsys.readouterr().err
    assert "warning: serving on 0.0.0.0" in err and "joining the room needs its code" in err
    assert started["argv"][started["argv"].index("--host") + 1] == "0.0.0.0"
