"""Plan an ENT rollout across schools in training waves, under the planning contract.

The public API: `validate_scenario` types and checks a `rollout-scenario/1` document (raising
`ScenarioError` with every problem at once), `solve` returns a `PlanResult` whose `to_json()` is
a `rollout-plan/1` document, and `Progress` is what the progress hook receives per improving
plan. This package imports no web framework or database library.
"""

from planner.plan import Conflict, PlanResult, Progress
from planner.scenario import Scenario, ScenarioError, validate_scenario
from planner.solve import solve

__all__ = ["Conflict", "PlanResult", "Progress", "Scenario", "ScenarioError", "solve", "validate_scenario"]
