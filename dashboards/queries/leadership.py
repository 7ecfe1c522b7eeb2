"""The leadership dashboard's numbers: per live school, when its leadership was briefed against
its go-live, and the usage report's own visits and adoption."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from dashboards.figures.leadership import SchoolLeadership
from dashboards.queries.filters import Filters
from dashboards.queries.overview import go_live_dates
from rollout.models import Milestone, Programme, School
from rollout.usage.report import usage_report
from rollout.core.sql import among


def briefing(briefed_on: date | None, live_on: date) -> str:
    """"before" when the leadership was briefed on or before go-live, "late" after it, "none"
    when the briefing is not done."""
    if briefed_on is None:
        return "none"
    return "before" if briefed_on <= live_on else "late"


def school_leadership(session: Session, *, programme: Programme, schools: list[School],
                      filters: Filters) -> list[SchoolLeadership]:
    """Each selected live school's briefing group and usage over the filters' dates."""
    ids = [school.id for school in schools if school.id is not None]
    live = {school_id: actual for school_id, (_, actual) in go_live_dates(session, ids).items() if actual}
    briefed = dict(session.exec(
        select(Milestone.school_id, Milestone.actual_on)
        .where(Milestone.kind == "leadership_briefed", Milestone.status == "done", among(Milestone.school_id, ids))
    ).all())
    report = {row.group: row for row in usage_report(session, programme_id=programme.id, by="school",
                                                     start=filters.first_day, end=filters.last_day,
                                                     school_ids=ids if filters.keeps_some_schools else None)}
    measures = []
    for school in schools:
        if school.id not in live:
            continue
        usage = report.get(school.uai)
        measures.append(SchoolLeadership(
            uai=school.uai, name=school.name, briefing=briefing(briefed.get(school.id), live[school.id]),
            visits=usage.visits if usage else 0, pedagogical_visits=usage.pedagogical_visits if usage else 0,
            teacher_adoption=usage.teacher_adoption if usage else None,
            pupil_adoption=usage.pupil_adoption if usage else None,
        ))
    return measures
