"""The monthly usage summary (`UsageMonth`): kept with the rows, read by every report.

A daily file for a district is millions of rows; the reports and dashboards ask for months.
`usagemonth` holds one row per school, month, service and audience (about 85,000 for the demo's
1.8 million daily rows), recomputed from the base rows of exactly the school-months a write
touches, in the same transaction: recomputation rather than increments, so replaced rows,
repeated imports and deletions all leave it equal to the rows.

Readers call `usage_rows`, which answers from the summary for the whole months of a date range
and from the base rows for the days of a month cut by the range (`--from 2016-03-15`), so every
bound gives the same numbers the base rows would.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from rollout.models import School, UsageMonth, UsageRecord

COLUMNS = ("school_id", "month", "service", "audience", "visits", "visitors_max", "visitors_rows")
"""The columns of `usage_rows` (and of `usagemonth`)."""


class YearMonth(FunctionElement):
    """`YYYY-MM` of a date column, written in each database's own dialect."""

    type = sa.String()
    name = "year_month"
    inherit_cache = True


@compiles(YearMonth, "sqlite")
def _year_month_sqlite(element: YearMonth, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(YearMonth, "postgresql")
def _year_month_postgresql(element: YearMonth, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


def month_of(day: date) -> str:
    """The `YYYY-MM` a row starting on `day` counts in."""
    return f"{day:%Y-%m}"


def _month_bounds(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, 1), date(year, number, monthrange(year, number)[1])


def _summed(conditions: list[sa.ColumnElement[bool]]) -> sa.Select:
    """The base rows that meet `conditions`, summed per school, month, service and audience."""
    record = UsageRecord.__table__.c
    month = YearMonth(record.period_start)
    keys = [record.school_id, month, record.service, record.audience]
    return (
        sa.select(*keys, sa.func.sum(record.visits), sa.func.max(record.visitors), sa.func.count(record.visitors))
        .where(*conditions)
        .group_by(*keys)
    )


def _write(session: Session, conditions: list[sa.ColumnElement[bool]]) -> None:
    session.execute(sa.insert(UsageMonth.__table__).from_select(list(COLUMNS), _summed(conditions)))


def refresh(session: Session, touched: Iterable[tuple[int, date]]) -> None:
    """Recompute the summary of every school-month holding one of the (school id, period start)
    pairs `touched`, from the base rows as they now are. Does not commit."""
    months: dict[int, set[str]] = defaultdict(set)
    for school_id, day in touched:
        months[school_id].add(month_of(day))
    record = UsageRecord.__table__.c
    summary = UsageMonth.__table__.c
    for school_id, chosen in months.items():
        ordered = sorted(chosen)
        session.execute(sa.delete(UsageMonth.__table__).where(summary.school_id == school_id, summary.month.in_(ordered)))
        _write(session, [
            record.school_id == school_id,
            record.period_start.between(_month_bounds(ordered[0])[0], _month_bounds(ordered[-1])[1]),
            YearMonth(record.period_start).in_(ordered),
        ])


def refresh_programme(session: Session, *, programme_id: int) -> None:
    """Recompute the whole summary of a programme (after a bulk load). Does not commit."""
    schools = sa.select(School.__table__.c.id).where(School.__table__.c.programme_id == programme_id)
    session.execute(sa.delete(UsageMonth.__table__).where(UsageMonth.__table__.c.school_id.in_(schools)))
    _write(session, [UsageRecord.__table__.c.school_id.in_(schools)])


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def split_range(start: date | None, end: date | None) -> tuple[str | None, str | None, list[tuple[date, date]]]:
    """[start, end] as the first and last whole months inside it (None: unbounded) and the
    ranges of days in months it only partly covers."""
    partial = []
    first_month = last_month = None
    if start is not None:
        first_month = month_of(start if start.day == 1 else _next_month(start))
        if start.day != 1:
            partial.append((start, min(_next_month(start) - timedelta(days=1), end or date.max)))
    if end is not None:
        last_day_of_month = _next_month(end) - timedelta(days=1)
        last_month = month_of(end if end == last_day_of_month else end.replace(day=1) - timedelta(days=1))
        if end != last_day_of_month:
            cut = (max(end.replace(day=1), start or date.min), end)
            if cut not in partial:
                partial.append(cut)
    return first_month, last_month, [(first, last) for first, last in partial if first <= last]


def usage_rows(
    *, programme_id: int, start: date | None = None, end: date | None = None, school_ids: list[int] | None = None
) -> sa.Subquery:
    """The programme's usage over [start, end] as summary rows (`COLUMNS`): the summary for
    whole months, the base rows summed the same way for the days of months the range cuts.
    `school_ids` narrows to those schools (of the programme)."""
    school = School.__table__.c
    programme_schools = sa.select(school.id).where(school.programme_id == programme_id)
    if school_ids is not None:
        programme_schools = programme_schools.where(school.id.in_(school_ids))
    first_month, last_month, partial = split_range(start, end)
    summary = UsageMonth.__table__.c
    whole = [summary.school_id.in_(programme_schools)]
    if first_month is not None:
        whole.append(summary.month >= first_month)
    if last_month is not None:
        whole.append(summary.month <= last_month)
    parts: list[sa.Select] = [sa.select(*(summary[name] for name in COLUMNS)).where(*whole)]
    record = UsageRecord.__table__.c
    for first, last in partial:
        parts.append(_summed([record.school_id.in_(programme_schools), record.period_start.between(first, last)]))
    return sa.union_all(*parts).subquery("usage_rows") if len(parts) > 1 else parts[0].subquery("usage_rows")
