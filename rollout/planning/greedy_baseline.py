"""The greedy baseline a plan's page compares the plan with, as stored with the plan.

`planner.greedy` is what a careful planner with a spreadsheet would do; the plan page shows
how many more pupils the optimiser reaches, and how much sooner. The greedy takes 1.4 s on a
France-size scenario (4 ms on a département), so the worker runs it once at the end of a
solve and stores its summary in the result's `stats` (`rollout.planning.runs`), rather than
every page view running it. Kept apart from the page code (`rollout.planning.results`) so that
the worker imports no web code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.greedy import greedy_plan

GREEDY = "greedy"
"""The key of the baseline in a plan result's `stats`: {"objective", "pupils_per_wave"}, or
None when the greedy found no plan."""


def greedy_baseline(scenario: Mapping[str, Any]) -> dict[str, Any] | None:
    """The greedy baseline's objective and pupils per wave, or None when the greedy gets stuck
    (it can, where a plan exists). Small enough to store with the plan: no assignment."""
    greedy = greedy_plan(dict(scenario))
    if greedy is None:
        return None
    pupils = {school["uai"]: school["pupils"] for school in scenario["schools"]}
    per_wave = {wave["id"]: 0 for wave in scenario["waves"]}
    for row in greedy["assignments"]:
        per_wave[row["wave"]] += pupils[row["uai"]]
    return {"objective": greedy["objective"], "pupils_per_wave": per_wave}
