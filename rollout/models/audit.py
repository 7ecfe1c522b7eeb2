"""The audit trail: every change, whatever its channel, in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, one_of, utcnow

CHANNELS = ("form", "api", "import", "cli", "system")
ACTIONS = ("create", "update", "delete")
# Security events: who signed in or failed to, what they did to their account and tokens, and
# which requests the access rules refused, the life of share links and of trainers' calendar
# feeds (created, opened, revoked). Kept with the rest of the trail.
SECURITY_ACTIONS = (
    "sign_in", "sign_in_failed", "sign_out", "sign_out_all", "password_change", "token_create", "token_revoke",
    "deactivate", "activate", "refused", "share_create", "share_use", "share_revoke", "feed_create", "feed_use",
    "feed_revoke",
)


class AuditEvent(SQLModel, table=True):
    """Who changed what, when (UTC), through which channel, with each field's old and new value.

    `changes` maps a field to `[old, new]`; `actor` keeps the user's email even if the account is
    later deleted.
    """

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    actor: str = Field(max_length=320)
    channel: str = Field(max_length=8)
    import_batch_id: int | None = Field(default=None, foreign_key="importbatch.id", ondelete="SET NULL")
    district_id: int | None = Field(default=None, foreign_key="district.id", ondelete="SET NULL", index=True)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    action: str = Field(max_length=24)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)

    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("action", ACTIONS + SECURITY_ACTIONS),
        sa.Index("ix_auditevent_entity", "entity", "entity_id"),
    )
