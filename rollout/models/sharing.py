"""Read-only links to one programme's dashboards, for people who have no account."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, utcnow


class ShareLink(SQLModel, table=True):
    """A link a district leader hands to a council meeting or the vendor.

    Like an API token, only the SHA-256 digest of its secret is stored: the secret is shown once,
    at creation, so a database leak opens no dashboard. It always expires; revoking it is one-way,
    so two leaders revoking at once cannot conflict and the row carries no version.
    """

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", ondelete="CASCADE", index=True)
    label: str = Field(max_length=200, description="What the link is for, e.g. a meeting and its date.")
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, description="Refused from this instant on, like a revoked link.")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (
        check("label_not_blank", "length(label) > 0"),
        check("expires_after_creation", "expires_at > created_at"),
    )
