"""The equity dashboard's numbers: per school, its go-live delay, teachers trained and the usage
report's own visits and adoption, grouped by priority education in `dashboards.figures.equity`."""

from __future__ import annotations

from sqlmodel import Session, select

from dashboards.figures.equity import SchoolEquity
from dashboards.queries.filters import Filters
from dashboards.queries.overview import go_live_dates
from rollout.models import Milestone, Programme, School
from rollout.usage.report import usage_report
from rollout.core.sql import among


def school_equity(session: Session, *, programme: Programme, schools: list[School], filters: Filters) -> list[SchoolEquity]:
    """Each selected school's measures; usage over the filters' dates."""
    ids = [school.id for school in schools if school.id is not None]
    dates = go_live_dates(session, ids)
    trained = dict(session.exec(
        select(Milestone.school_id, Milestone.count)
        .where(Milestone.kind == "teachers_trained", among(Milestone.school_id, ids))
    ).all())
    report = {row.group: row for row in usage_report(session, programme_id=programme.id, by="school",
                                                     start=filters.first_day, end=filters.last_day,
                                                     school_ids=ids if filters.keeps_some_schools else None)}
    measures = []
    for school in schools:
        planned, actual = dates.get(school.id, (None, None))
        usage = report.get(school.uai)
        measures.append(SchoolEquity(
            uai=school.uai, priority=school.priority, teachers=school.teachers,
            teachers_trained=trained.get(school.id) or 0,
            delay_days=(actual - planned).days if planned and actual else None,
            visits=usage.visits if usage else 0,
            pedagogical_visits=usage.pedagogical_visits if usage else 0,
            teacher_adoption=usage.teacher_adoption if usage else None,
            pupil_adoption=usage.pupil_adoption if usage else None,
        ))
    return measures
