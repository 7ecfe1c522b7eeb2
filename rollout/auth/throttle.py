"""Login throttling, stored in the database so that it holds across gunicorn workers.

Too many failures for one email (someone guessing a password) or from one address (someone
trying many accounts) within a window refuse further attempts until the window has passed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, func, select

from rollout.models import LoginAttempt, utcnow

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20


def is_throttled(session: Session, *, email: str, ip: str) -> bool:
    """True when recent failures for this email or this address reach their limit."""
    since = utcnow() - WINDOW
    failures = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since, ~LoginAttempt.succeeded)
    by_email = session.exec(failures.where(LoginAttempt.email == email)).one()
    by_address = session.exec(failures.where(LoginAttempt.ip == ip)).one()
    return by_email >= MAX_FAILURES_PER_EMAIL or by_address >= MAX_FAILURES_PER_ADDRESS


def record_attempt(session: Session, *, email: str, ip: str, succeeded: bool) -> None:
    """Remember an attempt (does not commit); old attempts are pruned as new ones come."""
    session.add(LoginAttempt(email=email, ip=ip, succeeded=succeeded))
    cutoff = utcnow() - 4 * WINDOW
    for stale in session.exec(select(LoginAttempt).where(LoginAttempt.at < cutoff).limit(500)):
        session.delete(stale)
