"""Named what-if scenarios: a programme's data as it is, plus edits that never touch it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, utcnow


class Scenario(SQLModel, table=True):
    """A leader's what-if, saved by name: the programme's current data with `edits` applied.

    Only the edits are stored (`planner.whatif` gives their vocabulary), never a copy of the
    programme: a scenario solved next month starts from next month's schools and trainers,
    and its edits stay what the leader wanted to try. `version` supports optimistic locking.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_type=sa.Text)
    edits: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("programme_id", "name"),
        check("name_not_blank", "length(name) > 0"),
        check("version_positive", "version >= 1"),
    )
