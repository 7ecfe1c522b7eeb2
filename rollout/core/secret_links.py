"""What addresses whose secret is the key have in common: share links (`rollout.sharing.links`)
and trainers' calendar feeds (`rollout.training.feeds`). Both store only the secret's SHA-256
(`token_hash`, the digest sessions and API tokens use), note a use in `last_used_at`, answer
one 404 to any secret they refuse, and audit each step by the record's id, never its secret.

A refused secret is audited, but a flood of guesses must not fill the trail. Refusals are
counted per client address in the database, so that several app hosts share the count: after
REFUSALS_ALLOWED within WINDOW, the address gets 429 with Retry-After until WINDOW has passed
since its last counted refusal; meanwhile its secrets are neither checked, nor counted, nor
audited, and the refusal that used up the allowance adds one event saying how many there were.
An address thus writes at most REFUSALS_ALLOWED + 1 refusals to the trail per window, however
many hosts answer it.

There is no table of refused secrets: the counts reuse sign-in throttling's `loginattempt`
(`rollout.auth.throttle`), `email` naming what was refused and `ip` the address behind
ADDRESS_PREFIX, which no sign-in's address has: sign-in throttling never counts a refused
secret, nor does a failed sign-in count here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from typing import Any, NoReturn, TypeVar

import sqlalchemy as sa
from flask import abort, make_response
from flask_babel import format_timedelta
from flask_babel import gettext as _
from sqlmodel import Session, col, func, select
from werkzeug.exceptions import TooManyRequests

from rollout.auth.events import record_event
from rollout.auth.sessions import secret_digest
from rollout.auth.throttle import Backoff
from rollout.core.author import Author
from rollout.errors import http_error_response
from rollout.models import LoginAttempt, Programme, ShareLink, utcnow
from rollout.models.training import TrainerFeed

Keyed = TypeVar("Keyed", ShareLink, TrainerFeed)

USE_RECORDED_EVERY = timedelta(hours=1)
"""A use is audited (and `last_used_at` moved) at most once an hour per record: a council meeting
clicking through the dashboards, or a calendar app polling every few minutes, is one event an
hour, not one per page or poll, while a use later in the day still shows in the trail."""
ANONYMOUS = Author(actor="anonymous", channel="form")

WINDOW = timedelta(hours=1)
REFUSALS_ALLOWED = 50
"""Refused secrets an address may send within WINDOW before it waits: a school's whole network
often reaches the internet through one address, where a revoked feed still polled or a revoked
link still clicked in a meeting is refused every time; guessing a 256-bit secret is hopeless
anyway, so the allowance only bounds the trail."""
THROTTLE = Backoff(free_failures=REFUSALS_ALLOWED, first_delay=WINDOW, max_delay=WINDOW)
ADDRESS_PREFIX = "secret:"


def by_secret(db: Session, model: type[Keyed], secret: str) -> Keyed | None:
    """The record of `model` whose secret this is, whatever its state (None when none has it)."""
    return db.exec(select(model).where(model.token_hash == secret_digest(secret))).first()


def audit(db: Session, author: Author, *, entity: str, entity_id: int, programme: Programme, action: str,
          details: dict[str, Any]) -> None:
    """Add a record's event to `db`, in its programme's district trail. Does not commit."""
    record_event(db, author, entity=entity, entity_id=entity_id, action=action,
                 details={"programme": programme.id, **details}, district_id=programme.district_id)


def record_use(db: Session, record: Keyed, *, entity: str, action: str, programme: Programme, now: datetime,
               details: dict[str, str]) -> bool:
    """Audit a use of an active record and note it in `last_used_at`, unless one was recorded in
    the last USE_RECORDED_EVERY; True when this use was recorded. The conditional update lets only
    one of two simultaneous requests record it. Commits `db`: give it a session of its own, so the
    reading request's transaction stays a read."""
    model = type(record)
    updated = db.execute(
        sa.update(model)
        .where(col(model.id) == record.id, sa.or_(col(model.last_used_at).is_(None),
                                                  col(model.last_used_at) <= now - USE_RECORDED_EVERY))
        .values(last_used_at=now)
    ).rowcount
    if updated:
        audit(db, ANONYMOUS, entity=entity, entity_id=record.id, programme=programme, action=action, details=details)
    db.commit()
    return bool(updated)


def wait_before_secret(db: Session, *, address: str, now: datetime | None = None) -> timedelta:
    """How long `address` must still wait before a secret it sends is checked; zero when now."""
    now = now or utcnow()
    refused, last = db.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.ip == _key(address), LoginAttempt.at > now - WINDOW)
    ).one()
    return THROTTLE.wait(refused, last, now)


def abort_if_flooding(db: Session, *, address: str) -> None:
    """Answer 429 (with Retry-After) when `address` has used up its refusals, before its secret is
    even looked up: a flooding address learns nothing and writes nothing."""
    wait = wait_before_secret(db, address=address)
    if wait:
        _too_many_refused(wait)


def record_refused_use(db: Session, *, entity: str, entity_id: int | None, reason: str, district_id: int | None,
                       details: dict[str, str]) -> None:
    """Audit a request whose secret no active record has (`entity_id` None for one no record has)
    and count it against the client's address, `details["ip"]`; the refusal that uses up the
    address's allowance also records how many there were. Answers 429 instead, with nothing
    written, when the allowance was used up meanwhile by a simultaneous request (on PostgreSQL
    a lock per address orders them; SQLite has one writer at a time). Commits `db`: give it a
    session of its own."""
    now = utcnow()
    address = details["ip"]
    key = _key(address)
    if db.get_bind().dialect.name == "postgresql":
        db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(key))))
    wait = wait_before_secret(db, address=address, now=now)
    if wait:
        db.rollback()
        _too_many_refused(wait)
    record_event(db, ANONYMOUS, entity=entity, entity_id=entity_id or "unknown", action="refused",
                 details={**details, "reason": reason}, district_id=district_id)
    db.add(LoginAttempt(email=entity, ip=key, at=now, succeeded=False))
    db.execute(sa.delete(LoginAttempt).where(col(LoginAttempt.ip) == key, col(LoginAttempt.at) <= now - WINDOW))
    db.flush()
    refused = db.exec(select(func.count()).where(LoginAttempt.ip == key, LoginAttempt.at > now - WINDOW)).one()
    if refused >= REFUSALS_ALLOWED:
        record_event(db, ANONYMOUS, entity="address", entity_id=address[:64], action="refused",
                     details={"ip": address, "reason": "throttled", "refused": refused,
                              "window_minutes": int(WINDOW.total_seconds() // 60), "until": now + WINDOW})
    db.commit()


def _key(address: str) -> str:
    """The address as `loginattempt.ip` holds its refused secrets."""
    return (ADDRESS_PREFIX + address)[:64]


def _too_many_refused(wait: timedelta) -> NoReturn:
    """429 in the page's language, with the wait in Retry-After (seconds); the page sits at the
    secret's address, so it is neither cached nor named to other sites."""
    delay = format_timedelta(timedelta(minutes=ceil(wait.total_seconds() / 60)), threshold=1)
    body, code = http_error_response(TooManyRequests(_("Trop de tentatives échouées. Réessayez dans %(delay)s.", delay=delay)))
    response = make_response(body, code)
    response.headers["Retry-After"] = str(ceil(wait.total_seconds()))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    abort(response)
