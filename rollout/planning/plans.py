"""Plans of a programme: listing them, and adopting one as the baseline that milestones'
planned dates follow. Solving them is `rollout.planning.runs`' job, in the background.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout import audit
from rollout.core.author import Author
from rollout.models import Plan, Programme, utcnow
from rollout.tracking.schedule import apply_baseline

# The statuses of a plan that may hold an assignment: a stopped solve keeps its best plan, if any.
ADOPTABLE = ("optimal", "feasible", "stopped")


class PlanningError(ValueError):
    """A plan cannot be made or adopted; the message says why, for a district leader."""


def programme_plans(session: Session, programme: Programme) -> list[Plan]:
    """The programme's plans, newest first."""
    return list(
        session.exec(select(Plan).where(Plan.programme_id == programme.id).order_by(col(Plan.created_at).desc(), col(Plan.id).desc()))
    )


def adoptable(plan: Plan) -> bool:
    """Whether the plan holds an assignment of every school to a wave."""
    return plan.status in ADOPTABLE and plan.objective is not None


def adopt_plan(session: Session, *, programme: Programme, plan: Plan, author: Author) -> int:
    """Make `plan` the programme's baseline and re-plan milestones' dates from it.

    Returns the number of milestones created or re-dated. Does not commit.
    """
    if plan.programme_id != programme.id:
        raise PlanningError("this plan belongs to another programme")
    if not adoptable(plan):
        raise PlanningError(f"a plan with status {plan.status} has no assignment to adopt")
    previous = session.exec(select(Plan).where(Plan.programme_id == programme.id, Plan.is_baseline)).first()
    if previous is not None and previous.id == plan.id:
        return 0
    # Clear the old baseline with its own statement first: the partial unique index allows
    # one baseline per programme at every moment, whatever order the ORM would flush in.
    session.execute(
        sa.update(Plan).where(Plan.programme_id == programme.id, Plan.is_baseline).values(is_baseline=False)
    )
    plan.is_baseline = True
    plan.adopted_at = utcnow()
    plan.adopted_by_id = author.user_id
    session.add(plan)
    session.flush()
    record_plan_change(session, programme, plan, author, "update", {"is_baseline": [False, True]})
    if previous is not None:
        session.refresh(previous)
        record_plan_change(session, programme, previous, author, "update", {"is_baseline": [True, False]})
    return apply_baseline(session, programme=programme, plan=plan, author=author)


def schools_per_wave(plan: Plan) -> list[tuple[str, int, int]]:
    """(wave, schools, pupils) in wave order, for showing a plan."""
    pupils = {school["uai"]: school["pupils"] for school in plan.scenario.get("schools", [])}
    counts: dict[str, list[int]] = {wave["id"]: [0, 0] for wave in plan.scenario.get("waves", [])}
    for row in (plan.result or {}).get("assignments", []):
        counts[row["wave"]][0] += 1
        counts[row["wave"]][1] += pupils.get(row["uai"], 0)
    return [(wave, values[0], values[1]) for wave, values in counts.items()]


def record_plan_change(session: Session, programme: Programme, plan: Plan, author: Author, action: str, changes: dict[str, Any]) -> None:
    """The plan's audit event, in its programme's district."""
    audit.record(
        session,
        actor=author.actor,
        channel=author.channel,
        user_id=author.user_id,
        district_id=programme.district_id,
        entity="plan",
        entity_id=plan.id,
        action=action,
        changes=changes,
    )
