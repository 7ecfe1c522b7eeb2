"""One school's numbers: its milestones, its usage rows by month, category and audience.

Usage is read from the base rows of this one school (the unique key leads with `school_id`),
grouped by month of the period start, service and audience in SQL; the programme's taxonomy
then gives each service its category, as the usage report applies it, and
`dashboards.figures.school` folds the rows with the report's definitions, so its months and
years equal `usage_report` for the same school and dates.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from dashboards.figures.school import MilestoneDates, SchoolUsage, UsageRow
from dashboards.queries.filters import Filters
from rollout.models import MILESTONE_KINDS, Milestone, Programme, School, UsageRecord
from rollout.usage import taxonomy


def school_milestones(session: Session, *, school: School) -> list[MilestoneDates]:
    """The school's milestones in order; one without a row is not started and not planned."""
    stored = {m.kind: m for m in session.exec(select(Milestone).where(Milestone.school_id == school.id))}
    return [MilestoneDates(kind=kind, status=stored[kind].status if kind in stored else "not_started",
                           planned=stored[kind].planned_on if kind in stored else None,
                           actual=stored[kind].actual_on if kind in stored and stored[kind].status == "done" else None)
            for kind in MILESTONE_KINDS]


def school_usage(session: Session, *, programme: Programme, school: School, filters: Filters) -> SchoolUsage:
    """The school's usage per month, category and audience over the filters' dates."""
    mapping = taxonomy.category_mapping(session, programme_id=programme.id)
    year, month = sa.extract("year", UsageRecord.period_start), sa.extract("month", UsageRecord.period_start)
    conditions = [UsageRecord.school_id == school.id]
    if filters.first_day:
        conditions.append(UsageRecord.period_start >= filters.first_day)
    if filters.last_day:
        conditions.append(UsageRecord.period_start <= filters.last_day)
    statement = (
        select(year, month, UsageRecord.service, UsageRecord.audience, func.sum(UsageRecord.visits),
               func.max(UsageRecord.visitors), func.count(col(UsageRecord.visitors)))
        .where(*conditions)
        .group_by(year, month, UsageRecord.service, UsageRecord.audience)
    )
    folded: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, -1, 0])
    for y, m, service, audience, visits, visitors, counted in session.exec(statement):
        totals = folded[f"{int(y):04d}-{int(m):02d}", mapping.get(service, "other"), audience]
        totals[0] += int(visits)
        totals[1] = max(totals[1], -1 if visitors is None else int(visitors))
        totals[2] += int(counted)
    rows = [UsageRow(month=key[0], category=key[1], audience=key[2], visits=visits,
                     visitors=None if visitors < 0 else visitors, counted=counted > 0)
            for key, (visits, visitors, counted) in sorted(folded.items())]
    return SchoolUsage(teachers=school.teachers, pupils=school.pupils, rows=rows)
