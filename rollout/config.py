"""Configuration from the environment, with defaults that are safe for a single-machine install.

A Procfile host (Scalingo, Clever Cloud, Heroku) sets DATABASE_URL and SECRET_KEY; a user who
types `rollout demo` sets nothing and gets a SQLite file and a secret kept in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Mapping

from rollout.imports.bounds import MAX_BYTES

UPLOAD_MB = MAX_BYTES // 2**20 + 1
"""The largest request body by default (ROLLOUT_MAX_UPLOAD_MB), in MiB: the largest file an import
reads (a district's million daily usage rows are 56 MiB) and its form around it, so that what the
command line imports, the page and the API take too (the largest on the task queue)."""

# The URL schemes of a Redis server, as rollout.queue accepts them.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def database_url(raw: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: DATABASE_URL normalised for psycopg 3, or the instance SQLite file.

    Hosts hand out `postgres://` or `postgresql://` URLs; SQLAlchemy needs the driver named.
    """
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'rollout.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def instance_secret_key(instance_path: str) -> str:
    """A secret key generated once and kept in the instance folder (mode 600).

    Used only when SECRET_KEY is not set, so sessions survive restarts of a local install
    without a secret ever being committed or printed.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def secret_key(instance_path: str, env: Mapping[str, str] = os.environ) -> str:
    """SECRET_KEY from the environment, else the instance folder's generated key, but not
    where a shared Redis is set (`cache_url`): that install is meant for several app hosts,
    each would generate a key of its own, and a cookie signed on one would be refused by the
    others (signed out at every other request behind a load balancer). Refused at start then."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if cache_url(env):
        raise RuntimeError("SECRET_KEY is not set while a Redis is (ROLLOUT_CACHE_URL, REDIS_URL or ROLLOUT_QUEUE_URL): "
                           "set the same SECRET_KEY on every app host, or each signs cookies the others refuse "
                           "(docs/deployment.md)")
    return instance_secret_key(instance_path)


def secure_cookies(env: Mapping[str, str]) -> bool:
    """Whether cookies go over HTTPS only: ROLLOUT_SECURE_COOKIES when set, else whether the app
    runs behind a TLS-terminating proxy (ROLLOUT_BEHIND_PROXY), where HTTPS is the rule and a
    forgotten setting must not send the session in clear."""
    explicit = env.get("ROLLOUT_SECURE_COOKIES")
    if explicit is not None:
        return explicit == "1"
    return env.get("ROLLOUT_BEHIND_PROXY", "0") == "1"


def cache_url(env: Mapping[str, str]) -> str | None:
    """The Redis that the dashboards' cache shares between app hosts: ROLLOUT_CACHE_URL, else
    REDIS_URL (the name some hosts' Redis add-ons give theirs), else the queue's when it is a Redis;
    None for a cache in each process (rollout.cache), right for one host only."""
    for name in ("ROLLOUT_CACHE_URL", "REDIS_URL", "ROLLOUT_QUEUE_URL"):
        value = env.get(name, "")
        if value.startswith(REDIS_SCHEMES):
            return value
    return None


def from_environment(instance_path: str) -> dict[str, object]:
    """The application's settings read from environment variables (the secret key apart)."""
    env = os.environ
    return {
        "SQLALCHEMY_DATABASE_URL": database_url(env.get("DATABASE_URL"), instance_path),
        "ROLLOUT_READ_DATABASE_URL": env.get("ROLLOUT_READ_DATABASE_URL") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies(env),
        "REMEMBER_COOKIE_SECURE": secure_cookies(env),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "BEHIND_PROXY": env.get("ROLLOUT_BEHIND_PROXY", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(env.get("ROLLOUT_IDLE_MINUTES", "60"))),  # the idle timeout
        "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=int(env.get("ROLLOUT_SESSION_HOURS", "12"))),
        "MAX_CONTENT_LENGTH": int(env.get("ROLLOUT_MAX_UPLOAD_MB", str(UPLOAD_MB))) * 1024 * 1024,
        # Larger uploads are read and written by `rollout worker`, not in the request (docs/queue.md).
        "QUEUE_IMPORT_BYTES": int(env.get("ROLLOUT_QUEUE_IMPORT_BYTES", str(4 * 1024 * 1024))),
        "ROLLOUT_CACHE_URL": cache_url(env),
        "ROLLOUT_CACHE_SECONDS": int(env.get("ROLLOUT_CACHE_SECONDS", "3600")),  # superseded entries expire
    }
