"""Stored plans: a scenario given to the planner and the plan it returned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, one_of, utcnow

PLAN_STATUSES = ("draft", "queued", "solving", "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "failed")


class Plan(SQLModel, table=True):
    """A scenario (`rollout-scenario/1`) and, once solved, its plan (`rollout-plan/1`).

    At most one plan per programme is the baseline: the adopted plan that milestones' planned
    dates come from. The partial unique index enforces that in the database.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    status: str = Field(default="draft", max_length=16)
    scenario: dict[str, Any] = Field(sa_type=sa.JSON)
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    objective: float | None = None
    bound: float | None = None
    is_baseline: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    adopted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    adopted_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")

    __table_args__ = (
        one_of("status", PLAN_STATUSES),
        sa.Index(
            "uq_plan_one_baseline_per_programme",
            "programme_id",
            unique=True,
            sqlite_where=sa.text("is_baseline"),
            postgresql_where=sa.text("is_baseline"),
        ),
    )
