"""Waves: the ordered periods in which groups of schools go live."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import check


class Wave(SQLModel, table=True):
    """A training wave of a programme; `position` (0-based) orders the waves."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    code: str = Field(max_length=32)
    label: str | None = Field(default=None, max_length=200)
    position: int
    start_date: date
    end_date: date
    max_schools: int | None = None
    max_pupils: int | None = None

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code"),
        sa.UniqueConstraint("programme_id", "position"),
        check("position_not_negative", "position >= 0"),
        check("dates_ordered", "end_date >= start_date"),
        check("max_schools_not_negative", "max_schools IS NULL OR max_schools >= 0"),
        check("max_pupils_not_negative", "max_pupils IS NULL OR max_pupils >= 0"),
    )
