"""Creating, finding, using and revoking share links. Plain functions taking the database
session; none commits, except `record_use` and `record_refused_use`, which write outside the
request's transaction.

A link's secret is a `secrets.token_urlsafe(32)`; only its SHA-256 digest is stored, with the
digest function API tokens and sessions use, so a database leak opens no dashboard. The audit
trail names a link by its id, never by its secret. What links share with trainers' calendar
feeds (finding a secret, a use audited once an hour, refusals counted per address) is in
`rollout.core.secret_links`.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from rollout.auth.sessions import secret_digest
from rollout.core import secret_links
from rollout.core.author import Author
from rollout.models import Programme, ShareLink, User, utcnow

LIFETIMES = (7, 30, 90, 365)  # days, offered on the share links page
DEFAULT_DAYS = 30
MAX_DAYS = 365
ENTITY = "sharelink"


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
    return secret_links.by_secret(db, ShareLink, secret)


def record_use(db: Session, *, link: ShareLink, programme: Programme, now: datetime, details: dict[str, str]) -> bool:
    """Audit a use of an active link at most once an hour (`secret_links.record_use`); True when
    this use was recorded. Commits `db`: give it a session of its own."""
    return secret_links.record_use(db, link, entity=ENTITY, action="share_use", programme=programme, now=now,
                                   details=details)


def record_refused_use(db: Session, *, link: ShareLink | None, now: datetime, details: dict[str, str]) -> None:
    """Audit a request with a secret no active link has: which link when there is one (expired or
    revoked), and why; counted against the client's address `details["ip"]`, 429 once it has
    sent too many (`secret_links.record_refused_use`). Commits `db`: give it a session of its own."""
    programme = db.get(Programme, link.programme_id) if link is not None else None
    secret_links.record_refused_use(db, entity=ENTITY, entity_id=link.id if link is not None else None,
                                    reason=status(link, now) if link is not None else "unknown",
                                    district_id=programme.district_id if programme else None, details=details)


def _audit(db: Session, author: Author, link: ShareLink, *, programme: Programme, action: str, details: dict[str, object]) -> None:
    secret_links.audit(db, author, entity=ENTITY, entity_id=link.id, programme=programme, action=action, details=details)
