"""The monthly usage summaries: kept with the rows, read by every report and dashboard.

A daily file for a district is millions of rows; the reports and dashboards ask for months.
Two tables, recomputed in the transaction that writes the rows, for exactly the school-months
it touches (recomputation rather than increments: replaced rows, repeated imports and deletions
all leave them equal to the rows):
- `usagemonth`, one row per school, month, service and audience (about 85,000 for the demo's
  1.8 million daily rows), independent of the taxonomy;
- `schoolmonth`, one row per school-month with the taxonomy applied (about 2,500): visits,
  pedagogical and administrative visits, and the month's teacher and pupil estimates. A change
  of a label's category recomputes the programme's `schoolmonth` from `usagemonth`.

Readers answer from the summaries for the whole months of a date range and from the base rows,
summed the same way, for the days of a month the range cuts (`--from 2016-03-15`), so every
bound gives the numbers the base rows would.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from rollout.core.sql import among
from rollout.models import ADMINISTRATIVE, CATEGORIES, PEDAGOGICAL, School, SchoolMonth, UsageMonth, UsageRecord

COLUMNS = ("school_id", "month", "service", "audience", "visits", "visitors_max", "visitors_rows")
"""The columns of `usage_rows` (and of `usagemonth`)."""
TOTALS = ("school_id", "month", "visits", "pedagogical_visits", "administrative_visits", "teacher_visitors",
          "pupil_visitors")
"""The columns of `school_months` (and of `schoolmonth`)."""


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
        sa.select(record.school_id, month.label("month"), record.service, record.audience,
                  sa.func.sum(record.visits).label("visits"), sa.func.max(record.visitors).label("visitors_max"),
                  sa.func.count(record.visitors).label("visitors_rows"))
        .where(*conditions)
        .group_by(*keys)
    )


def _write(session: Session, conditions: list[sa.ColumnElement[bool]]) -> None:
    session.execute(sa.insert(UsageMonth.__table__).from_select(list(COLUMNS), _summed(conditions)))


def _write_totals(session: Session | sa.Connection, conditions: list[sa.ColumnElement[bool]], mapping: dict[str, str]) -> None:
    summary = UsageMonth.__table__.c
    rows = sa.select(*(summary[name] for name in COLUMNS)).where(*conditions).subquery("rows")
    session.execute(sa.insert(SchoolMonth.__table__).from_select(list(TOTALS), school_month_totals(rows, mapping)))


def refresh(session: Session, schools: Iterable[int], months: Iterable[str], *,
            mapping: Callable[[], dict[str, str]]) -> None:
    """Recompute both summaries for the school-months of `schools` × `months` (`YYYY-MM`), from
    the base rows as they now are; `mapping` gives the taxonomy once `usagemonth` holds the
    rows' labels. Does not commit.

    The touched schools and months are recomputed as a cross product, in four statements: an
    export touches every school for the same months (a monthly file: 130 schools × 1 month),
    so the product is what was touched, and one statement per school cost 520 round trips
    for a file of three school years. Recomputing an untouched school-month is harmless. The
    importer passes the schools and months it saw, not its rows: a daily file is a million."""
    schools, months = sorted(set(schools)), sorted(set(months))
    if not schools or not months:
        return
    for table in (UsageMonth.__table__, SchoolMonth.__table__):
        session.execute(sa.delete(table).where(table.c.school_id.in_(schools), table.c.month.in_(months)))
    record = UsageRecord.__table__.c
    _write(session, [
        record.school_id.in_(schools),
        record.period_start.between(_month_bounds(months[0])[0], _month_bounds(months[-1])[1]),
        YearMonth(record.period_start).in_(months),
    ])
    summary = UsageMonth.__table__.c
    _write_totals(session, [summary.school_id.in_(schools), summary.month.in_(months)], mapping())


def _programme_schools(programme_id: int) -> sa.Select:
    return sa.select(School.__table__.c.id).where(School.__table__.c.programme_id == programme_id)


def refresh_programme(session: Session, *, programme_id: int, mapping: Callable[[], dict[str, str]]) -> None:
    """Recompute both summaries of a programme (after a bulk load). Does not commit."""
    schools = _programme_schools(programme_id)
    session.execute(sa.delete(UsageMonth.__table__).where(UsageMonth.__table__.c.school_id.in_(schools)))
    _write(session, [UsageRecord.__table__.c.school_id.in_(schools)])
    refresh_categories(session, programme_id=programme_id, mapping=mapping())


def refresh_categories(session: Session | sa.Connection, *, programme_id: int, mapping: dict[str, str]) -> None:
    """Recompute a programme's `schoolmonth` from its `usagemonth` under `mapping` (after a
    taxonomy change, or in migration 0010, which passes its connection). Does not commit."""
    schools = _programme_schools(programme_id)
    session.execute(sa.delete(SchoolMonth.__table__).where(SchoolMonth.__table__.c.school_id.in_(schools)))
    _write_totals(session, [UsageMonth.__table__.c.school_id.in_(schools)], mapping)


def category_case(service: sa.ColumnElement[str], mapping: dict[str, str]) -> sa.ColumnElement[str]:
    """The taxonomy as a SQL CASE over the service label; unlisted labels are `other`."""
    whens = [
        (service.in_(sorted(label for label, found in mapping.items() if found == category)), category)
        for category in CATEGORIES
        if category != "other" and category in mapping.values()
    ]
    return sa.case(*whens, else_=sa.literal("other")) if whens else sa.literal("other")


def _visitors_of(rows: Any, audience: str) -> sa.ColumnElement[int]:
    """The largest visitors count of `audience` in the group; 0 when the audience has no row,
    NULL when no row of the group carries a visitors count at all (then adoption is unknown)."""
    largest = sa.func.max(sa.case((rows.c.audience == audience, rows.c.visitors_max)))
    return sa.case((sa.func.sum(rows.c.visitors_rows) > 0, sa.func.coalesce(largest, 0)))


def school_month_totals(rows: Any, mapping: dict[str, str], *, by_category: bool = False) -> sa.Select:
    """Summary rows (`COLUMNS`) totalled per school-month (and category when `by_category`)
    under the taxonomy `mapping`: the `TOTALS` columns, after `category` when asked."""
    category = category_case(rows.c.service, mapping)
    keys = [rows.c.school_id, rows.c.month] + ([category.label("category")] if by_category else [])
    return (
        sa.select(
            *keys,
            sa.func.sum(rows.c.visits).label("visits"),
            sa.func.sum(sa.case((category.in_(PEDAGOGICAL), rows.c.visits), else_=0)).label("pedagogical_visits"),
            sa.func.sum(sa.case((category.in_(ADMINISTRATIVE), rows.c.visits), else_=0)).label("administrative_visits"),
            _visitors_of(rows, "teacher").label("teacher_visitors"),
            _visitors_of(rows, "pupil").label("pupil_visitors"),
        )
        .group_by(*keys)
    )


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


def _chosen_schools(programme_id: int, school_ids: list[int] | None) -> sa.Select:
    schools = _programme_schools(programme_id)
    return schools if school_ids is None else schools.where(among(School.__table__.c.id, school_ids))


def _whole_months(column: Any, first_month: str | None, last_month: str | None) -> list[sa.ColumnElement[bool]]:
    return ([column >= first_month] if first_month else []) + ([column <= last_month] if last_month else [])


def _cut_days(schools: sa.Select, partial: list[tuple[date, date]]) -> list[sa.Select]:
    """The base rows of the days of cut months, summed like `usagemonth`."""
    record = UsageRecord.__table__.c
    return [_summed([record.school_id.in_(schools), record.period_start.between(first, last)]) for first, last in partial]


def _union(parts: list[sa.Select], name: str) -> sa.Subquery:
    return (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery(name)


def usage_rows(
    *, programme_id: int, start: date | None = None, end: date | None = None, school_ids: list[int] | None = None
) -> sa.Subquery:
    """The programme's usage over [start, end] as summary rows (`COLUMNS`): `usagemonth` for
    whole months, the base rows summed the same way for the days of months the range cuts.
    `school_ids` narrows to those schools (of the programme)."""
    schools = _chosen_schools(programme_id, school_ids)
    first_month, last_month, partial = split_range(start, end)
    summary = UsageMonth.__table__.c
    whole = sa.select(*(summary[name] for name in COLUMNS)).where(
        summary.school_id.in_(schools), *_whole_months(summary.month, first_month, last_month))
    return _union([whole, *_cut_days(schools, partial)], "usage_rows")


def school_months(
    *, programme_id: int, mapping: Callable[[], dict[str, str]], start: date | None = None, end: date | None = None,
    school_ids: list[int] | None = None,
) -> sa.Subquery:
    """The programme's school-months over [start, end] (`TOTALS`): `schoolmonth` for whole
    months, the days of cut months totalled under `mapping()`, called only when a month is cut
    (reading the programme's labels is most of a whole-months page's time otherwise)."""
    schools = _chosen_schools(programme_id, school_ids)
    first_month, last_month, partial = split_range(start, end)
    totals = SchoolMonth.__table__.c
    whole = sa.select(*(totals[name] for name in TOTALS)).where(
        totals.school_id.in_(schools), *_whole_months(totals.month, first_month, last_month))
    cut = [school_month_totals(_union([part], "cut_days"), mapping()) for part in _cut_days(schools, partial)]
    return _union([whole, *cut], "school_months")
