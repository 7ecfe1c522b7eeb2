"""Trainers' private calendar feeds: creating, finding, using and revoking them, as share links
are (`rollout.sharing.links`). A calendar app subscribes to `/feeds/<secret>.ics` without an
account, so the address is the key: only the secret's SHA-256 is stored, the address is shown
once, revoking is one-way, and the audit trail names a feed by its id, never by its secret.
None of these commits, except `record_use` and `record_refused_use`, which write outside the
request's transaction. The trail names a feed's life with its own actions (`feed_create`,
`feed_use`, `feed_revoke`, and `refused` for a secret no active feed has) on the entity
`trainerfeed`, so a feed is never mistaken for a dashboards share link. What feeds share with
share links (finding a secret, a use audited once an hour, refusals counted per address) is in
`rollout.core.secret_links`.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from rollout.auth.sessions import secret_digest
from rollout.core import secret_links
from rollout.core.author import Author
from rollout.models import Programme, Trainer, User, utcnow
from rollout.models.training import TrainerFeed

ENTITY = "trainerfeed"


def create_feed(db: Session, *, programme: Programme, trainer: Trainer, author: Author) -> tuple[TrainerFeed, str]:
    """A new feed of `trainer`'s sessions; returns it with its secret, which is never stored."""
    secret = secrets.token_urlsafe(32)
    feed = TrainerFeed(trainer_id=trainer.id, token_hash=secret_digest(secret), created_by=author.user_id)
    db.add(feed)
    db.flush()
    _audit(db, author, feed, programme=programme, action="feed_create", details={"trainer": trainer.code})
    return feed, secret


def revoke_feed(db: Session, *, feed: TrainerFeed, programme: Programme, trainer: Trainer, author: Author) -> bool:
    """Revoke a feed; False when it already was."""
    if feed.revoked_at is not None:
        return False
    feed.revoked_at = utcnow()
    db.add(feed)
    _audit(db, author, feed, programme=programme, action="feed_revoke", details={"trainer": trainer.code})
    return True


def trainer_feeds(db: Session, *, trainer: Trainer) -> list[tuple[TrainerFeed, str | None]]:
    """The trainer's feeds, newest first, each with its creator's email (None once deleted)."""
    return list(db.exec(
        select(TrainerFeed, User.email).join(User, col(User.id) == TrainerFeed.created_by, isouter=True)
        .where(TrainerFeed.trainer_id == trainer.id).order_by(col(TrainerFeed.created_at).desc(), col(TrainerFeed.id).desc())
    ).all())


def feed_by_secret(db: Session, secret: str) -> TrainerFeed | None:
    """The feed whose secret this is, revoked or not (None for a secret no feed has)."""
    return secret_links.by_secret(db, TrainerFeed, secret)


def record_use(db: Session, *, feed: TrainerFeed, programme: Programme, now: datetime, details: dict[str, str]) -> bool:
    """Audit a use of an active feed at most once an hour, however often a calendar app polls it
    (`secret_links.record_use`). Commits `db`: give it a session of its own."""
    return secret_links.record_use(db, feed, entity=ENTITY, action="feed_use", programme=programme, now=now,
                                   details=details)


def record_refused_use(db: Session, *, feed: TrainerFeed | None, programme: Programme | None, details: dict[str, str]) -> None:
    """Audit a request with a secret no active feed has (which feed when it is a revoked one),
    counted against the client's address `details["ip"]`, 429 once it has sent too many
    (`secret_links.record_refused_use`). Commits `db`: give it a session of its own."""
    secret_links.record_refused_use(db, entity=ENTITY, entity_id=feed.id if feed is not None else None,
                                    reason="revoked" if feed is not None else "unknown",
                                    district_id=programme.district_id if programme else None, details=details)


def _audit(db: Session, author: Author, feed: TrainerFeed, *, programme: Programme, action: str, details: dict[str, object]) -> None:
    secret_links.audit(db, author, entity=ENTITY, entity_id=feed.id, programme=programme, action=action, details=details)
