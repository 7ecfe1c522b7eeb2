"""The same CP-SAT model solved by a MIP solver (SCIP, shipped with OR-Tools), for its bound.

On the mid-sized and small benchmarks CP-SAT finds near-optimal plans but its proven bound
stalls well below them; SCIP's branch and bound, with its cutting planes and the objective cut
below the best plan, proves a much higher bound in the same time on one thread (Île-de-France
and Créteil in `docs/benchmarks.md`, "SCIP beside CP-SAT").
The model is purely linear over integers, so it is the same problem: every CP-SAT variable
becomes an integer column, every linear constraint a row, and SCIP's solutions map back onto
the CP-SAT variables by index.

SCIP runs through `pywraplp` in a background thread (OR-Tools releases the interpreter lock
while it solves, and `InterruptSolve` stops it at once; `model_builder` ignored stops), so that
CP-SAT keeps improving plans on the other worker. What it returns is used only as:

- a proven lower bound (rounded up with a margin for SCIP's tolerances, like the LP's);
- a plan, after an exact check of every domain and constraint of the CP-SAT model in integers,
  so that a solution within SCIP's floating-point tolerance but outside the model is dropped.
"""

from __future__ import annotations

import math
import threading
from typing import Callable

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.cpsat_run import STOP_POLL, Budget, Outcome, combine
from planner.relaxation import copy_model, linear_rows

# SCIP's feasibility and optimality tolerances are relative, around 1e-6: a bound is lowered
# by that much before being rounded up, so that it never exceeds the true optimum.
MARGIN = 1e-6


class MipProof:
    """SCIP on a CP-SAT model, run in the background within a time limit."""

    @staticmethod
    def available(model: cp_model.CpModel) -> bool:
        """Whether every constraint of the model is a row (see `linear_rows`) and SCIP is in
        this OR-Tools build."""
        return linear_rows(model.proto)[1] and pywraplp.Solver.SupportsProblemType(pywraplp.Solver.SCIP_MIXED_INTEGER_PROGRAMMING)

    def __init__(self, model: cp_model.CpModel, *, below: int | None = None, hint: list[int] | None = None, seed: int = 0) -> None:
        """`below`: only plans whose objective is at most this (the best plan known); `hint`: a
        plan (values by CP-SAT variable index) SCIP starts from."""
        self.proto = model.proto
        rows, complete = linear_rows(self.proto)
        if not complete:
            raise ValueError("the model holds constraints that are not linear rows")
        self.solver = pywraplp.Solver.CreateSolver("SCIP")
        self.columns = copy_model(self.proto, self.solver, rows, integer=True)
        objective = self.proto.objective
        if below is not None:
            cut = self.solver.Constraint(-self.solver.infinity(), below - objective.offset)
            for index, coefficient in zip(objective.vars, objective.coeffs):
                cut.SetCoefficient(self.columns[index], coefficient)
        if hint is not None:
            self.solver.SetHint(self.columns, [float(value) for value in hint])
        # A relative gap of 0: "optimal" must mean proven, not within the default 0.01 %.
        self.parameters = pywraplp.MPSolverParameters()
        self.parameters.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 0.0)
        self.solver.SetSolverSpecificParametersAsString(f"limits/gap = 0\nrandomization/randomseedshift = {seed}")
        self.below = below
        self.thread: threading.Thread | None = None
        self.status: int | None = None

    def start(self, limit: float) -> None:
        """Solve in a background thread for at most `limit` seconds."""
        self.solver.SetTimeLimit(max(0, int(limit * 1000)))
        self.thread = threading.Thread(target=self._solve, name="scip", daemon=True)
        self.thread.start()

    def _solve(self) -> None:
        self.status = self.solver.Solve(self.parameters)

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def stop(self) -> None:
        """Stop SCIP and wait for it (the result then holds what it had found).

        An interrupt that reaches SCIP before its solve has set up may be lost, so it is
        repeated until the solve returns.
        """
        while self.running():
            self.solver.InterruptSolve()
            self.thread.join(STOP_POLL)

    def result(self) -> Outcome:
        """Wait for SCIP and return its plan (checked) and the bound it proves for the whole model.

        With `below` set, SCIP searched only plans at most `below`; a bound b of that search
        proves min(b, below) for the whole model, and "no plan" proves `below` itself.
        Without it, "no plan" is reported but proves no bound.
        """
        if self.thread is not None:
            self.thread.join()
        status = self.status
        objective = self.proto.objective
        outcome = Outcome(status="UNKNOWN")
        if status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            values = [round(column.solution_value()) for column in self.columns]
            if satisfies(self.proto, values):
                outcome.values = values
                outcome.objective = round(sum(c * values[i] for i, c in zip(objective.vars, objective.coeffs)) + objective.offset)
        if status == pywraplp.Solver.OPTIMAL and outcome.objective is not None:
            outcome.status, outcome.bound = "OPTIMAL", outcome.objective
        elif status == pywraplp.Solver.INFEASIBLE:
            # Without a cut this would say the scenario has no plan: that is CP-SAT's to prove
            # (and explain), so it proves nothing here.
            outcome.status = "INFEASIBLE"
            if self.below is not None:
                outcome.bound = self.below
        elif status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE, pywraplp.Solver.NOT_SOLVED):
            bound = self.solver.Objective().BestBound() + objective.offset
            if math.isfinite(bound):
                outcome.bound = math.ceil(bound - MARGIN * max(1.0, abs(bound)))
            if outcome.objective is not None:
                outcome.status = "FEASIBLE"
        if self.below is not None and outcome.bound > self.below:
            outcome.bound = self.below
        return outcome


def satisfies(proto, values: list[int]) -> bool:
    """Whether integer values meet every variable domain and every constraint of a CP-SAT
    model made of rows (see `linear_rows`; a linear constraint's domain is checked in full)."""
    rows, complete = linear_rows(proto)
    if not complete:
        return False
    for variable, value in zip(proto.variables, values):
        domain = list(variable.domain)
        if not any(low <= value <= high for low, high in zip(domain[::2], domain[1::2])):
            return False
    linear = (list(c.linear.domain) if c.has_linear() else None for c in proto.constraints)
    for (variables, coefficients, lower, upper), domain in zip(rows, linear):
        total = sum(c * values[i] for i, c in zip(variables, coefficients))
        intervals = zip(domain[::2], domain[1::2]) if domain is not None else [(lower, upper)]
        if not any(low <= total <= high for low, high in intervals):
            return False
    return True


class MipRounds:
    """SCIP beside the CP-SAT search, ending the search once it proves the optimum.

    With `first_share` below 1, in two rounds: round 1 solves the model as it is for that
    share of the time (SCIP finds good plans of its own and raises the bound); round 2 starts
    again with the objective cut at the best plan known by then (SCIP's or CP-SAT's, read from
    the progress callback) and SCIP's plan as the hint. Measured on Créteil, that cut makes the
    proof come within the benchmark's limit where one round takes several times as long: the
    closer the cut to the optimum, the more of the tree it closes without branching. Where no
    proof is in reach in the time (Île-de-France), restarting only loses the tree, so one round
    runs throughout.
    """

    def __init__(
        self, model: cp_model.CpModel, *, seed: int, budget: Budget, incumbent: Callable[[], int | None],
        first_share: float = 1.0,
    ) -> None:
        self.model = model
        self.seed = seed
        self.budget = budget
        self.incumbent = incumbent
        self.first_share = first_share
        self.current: MipProof | None = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.outcome = Outcome(status="UNKNOWN")
        self.thread = threading.Thread(target=self._run, name="mip-rounds", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        first = self._round(MipProof(self.model, seed=self.seed), self.budget.left() * min(1.0, self.first_share))
        if first.status == "OPTIMAL" or self.stopped.is_set() or self.budget.left() <= 0:
            return
        known = [value for value in (first.objective, self.incumbent()) if value is not None]
        if not known:
            # No plan to cut at: a second round would be the first one again, for longer.
            self._round(MipProof(self.model, seed=self.seed), self.budget.left())
            return
        self._round(MipProof(self.model, below=min(known), hint=first.values, seed=self.seed), self.budget.left())

    def _round(self, proof: MipProof, limit: float) -> Outcome:
        with self.lock:
            # Under the lock, `finish` either sees this round running or stops it from starting.
            if self.stopped.is_set():
                return Outcome(status="UNKNOWN")
            self.current = proof
            proof.start(limit)
        outcome = proof.result()
        self.outcome = combine(self.outcome, outcome)
        if self.outcome.status == "OPTIMAL" or (proof.below is not None and outcome.status == "INFEASIBLE"):
            self.budget.cancel()
        return outcome

    def finish(self) -> Outcome:
        """Stop SCIP (the CP-SAT search is over) and return the best of its rounds."""
        with self.lock:
            self.stopped.set()
            current = self.current
        if current is not None:
            current.stop()
        self.thread.join()
        return self.outcome
