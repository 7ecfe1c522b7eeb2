"""People who use the product, the districts they may see, and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from rollout.models.base import UTCDateTime, check, one_of, utcnow

ROLES = ("admin", "district_leader", "project_manager", "stakeholder")


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
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """A login attempt, kept in the database so throttling holds across gunicorn workers."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    ip: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    succeeded: bool = Field(default=False)
