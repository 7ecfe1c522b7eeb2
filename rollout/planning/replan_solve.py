"""The worker's side of a re-plan: solve the future around the kept past, with the progress a
page shows on the whole rollout's scale.

Kept apart from `rollout.planning.replanning` (which reads the database and imports the run
settings) so that `rollout.planning.runs` can call it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import Any

from planner import Progress
from planner.plan import PLANNED, PlanResult, relative_gap
from planner.replan import Replanning, prepare_replanning
from planner.scenario import validate_scenario


def solve_replan(
    replan: dict[str, Any], solver: Callable[..., PlanResult], *, progress: Callable[[Progress], None], **options: Any
) -> PlanResult:
    """Re-plan from a plan's stored `replan` inputs: prepare, solve the future, combine.

    The solver sees only the future, whose objective leaves out the deploying schools; their
    share is fixed, so the progress reported is shifted by it, and the curve of the page ends
    on the combined plan's objective rather than jumping at the end.
    """
    replanning = prepare_replanning(replan["base_scenario"], replan["base_plan"], replan["progress"])
    share = past_share(replanning)

    def shifted(point: Progress) -> None:
        progress(replace(point, objective=point.objective + share, bound=point.bound + share))

    result = replanning.combine(solver(replanning.future, progress=shifted, **options))
    if result.status in PLANNED:
        # The future's gap is relative to the future's objective: restate it for the whole plan.
        result = replace(result, stats=dict(result.stats, gap=relative_gap(result.objective, result.bound)))
    return result


def past_share(replanning: Replanning) -> float:
    """The objective's part that the deploying schools fix: weighted pupils × wave position."""
    typed = validate_scenario(replanning.scenario)
    total = Fraction(0)
    for school in typed.schools:
        if (wave := replanning.past.assignments.get(school.uai)) is not None:
            total += Fraction(repr(typed.objective.weight(school.priority))) * school.pupils * typed.wave_index[wave]
    return float(total)
