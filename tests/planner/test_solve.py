"""Solving: optimality on a realistic district, reproducibility, progress and the tie-breakers."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from planner import Progress, solve, validate_scenario
from scenario_builders import assert_valid, scenario, school, seine_saint_denis, trainer, uai, vendor


@pytest.fixture(scope="module")
def district() -> dict[str, Any]:
    return seine_saint_denis()


def test_seine_saint_denis_is_solved_to_optimality(district: dict[str, Any]) -> None:
    """Under a deterministic limit, so that a loaded machine cannot turn OPTIMAL into FEASIBLE."""
    result = solve(district, time_limit=30, workers=2, deterministic=True)
    plan = result.to_json()
    assert result.status == "OPTIMAL"
    assert plan["objective"] == plan["bound"] and plan["stats"]["gap"] == 0
    assert len(plan["assignments"]) == len(district["schools"])
    assert_valid(district, plan)
    assert "tie_breakers" in plan["stats"]


def test_deterministic_runs_write_identical_plans(district: dict[str, Any]) -> None:
    runs = [
        json.dumps(solve(district, time_limit=5, workers=2, seed=3, deterministic=True).to_json(), sort_keys=False)
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert "wall_time" not in runs[0], "wall-clock figures would differ between runs"


def test_the_normal_mode_agrees_with_the_deterministic_optimum(district: dict[str, Any]) -> None:
    """The deterministic run proves the optimum; the normal run, on the wall clock, may end
    before its proof on a loaded machine, but what it reports must bracket that optimum, and
    when it does prove it, it is the same."""
    fixed = solve(district, time_limit=30, workers=2, seed=1, deterministic=True)
    assert fixed.status == "OPTIMAL"
    free = solve(district, time_limit=30, workers=2, seed=1)
    assert free.status in ("OPTIMAL", "FEASIBLE")
    assert free.bound - 1e-6 <= fixed.objective <= free.objective + 1e-6
    assert free.status == "FEASIBLE" or free.objective == fixed.objective


def test_progress_reports_each_improving_plan(district: dict[str, Any]) -> None:
    seen: list[Progress] = []
    result = solve(district, time_limit=30, workers=2, progress=seen.append)
    assert seen, "at least the final plan is reported"
    objectives = [p.objective for p in seen]
    assert objectives == sorted(objectives, reverse=True)
    assert objectives[-1] == pytest.approx(result.objective)
    assert all(p.bound <= p.objective + 1e-9 for p in seen)
    assert result.stats["plans_found"] == len(seen)
    assert {"wall_time", "time_to_first", "time_to_best", "tie_breakers"} <= set(result.stats)


def test_a_validated_scenario_is_accepted_as_is() -> None:
    data = scenario(schools=[school(1, earliest_wave="W2"), school(2)])
    from_dict, from_scenario = solve(data, time_limit=5), solve(validate_scenario(data), time_limit=5)
    assert from_dict.assignments == from_scenario.assignments == {uai(1): "W2", uai(2): "W1"}


def test_identical_schools_and_trainers_are_told_apart_in_the_plan() -> None:
    """The model counts identical schools and trainers; the plan must still name each one."""
    data = scenario(
        schools=[school(n) for n in range(1, 9)],
        trainers=[trainer(f"AT-{n}", trained=False) for n in range(1, 5)] + [trainer("AT-0"), vendor(capacity=3)],
    )
    data["cascade"]["trainers_per_session"] = 2
    plan = solve(data, time_limit=10).to_json()
    assert plan["status"] == "OPTIMAL"
    assert_valid(data, plan)
    assert sorted(a["uai"] for a in plan["assignments"]) == sorted(uai(n) for n in range(1, 9))
    trained = [t for session in plan["trainer_training"] for t in session["trainers"]]
    assert len(trained) == len(set(trained))


def test_tie_breaker_keeps_a_school_with_one_trainer() -> None:
    """Two trainers could share the school's two sessions; one trainer takes both."""
    data = scenario(schools=[school(1, teachers=24)], trainers=[trainer("AT-1"), trainer("AT-2"), vendor()])
    plan = solve(data, time_limit=5).to_json()
    assert [s["sessions"] for s in plan["teacher_sessions"]] == [2]
    assert plan["stats"]["tie_breakers"]["school_trainer_pairs"] == 1


def test_tie_breaker_sends_trainers_to_their_home_basin() -> None:
    data = scenario(
        schools=[school(1), school(2, basin="Sud")],
        trainers=[trainer("AT-1", basins=["Sud", "Nord"], capacity=1), trainer("AT-2", basins=["Nord", "Sud"], capacity=1), vendor()],
    )
    plan = solve(data, time_limit=5).to_json()
    assert {(s["trainer"], s["uai"]) for s in plan["teacher_sessions"]} == {("AT-1", uai(2)), ("AT-2", uai(1))}
    assert plan["stats"]["tie_breakers"]["sessions_outside_home_basin"] == 0


def test_tie_breakers_never_cost_the_objective() -> None:
    """Nord's only trained trainer has its home in Sud: sending it to Nord keeps Nord in W1
    (objective 0); the home-basin preference must not delay Nord to spare the trainer a trip."""
    data = scenario(
        schools=[school(1), school(2, basin="Sud", pinned_wave="W2")],
        trainers=[trainer("AT-1", basins=["Sud", "Nord"], capacity=1), trainer("AT-2", basins=["Sud"], capacity=1), vendor()],
    )
    plan = solve(data, time_limit=5).to_json()
    assert plan["objective"] == 500.0 and plan["status"] == "OPTIMAL"
    assert {a["uai"]: a["wave"] for a in plan["assignments"]} == {uai(1): "W1", uai(2): "W2"}
    assert plan["stats"]["tie_breakers"]["sessions_outside_home_basin"] == 1
    assert_valid(data, plan)


def test_load_is_spread_over_the_qualified_trainers() -> None:
    data = scenario(
        schools=[school(n) for n in range(1, 5)],
        trainers=[trainer("AT-1", capacity=4), trainer("AT-2", capacity=4), vendor()],
    )
    plan = solve(data, time_limit=5).to_json()
    loads = {t: sum(s["sessions"] for s in plan["teacher_sessions"] if s["trainer"] == t) for t in ("AT-1", "AT-2")}
    assert loads == {"AT-1": 2, "AT-2": 2}


def test_the_planner_imports_no_web_or_database_library() -> None:
    """The planner runs in the CLI and in workers without the web application's stack."""
    code = "import sys, planner, planner.cli; print(sorted(m for m in ('flask', 'sqlmodel', 'sqlalchemy') if m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
