"""The greedy baseline: whatever plan it returns must pass the outside checker."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings

from exhaustive import brute_force_optimum
from planner.checker import check_plan
from planner.greedy import greedy_plan
from tiny_scenarios import make_scenario, tiny_scenarios


def test_greedy_plans_the_hand_made_scenario_optimally() -> None:
    scenario = make_scenario()
    plan = greedy_plan(scenario)
    assert plan is not None
    assert check_plan(scenario, plan) == []
    assert plan["objective"] == 1000


def test_greedy_gives_up_when_vendor_capacity_is_short() -> None:
    scenario = make_scenario()
    scenario["trainers"][0]["capacity"] = 1
    assert greedy_plan(scenario) is None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(tiny_scenarios())
def test_greedy_plans_are_valid_and_never_beat_the_optimum(scenario: dict[str, Any]) -> None:
    plan = greedy_plan(scenario)
    assume(plan is not None)
    optimum = brute_force_optimum(scenario)
    assert check_plan(scenario, plan) == []
    assert optimum is not None
    assert plan["bound"] <= optimum.objective <= plan["objective"]
