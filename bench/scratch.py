"""A scratch PostgreSQL database for one benchmark run: created empty, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """The URL of a new, empty database on the server `admin_url` names (its user may create
    databases); the database is dropped when the block ends, however it ends."""
    driver_url = sa.engine.make_url(admin_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(driver_url, isolation_level="AUTOCOMMIT")
    name = f"rollout_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield driver_url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: sa.Engine, name: str) -> None:
    """Drop the database `name`. A plain DROP first: PostgreSQL stops an autovacuum worker on it
    itself (after a million rows one is often there), which FORCE may not (it belongs to the
    server, not to the bench's user); FORCE then, for a connection the benchmark left open."""
    with admin.connect() as connection:
        try:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        except sa.exc.OperationalError:  # "being accessed by other users"
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
