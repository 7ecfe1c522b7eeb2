"""People who use the product, the districts they may see, their sessions and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, one_of, utcnow

ROLES = ("admin", "district_leader", "project_manager", "stakeholder")
# Why a session was ended on purpose; one that timed out is simply never accepted again.
SESSION_END_REASONS = ("sign_out", "sign_out_all", "password_change", "deactivated", "restore")


class User(SQLModel, table=True):
    """An account. Emails are stored lower-cased; passwords only as scrypt hashes."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=500)
    role: str = Field(max_length=24)
    display_name: str | None = Field(default=None, max_length=200)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (
        one_of("role", ROLES),
        check("email_lower_case", "email = lower(email)"),
    )


class UserDistrict(SQLModel, table=True):
    """A district a user's role applies to (admins need none: they manage all)."""

    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", primary_key=True)
    district_id: int = Field(foreign_key="district.id", ondelete="CASCADE", primary_key=True)


class ApiToken(SQLModel, table=True):
    """An API token, stored as a SHA-256 digest: the secret is shown once, at creation."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16, description="The token's first characters, to recognise it.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, description="Refused from this instant on, like a revoked token.")
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    """A browser session, kept in the database so that signing out ends it on every app host.

    The cookie carries a random secret; only its SHA-256 digest is stored, so a database leak
    hands out no session. A session is accepted while it has not been ended, has been used
    within the idle timeout, is younger than the absolute lifetime, and its user is active.
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_reason: str | None = Field(default=None, max_length=16)
    ip: str = Field(max_length=64)
    user_agent: str = Field(max_length=200, description="The browser's description, shortened, to recognise it.")

    __table_args__ = (one_of("ended_reason", SESSION_END_REASONS),)


class LoginAttempt(SQLModel, table=True):
    """A login attempt, kept in the database so throttling holds across gunicorn workers."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    ip: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    succeeded: bool = Field(default=False)
