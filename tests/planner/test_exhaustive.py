"""The planner against exhaustive search on random tiny scenarios.

For each scenario hypothesis draws, the planner must say INFEASIBLE exactly when the brute
force finds no plan, and otherwise return a plan that the outside checker accepts, with the
brute-force optimum as its objective. This is what lets a district leader trust "optimal".
"""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from exhaustive import brute_force_optimum
from planner import solve, validate_scenario
from planner.cpsat_run import Budget, Outcome, ProgressCallback
from planner.model import PlanModel
from planner.training_search import TrainingSearch
from search_checks import assert_plan_matches_exhaustive, assert_search_matches_exhaustive
from tiny_scenarios import make_plan, make_scenario, tiny_scenarios

@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios())
def test_planner_matches_exhaustive_search(scenario: dict[str, Any]) -> None:
    result = solve(scenario, time_limit=20.0, workers=2, deterministic=True)
    assert_plan_matches_exhaustive(scenario, result.to_json())


def test_exhaustive_search_finds_the_hand_made_optimum() -> None:
    """The brute force itself, on the scenario whose optimal plan test_checker spells out."""
    optimum = brute_force_optimum(make_scenario())
    assert optimum is not None
    assert optimum.objective == make_plan()["objective"]
    assert optimum.assignment == {a["uai"]: a["wave"] for a in make_plan()["assignments"]}


def test_exhaustive_search_sees_vendor_capacity_shared_by_both_kinds_of_session() -> None:
    """With one vendor session per wave, W1's leadership and the Sud trainer's training clash."""
    scenario = make_scenario()
    scenario["trainers"][0]["capacity"] = 1
    assert brute_force_optimum(scenario) is None


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios())
def test_training_search_alone_matches_exhaustive_search(scenario: dict[str, Any]) -> None:
    """The training search from nothing (no plan, no bound), as if the whole model had timed out.

    On tiny scenarios the whole model is solved before the search would start, so this is
    what checks that the search's leaves cover every plan and that its LP pruning is valid.
    """
    validated = validate_scenario(scenario)
    built = PlanModel(validated)
    assume(built.training_waves())
    budget = Budget(time.monotonic(), 20.0, deterministic=True)
    callback = ProgressCallback(built.scale, None, time.monotonic())
    outcome = TrainingSearch(built).run(
        Outcome(status="UNKNOWN"), workers=2, seed=0, deterministic=True, budget=budget, callback=callback
    )
    assert_search_matches_exhaustive(scenario, validated, built, outcome)
