"""Solve a scenario with CP-SAT and return a `rollout-plan/1` result.

The solver always runs under a limit: wall-clock seconds normally, or, with `deterministic`,
CP-SAT's deterministic time (a work count) with interleaved search, so that the same scenario,
seed and worker count give the same plan byte for byte on any machine.

On small models the whole model only gets the first quarter of that limit; a branch and bound
over the vendor sessions spent on training trainers (`_TrainingSearch`) gets the rest, because
the model's linear relaxation is weak exactly there.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from ortools.linear_solver import pywraplp
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
# The training search (see _TrainingSearch): the whole model's share of the time before it,
# how many training waves it branches on, how many LP nodes it may explore, and the largest
# model (in CP-SAT variables) it is tried on.
FIRST_PHASE_SHARE = 0.25
BRANCH_WAVES = 3
MAX_LP_NODES = 400
MAX_SEARCH_VARIABLES = 5_000


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Records when improving plans arrive and forwards them to the caller's progress hook.

    One callback serves every solve of a call, so times count from the call's start. During
    the training search each solve covers only part of the plans, so its own bound is not a
    bound of the problem; `floor` then holds the last bound proven for the whole problem.
    """

    def __init__(self, scale: int, hook: Callable[[Progress], None] | None, started: float) -> None:
        super().__init__()
        self.scale = scale
        self.hook = hook
        self.started = started
        self.floor: float | None = None
        self.first: float | None = None
        self.best: float | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        elapsed = time.monotonic() - self.started
        self.count += 1
        if self.first is None:
            self.first = elapsed
        self.best = elapsed
        if self.hook is not None:
            self.hook(
                Progress(
                    objective=self.objective_value / self.scale,
                    bound=(self.best_objective_bound if self.floor is None else self.floor) / self.scale,
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
    budget = _Budget(started, time_limit, deterministic)
    callback = _ProgressCallback(built.scale, progress, started)
    search = _TrainingSearch(built) if _TrainingSearch.pays_off(built) else None
    # With a training search ahead, the whole model only gets a share of the time: enough to
    # find a good plan (the incumbent that prunes the search) and to prove the easy cases.
    first_limit = budget.left() * (FIRST_PHASE_SHARE if search else 1.0)
    outcome = _solve_part(built.model, first_limit, workers, seed, deterministic, budget, callback)
    logger.info("CP-SAT %s on the whole model (%d plans so far)", outcome.status, callback.count)
    if search is not None and outcome.status in ("FEASIBLE", "UNKNOWN"):
        outcome = search.run(outcome, workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)
    name = outcome.status
    if name == "MODEL_INVALID":
        raise RuntimeError(f"the CP-SAT model is invalid: {built.model.validate()}")
    result = PlanResult(scenario=scenario.name, status=name)
    if name in ("OPTIMAL", "FEASIBLE"):
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


@dataclass
class _Outcome:
    """The best plan known (CP-SAT values by variable index) and the bound proven so far."""

    status: str
    values: list[int] | None = None
    objective: int | None = None
    bound: float = -math.inf


class _Budget:
    """What is left of the call's limit: wall-clock seconds, or deterministic solver work."""

    def __init__(self, started: float, time_limit: float, deterministic: bool) -> None:
        self.started = started
        self.time_limit = time_limit
        self.deterministic = deterministic
        self.spent = 0.0

    def left(self) -> float:
        if self.deterministic:
            return max(0.0, self.time_limit - self.spent)
        return max(0.0, self.time_limit - (time.monotonic() - self.started))

    def spend(self, solver: cp_model.CpSolver) -> None:
        self.spent += solver.deterministic_time


def _solve_part(
    model: cp_model.CpModel, limit: float, workers: int, seed: int, deterministic: bool,
    budget: _Budget, callback: _ProgressCallback,
) -> _Outcome:
    """One CP-SAT solve under `limit` (at least MIN_SEARCH_SECONDS, so that a search happens)."""
    solver = cp_model.CpSolver()
    configure(solver, time_limit=max(MIN_SEARCH_SECONDS, limit), workers=workers, seed=seed, deterministic=deterministic)
    status = solver.solve(model, callback)
    budget.spend(solver)
    outcome = _Outcome(status=solver.status_name(status))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        outcome.values = list(solver.response_proto.solution)
        outcome.objective = round(solver.objective_value)
        outcome.bound = solver.best_objective_bound
    elif status == cp_model.UNKNOWN:
        outcome.bound = solver.best_objective_bound
    return outcome


class _TrainingSearch:
    """Branch and bound over the vendor sessions spent on training trainers in the first waves.

    The LP relaxation of the model lets a fraction of a vendor session train a fraction of a
    trainer, which is what keeps CP-SAT's bound ~2.5 % below the optimum on the benchmarks;
    with the number of training sessions of each wave fixed, the same relaxation is within
    ~0.5 % and CP-SAT proves the rest in about a second (093). So the search enumerates
    the training sessions of the first BRANCH_WAVES training waves depth first, prunes every
    prefix whose LP bound (GLOP, with the later waves' sessions left continuous) cannot beat the
    best plan, and hands each remaining leaf to CP-SAT with the leaf's sessions fixed and the
    objective cut below the best plan. Leaves cover every value the sessions can take, so
    the minimum of the leaves' bounds is a bound of the whole problem: when every leaf is
    solved or pruned, the best plan is optimal.
    """

    @staticmethod
    def pays_off(built: PlanModel) -> bool:
        """Whether there is training to decide and the model is small enough for the search.

        Measured on the benchmarks: Créteil (3,200 variables) gains, Île-de-France (8,000)
        loses, its LP nodes taking 15 s and its whole-model phase too short for a good plan,
        and on France (50,000) one LP takes 3-6 s, where the gap is on the plan's side anyway:
        the LP bound is within 0.1 % of CP-SAT's.
        """
        return bool(built.training_waves()) and built.variable_count() <= MAX_SEARCH_VARIABLES

    def __init__(self, built: PlanModel) -> None:
        self.built = built
        waves = built.training_waves()[:BRANCH_WAVES]
        self.variables = [built.training_sessions[k] for k in waves]
        upper = built.training_upper()
        self.uppers = [min(upper, built.vendor_capacity(k)) for k in waves]
        self.relaxation: _Relaxation | None = None

    def leaves(self, incumbent: float) -> list[tuple[float, tuple[int, ...]]] | None:
        """The prefixes of session counts the LP cannot prune, lowest bound first; None when
        there are more than MAX_LP_NODES nodes to explore (the search would not pay off)."""
        if self.relaxation is None:
            self.relaxation = _Relaxation(self.built.model)
        found: list[tuple[float, tuple[int, ...]]] = []
        stack: list[tuple[int, ...]] = [()]
        nodes = 0
        while stack:
            prefix = stack.pop()
            nodes += 1
            if nodes > MAX_LP_NODES:
                return None
            bound = self.relaxation.bound(dict(zip(self.variables, prefix)))
            if bound is None or bound >= incumbent:
                continue
            if len(prefix) == len(self.variables):
                found.append((bound, prefix))
                continue
            stack.extend(prefix + (value,) for value in reversed(range(self.uppers[len(prefix)] + 1)))
        logger.info("training search: %d LP nodes, %d leaves", nodes, len(found))
        return sorted(found)

    def run(
        self, best: _Outcome, *, workers: int, seed: int, deterministic: bool, budget: _Budget,
        callback: _ProgressCallback,
    ) -> _Outcome:
        """Improve `best` (the whole model's outcome) leaf by leaf, within the budget."""
        incumbent = math.inf if best.objective is None else best.objective
        leaves = self.leaves(incumbent)
        open_bounds: list[float] = []
        if leaves is None:
            logger.info("training search: too many nodes, the whole model gets the time left")
            if best.objective is None:
                return _better(best, _solve_part(self.built.model, budget.left(), workers, seed, deterministic, budget, callback))
            leaves, open_bounds = [], [best.bound]
        callback.floor = None if best.bound == -math.inf else best.bound
        for position, (bound, prefix) in enumerate(leaves):
            if bound >= incumbent:
                continue
            if budget.left() <= 0:
                open_bounds.extend(b for b, _ in leaves[position:] if b < incumbent)
                break
            leaf = self._leaf_model(prefix, incumbent, best.values)
            limit = budget.left() / sum(1 for b, _ in leaves[position:] if b < incumbent)
            outcome = _solve_part(leaf, limit, workers, seed, deterministic, budget, callback)
            if outcome.objective is not None:
                best = _Outcome(status="FEASIBLE", values=outcome.values, objective=outcome.objective, bound=best.bound)
                incumbent = outcome.objective
            if outcome.status in ("FEASIBLE", "UNKNOWN"):
                open_bounds.append(max(bound, outcome.bound))
        if best.objective is not None and open_bounds and budget.left() > MIN_SEARCH_SECONDS:
            # Leaves that were proven quickly leave time: the whole model, cut below the best
            # plan, gets it, so its bound counts on its own and its plans are improvements.
            rest = _solve_part(self._leaf_model((), incumbent, best.values), budget.left(), workers, seed, deterministic, budget, callback)
            if rest.objective is not None:
                best = _Outcome(status="FEASIBLE", values=rest.values, objective=rest.objective, bound=best.bound)
                incumbent = rest.objective
            open_bounds = [] if rest.status in ("OPTIMAL", "INFEASIBLE") else [max(min(open_bounds), rest.bound)]
        callback.floor = None
        if best.objective is None:
            return best if open_bounds else _Outcome(status="INFEASIBLE")
        proven = min([incumbent, *open_bounds])
        best.bound = max(best.bound, proven)
        best.status = "OPTIMAL" if best.bound >= best.objective else "FEASIBLE"
        logger.info("training search: %s, %d leaves left open", best.status, len(open_bounds))
        return best

    def _leaf_model(self, prefix: tuple[int, ...], incumbent: float, hint: list[int] | None) -> cp_model.CpModel:
        """The model with the leaf's session counts fixed and only better plans allowed."""
        leaf = self.built.model.clone()
        for variable, value in zip(self.variables, prefix):
            leaf.add(leaf.get_int_var_from_proto_index(variable.index) == value)
        if incumbent < math.inf:
            objective = self.built.model.proto.objective
            leaf.add(
                sum(c * leaf.get_int_var_from_proto_index(v) for v, c in zip(objective.vars, objective.coeffs))
                <= int(incumbent - objective.offset) - 1
            )
        if hint is not None:
            leaf.clear_hints()
            for index, value in enumerate(hint):
                leaf.add_hint(leaf.get_int_var_from_proto_index(index), value)
        return leaf


class _Relaxation:
    """The LP relaxation of a CP-SAT model's linear constraints, solved with GLOP.

    Bounds are in the model's (scaled, integer) objective units and rounded up; a relative
    margin covers GLOP's tolerances so that a bound never exceeds the true LP optimum.
    """

    MARGIN = 1e-6

    def __init__(self, model: cp_model.CpModel) -> None:
        proto = model.proto
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.columns = []
        self.domains = []
        for variable in proto.variables:
            domain = list(variable.domain)
            self.domains.append((domain[0], domain[-1]))
            self.columns.append(self.solver.NumVar(domain[0], domain[-1], ""))
        for constraint in proto.constraints:
            if not constraint.has_linear():
                # Only constant sums (a basin with no supply term, say) give other constraints;
                # leaving a constraint out can only lower the LP bound, which stays valid.
                continue
            domain = list(constraint.linear.domain)
            row = self.solver.Constraint(
                -self.solver.infinity() if domain[0] <= cp_model.INT_MIN else domain[0],
                self.solver.infinity() if domain[-1] >= cp_model.INT_MAX else domain[-1],
            )
            for index, coefficient in zip(constraint.linear.vars, constraint.linear.coeffs):
                row.SetCoefficient(self.columns[index], coefficient)
        objective = self.solver.Objective()
        for index, coefficient in zip(proto.objective.vars, proto.objective.coeffs):
            objective.SetCoefficient(self.columns[index], coefficient)
        objective.SetMinimization()
        self.offset = proto.objective.offset

    def bound(self, fixed: dict[cp_model.IntVar, int]) -> float | None:
        """The LP bound with some variables fixed; None when the LP is infeasible."""
        for variable, value in fixed.items():
            self.columns[variable.index].SetBounds(value, value)
        status = self.solver.Solve()
        value = self.solver.Objective().Value() + self.offset if status == pywraplp.Solver.OPTIMAL else None
        for variable in fixed:
            self.columns[variable.index].SetBounds(*self.domains[variable.index])
        if status == pywraplp.Solver.INFEASIBLE:
            return None
        if value is None:
            return -math.inf
        return math.ceil(value - self.MARGIN * max(1.0, abs(value)))


def _better(first: _Outcome, second: _Outcome) -> _Outcome:
    """The outcome with the better plan, carrying the stronger of the two bounds."""
    best = second if second.objective is not None and (first.objective is None or second.objective < first.objective) else first
    bound = max(first.bound, second.bound)
    if second.status == "OPTIMAL":
        return second
    return _Outcome(status=best.status, values=best.values, objective=best.objective, bound=bound)


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
