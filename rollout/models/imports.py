"""Imports: each one a batch (the unit of atomicity and of audit), and the previews people
look at before confirming.

The same two tables serve every import (reference data, progress, usage statistics), so an
import behaves alike whatever it brings: previewed, then confirmed or cancelled, then applied
all or nothing under one batch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, one_of, utcnow

IMPORT_KINDS = (
    "usage", "progress", "schools", "trainers", "waves", "basins", "fixtures", "sessions", "courses", "certifications",
)


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


class SavedPreview(SQLModel, table=True):
    """A file read and previewed, kept until its author confirms or cancels it.

    Confirming applies exactly the rows kept here, so what the person approved is what gets
    written, even if the file on their disk changed since. A preview belongs to the user who
    made it, expires (`expires_at`), and is replaced by that user's next preview of the same
    kind in the programme, so forgotten previews do not pile up.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE")
    kind: str = Field(max_length=16)
    filename: str = Field(max_length=500)
    rows: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)

    __table_args__ = (one_of("kind", IMPORT_KINDS),)
