"""Two to four plans side by side: their figures (`planner.compare`), how many pupils each has
reached after each wave, and the schools that change wave between them.

Plans compared may come from different scenarios (a what-if with a wave added, a re-plan, the
programme's data of another day), so each plan is summarised with its own scenario, and the
waves of the comparison are all the plans' waves in date order: a wave a plan does not have
reads "—" in its column rather than a made-up zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _

from sqlmodel import Session, col, select

from planner.compare import PlanSummary, compare_plans
from rollout.models import Plan, Scenario
from rollout.planning.plans import adoptable

MIN_PLANS, MAX_PLANS = 2, 4
MAX_ID = 2**31 - 1


class ComparisonError(ValueError):
    """The plans chosen cannot be compared; the message says why, for a district leader."""


@dataclass(frozen=True)
class ComparedPlan:
    """One column: the plan, its figures, and its pupils-live curve (date, pupils) per wave end."""

    plan: Plan
    summary: PlanSummary
    curve: list[tuple[date, int]]


@dataclass(frozen=True)
class ChangedSchool:
    """A school whose wave is not the same in every plan; None where a plan leaves it out."""

    uai: str
    name: str
    waves: list[str | None]


@dataclass(frozen=True)
class PlanComparison:
    waves: list[str]
    plans: list[ComparedPlan]
    changed: list[ChangedSchool]

    def schools_in(self, wave: str) -> list[int | None]:
        return [_in(column, wave, column.summary.schools_per_wave) for column in self.plans]

    def pupils_live_after(self, wave: str) -> list[int | None]:
        return [_in(column, wave, column.summary.pupils_live_after or {}) for column in self.plans]


def _in(column: ComparedPlan, wave: str, values: dict[str, int]) -> int | None:
    return values.get(wave) if any(w["id"] == wave for w in column.plan.scenario.get("waves", [])) else None


def chosen_plan_ids(values: list[str]) -> list[int]:
    """The distinct plan ids a reader ticked, in order; 2 to 4 of them, or ComparisonError."""
    ids: list[int] = []
    for value in values:
        # ASCII digits within an id column's range: "²" is a digit to Python, 2**40 no plan id.
        if not (value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID):
            raise ComparisonError(_("« %(value)s » n'est pas un numéro de plan.", value=value))
        if int(value) not in ids:
            ids.append(int(value))
    if not MIN_PLANS <= len(ids) <= MAX_PLANS:
        raise ComparisonError(_too_many_or_few(len(ids)))
    return ids


def _too_many_or_few(count: int) -> str:
    return _("Choisissez de %(low)d à %(high)d plans à comparer (%(count)d choisi(s)).", low=MIN_PLANS, high=MAX_PLANS, count=count)


def compare(plans: list[Plan]) -> PlanComparison:
    """The comparison of `plans` (of one programme, checked by the caller), in the order given."""
    if not MIN_PLANS <= len(plans) <= MAX_PLANS:
        raise ComparisonError(_too_many_or_few(len(plans)))
    empty = [plan.name for plan in plans if not adoptable(plan) or not plan.result]
    if empty:
        raise ComparisonError(_("Ces plans ne placent aucun établissement, il n'y a rien à comparer : %(plans)s.",
                                plans=", ".join(empty)))
    columns = [
        ComparedPlan(plan=plan, summary=compare_plans(plan.scenario, [plan.result], names=[plan.name]).plans[0],
                     curve=_curve(plan.scenario, plan.result))
        for plan in plans
    ]
    return PlanComparison(waves=_all_waves(plans), plans=columns, changed=_changed(plans))


def what_if_names(session: Session, plans: list[Plan]) -> dict[int, str]:
    """The name of the what-if each plan was solved from, by plan id (plans of the programme's
    own data, or re-plans, have none)."""
    ids = {plan.scenario_id for plan in plans if plan.scenario_id is not None}
    names = dict(session.exec(select(Scenario.id, Scenario.name).where(col(Scenario.id).in_(ids))).all()) if ids else {}
    return {plan.id: names[plan.scenario_id] for plan in plans if plan.scenario_id in names}


def _all_waves(plans: list[Plan]) -> list[str]:
    """Every plan's waves, once each, ordered by start date (then by first appearance)."""
    starts: dict[str, str] = {}
    for plan in plans:
        for wave in plan.scenario.get("waves", []):
            starts.setdefault(wave["id"], wave["start"])
    return sorted(starts, key=lambda wave: starts[wave])


def _curve(scenario: dict[str, Any], result: dict[str, Any]) -> list[tuple[date, int]]:
    """Pupils with the platform over time: none at the first wave's start, then the running
    total at each wave's end."""
    pupils = {school["uai"]: school["pupils"] for school in scenario["schools"]}
    per_wave: dict[str, int] = {}
    for row in result.get("assignments", []):
        per_wave[row["wave"]] = per_wave.get(row["wave"], 0) + pupils.get(row["uai"], 0)
    waves = scenario["waves"]
    points, total = [(date.fromisoformat(waves[0]["start"]), 0)], 0
    for wave in waves:
        total += per_wave.get(wave["id"], 0)
        points.append((date.fromisoformat(wave["end"]), total))
    return points


def _changed(plans: list[Plan]) -> list[ChangedSchool]:
    """The schools not in the same wave in every plan, by UAI."""
    waves = [{row["uai"]: row["wave"] for row in plan.result.get("assignments", [])} for plan in plans]
    names = {school["uai"]: school.get("name") or school["uai"] for plan in plans for school in plan.scenario.get("schools", [])}
    changed = []
    for uai in sorted(set().union(*waves)):
        row = [assigned.get(uai) for assigned in waves]
        if len(set(row)) > 1:
            changed.append(ChangedSchool(uai=uai, name=names.get(uai, uai), waves=row))
    return changed
