"""An infeasible scenario is explained in its own terms: which schools, trainers, waves and rules
cannot all hold, and the cheapest way found to relax them."""

from __future__ import annotations

from typing import Any

import pytest

from planner import ScenarioError, solve
from scenario_builders import assert_valid, scenario, school, trainer, uai, vendor


def _conflicts(data: dict[str, Any]) -> list[dict[str, Any]]:
    plan = solve(data, time_limit=10, workers=1).to_json()
    assert plan["status"] == "INFEASIBLE"
    assert plan["objective"] is None and plan["assignments"] == []
    assert_valid(data, plan)
    assert plan["conflicts"], "an infeasible plan must say why"
    assert any("relax" in conflict for conflict in plan["conflicts"]), "and how to relax it"
    return plan["conflicts"]


def _by_rule(conflicts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {conflict["rule"]: conflict for conflict in conflicts}


def test_pilot_schools_pinned_before_any_trainer_is_qualified() -> None:
    data = scenario(
        schools=[school(n, pinned_wave="W1", teachers=40) for n in (1, 2, 3)],
        trainers=[trainer("AT-1", trained=False), trainer("AT-2", trained=False), vendor()],
    )
    conflicts = _by_rule(_conflicts(data))
    assert set(conflicts) == {"pinned_wave", "teacher_supply"}
    supply = conflicts["teacher_supply"]
    assert supply["waves"] == ["W1"] and supply["trainers"] == ["AT-1", "AT-2"]
    assert supply["schools"] == conflicts["pinned_wave"]["schools"]
    assert "basin Nord" in supply["message"] and "qualified in W1" in supply["message"]
    assert "12 in W1" in supply["relax"]


def test_deadlines_against_a_wave_school_cap() -> None:
    data = scenario(schools=[school(n, latest_wave="W1") for n in (1, 2, 3)], trainers=[trainer("AT-1", capacity=5), vendor()])
    data["waves"][0]["max_schools"] = 2
    conflicts = _conflicts(data)
    assert sorted(c["rule"] for c in conflicts) == ["latest_wave"] * 3 + ["max_schools"]
    cap = _by_rule(conflicts)["max_schools"]
    assert cap["waves"] == ["W1"] and "at most 2 schools" in cap["message"]
    relaxed = [c for c in conflicts if "relax" in c]
    assert len(relaxed) == 1, "lifting one requirement is enough"
    assert relaxed[0]["relax"] in (
        "raise max_schools of W1 from 2 to 3",
        *(f"allow {uai(n)} until W2 (latest_wave W1)" for n in (1, 2, 3)),
    )


def test_deadlines_against_wave_pupil_caps() -> None:
    data = scenario(schools=[school(n, latest_wave="W2") for n in (1, 2, 3)], trainers=[trainer("AT-1", capacity=5), vendor()])
    for wave in data["waves"]:
        wave["max_pupils"] = 600
    conflicts = _conflicts(data)
    caps = [c for c in conflicts if c["rule"] == "max_pupils"]
    assert [c["waves"] for c in caps] == [["W1"], ["W2"]]
    assert {s for c in conflicts if c["rule"] == "latest_wave" for s in c["schools"]} == {uai(1), uai(2), uai(3)}


def test_no_vendor_session_for_leadership_before_a_deadline() -> None:
    data = scenario(
        schools=[school(1, latest_wave="W1")],
        trainers=[trainer("AT-1"), vendor(capacity=0, capacity_by_wave={"W2": 3})],
    )
    conflicts = _by_rule(_conflicts(data))
    assert set(conflicts) == {"latest_wave", "vendor_capacity"}
    assert conflicts["vendor_capacity"]["trainers"] == ["V-1"]
    assert conflicts["vendor_capacity"]["waves"] == ["W1"]


def test_a_basin_no_trainer_serves() -> None:
    data = scenario(schools=[school(1), school(2, basin="Sud")])
    (conflict,) = _conflicts(data)
    assert conflict["rule"] == "teacher_supply"
    assert conflict["schools"] == [uai(2)] and conflict["trainers"] == []
    assert "no academic trainer serves basin Sud" in conflict["message"]


def test_too_few_trainer_sessions_over_the_whole_rollout() -> None:
    """Three schools of 60 teachers need 15 sessions; one trainer runs 3 a wave over 3 waves."""
    data = scenario(schools=[school(n, teachers=60) for n in (1, 2, 3)], trainers=[trainer("AT-1", capacity=3), vendor()])
    conflicts = _by_rule(_conflicts(data))
    assert set(conflicts) == {"teacher_supply", "trainer_capacity"}
    assert "need 15 teacher session(s)" in conflicts["teacher_supply"]["message"]
    assert "at most 9 session(s)" in conflicts["teacher_supply"]["message"]
    assert conflicts["trainer_capacity"]["trainers"] == ["AT-1"]


def test_a_school_ready_only_after_its_deadline_is_rejected_before_solving() -> None:
    """earliest after latest is a validation error, not an infeasibility to explain."""
    data = scenario(schools=[school(1, earliest_wave="W3", latest_wave="W2")])
    with pytest.raises(ScenarioError) as caught:
        solve(data, time_limit=1)
    assert caught.value.problems == ["schools[0].earliest_wave: 'W3' is after latest_wave 'W2'"]
