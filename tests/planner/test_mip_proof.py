"""SCIP beside CP-SAT (`planner.mip_proof`): its plans, its bounds, and how it ends the search.

In the default mode (wall clock, two workers or more) every model below the neighbourhood
search's size gets SCIP in the background; these tests hold SCIP alone, and the whole planner
in that mode, to exhaustive search, and check that a proof stops CP-SAT.
"""

from __future__ import annotations

import importlib
import math
import threading
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from bench.scenarios import build_scenario
from exhaustive import brute_force_optimum
from planner import Progress, solve, validate_scenario
from planner.cpsat_run import Budget, Outcome, ProgressCallback, combine, solve_part
from planner.extract import extract_plan
from planner.mip_proof import MipProof, MipRounds, satisfies
from planner.model import PlanModel
from planner.solve import exact_objective
from scenario_builders import assert_valid, seine_saint_denis
from search_checks import assert_plan_matches_exhaustive
from tiny_scenarios import make_scenario, tiny_scenarios

# `planner.solve` is also the name of the function the package exports.
planner_solve = importlib.import_module("planner.solve")


def scip_alone(built: PlanModel, **options: Any):
    proof = MipProof(built.model, **options)
    proof.start(20.0)
    return proof.result()


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios())
def test_scip_alone_finds_the_exhaustive_optimum(scenario: dict[str, Any]) -> None:
    """SCIP's plan, mapped back onto the CP-SAT variables, is a valid plan at the brute-force
    optimum; where there is no plan it offers none."""
    validated = validate_scenario(scenario)
    built = PlanModel(validated)
    outcome = scip_alone(built)
    optimum = brute_force_optimum(scenario)
    if optimum is None:
        # No plan, and no bound either: SCIP's floating-point infeasibility is not taken as proof.
        assert outcome.objective is None and outcome.status in ("INFEASIBLE", "UNKNOWN")
        assert outcome.bound == -math.inf
        return
    assert outcome.status == "OPTIMAL" and outcome.bound == outcome.objective
    plan = extract_plan(built, lambda variable: outcome.values[variable.index])
    assert exact_objective(validated, plan.assignments) == pytest.approx(optimum.objective, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios())
def test_planner_with_scip_beside_it_matches_exhaustive_search(scenario: dict[str, Any]) -> None:
    """The default mode, where SCIP and CP-SAT race and either may end the other."""
    assert MipProof.available(PlanModel(validate_scenario(scenario)).model)  # so SCIP does run
    result = solve(scenario, time_limit=20.0, workers=2)
    assert_plan_matches_exhaustive(scenario, result.to_json())


def test_a_cut_at_the_optimum_proves_it_and_a_cut_below_proves_only_the_cut() -> None:
    validated = validate_scenario(make_scenario())
    built = PlanModel(validated)
    optimum = scip_alone(built).objective
    assert optimum is not None
    at = scip_alone(built, below=optimum)
    assert (at.status, at.objective, at.bound) == ("OPTIMAL", optimum, optimum)
    below = scip_alone(built, below=optimum - 1)
    assert below.status == "INFEASIBLE" and below.objective is None
    # "No plan at most optimum - 1" proves that bound, and nothing more.
    assert below.bound == optimum - 1


def test_values_outside_the_model_are_refused() -> None:
    """SCIP works in floating point: a plan is only taken once it meets the CP-SAT model exactly."""
    built = PlanModel(validate_scenario(make_scenario()))
    values = scip_alone(built).values
    assert values is not None and satisfies(built.model.proto, values)
    school = next(iter(built.schools.values())).index
    broken = list(values)
    broken[school] += 1  # the school class now counts one school too many
    assert not satisfies(built.model.proto, broken)
    broken[school] = -1  # outside the variable's domain
    assert not satisfies(built.model.proto, broken)


def test_a_proof_from_scip_ends_the_budget() -> None:
    """On Seine-Saint-Denis SCIP proves the optimum within its first round (the one CP-SAT
    proves on its own); the budget of the CP-SAT search beside it is then over."""
    district = seine_saint_denis()
    validated = validate_scenario(district)
    built = PlanModel(validated)
    budget = Budget(time.monotonic(), 60.0, deterministic=False)
    rounds = MipRounds(built.model, seed=0, budget=budget, incumbent=lambda: None)
    rounds.thread.join()
    outcome = rounds.finish()
    assert outcome.status == "OPTIMAL"
    assert budget.cancelled.is_set() and budget.left() == 0
    plan = extract_plan(built, lambda variable: outcome.values[variable.index])
    cp_sat = solve(district, time_limit=30, workers=2, deterministic=True)
    assert cp_sat.status == "OPTIMAL"
    assert exact_objective(validated, plan.assignments) == pytest.approx(cp_sat.objective)


def test_cancelling_the_budget_stops_the_cp_sat_solve_under_way() -> None:
    """Créteil's whole model runs for a minute unless stopped: cancelling from another thread
    (as SCIP's proof does) ends it with the plan it had, and no further solve starts."""
    built = PlanModel(validate_scenario(build_scenario("creteil")))
    budget = Budget(time.monotonic(), 60.0, deterministic=False)
    first_plan = threading.Event()
    callback = ProgressCallback(built.scale, lambda progress: first_plan.set(), time.monotonic())
    outcomes = []
    solving = threading.Thread(target=lambda: outcomes.append(solve_part(built.model, 60.0, 1, 0, False, budget, callback)))
    solving.start()
    assert first_plan.wait(timeout=60)
    budget.cancel()
    solving.join(timeout=30)
    assert not solving.is_alive()
    assert outcomes[0].status == "FEASIBLE" and outcomes[0].objective == callback.incumbent
    assert solve_part(built.model, 60.0, 1, 0, False, budget, callback).status == "UNKNOWN"


def test_plans_found_by_scip_are_reported_as_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """When SCIP's plan beats CP-SAT's, the caller's progress hook hears of it, last, and
    the plan returned is SCIP's, valid."""

    def cp_sat_finds_nothing(built: PlanModel, **options: Any) -> Outcome:
        budget = options["budget"]
        budget.cancelled.wait(budget.left())  # only SCIP's proof ends this search before the limit
        return Outcome(status="UNKNOWN")

    monkeypatch.setattr(planner_solve, "_cp_sat_search", cp_sat_finds_nothing)
    seen: list[Progress] = []
    district = seine_saint_denis()
    result = solve(district, time_limit=60, workers=2, progress=seen.append)
    assert result.status == "OPTIMAL"
    assert_valid(district, result.to_json())
    assert seen and seen[-1].objective == pytest.approx(result.objective) and seen[-1].bound == pytest.approx(result.objective)


def test_a_search_that_proved_its_plan_keeps_it_proven_whatever_the_other_found() -> None:
    """CP-SAT may report an optimal plan with a bound a hair below it in floating point; when
    SCIP lost the race and proves nothing, the combination must still say OPTIMAL (it said
    FEASIBLE, seen under load as a flaky failure of the race test above)."""
    proven = Outcome(status="OPTIMAL", values=[1], objective=1125, bound=1124.9999999999998)
    for nothing in (Outcome(status="UNKNOWN"), Outcome(status="UNKNOWN", bound=1000.0)):
        for best in (combine(proven, nothing), combine(nothing, proven)):
            assert (best.status, best.objective, best.bound) == ("OPTIMAL", 1125, 1125)
    open_plan = Outcome(status="FEASIBLE", values=[1], objective=1125, bound=1124.5)
    assert combine(open_plan, Outcome(status="UNKNOWN")).status == "FEASIBLE"
