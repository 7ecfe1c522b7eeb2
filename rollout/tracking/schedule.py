"""Planned dates in the database: the adopted plan (the baseline) gives each school its wave,
and adopting a plan stores the dates the rule of `rollout.tracking.milestones` derives from that
wave's window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlmodel import Session, col, select

from rollout.models import Milestone, Plan, Programme, School, Wave
from rollout.core.author import Author
from rollout.models.progress import MILESTONE_ENTITY
from rollout.tracking.milestones import EARLIEST_OFFSET_DAYS, MILESTONE_KINDS, planned_dates


def earliest_plausible_date(programme: Programme) -> date:
    """The first date a milestone can really have happened: the first wave's leadership briefing,
    a month before the programme starts."""
    return programme.start_date + timedelta(days=EARLIEST_OFFSET_DAYS)


def baseline(session: Session, programme: Programme) -> Plan | None:
    """The programme's adopted plan, if one is adopted."""
    return session.exec(select(Plan).where(Plan.programme_id == programme.id, col(Plan.is_baseline))).first()


def baseline_waves(session: Session, *, programme: Programme, plan: Plan | None = None) -> dict[int, Wave]:
    """The wave of each school (by school id) in the plan (default: the baseline).

    Schools the plan does not assign (added after it was solved) are left out.
    """
    plan = plan or baseline(session, programme)
    if plan is None or not plan.result:
        return {}
    waves = {wave.code: wave for wave in session.exec(select(Wave).where(Wave.programme_id == programme.id))}
    school_ids = dict(session.exec(select(School.uai, School.id).where(School.programme_id == programme.id)).all())
    return {
        school_ids[row["uai"]]: waves[row["wave"]]
        for row in plan.result.get("assignments", ())
        if row["uai"] in school_ids and row["wave"] in waves
    }


def apply_baseline(session: Session, *, programme: Programme, plan: Plan, author: Author) -> int:
    """(Re)set the planned date of every school's milestones from `plan`, creating missing rows.

    Called when a plan is adopted. Schools the plan leaves out lose their planned dates (they
    are no longer planned). Only `planned_on` changes: statuses, dates and counts people typed
    are kept, and `version` is not bumped, since nobody's edit of those fields can be lost.
    Every created or changed milestone gets its audit event. Returns the number of milestones
    created or changed. Does not commit.
    """
    waves = baseline_waves(session, programme=programme, plan=plan)
    schools = session.exec(select(School.id).where(School.programme_id == programme.id)).all()
    existing: dict[int, dict[str, Milestone]] = defaultdict(dict)
    for milestone in session.exec(
        select(Milestone).join(School).where(School.programme_id == programme.id)
    ):
        existing[milestone.school_id][milestone.kind] = milestone
    touched = 0
    created: list[Milestone] = []
    for school_id in schools:
        wave = waves.get(school_id)
        dates = planned_dates(wave.start_date, wave.end_date) if wave else dict.fromkeys(MILESTONE_KINDS)
        for kind in MILESTONE_KINDS:
            milestone = existing[school_id].get(kind)
            if milestone is None:
                milestone = Milestone(school_id=school_id, kind=kind, planned_on=dates[kind])
                session.add(milestone)
                created.append(milestone)
            elif milestone.planned_on != dates[kind]:
                audit_change = {"planned_on": [milestone.planned_on, dates[kind]]}
                milestone.planned_on = dates[kind]
                session.add(milestone)
                author.record(session, programme=programme, entity=MILESTONE_ENTITY, entity_id=milestone.id, action="update", changes=audit_change)
            else:
                continue
            touched += 1
    session.flush()
    for milestone in created:
        author.record(
            session,
            programme=programme,
            entity=MILESTONE_ENTITY,
            entity_id=milestone.id,
            action="create",
            changes={"kind": [None, milestone.kind], "planned_on": [None, milestone.planned_on]},
        )
    session.flush()
    return touched
