"""The programme overview's numbers, aggregated in SQL from schools, milestones, the adopted
plan, trainers, Pix+ Édu certifications and usage.

Usage numbers are the usage report's: visits and pedagogical share per school and the monthly
split by category come from `rollout.usage.report.usage_report` itself (by school, by month),
so the overview and `rollout usage report` agree for the same dates. School filters (basin, priority, wave) pick the schools;
date filters (school year, start, end) bound the usage periods counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from dashboards.figures.overview import (
    CascadeCounts,
    MonthUsage,
    SchoolRollout,
    SchoolShare,
    WaveWindow,
)
from dashboards.queries.filters import Filters
from rollout.models import (
    Basin,
    Milestone,
    PixCertification,
    Programme,
    School,
    Trainer,
    Wave,
)
from rollout.tracking.colour import programme_progress
from rollout.tracking.schedule import baseline_waves
from rollout.usage.report import usage_report
from rollout.usage import taxonomy
from rollout.usage.summary import school_months
from rollout.core.sql import among


@dataclass(frozen=True)
class Headline:
    """The cards above the figures."""

    schools_live: int
    schools_total: int
    pupils_live: int
    teachers_trained: int
    teachers_certified: int
    visits: int
    pedagogical_share: float | None
    as_of: date


def selected_schools(session: Session, *, programme: Programme, filters: Filters) -> list[School]:
    """The programme's schools the basin, priority, wave and school filters keep, by UAI (the
    wave is the school's wave in the adopted plan)."""
    statement = select(School).where(School.programme_id == programme.id).order_by(col(School.uai))
    if filters.school:
        statement = statement.where(School.uai == filters.school)
    if filters.basin:
        statement = statement.join(Basin, col(Basin.id) == School.basin_id).where(Basin.code == filters.basin)
    if filters.priority:
        statement = statement.where(School.priority == filters.priority)
    schools = list(session.exec(statement))
    if filters.wave:
        waves = baseline_waves(session, programme=programme)
        schools = [school for school in schools if school.id in waves and waves[school.id].code == filters.wave]
    return schools


def go_live_dates(session: Session, school_ids: list[int]) -> dict[int, tuple[date | None, date | None]]:
    """(planned, actual) go-live date of each school; actual only once the milestone is done."""
    rows = session.exec(
        select(Milestone.school_id, Milestone.planned_on, Milestone.actual_on, Milestone.status)
        .where(Milestone.kind == "school_live", among(Milestone.school_id, school_ids))
    )
    return {school_id: (planned, actual if status == "done" else None) for school_id, planned, actual, status in rows}


def school_rollouts(session: Session, *, programme: Programme, schools: list[School], as_of: date) -> list[SchoolRollout]:
    """Each selected school with its baseline wave, go-live dates and status colour as of `as_of`."""
    ids = [school.id for school in schools if school.id is not None]
    dates = go_live_dates(session, ids)
    progress = {row.school_id: row for row in programme_progress(session, programme=programme, as_of=as_of)}
    rollouts = []
    for school in schools:
        standing = progress[school.id]
        planned, actual = dates.get(school.id, (None, None))
        rollouts.append(SchoolRollout(
            uai=school.uai, name=school.name, pupils=school.pupils, wave=standing.wave.code if standing.wave else None,
            planned_live=planned, actual_live=actual, status=standing.colour,
            latitude=school.latitude, longitude=school.longitude,
        ))
    return rollouts


def wave_windows(session: Session, *, programme: Programme, filters: Filters) -> list[WaveWindow]:
    """The programme's waves in order (only the chosen one under a wave filter)."""
    statement = select(Wave).where(Wave.programme_id == programme.id).order_by(col(Wave.position))
    if filters.wave:
        statement = statement.where(Wave.code == filters.wave)
    return [WaveWindow(code=w.code, label=w.label, start=w.start_date, end=w.end_date) for w in session.exec(statement)]


def _ids(schools: list[School]) -> list[int]:
    return [school.id for school in schools if school.id is not None]


def _usage_ids(schools: list[School], filters: Filters) -> list[int] | None:
    """The schools to name to a usage summary: None (the programme's) unless a filter keeps some."""
    return _ids(schools) if filters.keeps_some_schools else None


def school_shares(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> list[SchoolShare]:
    """Visits and pedagogical share of each selected school with usage: the usage report's rows."""
    rows = usage_report(session, programme_id=programme.id, by="school", start=filters.first_day, end=filters.last_day,
                        school_ids=_usage_ids(schools, filters))
    return [SchoolShare(uai=row.group, name=row.name or "", visits=row.visits, share=row.pedagogical_share,
                        pedagogical_visits=row.pedagogical_visits) for row in rows]


def month_usage(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> list[MonthUsage]:
    """Visits per month (of the period start) split pedagogical / administrative / other: the
    usage report by month for the selected schools."""
    rows = usage_report(session, programme_id=programme.id, by="month", start=filters.first_day, end=filters.last_day,
                        school_ids=_usage_ids(schools, filters))
    return [MonthUsage(month=row.group, pedagogical=row.pedagogical_visits, administrative=row.administrative_visits,
                       other=row.visits - row.pedagogical_visits - row.administrative_visits) for row in rows]


def _sum(session: Session, statement: sa.Select) -> int:
    return int(session.exec(statement).one() or 0)  # type: ignore[call-overload]


def teachers_active(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> int:
    """Per selected school, the most teachers seen on the platform in one period (the largest
    `visitors` of a teacher row, the usage report's monthly estimate at its best month), summed."""
    months = school_months(programme_id=programme.id, start=filters.first_day, end=filters.last_day,
                           school_ids=_usage_ids(schools, filters),
                           mapping=lambda: taxonomy.category_mapping(session, programme_id=programme.id))
    best_month = (
        select(func.max(months.c.teacher_visitors).label("teachers"))
        .group_by(months.c.school_id)
        .subquery()
    )
    return _sum(session, select(func.sum(best_month.c.teachers)))


def cascade_counts(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> CascadeCounts:
    """How far the cascade reached among the selected schools (trainers: the programme's)."""
    ids = _ids(schools)
    done = (Milestone.status == "done", among(Milestone.school_id, ids))
    return CascadeCounts(
        trainers_trained=_sum(session, select(func.count()).where(Trainer.programme_id == programme.id, col(Trainer.trained))),
        leadership_briefed=_sum(session, select(func.count()).where(Milestone.kind == "leadership_briefed", *done)),
        teachers_trained=_sum(session, select(func.sum(Milestone.count)).where(Milestone.kind == "teachers_trained",
                                                                                among(Milestone.school_id, ids))),
        teachers_active=teachers_active(session, programme=programme, schools=schools, filters=filters),
        teachers_certified=_sum(session, select(func.sum(PixCertification.certified))
                                .where(among(PixCertification.school_id, ids))),
    )


def headline(rollouts: list[SchoolRollout], cascade: CascadeCounts, shares: list[SchoolShare], *, as_of: date) -> Headline:
    """The cards, from what the figures already hold (one source for both)."""
    live = [school for school in rollouts if school.actual_live is not None]
    visits = sum(share.visits for share in shares)
    pedagogical = sum(share.pedagogical_visits for share in shares)
    return Headline(
        schools_live=len(live), schools_total=len(rollouts), pupils_live=sum(school.pupils for school in live),
        teachers_trained=cascade.teachers_trained, teachers_certified=cascade.teachers_certified,
        visits=visits, pedagogical_share=pedagogical / visits if visits else None, as_of=as_of,
    )
