"""The neighbourhood search that `planner.solve` runs on mid-sized and large models.

It is only chosen from 5,000 CP-SAT variables (after the whole model) and from 20,000 (from
the LP), sizes no test can afford to solve, so these tests lower the thresholds: the search
then runs on tiny scenarios against exhaustive search (where its first neighbourhood is the
whole model) and on Seine-Saint-Denis with small neighbourhoods (where most of the plan is
fixed at each step).
"""

from __future__ import annotations

import importlib
import json
import logging
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from bench.scenarios import build_scenario
from planner import Progress, solve, validate_scenario
from planner import neighbourhood_search
from planner.cpsat_run import Budget, ProgressCallback
from planner.model import PlanModel
from planner.relaxation import LinearRelaxation
from scenario_builders import assert_valid, seine_saint_denis
from search_checks import assert_plan_matches_exhaustive, assert_search_matches_exhaustive
from tiny_scenarios import tiny_scenarios

# `planner.solve` is also the name of the function the package exports.
planner_solve = importlib.import_module("planner.solve")


@pytest.fixture
def every_model_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neighbourhood_search, "MIN_NEIGHBOURHOOD_VARIABLES", 0)


@pytest.fixture
def small_neighbourhoods(monkeypatch: pytest.MonkeyPatch, every_model_is_large: None) -> None:
    """Neighbourhoods of one or two basins of the 130-school district, as in France's
    départements, and steps short enough for many of them in a few seconds."""
    monkeypatch.setattr(neighbourhood_search, "FIRST_SIZE", 20)
    monkeypatch.setattr(neighbourhood_search, "GROW", 1.0)
    monkeypatch.setattr(neighbourhood_search, "STEP_LIMIT", 0.5)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios())
def test_neighbourhood_search_alone_matches_exhaustive_search(scenario: dict[str, Any]) -> None:
    """From the LP-guided plan, a neighbourhood holding every basin is the whole model: the
    search must then prove the brute-force optimum, and say INFEASIBLE exactly when there is none."""
    validated = validate_scenario(scenario)
    built = PlanModel(validated)
    budget = Budget(time.monotonic(), 20.0, deterministic=True)
    callback = ProgressCallback(built.scale, None, time.monotonic())
    outcome = neighbourhood_search.NeighbourhoodSearch(built, seed=0).run(
        workers=2, seed=0, deterministic=True, budget=budget, callback=callback
    )
    assert_search_matches_exhaustive(scenario, validated, built, outcome)


def test_small_neighbourhoods_only_improve_a_valid_plan(small_neighbourhoods: None) -> None:
    district = seine_saint_denis()
    seen: list[Progress] = []
    result = solve(district, time_limit=8, workers=2, progress=seen.append)
    plan = result.to_json()
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert_valid(district, plan)
    objectives = [p.objective for p in seen]
    assert len(objectives) > 1 and objectives == sorted(objectives, reverse=True)
    assert objectives[-1] == pytest.approx(result.objective)
    # The bound reported all along, and in the plan, is the LP's: no neighbourhood bounds the problem.
    built = PlanModel(validate_scenario(district))
    lp_bound = LinearRelaxation(built.model).bound({}) / built.scale
    assert {p.bound for p in seen} == {lp_bound}
    assert plan["bound"] == pytest.approx(lp_bound) and plan["bound"] <= plan["objective"]


def test_the_search_is_reproducible_in_deterministic_mode(small_neighbourhoods: None) -> None:
    district = seine_saint_denis()
    runs = [json.dumps(solve(district, time_limit=3, workers=2, seed=5, deterministic=True).to_json()) for _ in range(2)]
    assert runs[0] == runs[1]


def solve_mid_sized(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, workers: int) -> list[str]:
    """Solve the benchmark's 093 scenario as a mid-sized model (4 s, short steps) and check
    what every mid-sized solve must give: a valid plan, progress that only improves, and a
    bound between the LP's and the plan's. Returns the planner's log messages."""
    monkeypatch.setattr(planner_solve, "POLISH_FROM_VARIABLES", 0)
    monkeypatch.setattr(neighbourhood_search, "STEP_LIMIT", 0.5)
    district = build_scenario("093")
    seen: list[Progress] = []
    with caplog.at_level(logging.INFO, logger="planner"):
        result = solve(district, time_limit=4, workers=workers, progress=seen.append)
    plan = result.to_json()
    assert_valid(district, plan)
    objectives = [p.objective for p in seen]
    assert objectives == sorted(objectives, reverse=True) and objectives[-1] == pytest.approx(result.objective)
    built = PlanModel(validate_scenario(district))
    lp_bound = LinearRelaxation(built.model).bound({}) / built.scale
    assert lp_bound <= plan["bound"] <= plan["objective"]
    return [record.message for record in caplog.records]


def test_mid_sized_models_get_the_whole_models_bound_and_a_polished_plan(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With CP-SAT alone (one worker: no SCIP beside it) the whole model runs first, then the
    neighbourhoods improve its plan. The 093 scenario is not proven within the whole model's
    half of 4 s, so the neighbourhoods do run."""
    messages = solve_mid_sized(monkeypatch, caplog, workers=1)
    assert any("on the whole model" in message for message in messages)
    assert any(message.startswith("neighbourhood search:") for message in messages)
    assert not any(message.startswith("SCIP ") for message in messages)


def test_mid_sized_models_with_scip_get_lp_guided_plans_and_scips_bound(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With SCIP beside it, the CP-SAT worker starts from the LP-guided plan (SCIP, not the
    whole model, gives the bound)."""
    messages = solve_mid_sized(monkeypatch, caplog, workers=2)
    assert any("LP-guided plan" in message for message in messages)
    assert any(message.startswith("SCIP ") for message in messages)


@settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(tiny_scenarios())
def test_mid_sized_path_with_scip_matches_exhaustive_search(monkeypatch: pytest.MonkeyPatch, scenario: dict[str, Any]) -> None:
    """Every model treated as mid-sized, in the default mode: SCIP and the neighbourhood search
    race, and the planner must still prove the brute-force optimum or say INFEASIBLE."""
    monkeypatch.setattr(planner_solve, "POLISH_FROM_VARIABLES", 0)
    assert_plan_matches_exhaustive(scenario, solve(scenario, time_limit=20.0, workers=2).to_json())
