"""Usage statistics as imported (see shared/contracts/usage.md) and the service taxonomy."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import check, one_of

PERIODS = ("day", "week", "month")
AUDIENCES = ("pupil", "teacher", "parent", "staff")
CATEGORIES = ("pedagogy", "resources", "school_life", "communication", "other")
PEDAGOGICAL = ("pedagogy", "resources")
ADMINISTRATIVE = ("school_life", "communication")


class UsageRecord(SQLModel, table=True):
    """Visits of one profile to one service of one school over one period.

    The usage key is (school, period_start, service, profile): importing it again replaces it.
    `audience` is the profile rolled up (pupils, teachers, parents, staff), stored so that
    reports aggregate in SQL.
    """

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE")
    period_start: date
    period: str = Field(default="week", max_length=8)
    service: str = Field(max_length=200)
    profile: str = Field(max_length=32)
    audience: str = Field(max_length=8)
    visits: int
    visitors: int | None = None
    page_views: int | None = None
    import_batch_id: int | None = Field(
        default=None, foreign_key="importbatch.id", ondelete="SET NULL", index=True
    )

    __table_args__ = (
        sa.UniqueConstraint("school_id", "period_start", "service", "profile"),
        one_of("period", PERIODS),
        one_of("audience", AUDIENCES),
        check("visits_not_negative", "visits >= 0"),
        check("visitors_range", "visitors IS NULL OR (visitors >= 0 AND visitors <= visits)"),
        check("page_views_not_negative", "page_views IS NULL OR page_views >= 0"),
    )


class UsageMonth(SQLModel, table=True):
    """The usage rows of one school, month, service and audience, summed: what every report and
    dashboard reads instead of the millions of rows behind it (`rollout.usage.summary`).

    Kept in the transaction that changes the rows, so it is never stale. It holds no category:
    a taxonomy change applies to it at once, as to the rows. `month` is `YYYY-MM`, the month of
    the rows' period start (the report's month rule). `visitors_max` is the largest `visitors`
    of the rows (NULL when none has one) and `visitors_rows` how many rows carry one: the
    report's visitor estimates are maxima, so the maximum of these maxima is exact.
    """

    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE", primary_key=True)
    month: str = Field(max_length=7, primary_key=True)
    service: str = Field(max_length=200, primary_key=True)
    audience: str = Field(max_length=8, primary_key=True)
    visits: int
    visitors_max: int | None = None
    visitors_rows: int


class SchoolMonth(SQLModel, table=True):
    """One school-month of usage with the programme's taxonomy applied: what the reports by
    school and by month and the dashboards read (a few thousand rows for a district's three
    years). Recomputed from `UsageMonth` with the summary, and for the whole programme when a
    leader changes a label's category. `teacher_visitors` and `pupil_visitors` are the month's
    estimates (the largest `visitors` of that audience, 0 without a row of it), NULL when no
    row of the month carries a visitors count."""

    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE", primary_key=True)
    month: str = Field(max_length=7, primary_key=True)
    visits: int
    pedagogical_visits: int
    administrative_visits: int
    teacher_visitors: int | None = None
    pupil_visitors: int | None = None


class ServiceCategory(SQLModel, table=True):
    """How a programme classifies a service label (editable by a district leader).

    `label_key` is the label folded for matching (case and accents removed).
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    label_key: str = Field(max_length=200)
    label: str = Field(max_length=200)
    category: str = Field(max_length=16)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "label_key"),
        one_of("category", CATEGORIES),
    )
