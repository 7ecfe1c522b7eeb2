"""Browser sessions kept in the database, so that ending one holds on every app host.

The signed cookie alone cannot be taken back: a copy made before sign-out would keep working,
and each use would extend it. So the cookie carries only a random secret, and the session is
accepted while its record (found by the secret's SHA-256 digest) has not been ended, was used
within the idle timeout, is younger than the absolute lifetime, and its user is active.
These are plain functions taking the database session; none commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout.models import User, UserSession, utcnow

# Ended or dead sessions are kept this long after their lifetime, for the account page and
# for whoever reads the audit trail beside them, then deleted.
KEPT_AFTER_LIFETIME = timedelta(days=30)
USER_AGENT_LENGTH = 200


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives: `idle` without a request, `lifetime` whatever its use."""

    idle: timedelta
    lifetime: timedelta


def secret_digest(secret: str) -> str:
    """The stored form of a secret, a session's or an API token's: its SHA-256, so that the
    database holds nothing a cookie or a script could sign in with."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(db: Session, *, user: User, ip: str, user_agent: str) -> tuple[UserSession, str]:
    """Record a new session of `user` and return it with its secret, which only the cookie keeps."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(
        user_id=user.id, secret_hash=secret_digest(secret), created_at=now, last_seen_at=now,
        ip=ip[:64], user_agent=user_agent[:USER_AGENT_LENGTH],
    )
    db.add(record)
    db.flush()
    return record, secret


def is_live(record: UserSession, user: User, limits: SessionLimits, now: datetime) -> bool:
    """Whether the session may still be used: not ended, not idle, not too old, user active."""
    return (
        record.ended_at is None
        and user.active
        and now - record.last_seen_at <= limits.idle
        and now - record.created_at <= limits.lifetime
    )


def live_session(db: Session, *, secret: str, limits: SessionLimits, now: datetime) -> tuple[UserSession, User] | None:
    """The session whose secret the cookie carries, with its user, if it may still be used."""
    row = db.exec(
        select(UserSession, User).join(User, col(User.id) == UserSession.user_id)
        .where(UserSession.secret_hash == secret_digest(secret))
    ).first()
    if row is None or not is_live(*row, limits, now):
        return None
    return row


def open_sessions(db: Session, *, user_id: int, limits: SessionLimits, now: datetime) -> list[UserSession]:
    """A user's sessions that may still be used, newest first (the account page lists them)."""
    return list(db.exec(
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            col(UserSession.ended_at).is_(None),
            UserSession.last_seen_at >= now - limits.idle,
            UserSession.created_at >= now - limits.lifetime,
        )
        .order_by(col(UserSession.created_at).desc())
    ).all())


def end_session(db: Session, *, session_id: int, reason: str) -> None:
    """End one session (signing out), unless it has already ended."""
    _end(db, UserSession.id == session_id, reason=reason)


def end_sessions(db: Session, *, user_id: int, reason: str, sparing: int | None = None) -> int:
    """End every session of a user not ended yet, except `sparing` (the one changing the
    password keeps going); returns how many were ended."""
    condition = UserSession.user_id == user_id
    if sparing is not None:
        condition = sa.and_(condition, UserSession.id != sparing)
    return _end(db, condition, reason=reason)


def end_every_session(db: Session, *, reason: str) -> int:
    """End every open session of every user (a restored backup brings back sessions that had
    ended since it was taken); returns how many were ended."""
    return _end(db, sa.true(), reason=reason)


def _end(db: Session, condition: sa.ColumnElement[bool], *, reason: str) -> int:
    statement = (
        sa.update(UserSession).where(condition, col(UserSession.ended_at).is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    return db.execute(statement).rowcount


def prune_sessions(db: Session, *, limits: SessionLimits, now: datetime) -> None:
    """Delete the records of sessions past their lifetime for longer than KEPT_AFTER_LIFETIME."""
    cutoff = now - limits.lifetime - KEPT_AFTER_LIFETIME
    db.execute(sa.delete(UserSession).where(UserSession.created_at < cutoff))
