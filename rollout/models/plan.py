"""Stored plans: a scenario given to the planner and the plan it returned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, one_of, utcnow

# A plan is queued, then solving in a worker (`rollout.planning.runs`), then one of the others.
# `stopped` is a solve a leader ended early: it keeps the best plan found by then, if any.
PLAN_STATUSES = ("queued", "solving", "optimal", "feasible", "infeasible", "stopped", "failed")
# The statuses a plan has once its solve has ended, whatever the way.
FINISHED_STATUSES = ("optimal", "feasible", "infeasible", "stopped", "failed")


class Plan(SQLModel, table=True):
    """A scenario (`rollout-scenario/1`) and, once solved, its plan (`rollout-plan/1`).

    At most one plan per programme is the baseline: the adopted plan that milestones' planned
    dates come from. The partial unique index enforces that in the database.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    status: str = Field(default="queued", max_length=16)
    scenario: dict[str, Any] = Field(sa_type=sa.JSON)
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    # Seconds; None for plans solved before solving moved to the background.
    time_limit: float | None = None
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Written by the worker about once a second while it solves: a stale one means it died.
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    elapsed: float | None = None
    # [seconds, objective, bound or None] per improving plan found, for the page's curve.
    progress: list[list[float | None]] = Field(default_factory=list, sa_type=sa.JSON)
    stop_requested: bool = Field(default=False)
    failure: str | None = Field(default=None, sa_type=sa.Text)
    is_baseline: bool = Field(default=False)
    # The named what-if this plan was solved from, if any (its edits are already in `scenario`).
    scenario_id: int | None = Field(default=None, foreign_key="scenario.id", ondelete="SET NULL", index=True)
    # A re-plan from the tracker's records: {"as_of", "base_plan_id", "progress" (rollout-progress/1),
    # "base_scenario", "base_plan"}; the worker re-plans instead of solving when it is set.
    replan: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
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
