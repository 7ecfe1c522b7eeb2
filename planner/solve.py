"""Solve a scenario with CP-SAT and return a `rollout-plan/1` result.

The solver always runs under a limit: wall-clock seconds normally, or, with `deterministic`,
CP-SAT's deterministic time (a work count) with interleaved search, so that the same scenario,
seed and worker count give the same plan byte for byte on any machine.
"""

from __future__ import annotations

import logging
import time
from fractions import Fraction
from typing import Callable

from ortools.sat.python import cp_model

from planner.conflicts import explain_infeasibility
from planner.extract import extract_plan
from planner.greedy import greedy_plan
from planner.model import MAX_WEIGHT_SCALE, PlanModel
from planner.plan import PlanResult, Progress
from planner.scenario import Scenario, validate_scenario

logger = logging.getLogger(__name__)

# In deterministic mode the wall clock only guards against a runaway solve.
DETERMINISTIC_WALL_FACTOR = 10.0
MIN_SEARCH_SECONDS = 0.5


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Records when improving plans arrive and forwards them to the caller's progress hook."""

    def __init__(self, scale: int, hook: Callable[[Progress], None] | None) -> None:
        super().__init__()
        self.scale = scale
        self.hook = hook
        self.first: float | None = None
        self.best: float | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        elapsed = self.wall_time
        self.count += 1
        if self.first is None:
            self.first = elapsed
        self.best = elapsed
        if self.hook is not None:
            self.hook(
                Progress(
                    objective=self.objective_value / self.scale,
                    bound=self.best_objective_bound / self.scale,
                    elapsed=elapsed,
                )
            )


def solve(
    scenario: dict | Scenario,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    deterministic: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> PlanResult:
    """Find a plan minimising the contract's objective; explain the conflicts when there is none."""
    if not isinstance(scenario, Scenario):
        scenario = validate_scenario(scenario)
    started = time.monotonic()
    built = PlanModel(scenario)
    start = greedy_plan(scenario.model_dump(mode="json"))
    if start is not None:
        built.add_hint(start)
    if built.scale == MAX_WEIGHT_SCALE:
        logger.warning("priority weights rounded to 1e-6 for the solver; the reported objective stays exact")
    solver = cp_model.CpSolver()
    # The wall-clock limit covers the whole call, model building and greedy start included; a
    # deterministic limit counts solver work only, so that it does not depend on the machine.
    search_limit = time_limit if deterministic else _remaining(started, time_limit)
    configure(solver, time_limit=search_limit, workers=workers, seed=seed, deterministic=deterministic)
    callback = _ProgressCallback(built.scale, progress)
    status = solver.solve(built.model, callback)
    name = solver.status_name(status)
    logger.info("CP-SAT %s after %.2f s (%d plans)", name, solver.wall_time, callback.count)
    if name == "MODEL_INVALID":
        raise RuntimeError(f"the CP-SAT model is invalid: {built.model.validate()}")
    result = PlanResult(scenario=scenario.name, status=name)
    if name in ("OPTIMAL", "FEASIBLE"):
        plan = extract_plan(built, solver.value)
        result.assignments = plan.assignments
        result.teacher_sessions = plan.teacher_sessions
        result.trainer_training = plan.trainer_training
        result.leadership_training = plan.leadership_training
        result.objective = exact_objective(scenario, plan.assignments)
        bound = solver.best_objective_bound / built.scale
        result.bound = result.objective if name == "OPTIMAL" else min(bound, result.objective)
        result.stats["tie_breakers"] = plan.tie_breakers
    elif name == "INFEASIBLE":
        explain_limit = time_limit if deterministic else _remaining(started, time_limit)
        result.conflicts = explain_infeasibility(scenario, time_limit=explain_limit, seed=seed)
    result.stats.update({"gap": result.gap, "workers": workers, "seed": seed, "deterministic": deterministic})
    if not deterministic:
        # Timings, and how many improving plans the parallel workers happened to report, vary
        # from run to run; a deterministic plan file must not.
        result.stats.update(
            {
                "plans_found": callback.count,
                "wall_time": round(time.monotonic() - started, 3),
                "time_to_first": _rounded(callback.first),
                "time_to_best": _rounded(callback.best),
            }
        )
    return result


def configure(solver: cp_model.CpSolver, *, time_limit: float, workers: int, seed: int, deterministic: bool) -> None:
    """Set the limits and reproducibility parameters shared by every solve of this package."""
    params = solver.parameters
    params.num_workers = max(1, workers)
    params.random_seed = seed
    if deterministic:
        params.interleave_search = True
        params.interleave_batch_size = params.num_workers
        params.max_deterministic_time = time_limit
        params.max_time_in_seconds = max(DETERMINISTIC_WALL_FACTOR * time_limit, 60.0)
    else:
        params.max_time_in_seconds = time_limit


def exact_objective(scenario: Scenario, assignments: dict[str, str]) -> float:
    """The contract's objective for a plan, computed exactly from the unscaled weights."""
    total = Fraction(0)
    for school in scenario.schools:
        weight = Fraction(repr(scenario.objective.weight(school.priority)))
        total += weight * school.pupils * scenario.wave_index[assignments[school.uai]]
    return float(total)


def _remaining(started: float, time_limit: float) -> float:
    """Seconds left of the call's time limit, at least MIN_SEARCH_SECONDS so that a search happens."""
    return max(MIN_SEARCH_SECONDS, time_limit - (time.monotonic() - started))


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)
