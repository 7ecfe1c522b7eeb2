"""Holding the planner, or one of its searches run on its own, to the exhaustive search's answer."""

from __future__ import annotations

from typing import Any

import pytest

from exhaustive import brute_force_optimum
from planner.checker import check_plan
from planner.cpsat_run import Outcome
from planner.extract import extract_plan
from planner.model import PlanModel
from planner.scenario import Scenario
from planner.solve import exact_objective


def assert_search_matches_exhaustive(scenario: dict[str, Any], validated: Scenario, built: PlanModel, outcome: Outcome) -> None:
    """INFEASIBLE exactly when there is no plan; otherwise OPTIMAL at the brute-force optimum."""
    optimum = brute_force_optimum(scenario)
    if optimum is None:
        assert outcome.status == "INFEASIBLE"
        return
    assert outcome.status == "OPTIMAL"
    plan = extract_plan(built, lambda variable: outcome.values[variable.index])
    assert exact_objective(validated, plan.assignments) == pytest.approx(optimum.objective, rel=1e-9, abs=1e-9)


def assert_plan_matches_exhaustive(scenario: dict[str, Any], plan: dict[str, Any]) -> None:
    """The whole planner's plan file: valid for the outside checker, INFEASIBLE exactly when
    there is no plan, otherwise OPTIMAL at the brute-force optimum."""
    optimum = brute_force_optimum(scenario)
    assert check_plan(scenario, plan) == []
    if optimum is None:
        assert plan["status"] == "INFEASIBLE"
        return
    assert plan["status"] == "OPTIMAL"
    assert plan["objective"] == pytest.approx(optimum.objective, rel=1e-9, abs=1e-9)
