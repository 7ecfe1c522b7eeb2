"""The database: one engine per application, one session per request, and migrations.

SQLite is the default (nothing to install); it gets foreign keys, WAL and a busy timeout on
every connection, since SQLite enables none of them by itself; transactions that will write
begin IMMEDIATE (`_begin_sqlite`). PostgreSQL is selected with DATABASE_URL. Tables come only
from Alembic migrations, never from `create_all`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import partial
from importlib import resources
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlmodel import Session

import rollout.models  # noqa: F401  (registers every table on the metadata)

# How long a SQLite writer waits for the write lock before giving up (503, "réessayez"). Writers
# take turns, so it must outlast the longest write the app accepts: a usage import of
# MAX_DATA_ROWS rows (rollout/imports/tabular.py, 49 MB) held it 19 s on a 2-core machine;
# 120 s leaves room for a slower disk (docs/security.md).
SQLITE_BUSY_TIMEOUT_MS = 120_000
BEGIN_OPTION = "rollout_sqlite_begin"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger(__name__)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_sqlite(connection: sa.Connection) -> None:
    """Begin a SQLite transaction: IMMEDIATE for code that writes what it read (`writing`),
    else as the driver does.

    The driver begins a transaction only before an INSERT, UPDATE or DELETE, deferred: the
    reads before it are outside (an import would write the difference with rows another import
    has changed since) and DDL is outside any (a migration would not be one transaction). So
    for writers the driver begins nothing and the transaction begins IMMEDIATE at its first
    statement: the write lock is taken before the first read, waiting its turn behind other
    writers. (A deferred transaction with its reads inside could not wait: once another writer
    has committed, SQLite refuses its write at once, "database is locked", whatever the busy
    timeout.) Other code keeps the driver's way: its reads run beside writers, never waiting.
    """
    driver = connection.connection.driver_connection
    if connection.get_execution_options().get(BEGIN_OPTION) == "IMMEDIATE":
        driver.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        driver.isolation_level = ""


def _file_identity(path: str) -> tuple[int, int] | None:
    """Which file `path` leads to now (device and inode), None when it leads nowhere."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _note_sqlite_file(path: str, _dbapi_connection: Any, record: Any) -> None:
    record.info["file"] = _file_identity(path)


def _check_sqlite_file(path: str, _dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """The pool's check before lending a SQLite connection, as `pool_pre_ping` is PostgreSQL's.

    An open connection keeps reading and writing the file it opened even when its path no
    longer leads there: its volume unmounted, or the file replaced (restored from a copy). A
    connection whose path now leads elsewhere, or nowhere, is dropped and a new one opened on
    the path, which fails (503) until the file is back, then works without a restart.
    """
    if _file_identity(path) != record.info.get("file"):
        raise sa.exc.DisconnectionError(f"{path} is no longer the file this connection opened")


@dataclass(frozen=True)
class PoolSettings:
    """How many PostgreSQL connections one process keeps (`size`) and may open beyond them
    under a burst (`overflow`), how long a request waits for one (`timeout`, seconds), and
    whether a PgBouncer in transaction mode stands between (`pgbouncer`).

    Every process has its own pool: a gunicorn worker, each process of `rollout worker`, each
    command. The sum over all of them must stay under PostgreSQL's `max_connections` (or
    PgBouncer's pool), docs/deployment.md counts it. The defaults fit a gunicorn worker of the
    Procfile (4 threads, each request holding one connection at a time: the note of a session's
    or token's use waits until the request's own is given back, `after_request_session`).
    """

    size: int = 4
    overflow: int = 4
    timeout: float = 30.0
    pgbouncer: bool = False

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> PoolSettings:
        """ROLLOUT_DB_POOL_SIZE, ROLLOUT_DB_MAX_OVERFLOW, ROLLOUT_DB_POOL_TIMEOUT and
        ROLLOUT_PGBOUNCER=1; a value that is not a number is refused at start, naming it."""
        default = cls()
        values = {}
        for name, field, kind in (("ROLLOUT_DB_POOL_SIZE", "size", int), ("ROLLOUT_DB_MAX_OVERFLOW", "overflow", int),
                                  ("ROLLOUT_DB_POOL_TIMEOUT", "timeout", float)):
            raw = env.get(name)
            if raw is None or raw == "":
                values[field] = getattr(default, field)
                continue
            try:
                values[field] = kind(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number, not {raw!r}") from None
            if values[field] < 0:
                raise ValueError(f"{name} must not be negative, not {raw!r}")
        return cls(**values, pgbouncer=env.get("ROLLOUT_PGBOUNCER", "0") == "1")

    def engine_options(self) -> dict[str, Any]:
        """`create_engine` arguments for PostgreSQL.

        Behind PgBouncer in transaction mode, consecutive transactions of one client may run on
        different server connections: psycopg's server-side prepared statements (made after a
        query's fifth run) would be missing on the next one ("prepared statement … does not
        exist"), so they are switched off. Nothing else of rollout relies on a connection's
        session state (no SET, LISTEN, advisory lock or temporary table outlives a transaction).
        """
        options: dict[str, Any] = {"pool_pre_ping": True, "pool_size": self.size, "max_overflow": self.overflow,
                                   "pool_timeout": self.timeout}
        if self.pgbouncer:
            options["connect_args"] = {"prepare_threshold": None}
        return options


def make_engine(url: str, pool: PoolSettings | None = None) -> sa.Engine:
    """An engine for `url`; SQLite connections are configured for integrity and concurrency,
    and dropped when their file goes away. PostgreSQL's pool follows `pool`, by default the
    environment's (`PoolSettings.from_environment`): the web app, the worker's tasks and the
    commands all build their engine here."""
    if not url.startswith("sqlite"):
        settings = pool or PoolSettings.from_environment(os.environ)
        return sa.create_engine(url, **settings.engine_options())
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    sa.event.listen(engine, "connect", _configure_sqlite)
    sa.event.listen(engine, "begin", _begin_sqlite)
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        sa.event.listen(engine, "connect", partial(_note_sqlite_file, path))
        sa.event.listen(engine, "checkout", partial(_check_sqlite_file, path))
    return engine


def writing(engine: sa.Engine) -> sa.Engine:
    """`engine` for code that writes what it read: its SQLite transactions begin IMMEDIATE.
    Same pool; PostgreSQL ignores the option."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def get_engine(app: Flask | None = None) -> sa.Engine:
    """The application's engine, created on first use."""
    app = app or current_app
    engine = app.extensions.get("rollout.engine")
    if engine is None:
        engine = make_engine(app.config["SQLALCHEMY_DATABASE_URL"])
        app.extensions["rollout.engine"] = engine
    return engine


def get_read_engine(app: Flask | None = None) -> sa.Engine | None:
    """The engine of the read replica (ROLLOUT_READ_DATABASE_URL), created on first use; None
    without one."""
    app = app or current_app
    url = app.config.get("ROLLOUT_READ_DATABASE_URL")
    if not url:
        return None
    engine = app.extensions.get("rollout.read_engine")
    if engine is None:
        engine = make_engine(url)
        app.extensions["rollout.read_engine"] = engine
    return engine


@contextmanager
def replica_reads(caught_up: Callable[[Session], bool]) -> Iterator[bool]:
    """Within the block, `get_session()` reads from the read replica when there is one, it
    answers, and `caught_up(its session)` says it has every change the caller saw on the primary;
    else from the primary, as without a replica. Yields whether the replica serves the block.

    For the dashboards of a country-sized programme: their long reads go to a replica while the
    primary takes the writes. A replica lags behind its primary; what is read there is kept in
    the cache under the version read on the primary, so it must never be read from a replica
    that has not reached that version: the caller's `caught_up` compares them.
    """
    engine = get_read_engine()
    replica = None
    if engine is not None:
        replica = Session(engine, expire_on_commit=False)
        try:
            if not caught_up(replica):
                replica.close()
                replica = None
        except sa.exc.OperationalError:
            logging.getLogger(__name__).warning("read replica unreachable, reading from the primary", exc_info=True)
            replica.close()
            replica = None
    if replica is None:
        yield False
        return
    primary = g.pop("db_session", None)
    g.db_session = replica
    try:
        yield True
    finally:
        g.pop("db_session", None)
        replica.close()
        if primary is not None:
            g.db_session = primary


def get_session() -> Session:
    """The request's session, opened lazily; committed only by the code at the boundary.

    It begins IMMEDIATE once `identify_caller_first` has marked the request as one that may
    write; reads (GET) stay deferred, so they run beside writers without waiting.
    """
    if "db_session" not in g:
        engine = get_engine()
        g.db_session = Session(writing(engine) if g.get("db_writes") else engine, expire_on_commit=False)
    return g.db_session


def identify_caller_first() -> None:
    """before_request: a request that may write (any method but GET, HEAD, OPTIONS) loads its
    caller in a short read-only transaction, then does its work in one that begins IMMEDIATE.

    Loading the caller notes the use of their token or session on a connection of its own
    (rollout.auth.identity); inside the request's write transaction that note would wait for
    the lock its own request holds, until the busy timeout.
    """
    if request.method in READ_METHODS:
        return
    current_user._get_current_object()
    close_session()
    g.db_writes = True


def close_session(_error: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back. Then run what was
    left for after it (`after_request_session`), each on a connection of its own."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    for write in g.pop("after_session", ()):
        try:
            with get_engine().begin() as connection:
                write(connection)
        except sa.exc.SQLAlchemyError:  # a note lost is a minute of idle time, not a failed answer
            logging.getLogger(__name__).warning("a note left for after the request failed", exc_info=True)


def after_request_session(write: Callable[[sa.Connection], object]) -> None:
    """Run `write` in a transaction of its own once the request's session is closed: for a note
    that must not turn a read into a write (a session's last use), and that must not hold a
    second connection while the request's is in a transaction, which through PgBouncer in
    transaction mode can wait on connections held by requests waiting the same way."""
    g.setdefault("after_session", []).append(write)


def alembic_config(connection: sa.Connection | None = None) -> AlembicConfig:
    """An Alembic configuration with the packaged migration scripts, bound to `connection`."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("rollout") / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` in one transaction (see `_migrate` for SQLite)."""
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Undo migrations down to `revision` in one transaction, as `upgrade` applies them."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: sa.Engine, step: Callable[[AlembicConfig, str], None], revision: str) -> None:
    """Run an Alembic command in one transaction.

    On SQLite, foreign keys are off while migrations run: SQLite alters a table by copying it
    and dropping the original, and with foreign keys on that DROP deletes every row that refers
    to the table through ON DELETE CASCADE (migration 0006 emptied the basins, schools and
    everything below them that way). The keys are checked before the transaction commits.
    """
    with writing(engine).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                step(alembic_config(connection), revision)
                if sqlite:
                    _refuse_broken_foreign_keys(connection)
        finally:
            if sqlite:
                _set_foreign_keys(connection, on=True)


def _set_foreign_keys(connection: sa.Connection, *, on: bool) -> None:
    """Switch SQLite's foreign keys on the raw connection: the pragma is ignored inside a
    transaction, and SQLAlchemy's own execute would begin one."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def _refuse_broken_foreign_keys(connection: sa.Connection) -> None:
    """Roll the migration back if it left a row pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"migration left {len(broken)} rows whose foreign key points at nothing, e.g. {broken[0]}")


def current_revision(engine: sa.Engine) -> str | None:
    """The migration revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@dataclass(frozen=True)
class Health:
    """What `/healthz` checks: the database answers and is at the revision the code expects."""

    engine: str
    reachable: bool
    revision: str | None
    expected: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.reachable and self.revision == self.expected


def health(engine: sa.Engine) -> Health:
    """Check the database on a connection of its own. An error is named by its class only; its
    text (hosts, paths) goes to the log."""
    expected = head_revision()
    try:
        revision = current_revision(engine)
    except sa.exc.SQLAlchemyError as error:
        log.warning("database unreachable: %s", " ".join(str(error).split()))
        return Health(engine.dialect.name, reachable=False, revision=None, expected=expected, error=type(error).__name__)
    return Health(engine.dialect.name, reachable=True, revision=revision, expected=expected)


def init_app(app: Flask) -> None:
    """Identify a writing request's caller before its transaction; close each request's
    session on teardown."""
    app.before_request(identify_caller_first)
    app.teardown_appcontext(close_session)


def head_revision() -> str | None:
    """The newest migration revision the code ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
