"""A cache for results that are slow to compute and read often (the dashboards' figures), shared
by every app host through Redis, or kept in each process when there is no Redis (one host only).

Entries are never deleted when the data changes: no host would hear of a change made on another.
Instead each entry's key names the version of the data it was computed from
(`data_version`, one indexed query per request), so that a change committed on any host gives
every host's next request a key nobody has computed yet. Superseded entries are never read
again and expire (ROLLOUT_CACHE_SECONDS).

The store is Flask-Caching: its RedisCache when `ROLLOUT_CACHE_URL` (config.cache_url) names a
Redis, else its SimpleCache, a bounded dictionary in the process. A Redis that stops answering
costs speed, not pages: the result is then computed as if nothing were cached.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable
from typing import TypeVar

import redis
import sqlalchemy as sa
from flask import Flask, current_app
from flask_caching import Cache
from sqlmodel import Session, col

from rollout.models import AuditEvent, ImportBatch, Programme
from rollout.models.audit import ACTIONS

Result = TypeVar("Result")
log = logging.getLogger(__name__)
store = Cache()
SIMPLE_CACHE_ENTRIES = 64
"""Entries a process keeps without Redis (SimpleCache drops the oldest beyond them): an entry
holds a page's figures, hundreds of kilobytes for a district, more for a country."""


def init_app(app: Flask) -> None:
    """Bind the store to the app: Redis at ROLLOUT_CACHE_URL, else a cache in the process.
    ROLLOUT_CACHE_PREFIX keeps apart installs (or tests) that share one Redis database."""
    url = app.config.get("ROLLOUT_CACHE_URL")
    settings: dict[str, object] = {
        "CACHE_DEFAULT_TIMEOUT": app.config["ROLLOUT_CACHE_SECONDS"],
        "CACHE_KEY_PREFIX": app.config.get("ROLLOUT_CACHE_PREFIX", "rollout:cache:"),
    }
    if url:
        settings |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
                     "CACHE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2}}
    else:
        settings |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": SIMPLE_CACHE_ENTRIES}
    store.init_app(app, config=settings)


def shared_between_hosts(app: Flask | None = None) -> bool:
    """Whether the app's cache is a Redis that every host reads (else each process has its own)."""
    return bool((app or current_app).config.get("ROLLOUT_CACHE_URL"))


def data_version(session: Session, programme: Programme) -> tuple[int, int]:
    """What the programme's data is at: its district's latest audited change and its latest import.

    Every change to what the dashboards read is audited with its district (rollout.core.author),
    and an import that writes no event per row (a fixtures load) writes an ImportBatch, so one of
    the two grows with each commit that changes the data. Security events (sign-ins, share-link
    uses) are left out: they change no figure, and counting them would empty the cache at every
    sign-in. Both maxima read an index (the audit trail's district, the batches' programme).
    """
    changes = (sa.select(sa.func.max(AuditEvent.id))
               .where(AuditEvent.district_id == programme.district_id, col(AuditEvent.action).in_(ACTIONS))
               .scalar_subquery())
    imports = sa.select(sa.func.max(ImportBatch.id)).where(ImportBatch.programme_id == programme.id).scalar_subquery()
    latest_change, latest_import = session.execute(sa.select(changes, imports)).one()
    return latest_change or 0, latest_import or 0


def key_of(parts: tuple[Hashable, ...]) -> str:
    """A fixed-length key for `parts` (names, ids, versions, filters, language): readable
    enough to be found in Redis by its first part, whatever the filters hold."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]
    return f"{parts[0]}:{digest}"


def remembered(parts: tuple[Hashable, ...], compute: Callable[[], Result]) -> Result:
    """The result cached under `parts`, else `compute()`'s, cached for the next request.

    `parts` must name everything the result depends on: what is computed, for which programme,
    at which `data_version`, with which filters, in which language, as whom when it differs.
    """
    key = key_of(parts)
    try:
        found = store.get(key)
    except redis.RedisError as error:
        log.warning("cache unreachable, computing %s: %s", parts[0], error)
        return compute()
    if found is not None:
        return found
    result = compute()
    try:
        store.set(key, result)
    except redis.RedisError as error:
        log.warning("cache unreachable, %s not kept: %s", parts[0], error)
    return result


def forget_all(app: Flask) -> bool:
    """Drop every entry of this install (its prefix), as after `rollout db restore`: the restored
    database hands out again audit and import ids that versions were made of before, so an
    entry computed from the replaced data could be read as current. False when the Redis did
    not answer (the caller says so: its entries are then to be dropped by hand)."""
    with app.app_context():
        try:
            store.clear()  # its answer says whether keys were found, not whether it worked
        except redis.RedisError as error:
            log.warning("cache unreachable, its entries are not dropped: %s", error)
            return False
    return True
