"""Each contract rule binds in a hand-made scenario, and the plan respects it.

Every plan also goes through the outside checker (`assert_valid`), which knows the rules but
not the model. Expected objectives are worked out by hand in each test's docstring.
"""

from __future__ import annotations

from typing import Any

import pytest

from planner import solve
from scenario_builders import assert_valid, scenario, school, trainer, uai, vendor, wave


def _plan(data: dict[str, Any]) -> dict[str, Any]:
    plan = solve(data, time_limit=10, workers=1).to_json()
    assert_valid(data, plan)
    return plan


def _waves(plan: dict[str, Any]) -> dict[str, str]:
    return {a["uai"]: a["wave"] for a in plan["assignments"]}


def test_with_room_everywhere_every_school_starts_in_the_first_wave() -> None:
    plan = _plan(scenario())
    assert plan["status"] == "OPTIMAL"
    assert set(_waves(plan).values()) == {"W1"}
    assert plan["objective"] == plan["bound"] == 0


@pytest.mark.parametrize(
    "window, wave_id, objective",
    [({"earliest_wave": "W2"}, "W2", 500), ({"pinned_wave": "W3"}, "W3", 1000)],
)
def test_rule_1_a_school_waits_for_its_earliest_or_pinned_wave(window: dict, wave_id: str, objective: int) -> None:
    plan = _plan(scenario(schools=[school(1, **window), school(2)]))
    assert _waves(plan) == {uai(1): wave_id, uai(2): "W1"}
    assert plan["objective"] == objective


def test_rule_1_a_deadline_beats_a_bigger_school() -> None:
    """One school per wave; the small school must start by W1, so the big one (900) waits: 900."""
    data = scenario(schools=[school(1, pupils=900), school(2, pupils=100, latest_wave="W1")])
    data["waves"] = [wave(n, max_schools=1) for n in (1, 2, 3)]
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W2", uai(2): "W1"}
    assert plan["objective"] == 900


def test_rule_2_max_schools_spreads_schools_biggest_first() -> None:
    """One school per wave: 900 in W1, 500 in W2, 100 in W3 -> 500 + 200."""
    data = scenario(schools=[school(1, pupils=100), school(2, pupils=900), school(3, pupils=500)])
    data["waves"] = [wave(n, max_schools=1) for n in (1, 2, 3)]
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W3", uai(2): "W1", uai(3): "W2"}
    assert plan["objective"] == 700


def test_rule_2_max_pupils_packs_the_first_wave_best() -> None:
    """1,000 pupils per wave: 600 + 400 in W1 and 500 in W2 (500) beats 500 + 400 first (600)."""
    data = scenario(schools=[school(1, pupils=600), school(2, pupils=500), school(3, pupils=400)])
    data["waves"] = [wave(n, max_pupils=1000) for n in (1, 2, 3)]
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W1", uai(2): "W2", uai(3): "W1"}
    assert plan["objective"] == 500


def test_priority_weights_favour_priority_education_and_may_be_fractional() -> None:
    """One school per wave; REP (weight 1.5) x 400 = 600 > 500, so the REP school goes first."""
    data = scenario(schools=[school(1, pupils=500), school(2, pupils=400, priority="REP")])
    data["waves"] = [wave(n, max_schools=1) for n in (1, 2)]
    data["objective"]["priority_weights"] = {"REP": 1.5}
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W2", uai(2): "W1"}
    data["schools"][0]["pupils"] = 601
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W1", uai(2): "W2"}
    assert plan["objective"] == 600.0


def test_rule_3_a_trainer_runs_at_most_its_sessions_so_schools_queue() -> None:
    """One trainer, 2 sessions a wave, four one-session schools: two wait for W2 (300 + 100)."""
    data = scenario(schools=[school(n, pupils=p) for n, p in ((1, 900), (2, 300), (3, 700), (4, 100))])
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W1", uai(2): "W2", uai(3): "W1", uai(4): "W2"}
    assert plan["objective"] == 400


def test_rule_3_sessions_follow_the_teacher_count() -> None:
    """25 teachers at 12 per session need 3 sessions; a trainer running 2 a wave cannot do it alone."""
    data = scenario(
        schools=[school(1, teachers=25)],
        trainers=[trainer("AT-1"), trainer("AT-2"), vendor()],
    )
    plan = _plan(data)
    assert sum(s["sessions"] for s in plan["teacher_sessions"]) == 3
    assert {s["trainer"] for s in plan["teacher_sessions"]} == {"AT-1", "AT-2"}


@pytest.mark.parametrize("lag, wave_id", [(0, "W1"), (1, "W2"), (2, "W3")])
def test_rule_3_an_untrained_trainer_teaches_trainer_lag_waves_after_its_training(lag: int, wave_id: str) -> None:
    data = scenario(trainers=[trainer("AT-1", trained=False), vendor()])
    data["cascade"]["trainer_lag"] = lag
    plan = _plan(data)
    assert set(_waves(plan).values()) == {wave_id}
    assert plan["trainer_training"] == [{"vendor": "V-1", "wave": "W1", "trainers": ["AT-1"]}]


def test_rule_3_only_trainers_serving_a_basin_teach_there() -> None:
    """Nord has a trained trainer; Sud's trainer must first be trained (W1), so Sud starts in W2."""
    data = scenario(
        schools=[school(1), school(2, basin="Sud")],
        trainers=[trainer("AT-N"), trainer("AT-S", basins=["Sud"], trained=False), vendor()],
    )
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W1", uai(2): "W2"}
    assert {(s["trainer"], s["uai"]) for s in plan["teacher_sessions"]} == {("AT-N", uai(1)), ("AT-S", uai(2))}


@pytest.mark.parametrize("per_session, objective", [(1, 1100), (2, 1000)])
def test_rule_4_a_vendor_session_trains_at_most_trainers_per_session(per_session: int, objective: int) -> None:
    """One vendor session in W1: with one trainer per session only Nord's trainer is trained then
    (Nord 900 in W2, Sud 100 in W3: 1,100); with two per session both are (both in W2: 1,000)."""
    data = scenario(
        schools=[school(1, pupils=900), school(2, pupils=100, basin="Sud")],
        trainers=[
            trainer("AT-N", trained=False),
            trainer("AT-S", basins=["Sud"], trained=False),
            vendor(capacity=2, capacity_by_wave={"W1": 1}),
        ],
    )
    data["cascade"]["trainers_per_session"] = per_session
    plan = _plan(data)
    assert plan["objective"] == objective
    assert all(len(session["trainers"]) <= per_session for session in plan["trainer_training"])


@pytest.mark.parametrize("per_session, objective", [(1, 700), (3, 0)])
def test_rule_5_leadership_sessions_limit_how_many_schools_start(per_session: int, objective: int) -> None:
    """One vendor session a wave: with one school per leadership session, one school can start per
    wave (900, 500, 100 -> 500 + 200); with three per session all start in W1."""
    data = scenario(
        schools=[school(1, pupils=100), school(2, pupils=900), school(3, pupils=500)],
        trainers=[trainer("AT-1", capacity=3), vendor(capacity=1)],
    )
    data["cascade"]["schools_per_leadership_session"] = per_session
    plan = _plan(data)
    assert plan["objective"] == objective
    covered = [uai_ for session in plan["leadership_training"] for uai_ in session["schools"]]
    assert sorted(covered) == sorted(_waves(plan))


def test_rule_6_an_unavailable_vendor_delays_everyone() -> None:
    data = scenario(trainers=[trainer("AT-1"), vendor(capacity_by_wave={"W1": 0})])
    plan = _plan(data)
    assert set(_waves(plan).values()) == {"W2"}


def test_rule_6_vendor_sessions_of_both_kinds_share_the_capacity() -> None:
    """One vendor session a wave, one school per leadership session: W1 starts Nord's leadership
    (Nord in W1), W2 trains Sud's trainer, W3 starts Sud's leadership (Sud in W3): 200. Training
    first would delay Nord (900)."""
    data = scenario(
        schools=[school(1, pupils=900), school(2, pupils=100, basin="Sud")],
        trainers=[trainer("AT-N"), trainer("AT-S", basins=["Sud"], trained=False), vendor(capacity=1)],
    )
    data["cascade"]["schools_per_leadership_session"] = 1
    plan = _plan(data)
    assert _waves(plan) == {uai(1): "W1", uai(2): "W3"}
    assert plan["objective"] == 200


def test_rule_6_an_academic_trainer_unavailable_in_a_wave_delays_its_schools() -> None:
    data = scenario(trainers=[trainer("AT-1", capacity_by_wave={"W1": 0}), vendor()])
    plan = _plan(data)
    assert set(_waves(plan).values()) == {"W2"}
    assert plan["objective"] == 1000
