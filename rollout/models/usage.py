"""Usage statistics as imported (see shared/contracts/usage.md) and the service taxonomy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, one_of, utcnow

PERIODS = ("day", "week", "month")
AUDIENCES = ("pupil", "teacher", "parent", "staff")
CATEGORIES = ("pedagogy", "resources", "school_life", "communication", "other")
IMPORT_KINDS = ("usage", "progress", "schools", "trainers", "waves", "fixtures")


class ImportBatch(SQLModel, table=True):
    """One import (a file, an API call, a fixture load): the unit of atomicity and of audit."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=16)
    source: str = Field(max_length=500, description="File name, or what the rows came from.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    rows_new: int = Field(default=0)
    rows_replaced: int = Field(default=0)
    rows_unchanged: int = Field(default=0)

    __table_args__ = (
        one_of("kind", IMPORT_KINDS),
        check("counts_not_negative", "rows_new >= 0 AND rows_replaced >= 0 AND rows_unchanged >= 0"),
    )


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


class PendingImport(SQLModel, table=True):
    """An uploaded file parsed and previewed but not yet confirmed.

    The preview shows what would change; confirming applies exactly the rows stored here, so
    what the user approved is what gets written, even if the file on their disk changed since.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    filename: str = Field(max_length=500)
    rows: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (one_of("kind", IMPORT_KINDS),)
