"""The usage report: visits, pedagogical share and adoption per school, month or category, in SQL.

Every number is aggregated by the database (GROUP BY), on SQLite and PostgreSQL alike; Python
only builds the statement and names the columns. The statement reads the monthly summary
(`rollout.usage.summary`), never the millions of base rows, except for the days of a month a
date bound cuts. The taxonomy is applied in SQL as a CASE over
the service label: the programme's distinct labels are few (tens), so their categories are
resolved once (override, else default keywords, else `other`) and written into the statement.

Definitions (docs/usage.md):
- pedagogical visits are visits to `pedagogy` and `resources` services, administrative visits
  those to `school_life` and `communication`; the pedagogical share is pedagogical / all visits.
- A row's `visitors` are distinct users of one service over one period, so adding rows counts a
  person once per service and per week. The visitors of an audience (teachers, pupils) in a
  school over a month are therefore estimated as the largest `visitors` among that month's rows
  for that audience (a lower bound of the true count), and monthly adoption is that estimate
  divided by the school's enrolment (`School.teachers`, `School.pupils`).
- Over several school-months (a school over a year, a month over all schools, a category), the
  adoption is Σ estimated visitors / Σ enrolment over the school-months that have usage rows in
  the group; for one school that is the mean of its monthly adoptions. School-months whose rows
  carry no visitors count at all are left out of both sums; with none left, adoption is empty.
- A row belongs to the month of its period start (a week starting on Monday 30 March counts in
  March).
"""

from __future__ import annotations

import csv
import io
import json
from calendar import monthrange
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from rollout.imports.export import neutralised
from rollout.models import CATEGORIES, School
from rollout.usage import taxonomy
from rollout.usage.periods import PeriodError, parse_date
from rollout.usage import summary
from rollout.usage.summary import usage_rows

GROUPINGS = ("school", "month", "category")
FORMATS = ("csv", "json")
RATIO_DECIMALS = 4


class ReportRow(BaseModel):
    """One line of the report (the API publishes it as it is: `rollout.api.v1.usage`)."""

    model_config = ConfigDict(frozen=True)

    group: str = Field(description="A UAI, a month (`YYYY-MM`) or a category, after `by`.")
    name: str | None = Field(description="The school's name when grouping by school.")
    visits: int
    pedagogical_visits: int
    administrative_visits: int
    pedagogical_share: float | None
    teacher_adoption: float | None
    pupil_adoption: float | None


def parse_bound(text: str, *, end: bool) -> date:
    """A report bound: `YYYY-MM-DD`, `DD/MM/YYYY`, or `YYYY-MM` (its first day, or last when `end`)."""
    try:
        day, is_month = parse_date(text.strip())
    except PeriodError as error:
        raise ValueError(f"{text!r}: {error}") from None
    if is_month and end:
        return day.replace(day=monthrange(day.year, day.month)[1])
    return day


def _ratio(numerator: Any, denominator: Any) -> sa.ColumnElement[float]:
    """numerator / denominator as a float (never integer division), NULL when dividing by 0."""
    return sa.cast(numerator, sa.Float) / sa.func.nullif(denominator, 0)


def usage_report(
    session: Session,
    *,
    programme_id: int,
    by: str = "school",
    start: date | None = None,
    end: date | None = None,
    school_ids: list[int] | None = None,
) -> list[ReportRow]:
    """The report's rows for a programme, grouped `by` school, month or category, over [start,
    end], from the monthly summary (`rollout.usage.summary`); `school_ids` narrows it to those
    schools (the dashboards' filters)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r} (expected one of {', '.join(GROUPINGS)})")
    school = School.__table__.c
    bounds = {"programme_id": programme_id, "start": start, "end": end, "school_ids": school_ids}
    if by == "category":
        mapping = taxonomy.category_mapping(session, programme_id=programme_id)
        school_months = summary.school_month_totals(usage_rows(**bounds), mapping, by_category=True).subquery("school_months")
    else:
        school_months = summary.school_months(
            mapping=lambda: taxonomy.category_mapping(session, programme_id=programme_id), **bounds)
    months = school_months.c
    if by == "school":
        group, name, keys = school.uai, school.name, [school.id, school.uai, school.name]
    else:
        group, name, keys = months[by], sa.null(), [months[by]]
    teachers_known = sa.case((months.teacher_visitors.isnot(None), school.teachers))
    pupils_known = sa.case((months.pupil_visitors.isnot(None), school.pupils))
    statement = (
        sa.select(
            group.label("group"),
            name.label("name"),
            sa.cast(sa.func.sum(months.visits), sa.BigInteger).label("visits"),
            sa.cast(sa.func.sum(months.pedagogical_visits), sa.BigInteger).label("pedagogical_visits"),
            sa.cast(sa.func.sum(months.administrative_visits), sa.BigInteger).label("administrative_visits"),
            _ratio(sa.func.sum(months.pedagogical_visits), sa.func.sum(months.visits)).label("pedagogical_share"),
            _ratio(sa.func.sum(months.teacher_visitors), sa.func.sum(teachers_known)).label("teacher_adoption"),
            _ratio(sa.func.sum(months.pupil_visitors), sa.func.sum(pupils_known)).label("pupil_adoption"),
        )
        .join(School.__table__, school.id == months.school_id)
        .group_by(*keys)
        .order_by(group)
    )
    result = [ReportRow(**row._mapping) for row in session.execute(statement)]
    if by == "category":
        result.sort(key=lambda row: CATEGORIES.index(row.group))
    return result


def _rounded(row: ReportRow) -> dict[str, Any]:
    values = row.model_dump()
    for column in ("pedagogical_share", "teacher_adoption", "pupil_adoption"):
        if values[column] is not None:
            values[column] = round(values[column], RATIO_DECIMALS)
    return values


def report_records(rows: list[ReportRow], *, by: str) -> list[dict[str, Any]]:
    """The rows as plain records whose first column is named after the grouping (`uai`, `month`,
    `category`); ratios rounded to four decimals."""
    records = []
    for row in rows:
        values = _rounded(row)
        group, name = values.pop("group"), values.pop("name")
        head = {"uai": group, "name": name} if by == "school" else {by: group}
        records.append(head | values)
    return records


def report_csv(rows: list[ReportRow], *, by: str) -> str:
    """The report as CSV (comma, header row, empty cells for unknown ratios); a school name a
    spreadsheet would run as a formula is written after a quote, as in every download."""
    records = [{name: neutralised(value) if isinstance(value, str) else value for name, value in record.items()}
               for record in report_records(rows, by=by)]
    columns = (["uai", "name"] if by == "school" else [by]) + [
        field for field in ReportRow.model_fields if field not in ("group", "name")
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def report_json(rows: list[ReportRow], *, by: str) -> str:
    """The report as a JSON array of records."""
    return json.dumps(report_records(rows, by=by), ensure_ascii=False, indent=2)
