"""Where each school stands: its milestones and its teachers' Pix+ Édu certifications."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, one_of, utcnow
from rollout.tracking.milestones import MILESTONE_KINDS, MILESTONE_STATUSES, PIX_LEVELS

MILESTONE_ENTITY = "milestone"  # how the audit trail names a milestone
# Where a milestone's status, date and count come from: typed by people, or derived from held
# training sessions or dated Pix+ Édu certifications (`rollout.training`).
MILESTONE_SOURCES = ("hand", "sessions", "certifications")


class Milestone(SQLModel, table=True):
    """One milestone of one school. `planned_on` comes from the baseline plan; `count` is the
    number of teachers trained (teachers_trained) or certified (pix_certified)."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE")
    kind: str = Field(max_length=32)
    status: str = Field(default="not_started", max_length=16)
    planned_on: date | None = None
    actual_on: date | None = None
    count: int | None = None
    note: str | None = Field(default=None, max_length=2000)
    source: str = Field(default="hand", max_length=16)
    version: int = Field(default=1)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("school_id", "kind"),
        one_of("kind", MILESTONE_KINDS),
        one_of("source", MILESTONE_SOURCES),
        one_of("status", MILESTONE_STATUSES),
        check("done_has_date", "status <> 'done' OR actual_on IS NOT NULL"),
        check("count_not_negative", "count IS NULL OR count >= 0"),
        check("version_positive", "version >= 1"),
    )


class PixCertification(SQLModel, table=True):
    """Teachers of a school certified Pix+ Édu at one level."""

    school_id: int = Field(foreign_key="school.id", ondelete="CASCADE", primary_key=True)
    level: str = Field(max_length=16, primary_key=True)
    certified: int = Field(default=0)

    __table_args__ = (
        one_of("level", PIX_LEVELS),
        check("certified_not_negative", "certified >= 0"),
    )
