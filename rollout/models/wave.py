"""Waves: the ordered periods in which groups of schools go live."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import INT32_MAX, RecordUpdate, check


class Wave(SQLModel, table=True):
    """A training wave of a programme; `position` (0-based) orders the waves. `version` supports
    optimistic locking of concurrent edits."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    code: str = Field(max_length=32)
    label: str | None = Field(default=None, max_length=200)
    position: int
    start_date: date
    end_date: date
    max_schools: int | None = None
    max_pupils: int | None = None
    version: int = Field(default=1)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code"),
        sa.UniqueConstraint("programme_id", "position"),
        check("position_not_negative", "position >= 0"),
        check("dates_ordered", "end_date >= start_date"),
        check("max_schools_not_negative", "max_schools IS NULL OR max_schools >= 0"),
        check("max_pupils_not_negative", "max_pupils IS NULL OR max_pupils >= 0"),
        check("version_positive", "version >= 1"),
    )


class WaveCreate(SQLModel):
    """A new wave; its code and position are unique in the programme, it ends after it starts
    and its dates follow the order of positions (checked with the other waves by
    `rollout.waves.records`, so that an API caller gets 409 like any conflict of order)."""

    code: str = Field(min_length=1, max_length=32, schema_extra={"pattern": r"^\S+$"})
    label: str | None = Field(default=None, max_length=200)
    position: int = Field(ge=0, le=INT32_MAX, description="0-based order of the wave.")
    start_date: date
    end_date: date
    max_schools: int | None = Field(default=None, ge=0, le=INT32_MAX)
    max_pupils: int | None = Field(default=None, ge=0, le=INT32_MAX)


class WaveUpdate(RecordUpdate):
    """A change to a wave: only the fields given change. `version` is the version the change
    was based on; if the wave changed since, the edit is refused instead of overwriting."""

    never_null = ("position", "start_date", "end_date")

    version: int = Field(ge=1, le=INT32_MAX)
    label: str | None = Field(default=None, max_length=200)
    position: int | None = Field(default=None, ge=0, le=INT32_MAX)
    start_date: date | None = None
    end_date: date | None = None
    max_schools: int | None = Field(default=None, ge=0, le=INT32_MAX)
    max_pupils: int | None = Field(default=None, ge=0, le=INT32_MAX)


class WavePublic(WaveCreate):
    """A wave as the API returns it."""

    programme_id: int
    version: int
