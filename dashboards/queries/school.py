"""One school's numbers: its milestones, its usage rows by month, category and audience.

Usage is read from the monthly summary of this one school (`rollout.usage.summary.usage_rows`:
per month of the period start, service and audience, base rows only for months a date filter
cuts), grouped again in SQL when a cut month adds rows; the programme's taxonomy
then gives each service its category, as the usage report applies it, and
`dashboards.figures.school` folds the rows with the report's definitions, so its months and
years equal `usage_report` for the same school and dates.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, func, select

from dashboards.figures.school import MilestoneDates, SchoolUsage, UsageRow
from dashboards.queries.filters import Filters
from rollout.models import MILESTONE_KINDS, Milestone, Programme, School
from rollout.usage import taxonomy
from rollout.usage.summary import usage_rows


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
    usage = usage_rows(programme_id=programme.id, start=filters.first_day, end=filters.last_day, school_ids=[school.id])
    statement = (
        sa.select(usage.c.month, usage.c.service, usage.c.audience, func.sum(usage.c.visits),
                  func.max(usage.c.visitors_max), func.sum(usage.c.visitors_rows))
        .group_by(usage.c.month, usage.c.service, usage.c.audience)
    )
    folded: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, -1, 0])
    for month, service, audience, visits, visitors, counted in session.execute(statement):
        totals = folded[month, mapping.get(service, "other"), audience]
        totals[0] += int(visits)
        totals[1] = max(totals[1], -1 if visitors is None else int(visitors))
        totals[2] += int(counted)
    rows = [UsageRow(month=key[0], category=key[1], audience=key[2], visits=visits,
                     visitors=None if visitors < 0 else visitors, counted=counted > 0)
            for key, (visits, visitors, counted) in sorted(folded.items())]
    return SchoolUsage(teachers=school.teachers, pupils=school.pupils, rows=rows)
