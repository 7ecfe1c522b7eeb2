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


class LinearRelaxation:
    """The LP relaxation of a CP-SAT model's linear constraints.

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
