"""Solve a scenario with CP-SAT and return a `rollout-plan/1` result.

The solver always runs under a limit: wall-clock seconds normally, or, with `deterministic`,
CP-SAT's deterministic time (a work count) with interleaved search, so that the same scenario,
seed and worker count give the same plan byte for byte on any machine.

Which search runs depends on the model's size in CP-SAT variables, with thresholds set on the
benchmarks (`docs/benchmarks.md`):

- small models (up to `MAX_SEARCH_VARIABLES`, the Seine-Saint-Denis and Créteil benchmarks):
  the whole model gets the first quarter of the limit, then a branch and bound over the vendor
  sessions spent on training trainers (`planner.training_search`) gets the rest, because the
  model's linear relaxation is weak exactly there;
- mid-sized models (Île-de-France): the whole model gets half of the limit, for its bound and
  its first plans, then a large neighbourhood search (`planner.neighbourhood_search`) improves
  its best plan;
- large models (from `neighbourhood_search.MIN_NEIGHBOURHOOD_VARIABLES`, the France
  benchmark): an LP-guided first plan, then the neighbourhood search, the LP giving the bound.

Below the large models, with two workers or more and outside deterministic mode, SCIP solves
the same model on one of the workers (`planner.mip_proof`), because there the bound, not the
plan, was what CP-SAT could not close; its proof ends the CP-SAT search. A mid-sized model's
CP-SAT worker then only looks for plans: the LP-guided plan and the neighbourhoods.
"""

from __future__ import annotations

import logging
import threading
import time
from fractions import Fraction
from typing import Callable

from planner.conflicts import explain_infeasibility
from planner.cpsat_run import MIN_SEARCH_SECONDS, Budget, Outcome, ProgressCallback, cancelled_by, combine, solve_part
from planner.extract import extract_plan
from planner.greedy import greedy_plan
from planner.mip_proof import MipProof, MipRounds
from planner.model import MAX_WEIGHT_SCALE, PlanModel
from planner.neighbourhood_search import NeighbourhoodSearch
from planner.plan import PLANNED, PlanResult, Progress
from planner.scenario import Scenario, validate_scenario
from planner.training_search import MAX_SEARCH_VARIABLES, TrainingSearch

logger = logging.getLogger(__name__)

# With a training search ahead, the whole model's share of the time; on models too large for
# the training search, its share before the neighbourhood search.
FIRST_PHASE_SHARE = 0.25
POLISH_FROM_VARIABLES = MAX_SEARCH_VARIABLES
WHOLE_MODEL_SHARE = 0.5
# On small models, SCIP's first round (before it starts again cut at the best plan known).
MIP_FIRST_ROUND_SHARE = 0.4


def solve(
    scenario: dict | Scenario,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    deterministic: bool = False,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> PlanResult:
    """Find a plan minimising the contract's objective; explain the conflicts when there is none.

    Setting `stop` (from another thread) ends the search early, as the time limit would: the
    result holds the best plan found by then.
    """
    if not isinstance(scenario, Scenario):
        scenario = validate_scenario(scenario)
    started = time.monotonic()
    built = PlanModel(scenario)
    start = greedy_plan(scenario.model_dump(mode="json"))
    if start is not None:
        built.add_hint(start)
    if built.scale == MAX_WEIGHT_SCALE:
        logger.warning("priority weights rounded to 1e-6 for the solver; the reported objective stays exact")
    budget = Budget(started, time_limit, deterministic)
    callback = ProgressCallback(built.scale, progress, started)
    with cancelled_by(stop, budget):
        outcome = _search(built, workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)
    name = outcome.status
    if name == "MODEL_INVALID":
        raise RuntimeError(f"the CP-SAT model is invalid: {built.model.validate()}")
    result = PlanResult(scenario=scenario.name, status=name)
    if name in PLANNED:
        plan = extract_plan(built, lambda variable: outcome.values[variable.index])
        result.assignments = plan.assignments
        result.teacher_sessions = plan.teacher_sessions
        result.trainer_training = plan.trainer_training
        result.leadership_training = plan.leadership_training
        result.objective = exact_objective(scenario, plan.assignments)
        bound = outcome.bound / built.scale
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


def _search(
    built: PlanModel, *, workers: int, seed: int, deterministic: bool, budget: Budget, callback: ProgressCallback,
) -> Outcome:
    """The best plan and bound the search suited to the model's size finds within the budget."""
    if NeighbourhoodSearch.pays_off(built):
        return NeighbourhoodSearch(built, seed).run(workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)
    if deterministic or workers < 2 or not MipProof.available(built.model):
        return _cp_sat_search(built, workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)
    # SCIP takes one of the workers, in the background, for its bound (`planner.mip_proof`);
    # on small models a proof is in reach and a second round, cut at the best plan, gets it.
    small = built.variable_count() <= POLISH_FROM_VARIABLES
    rounds = MipRounds(
        built.model, seed=seed, budget=budget, incumbent=lambda: callback.incumbent,
        first_share=MIP_FIRST_ROUND_SHARE if small else 1.0,
    )
    try:
        if small:
            # CP-SAT's training search still proves leaves, and gives SCIP's second round its cut.
            outcome = _cp_sat_search(built, workers=workers - 1, seed=seed, deterministic=False, budget=budget, callback=callback)
        else:
            # SCIP gives the bound, so the CP-SAT worker only needs plans: the LP-guided plan and
            # the neighbourhoods, as on France. With one worker, CP-SAT on the whole model first
            # sometimes found a poor plan the neighbourhoods could not mend, where the LP-guided
            # plan gave them a good start every time (Île-de-France, `docs/benchmarks.md`).
            outcome = NeighbourhoodSearch(built, seed).run(workers=workers - 1, seed=seed, deterministic=False, budget=budget, callback=callback)
    finally:
        mip = rounds.finish()
    logger.info("SCIP %s, CP-SAT %s", mip.status, outcome.status)
    if outcome.status in ("INFEASIBLE", "MODEL_INVALID"):
        # Infeasibility is CP-SAT's to prove (and then to explain); SCIP's floating-point one is not used.
        return outcome
    best = combine(outcome, mip)
    if mip.objective is not None and (outcome.objective is None or mip.objective < outcome.objective):
        callback.report(best.objective, best.bound)
    return best


def _cp_sat_search(
    built: PlanModel, *, workers: int, seed: int, deterministic: bool, budget: Budget, callback: ProgressCallback,
) -> Outcome:
    """The CP-SAT search suited to a model too small for the neighbourhood search from the LP."""
    if built.variable_count() > POLISH_FROM_VARIABLES:
        return _mid_sized_search(built, workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)
    search = TrainingSearch(built) if TrainingSearch.pays_off(built) else None
    # With a training search ahead, the whole model only gets a share of the time: enough to
    # find a good plan (the incumbent that prunes the search) and to prove the easy cases.
    first_limit = budget.left() * (FIRST_PHASE_SHARE if search else 1.0)
    outcome = solve_part(built.model, first_limit, workers, seed, deterministic, budget, callback)
    logger.info("CP-SAT %s on the whole model (%d plans so far)", outcome.status, callback.count)
    if search is not None and outcome.status in ("FEASIBLE", "UNKNOWN") and budget.left() > 0:
        outcome = search.run(outcome, workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)
    return outcome


def _mid_sized_search(
    built: PlanModel, *, workers: int, seed: int, deterministic: bool, budget: Budget, callback: ProgressCallback,
) -> Outcome:
    """CP-SAT on the whole model for its bound and first plans, then neighbourhoods from its best plan."""
    outcome = solve_part(built.model, budget.left() * WHOLE_MODEL_SHARE, workers, seed, deterministic, budget, callback)
    logger.info("CP-SAT %s on the whole model (%d plans so far)", outcome.status, callback.count)
    if outcome.status == "UNKNOWN":
        # No plan yet: the neighbourhood search has nothing to start from, the whole model keeps going.
        return solve_part(built.model, budget.left(), workers, seed, deterministic, budget, callback)
    if outcome.status != "FEASIBLE":
        return outcome
    return NeighbourhoodSearch(built, seed).improve(outcome, workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)


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
