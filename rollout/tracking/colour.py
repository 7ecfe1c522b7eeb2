"""The status colour of each school, computed from its milestones, never typed.

- **red**: a milestone is blocked, or a milestone not done is late by more than 10% of the
  duration of the school's wave (duration = last day − first day, in days);
- **amber**: a milestone not done is late (its planned date is before the evaluation date);
- **green**: otherwise (on time).

A done milestone is never late, whenever it was done. "Today" is a parameter: a simulated
programme is evaluated as of its last recorded date (see `evaluation_date`), a real one as of
today. Lateness is aggregated in SQL, one query for the whole programme; only the comparison
with each school's wave duration is made per school.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, func, select

from rollout.models import Milestone, Programme, School, UsageRecord, Wave
from rollout.tracking.schedule import baseline_waves

COLOURS = ("green", "amber", "red")
RED_LATENESS_PERCENT = 10


@dataclass(frozen=True)
class SchoolProgress:
    """One school's standing: what the overview lists and the school page heads with."""

    school_id: int
    uai: str
    name: str
    basin_id: int
    wave: Wave | None
    done: int
    blocked: int
    days_late: int
    colour: str


def colour_of(*, blocked: int, days_late: int, wave_days: int | None) -> str:
    """The colour rule. `days_late` is the lateness of the latest milestone not done (0 if none);
    `wave_days` the duration of the school's wave (None when the baseline does not place it)."""
    if blocked:
        return "red"
    if days_late <= 0:
        return "green"
    if wave_days is not None and days_late * 100 > RED_LATENESS_PERCENT * wave_days:
        return "red"
    return "amber"


def evaluation_date(session: Session, *, programme: Programme, today: date) -> date:
    """The date colours are evaluated at: `today`, except for a simulated programme, whose
    history stops at its last recorded date (latest milestone actual date or usage period);
    evaluating it as of today would paint every school red."""
    if not programme.simulated:
        return today
    school_ids = select(School.id).where(School.programme_id == programme.id)
    latest_milestone = session.exec(
        select(func.max(Milestone.actual_on)).where(Milestone.school_id.in_(school_ids))
    ).one()
    # One index lookup per school (the usage key leads with school_id, then period_start): a
    # max over all the programme's rows made PostgreSQL read every one of them (200 ms daily).
    latest_per_school = (
        select(func.max(UsageRecord.period_start)).where(UsageRecord.school_id == School.id).scalar_subquery()
    )
    latest_usage = session.exec(
        select(func.max(latest_per_school)).where(School.programme_id == programme.id)
    ).one()
    recorded = [day for day in (latest_milestone, latest_usage) if day is not None]
    return max(recorded) if recorded else today


def programme_progress(
    session: Session, *, programme: Programme, as_of: date, school_id: int | None = None
) -> list[SchoolProgress]:
    """Every school of the programme (or just `school_id`) with its colour as of `as_of`, by UAI.

    One aggregate query over the milestones: milestones done, milestones blocked, and the
    earliest planned date among those not done that has passed.
    """
    overdue = sa.and_(Milestone.status != "done", Milestone.planned_on < as_of)
    earliest_overdue = func.min(sa.case((overdue, Milestone.planned_on)))
    statement = (
        select(
            School.id,
            School.uai,
            School.name,
            School.basin_id,
            func.count(sa.case((Milestone.status == "done", 1))),
            func.count(sa.case((Milestone.status == "blocked", 1))),
            earliest_overdue,
        )
        .select_from(School)
        .outerjoin(Milestone, Milestone.school_id == School.id)
        .where(School.programme_id == programme.id)
        .group_by(School.id, School.uai, School.name, School.basin_id)
        .order_by(School.uai)
    )
    if school_id is not None:
        statement = statement.where(School.id == school_id)
    waves = baseline_waves(session, programme=programme)
    progress = []
    for sid, uai, name, basin_id, done, blocked, overdue_since in session.exec(statement):
        wave = waves.get(sid)
        days_late = (as_of - overdue_since).days if overdue_since is not None else 0
        wave_days = (wave.end_date - wave.start_date).days if wave else None
        progress.append(
            SchoolProgress(
                school_id=sid,
                uai=uai,
                name=name,
                basin_id=basin_id,
                wave=wave,
                done=done,
                blocked=blocked,
                days_late=days_late,
                colour=colour_of(blocked=blocked, days_late=days_late, wave_days=wave_days),
            )
        )
    return progress
