"""Branch and bound over the vendor sessions spent on training trainers in the first waves.

Used by `planner.solve` on models small enough for it (see `TrainingSearch.pays_off`).
"""

from __future__ import annotations

import logging
import math

from planner.cpsat_run import MIN_SEARCH_SECONDS, Budget, Outcome, ProgressCallback, combine, restricted, solve_part
from planner.model import PlanModel
from planner.relaxation import LinearRelaxation

logger = logging.getLogger(__name__)

# How many training waves the search branches on, how many LP nodes it may explore, and the
# largest model (in CP-SAT variables) it is tried on.
BRANCH_WAVES = 3
MAX_LP_NODES = 400
MAX_SEARCH_VARIABLES = 5_000


class TrainingSearch:
    """Branch and bound over the vendor sessions spent on training trainers in the first waves.

    The LP relaxation of the model lets a fraction of a vendor session train a fraction of a
    trainer, which is what keeps CP-SAT's bound well below the optimum on the benchmarks;
    with the number of training sessions of each wave fixed, the same relaxation is close to
    the leaf's optimum and CP-SAT proves the rest quickly (`docs/benchmarks.md`, "The training
    search"). So the search enumerates the training sessions of the first BRANCH_WAVES
    training waves depth first, prunes every prefix whose LP bound (GLOP, with the later waves'
    sessions left continuous) cannot beat the best plan, and hands each remaining leaf to
    CP-SAT with the leaf's sessions fixed and the objective cut below the best plan. Leaves
    cover every value the sessions can take, so the minimum of the leaves' bounds is a bound
    of the whole problem: when every leaf is solved or pruned, the best plan is optimal.
    """

    @staticmethod
    def pays_off(built: PlanModel) -> bool:
        """Whether there is training to decide and the model is small enough for the search.

        Measured on the benchmarks (`docs/benchmarks.md`): Créteil gains; Île-de-France
        loses, its LP nodes too slow and its whole-model phase too short for a good plan; and
        on France a single LP takes seconds.
        """
        return bool(built.training_waves()) and built.variable_count() <= MAX_SEARCH_VARIABLES

    def __init__(self, built: PlanModel) -> None:
        self.built = built
        waves = built.training_waves()[:BRANCH_WAVES]
        self.indices = [built.training_sessions[k].index for k in waves]
        upper = built.training_upper()
        self.uppers = [min(upper, built.vendor_capacity(k)) for k in waves]
        self.relaxation: LinearRelaxation | None = None

    def leaves(self, incumbent: float) -> list[tuple[float, tuple[int, ...]]] | None:
        """The prefixes of session counts the LP cannot prune, lowest bound first; None when
        there are more than MAX_LP_NODES nodes to explore (the search would not pay off)."""
        if self.relaxation is None:
            self.relaxation = LinearRelaxation(self.built.model)
        found: list[tuple[float, tuple[int, ...]]] = []
        stack: list[tuple[int, ...]] = [()]
        nodes = 0
        while stack:
            prefix = stack.pop()
            nodes += 1
            if nodes > MAX_LP_NODES:
                return None
            bound = self.relaxation.bound(dict(zip(self.indices, prefix)))
            if bound is None or bound >= incumbent:
                continue
            if len(prefix) == len(self.indices):
                found.append((bound, prefix))
                continue
            stack.extend(prefix + (value,) for value in reversed(range(self.uppers[len(prefix)] + 1)))
        logger.info("training search: %d LP nodes, %d leaves", nodes, len(found))
        return sorted(found)

    def run(
        self, best: Outcome, *, workers: int, seed: int, deterministic: bool, budget: Budget,
        callback: ProgressCallback,
    ) -> Outcome:
        """Improve `best` (the whole model's outcome) leaf by leaf, within the budget."""
        incumbent = math.inf if best.objective is None else best.objective
        leaves = self.leaves(incumbent)
        open_bounds: list[float] = []
        if leaves is None:
            logger.info("training search: too many nodes, the whole model gets the time left")
            if best.objective is None:
                return combine(best, solve_part(self.built.model, budget.left(), workers, seed, deterministic, budget, callback))
            leaves, open_bounds = [], [best.bound]
        callback.floor = None if best.bound == -math.inf else best.bound
        for position, (bound, prefix) in enumerate(leaves):
            if bound >= incumbent:
                continue
            if budget.left() <= 0:
                open_bounds.extend(b for b, _ in leaves[position:] if b < incumbent)
                break
            leaf = restricted(self.built.model, dict(zip(self.indices, prefix)), below=incumbent, hint=best.values)
            limit = budget.left() / sum(1 for b, _ in leaves[position:] if b < incumbent)
            outcome = solve_part(leaf, limit, workers, seed, deterministic, budget, callback)
            if outcome.objective is not None:
                best = Outcome(status="FEASIBLE", values=outcome.values, objective=outcome.objective, bound=best.bound)
                incumbent = outcome.objective
            if outcome.status in ("FEASIBLE", "UNKNOWN"):
                open_bounds.append(max(bound, outcome.bound))
        if best.objective is not None and open_bounds and budget.left() > MIN_SEARCH_SECONDS:
            # Leaves that were proven quickly leave time: the whole model, cut below the best
            # plan, gets it, so its bound counts on its own and its plans are improvements.
            whole = restricted(self.built.model, {}, below=incumbent, hint=best.values)
            rest = solve_part(whole, budget.left(), workers, seed, deterministic, budget, callback)
            if rest.objective is not None:
                best = Outcome(status="FEASIBLE", values=rest.values, objective=rest.objective, bound=best.bound)
                incumbent = rest.objective
            open_bounds = [] if rest.status in ("OPTIMAL", "INFEASIBLE") else [max(min(open_bounds), rest.bound)]
        callback.floor = None
        if best.objective is None:
            return best if open_bounds else Outcome(status="INFEASIBLE")
        proven = min([incumbent, *open_bounds])
        best.bound = max(best.bound, proven)
        best.status = "OPTIMAL" if best.bound >= best.objective else "FEASIBLE"
        logger.info("training search: %s, %d leaves left open", best.status, len(open_bounds))
        return best
