"""A large neighbourhood search by basin, for models too large for CP-SAT on its own.

Used by `planner.solve` from the LP on large models (`NeighbourhoodSearch.run`) and after
CP-SAT on the whole model on mid-sized ones (`NeighbourhoodSearch.improve`).

On the France benchmark CP-SAT on the whole model ends its five minutes far above its bound
on a shared machine (`docs/benchmarks.md`): its LP is slow at that size and its generic
neighbourhoods do not follow the problem's structure. Two observations make a better search:

- the LP relaxation is nearly integral there (few school variables fractional): the binding
  constraints are the national wave caps and the vendors' sessions, and putting the schools
  where the LP puts them, leaving only the fractional ones and the trainer training to CP-SAT,
  gives a plan close to the LP bound within seconds (as RENS, "relaxation enforced
  neighbourhood search", does in MIP solvers);
- basins are nearly independent once the other basins' schools are fixed: freeing the
  schools, sessions and trainer training of a few basins gives CP-SAT a sub-model the size of
  one département, which it improves or proves within one short step (STEP_LIMIT).

So the search takes the LP's value as the proven bound, builds the first plan from the LP, then
repeatedly frees a random set of basins (in every wave, or in two consecutive waves) around
the best plan. The set grows while CP-SAT proves its sub-models optimal and shrinks when it
does not, so that each step stays short.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict

from planner.cpsat_run import MIN_SEARCH_SECONDS, Budget, Outcome, ProgressCallback, restricted, solve_part
from planner.model import PlanModel
from planner.relaxation import LinearRelaxation

logger = logging.getLogger(__name__)

# The smallest model (in CP-SAT variables) the search starts from the LP on, set between the
# benchmarks: Île-de-France does better starting from CP-SAT on the whole model, France far
# better here.
MIN_NEIGHBOURHOOD_VARIABLES = 20_000
# The first plan's share of the time, the time of one neighbourhood, the schools freed in the
# first neighbourhood, and how the size follows the sub-models' outcome.
START_SHARE = 0.1
STEP_LIMIT = 2.0
FIRST_SIZE = 150
GROW, SHRINK, SMALLEST = 1.2, 0.85, 20
INTEGRAL = 1e-6


class NeighbourhoodSearch:
    """The LP-guided first plan and the basin neighbourhoods described in the module docstring."""

    @staticmethod
    def pays_off(built: PlanModel) -> bool:
        """Whether the model is large enough for the search to beat CP-SAT on the whole model."""
        return built.variable_count() >= MIN_NEIGHBOURHOOD_VARIABLES

    def __init__(self, built: PlanModel, seed: int) -> None:
        self.built = built
        self.random = random.Random(seed)
        # Where each variable lies: its basins and its wave (None: every wave). Variables of
        # no basin (wave totals, vendor sessions) are never fixed.
        self.place: dict[int, tuple[frozenset[str], int | None]] = {}
        for (i, w), variable in built.schools.items():
            self.place[variable.index] = (frozenset([built.classes[i].basin]), w)
        for (_, basin, w), variable in built.sessions.items():
            self.place[variable.index] = (frozenset([basin]), w)
        for (g, _), variable in built.trained.items():
            self.place[variable.index] = (built.groups[g].basins, None)

    def run(self, *, workers: int, seed: int, deterministic: bool, budget: Budget, callback: ProgressCallback) -> Outcome:
        """The best plan found within the budget, with the LP's bound (or a proof of optimality)."""
        relaxation = LinearRelaxation(self.built.model)
        bound = relaxation.bound({})
        if bound is None:
            # A floating-point LP is not a proof of infeasibility: CP-SAT gets the time to prove it.
            logger.info("neighbourhood search: the LP is infeasible, CP-SAT on the whole model")
            return solve_part(self.built.model, budget.left(), workers, seed, deterministic, budget, callback)
        callback.floor = bound
        best = self._first_plan(relaxation.values(), workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)
        callback.floor = None
        if best.objective is None:
            return best
        best.bound = max(best.bound, bound)
        return self.improve(best, workers=workers, seed=seed, deterministic=deterministic, budget=budget, callback=callback)

    def improve(
        self, best: Outcome, *, workers: int, seed: int, deterministic: bool, budget: Budget, callback: ProgressCallback,
    ) -> Outcome:
        """Improve a plan, whose proven bound is `best.bound`, neighbourhood by neighbourhood.

        Steps alternate between a set of basins in every wave (trades within basins and between
        trainers) and a set of basins in two consecutive waves, which holds more basins for the
        same number of schools (trades between basins under the national wave caps).
        """
        callback.floor = best.bound
        size = float(FIRST_SIZE)
        steps = improvements = 0
        while best.objective > best.bound and budget.left() > MIN_SEARCH_SECONDS:
            steps += 1
            waves = None if steps % 2 else self._consecutive_waves()
            chosen = self._basins(size, best.values, waves)
            fixed = {
                index: best.values[index]
                for index, (basins, wave) in self.place.items()
                if not basins & chosen or (waves is not None and wave is not None and wave not in waves)
            }
            sub = restricted(self.built.model, fixed, hint=best.values)
            outcome = solve_part(sub, min(STEP_LIMIT, budget.left()), workers, seed + steps, deterministic, budget, callback)
            if outcome.objective is not None and outcome.objective < best.objective:
                improvements += 1
                best = Outcome(status="FEASIBLE", values=outcome.values, objective=outcome.objective, bound=best.bound)
            if outcome.status == "OPTIMAL":
                if not fixed:
                    best.bound = best.objective  # nothing was fixed: the sub-model was the whole model
                size *= GROW
            else:
                size = max(SMALLEST, size * SHRINK)
        callback.floor = None
        best.status = "OPTIMAL" if best.bound >= best.objective else "FEASIBLE"
        logger.info("neighbourhood search: %d steps, %d improvements, %s", steps, improvements, best.status)
        return best

    def _first_plan(
        self, lp: list[float], *, workers: int, seed: int, deterministic: bool, budget: Budget, callback: ProgressCallback,
    ) -> Outcome:
        """The first plan: CP-SAT with every school class the LP puts whole in waves kept there;
        when that has none (rounding the LP's trainer training can starve a basin), the model's
        hint (the greedy plan) as it is; when there is no hint, CP-SAT on the whole model.

        The greedy plan is not tried first because the LP-guided plan is far better where the
        search is used (France, `docs/benchmarks.md`).
        """
        built = self.built
        fractional = {i for (i, _), variable in built.schools.items() if abs(lp[variable.index] - round(lp[variable.index])) > INTEGRAL}
        fixed = {variable.index: round(lp[variable.index]) for (i, _), variable in built.schools.items() if i not in fractional}
        guided = restricted(built.model, fixed)
        guided.clear_hints()
        for variable in (*built.schools.values(), *built.trained.values()):
            guided.add_hint(guided.get_int_var_from_proto_index(variable.index), round(lp[variable.index]))
        limit = START_SHARE * budget.left()
        outcome = solve_part(guided, limit, workers, seed, deterministic, budget, callback)
        logger.info("neighbourhood search: LP-guided plan %s (%d of %d school classes fractional)", outcome.status, len(fractional), len(built.classes))
        if outcome.objective is None:
            hint = built.model.proto.solution_hint
            if not len(hint.vars):
                # No greedy plan either: the whole model gets all the time left to find one.
                return solve_part(built.model, budget.left(), workers, seed, deterministic, budget, callback)
            outcome = solve_part(restricted(built.model, dict(zip(hint.vars, hint.values))), limit, workers, seed, deterministic, budget, callback)
        return Outcome(status="FEASIBLE" if outcome.objective is not None else "UNKNOWN", values=outcome.values, objective=outcome.objective)

    def _consecutive_waves(self) -> frozenset[int]:
        """Two consecutive waves, at random (the only wave when there is one)."""
        last = len(self.built.scenario.waves) - 1
        first = self.random.randint(0, max(0, last - 1))
        return frozenset({first, min(first + 1, last)})

    def _basins(self, size: float, values: list[int], waves: frozenset[int] | None) -> frozenset[str]:
        """Random basins holding at least `size` schools in `waves` (None: in any wave) in the
        plan `values`; every basin when there are fewer."""
        held: dict[str, int] = defaultdict(int)
        for (i, w), variable in self.built.schools.items():
            if waves is None or w in waves:
                held[self.built.classes[i].basin] += values[variable.index]
        basins = list(self.built.basins)
        self.random.shuffle(basins)
        chosen: set[str] = set()
        schools = 0
        for basin in basins:
            if schools >= size:
                break
            chosen.add(basin)
            schools += held[basin]
        return frozenset(chosen)
