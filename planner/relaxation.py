"""The linear relaxation of a CP-SAT model, solved with GLOP.

The planner's searches use it twice: the training search bounds its nodes with it, and the
neighbourhood search takes its solution as a guide (most schools are already in one wave in
it) and its value as the proven bound of a model too large for CP-SAT to bound in time.
"""

from __future__ import annotations

import math
from typing import Mapping

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model


Row = tuple[list[int], list[int], int, int]


def linear_rows(proto) -> tuple[list[Row], bool]:
    """A CP-SAT model's constraints as rows `(variables, coefficients, lower, upper)`, meaning
    `lower <= sum(coefficient * variable) <= upper`, and whether every constraint became one.

    The planner's models hold linear constraints and the clauses CP-SAT writes for a constant
    comparison (`add(True)`, `add(False)`: a basin with no supply term, say), a clause of
    positive literals being the row "at least one is 1". A linear domain with holes keeps its
    hull, and any other constraint is left out: a relaxation of the model either way.
    """
    rows: list[Row] = []
    complete = True
    for constraint in proto.constraints:
        if constraint.has_linear():
            # (The proto's repeated fields are not Python lists: no negative indices on them.)
            domain = list(constraint.linear.domain)
            rows.append((list(constraint.linear.vars), list(constraint.linear.coeffs), domain[0], domain[-1]))
        elif constraint.has_bool_or() and all(literal >= 0 for literal in constraint.bool_or.literals):
            literals = list(constraint.bool_or.literals)
            rows.append((literals, [1] * len(literals), 1, len(literals)))
        else:
            complete = False
    return rows, complete


def copy_model(proto, solver: pywraplp.Solver, rows: list[Row], *, integer: bool) -> list:
    """Copy a CP-SAT model into an OR-Tools linear solver: one column per variable (integer or
    continuous), `rows`, and the objective to minimise. Returns the columns by proto index."""
    columns = []
    for variable in proto.variables:
        domain = list(variable.domain)
        columns.append((solver.IntVar if integer else solver.NumVar)(domain[0], domain[-1], ""))
    for variables, coefficients, lower, upper in rows:
        row = solver.Constraint(
            -solver.infinity() if lower <= cp_model.INT_MIN else lower,
            solver.infinity() if upper >= cp_model.INT_MAX else upper,
        )
        for index, coefficient in zip(variables, coefficients):
            row.SetCoefficient(columns[index], coefficient)
    objective = solver.Objective()
    for index, coefficient in zip(proto.objective.vars, proto.objective.coeffs):
        objective.SetCoefficient(columns[index], coefficient)
    objective.SetMinimization()
    return columns


class LinearRelaxation:
    """The LP relaxation of a CP-SAT model's linear constraints.

    Bounds are in the model's (scaled, integer) objective units and rounded up; a relative
    margin covers GLOP's tolerances so that a bound never exceeds the true LP optimum.
    """

    MARGIN = 1e-6

    def __init__(self, model: cp_model.CpModel) -> None:
        proto = model.proto
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        # A constraint left out can only lower the LP bound, which stays valid.
        rows, _ = linear_rows(proto)
        self.columns = copy_model(proto, self.solver, rows, integer=False)
        # Each column's own bounds, restored after a solve that fixed it.
        self.domains = [(column.lb(), column.ub()) for column in self.columns]
        self.offset = proto.objective.offset

    def bound(self, fixed: Mapping[int, int]) -> float | None:
        """The LP bound with some variables (by proto index) fixed; None when the LP is infeasible."""
        for index, value in fixed.items():
            self.columns[index].SetBounds(value, value)
        status = self.solver.Solve()
        value = self.solver.Objective().Value() + self.offset if status == pywraplp.Solver.OPTIMAL else None
        for index in fixed:
            self.columns[index].SetBounds(*self.domains[index])
        if status == pywraplp.Solver.INFEASIBLE:
            return None
        if value is None:
            return -math.inf
        return math.ceil(value - self.MARGIN * max(1.0, abs(value)))

    def values(self) -> list[float]:
        """The last solve's value of every variable, by proto index.

        Only valid after `bound({})`: restoring the bounds of fixed variables counts as a change
        of the model for GLOP, which then discards its solution.
        """
        return [column.solution_value() for column in self.columns]
