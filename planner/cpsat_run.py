"""Running CP-SAT for the planner's searches: one solve within the call's budget, on the model
or on a restricted copy of it.

A call to `planner.solve` may run several CP-SAT solves (the whole model, the training search's
leaves, the neighbourhood search's sub-models, the last two being copies of the model with some
variables fixed); they share one budget (wall-clock seconds, or deterministic work), one
progress callback and one way of reporting what was found (`Outcome`).
"""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from ortools.sat.python import cp_model

from planner.plan import Progress

# In deterministic mode the wall clock only guards against a runaway solve.
DETERMINISTIC_WALL_FACTOR = 10.0
MIN_SEARCH_SECONDS = 0.5
# How often a stop is repeated until a solver running in another thread has heard it.
STOP_POLL = 0.01
# How often a caller's stop event is looked at during a solve.
STOP_WATCH = 0.05


class ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Records when improving plans arrive and forwards them to the caller's progress hook.

    One callback serves every solve of a call, so times count from the call's start. When a
    solve covers only part of the plans (a leaf, a neighbourhood), its own bound is not a bound
    of the problem; `floor` then holds the last bound proven for the whole problem.
    """

    def __init__(self, scale: int, hook: Callable[[Progress], None] | None, started: float) -> None:
        super().__init__()
        self.scale = scale
        self.hook = hook
        self.started = started
        self.floor: float | None = None
        self.first: float | None = None
        self.best: float | None = None
        self.incumbent: int | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        # The model's objective is an integer; a sub-model whose fixed terms presolve folded
        # into a float offset may report it a hair off.
        self.report(round(self.objective_value), self.best_objective_bound if self.floor is None else self.floor)

    def report(self, objective: int, bound: float) -> None:
        """Record an improving plan (in the model's scaled units) and tell the caller's hook."""
        elapsed = time.monotonic() - self.started
        self.count += 1
        if self.first is None:
            self.first = elapsed
        self.best = elapsed
        self.incumbent = objective if self.incumbent is None else min(self.incumbent, objective)
        if self.hook is not None:
            self.hook(Progress(objective=objective / self.scale, bound=bound / self.scale, elapsed=elapsed))


@dataclass
class Outcome:
    """The best plan known (CP-SAT values by variable index) and the bound proven so far."""

    status: str
    values: list[int] | None = None
    objective: int | None = None
    bound: float = -math.inf


class Budget:
    """What is left of the call's limit: wall-clock seconds, or deterministic solver work.

    Another thread (the MIP prover, `planner.mip_proof`) may end the budget early once the
    best plan is proven optimal: `cancel()` stops the CP-SAT solve under way and leaves
    nothing for the next ones.
    """

    def __init__(self, started: float, time_limit: float, deterministic: bool) -> None:
        self.started = started
        self.time_limit = time_limit
        self.deterministic = deterministic
        self.spent = 0.0
        self.cancelled = threading.Event()
        self.active: cp_model.CpSolver | None = None

    def cancel(self) -> None:
        """End the budget from another thread and wait until the CP-SAT solve under way stops.

        A stop that reaches CP-SAT before its solve has set up is lost, so it is repeated
        until the solve returns (`solve_part` checks `cancelled` before starting a new one).
        """
        self.cancelled.set()
        while (active := self.active) is not None:
            active.stop_search()
            time.sleep(STOP_POLL)

    def left(self) -> float:
        if self.cancelled.is_set():
            return 0.0
        if self.deterministic:
            return max(0.0, self.time_limit - self.spent)
        return max(0.0, self.time_limit - (time.monotonic() - self.started))

    def spend(self, solver: cp_model.CpSolver) -> None:
        self.spent += solver.deterministic_time


@contextmanager
def cancelled_by(stop: threading.Event | None, budget: Budget) -> Iterator[None]:
    """Cancel `budget` as soon as the caller sets `stop`, from another thread.

    A background solve that a leader stops must end with the best plan found so far, as at the
    time limit: cancelling the budget stops the CP-SAT solve under way and every later one, and
    the search returns what it has. (Progress callbacks only run when a plan improves, so they
    cannot be where a stop is heard.)
    """
    if stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if stop.wait(STOP_WATCH):
                budget.cancel()
                return

    watcher = threading.Thread(target=watch, name="stop-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def solve_part(
    model: cp_model.CpModel, limit: float, workers: int, seed: int, deterministic: bool,
    budget: Budget, callback: ProgressCallback,
) -> Outcome:
    """One CP-SAT solve under `limit` (at least MIN_SEARCH_SECONDS, so that a search happens)."""
    solver = cp_model.CpSolver()
    configure(solver, time_limit=max(MIN_SEARCH_SECONDS, limit), workers=workers, seed=seed, deterministic=deterministic)
    budget.active = solver
    if budget.cancelled.is_set():
        budget.active = None
        return Outcome(status="UNKNOWN")
    status = solver.solve(model, callback)
    budget.active = None
    budget.spend(solver)
    outcome = Outcome(status=solver.status_name(status))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        outcome.values = list(solver.response_proto.solution)
        outcome.objective = round(solver.objective_value)
        outcome.bound = solver.best_objective_bound
    elif status == cp_model.UNKNOWN:
        outcome.bound = solver.best_objective_bound
    return outcome


def restricted(
    model: cp_model.CpModel, fixed: Mapping[int, int], *, below: float = math.inf, hint: list[int] | None = None,
) -> cp_model.CpModel:
    """A copy of `model` with some variables fixed (by proto index), only plans whose objective
    is below `below` allowed, and `hint` (values by index) as the hint when given.

    Fixing narrows the variables' domains rather than adding constraints, so that presolve
    removes them at no cost even when most of a large model is fixed.
    """
    copy = model.clone()
    proto = copy.proto
    for index, value in fixed.items():
        domain = proto.variables[index].domain
        domain.clear()
        domain.extend([value, value])
    if below < math.inf:
        objective = model.proto.objective
        copy.add(
            sum(c * copy.get_int_var_from_proto_index(v) for v, c in zip(objective.vars, objective.coeffs))
            <= int(below - objective.offset) - 1
        )
    if hint is not None:
        copy.clear_hints()
        proto.solution_hint.vars.extend(range(len(hint)))
        proto.solution_hint.values.extend(hint)
    return copy


def combine(first: Outcome, second: Outcome) -> Outcome:
    """The better plan of two searches of the same model, with the stronger of their bounds.

    A search that proved its plan optimal proves that plan's objective, even when the bound it
    reports is a hair below it in floating point (CP-SAT's 1124.9999999 for 1125): taking the
    reported bound then turned a proven optimum into FEASIBLE whenever the other search lost
    the race."""
    plans = [o for o in (first, second) if o.objective is not None]
    best = min(plans, key=lambda o: o.objective) if plans else None
    bound = max(_proven(first), _proven(second))
    if best is None:
        return Outcome(status="UNKNOWN", bound=bound)
    status = "OPTIMAL" if bound >= best.objective else "FEASIBLE"
    return Outcome(status=status, values=best.values, objective=best.objective, bound=min(bound, best.objective))


def _proven(outcome: Outcome) -> float:
    """The lower bound an outcome proves: its objective when it is optimal, else its bound."""
    if outcome.status == "OPTIMAL" and outcome.objective is not None:
        return max(outcome.bound, outcome.objective)
    return outcome.bound


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
