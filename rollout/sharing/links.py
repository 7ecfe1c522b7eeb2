"""Creating, finding, using and revoking share links. Plain functions taking the database
session; none commits, except `record_use`, which writes outside the request's transaction.

A link's secret is a `secrets.token_urlsafe(32)`; only its SHA-256 digest is stored, with the
digest function API tokens and sessions use, so a database leak opens no dashboard. The audit
trail names a link by its id, never by its secret.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout.auth.events import record_event
from rollout.auth.sessions import secret_digest
from rollout.core.author import Author
from rollout.models import Programme, ShareLink, User, utcnow

LIFETIMES = (7, 30, 90, 365)  # days, offered on the share links page
DEFAULT_DAYS = 30
MAX_DAYS = 365
USE_RECORDED_EVERY = timedelta(hours=1)
"""A link's use is audited (and `last_used_at` moved) at most once an hour: a council meeting
clicking through the dashboards is one event, not one per page and filter, while a link used
again later in the day still shows in the trail."""
ANONYMOUS = "anonymous"


class ShareLinkError(ValueError):
    """A share link request that cannot be honoured; the message says why."""


def status(link: ShareLink, now: datetime) -> str:
    """`revoked`, `expired` or `active`: a revoked link stays revoked whatever its expiry."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return "active"


def create_link(db: Session, *, programme: Programme, label: str, days: int, author: Author) -> tuple[ShareLink, str]:
    """Create a link to `programme`'s dashboards, valid `days` days; returns it with its secret,
    which is never stored. Does not commit."""
    label = label.strip()
    if not label:
        raise ShareLinkError("a share link needs a label saying what it is for")
    if not 1 <= days <= MAX_DAYS:
        raise ShareLinkError(f"a share link lives from 1 to {MAX_DAYS} days")
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    link = ShareLink(programme_id=programme.id, label=label[:200], token_hash=secret_digest(secret),
                     created_by=author.user_id, created_at=now, expires_at=now + timedelta(days=days))
    db.add(link)
    db.flush()
    _audit(db, author, link, programme=programme, action="share_create",
           details={"label": link.label, "expires_at": link.expires_at})
    return link, secret


def revoke_link(db: Session, *, link: ShareLink, programme: Programme, author: Author) -> bool:
    """Revoke a link; False when it already was. Does not commit."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = utcnow()
    db.add(link)
    _audit(db, author, link, programme=programme, action="share_revoke", details={"label": link.label})
    return True


def programme_links(db: Session, *, programme: Programme) -> list[tuple[ShareLink, str | None]]:
    """The programme's links, newest first, each with its creator's email (None once deleted)."""
    return list(db.exec(
        select(ShareLink, User.email).join(User, col(User.id) == ShareLink.created_by, isouter=True)
        .where(ShareLink.programme_id == programme.id).order_by(col(ShareLink.created_at).desc(), col(ShareLink.id).desc())
    ).all())


def link_by_secret(db: Session, secret: str) -> ShareLink | None:
    """The link whose secret this is, whatever its status (None for a secret no link has)."""
    return db.exec(select(ShareLink).where(ShareLink.token_hash == secret_digest(secret))).first()


def record_use(db: Session, *, link: ShareLink, programme: Programme, now: datetime, details: dict[str, str]) -> bool:
    """Audit a use of an active link and note it in `last_used_at`, unless one was recorded in the
    last USE_RECORDED_EVERY; True when this use was recorded. The conditional update lets only
    one of two simultaneous requests record it. Commits `db`: give it a session of its own, so
    the reading request's transaction stays a read."""
    updated = db.execute(
        sa.update(ShareLink)
        .where(ShareLink.id == link.id, sa.or_(col(ShareLink.last_used_at).is_(None),
                                               col(ShareLink.last_used_at) <= now - USE_RECORDED_EVERY))
        .values(last_used_at=now)
    ).rowcount
    if updated:
        _audit(db, Author(actor=ANONYMOUS, channel="form"), link, programme=programme, action="share_use", details=details)
    db.commit()
    return bool(updated)


def record_refused_use(db: Session, *, link: ShareLink | None, now: datetime, details: dict[str, str]) -> None:
    """Audit a request with a secret no active link has: which link when there is one (expired or
    revoked), and why. Commits `db`: give it a session of its own."""
    programme = db.get(Programme, link.programme_id) if link is not None else None
    reason = status(link, now) if link is not None else "unknown"
    record_event(db, Author(actor=ANONYMOUS, channel="form"), entity="sharelink",
                 entity_id=link.id if link is not None else "unknown", action="refused",
                 details={**details, "reason": reason}, district_id=programme.district_id if programme else None)
    db.commit()


def _audit(db: Session, author: Author, link: ShareLink, *, programme: Programme, action: str, details: dict[str, object]) -> None:
    record_event(db, author, entity="sharelink", entity_id=link.id, action=action,
                 details={"programme": programme.id, **details}, district_id=programme.district_id)
