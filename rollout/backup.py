"""Backing up the database to one file, and restoring it: `rollout db backup` and `db restore`.

On SQLite a backup is a copy made with SQLite's online backup API, consistent while the app
keeps writing; on PostgreSQL it is a `pg_dump --format=custom` archive. Either is written
beside its final name and renamed only once checked, so a failed backup never leaves a half
file where a whole one is expected.

Restoring refuses anything that is not a backup of rollout this version can read, keeps a copy
of the database it replaces, and writes into the live database, so the app's running
processes read the restored data without a restart. A backup holds the database only: the
instance folder's `secret_key` is not in it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel

from rollout.auth.sessions import end_every_session

from rollout.db import (
    SQLITE_BUSY_TIMEOUT_MS,
    alembic_config,
    head_revision,
    make_engine,
    upgrade,
)

MAIN_TABLES = (
    ("programmes", "programme"),
    ("schools", "school"),
    ("milestones", "milestone"),
    ("usage records", "usagerecord"),
    ("users", "user_account"),
    ("audit events", "auditevent"),
)
FILE_SIGNATURES = {b"SQLite format 3\x00": "SQLite", b"PGDMP": "PostgreSQL"}
LIBPQ_VARIABLES = {
    "host": "PGHOST", "hostaddr": "PGHOSTADDR", "port": "PGPORT", "passfile": "PGPASSFILE", "service": "PGSERVICE",
    "options": "PGOPTIONS", "application_name": "PGAPPNAME", "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL", "gssencmode": "PGGSSENCMODE", "channel_binding": "PGCHANNELBINDING",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """A backup or a restore refused or failed: the message says why, and what to do."""


@dataclass(frozen=True)
class BackupReport:
    """What a backup file holds: enough to tell at a glance that it is the one expected."""

    path: Path
    size: int
    revision: str
    counts: dict[str, int]

    def summary(self) -> str:
        return f"backup written to {self.path} ({_size(self.size)}, revision {self.revision}): {_listing(self.counts)}"


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did, and where the database it replaced was kept."""

    path: Path
    revision: str
    upgraded_to: str | None
    kept: Path | None
    counts: dict[str, int]

    def summary(self) -> str:
        upgraded = f", upgraded to {self.upgraded_to}" if self.upgraded_to else ""
        kept = f"the database as it was is kept in {self.kept}" if self.kept else "there was no database before it"
        return f"restored {self.path} (revision {self.revision}{upgraded}): {_listing(self.counts)}\n{kept}"


def backup(engine_or_url: sa.Engine | str, path: str | os.PathLike[str]) -> BackupReport:
    """Write a backup of the database to `path`, replacing what is there only with a checked one."""
    path = Path(path)
    with _engine(engine_or_url) as engine, _replacing(path) as partial:
        revision, counts = _store(engine).write_backup(partial)
    return BackupReport(path=path, size=path.stat().st_size, revision=revision, counts=counts)


def check_backup(engine_or_url: sa.Engine | str, path: str | os.PathLike[str]) -> str:
    """The migration revision of the backup at `path`, if this database can be restored from it.

    Called before anything is changed (and before asking whether to replace data), so that a
    wrong file is refused with its reason and nothing else happens.
    """
    with _engine(engine_or_url) as engine:
        return _checked(_store(engine), Path(path))


def restore(engine_or_url: sa.Engine | str, path: str | os.PathLike[str], *, keep_in: str | os.PathLike[str]) -> RestoreReport:
    """Replace the database with the backup at `path`, keeping a copy of it first in `keep_in`.

    A backup from an older revision is upgraded to this code's schema at once, since the app
    that reads it expects that schema.
    """
    path, keep_in = Path(path), Path(keep_in)
    with _engine(engine_or_url) as engine:
        store = _store(engine)
        revision = _checked(store, path)
        keep_in.mkdir(parents=True, exist_ok=True)
        kept = store.keep_copy(_unused_name(keep_in, f"{store.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"))
        store.load(path)
        upgraded_to = None
        if revision != head_revision():
            upgrade(engine)
            upgraded_to = head_revision()
        _end_restored_sessions(engine)
        with engine.connect() as connection:
            counts = _counts(connection)
    return RestoreReport(path=path, revision=revision, upgraded_to=upgraded_to, kept=kept, counts=counts)


def _end_restored_sessions(engine: sa.Engine) -> None:
    """End every browser session the backup holds: a session signed out, or of a password
    changed, after the backup was taken would otherwise come back to life with it."""
    with Session(engine) as db:
        end_every_session(db, reason="restore")
        db.commit()


def holds_data(engine: sa.Engine) -> bool:
    """Whether any of rollout's tables has a row: then a restore would replace what people entered."""
    with engine.connect() as connection:
        present = set(sa.inspect(connection).get_table_names()) & set(SQLModel.metadata.tables)
        return any(connection.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first() for name in present)


@contextmanager
def _engine(engine_or_url: sa.Engine | str) -> Iterator[sa.Engine]:
    """The engine given, or one made for the URL given and disposed of afterwards."""
    if isinstance(engine_or_url, sa.Engine):
        yield engine_or_url
        return
    engine = make_engine(engine_or_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _store(engine: sa.Engine) -> SQLiteStore | PostgreSQLStore:
    return SQLiteStore(engine) if engine.dialect.name == "sqlite" else PostgreSQLStore(engine)


def _checked(store: SQLiteStore | PostgreSQLStore, path: Path) -> str:
    """The backup's revision once it is known to be one `store` can restore; else BackupError."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    with path.open("rb") as handle:
        start = handle.read(16)
    kind = next((kind for signature, kind in FILE_SIGNATURES.items() if start.startswith(signature)), None)
    if kind is None:
        raise BackupError(f"{path} is not a rollout backup: neither a SQLite database nor a pg_dump archive")
    if kind != store.kind:
        raise BackupError(f"{path} is a {kind} backup but the database is {store.kind}: restore it where DATABASE_URL names a {kind} database")
    revision = store.revision_of(path)
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"{path} is at migration revision {revision}, which this version of rollout does not have: "
            "restore it with the version that wrote it, or a newer one"
        )
    return revision


def _unused_name(folder: Path, name: str) -> Path:
    """`folder / name`, numbered if taken: two restores in one second keep both copies, and the
    copy being restored from is never the one overwritten."""
    candidates = itertools.chain([name], (f"{name}-{number}" for number in itertools.count(2)))
    return next(folder / candidate for candidate in candidates if not (folder / candidate).exists())


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` (mode 600: a backup holds password hashes), renamed to
    `path` if the block succeeds and removed if it fails: `path` is a whole backup or untouched."""
    if not path.parent.is_dir():
        raise BackupError(f"no folder {path.parent}: create it first")
    if path.is_dir():
        raise BackupError(f"{path} is a folder: name the backup file")
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(descriptor)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _revision(connection: sa.Connection, label: str) -> str:
    """The migration revision a database is at; a database without one is not rollout's."""
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None:
        raise BackupError(f"{label} has no migration revision (no alembic_version row): it is not a rollout database")
    return revision


def _counts(connection: sa.Connection) -> dict[str, int]:
    """Rows of the tables people look for first, among those the database has at its revision."""
    present = set(sa.inspect(connection).get_table_names())
    return {
        label: connection.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar_one()
        for label, table in MAIN_TABLES
        if table in present
    }


def _listing(counts: dict[str, int]) -> str:
    return ", ".join(f"{label} {count}" for label, count in counts.items())


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    scaled = float(size)
    for unit in ("kB", "MB", "GB"):
        scaled /= 1000
        if scaled < 1000 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"


class SQLiteStore:
    """The SQLite file the app uses. Copies go through SQLite's online backup API, in one step:
    one read transaction, so a copy is the database as one commit left it while the app keeps
    writing (WAL lets writers go on), and restored pages land in the live file through
    SQLite's own locking, so the app's open connections read them at their next transaction."""

    kind = "SQLite"

    def __init__(self, engine: sa.Engine) -> None:
        database = engine.url.database
        if not database or database == ":memory:":
            raise BackupError("the database is in memory: there is no file to back up or restore")
        self.file = Path(database)
        self.name = self.file.name

    def write_backup(self, target: Path) -> tuple[str, dict[str, int]]:
        """Copy the database to `target` and check the copy: its integrity and its revision."""
        if not self.file.is_file():
            raise BackupError(f"no database at {self.file}")
        _sqlite_copy(self.file, target)
        return self._inspect(target, label="the database")

    def revision_of(self, path: Path) -> str:
        return self._inspect(path, label=str(path))[0]

    def keep_copy(self, target: Path) -> Path | None:
        """Copy the live database to `target` unchecked: the database being replaced may be the
        damaged one, and its copy is kept all the same."""
        if not self.file.is_file():
            return None
        with _replacing(target) as partial:
            _sqlite_copy(self.file, partial)
        return target

    def load(self, path: Path) -> None:
        try:
            with closing(_read_only(path)) as source, closing(_writable(self.file)) as live:
                source.backup(live)
        except sqlite3.Error as error:
            raise BackupError(f"the restore failed and changed nothing: {error}") from None

    @staticmethod
    def _inspect(path: Path, *, label: str) -> tuple[str, dict[str, int]]:
        """Revision and row counts of a SQLite file that passes SQLite's integrity check."""
        engine = sa.create_engine("sqlite://", creator=lambda: _read_only(path), poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                problems = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
                if problems != ["ok"]:
                    raise BackupError(f"{label} fails SQLite's integrity check: {problems[0]}")
                return _revision(connection, label), _counts(connection)
        except sa.exc.DBAPIError as error:
            raise BackupError(f"{label} is damaged: {error.orig}") from None
        finally:
            engine.dispose()


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with the backup API; the copy is one self-contained file (no WAL)."""
    try:
        with closing(_writable(source)) as reader, closing(_writable(target)) as writer:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy {source}: {error}") from None


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _writable(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)


class PostgreSQLStore:
    """The PostgreSQL database the app uses, reached by the client tools (pg_dump, pg_restore,
    psql) with the app's connection handed over in libpq's environment variables: a password
    on a command line would show in `ps`."""

    kind = "PostgreSQL"

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.environment = _libpq_environment(engine.url)
        self.name = f"{engine.url.database}.pgdump"

    def write_backup(self, target: Path) -> tuple[str, dict[str, int]]:
        """Dump to `target` from a snapshot exported by a read-only transaction, so the revision
        and counts reported are those of the archive; then read the archive back whole."""
        self._require_pg_dump()
        repeatable = self.engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with repeatable as connection, connection.begin():
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            revision, counts = _revision(connection, "the database"), _counts(connection)
            self._run("pg_dump", "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}")
        self._read_whole(target)
        return revision, counts

    def revision_of(self, path: Path) -> str:
        """The revision stored in an archive that reads back whole, read without a database;
        also checks that the tools a restore needs are installed, before anything is changed."""
        self._require_pg_dump()
        _require("pg_restore", "psql")
        self._read_whole(path)
        script = self._run("pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path))
        match = re.search(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.+)\n", script, re.MULTILINE)
        if match is None:
            raise BackupError(f"{path} has no migration revision (no alembic_version row): it is not a rollout database")
        return match.group(1)

    def keep_copy(self, target: Path) -> Path:
        with _replacing(target) as partial:
            self._run("pg_dump", "--format=custom", "--no-password", f"--file={partial}")
        return target

    def load(self, path: Path) -> None:
        """Replace rollout's tables with the archive's in one transaction: a failure changes nothing.

        `pg_restore --clean` alone drops only what the archive holds, so restoring a backup taken
        before an upgrade fails on what the upgrade added (a table referring to an older one);
        psql runs the drop of every rollout table and the archive's script as one transaction.
        """
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "restore.sql"
            self._run("pg_restore", "--clean", "--if-exists", "--no-owner", f"--file={script}", str(path))
            self._run(
                "psql", "--no-psqlrc", "--no-password", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
                *self._drop_rollout_tables(), f"--file={script}",
            )

    def _read_whole(self, path: Path) -> None:
        """Read every block of an archive, as a restore would: a cut or damaged one fails here."""
        self._run("pg_restore", f"--file={os.devnull}", str(path))

    def _drop_rollout_tables(self) -> list[str]:
        """psql's command dropping rollout's tables (those the code knows, and alembic_version)."""
        with self.engine.connect() as connection:
            inspector = sa.inspect(connection)
            schema, quote = inspector.default_schema_name, connection.dialect.identifier_preparer.quote
            names = sorted(set(inspector.get_table_names()) & {*SQLModel.metadata.tables, "alembic_version"})
        if not names:
            return []
        return [f"--command=DROP TABLE IF EXISTS {', '.join(f'{quote(schema)}.{quote(name)}' for name in names)} CASCADE"]

    def _require_pg_dump(self) -> None:
        """pg_dump refuses a server newer than itself: say which client tools to install."""
        with self.engine.connect() as connection:
            server = connection.dialect.server_version_info[0]
        _require("pg_dump", server=server)
        version = self._run("pg_dump", "--version")
        match = re.search(r"\) (\d+)", version)
        if match is None:
            raise BackupError(f"cannot tell pg_dump's version from {version.strip()!r}")
        client = int(match.group(1))
        if client < server:
            raise BackupError(f"pg_dump {client} cannot dump a PostgreSQL {server} server: install the PostgreSQL {server} client tools (Debian: postgresql-client-{server})")

    def _run(self, tool: str, *arguments: str) -> str:
        completed = subprocess.run([tool, *arguments], check=False, env=self.environment, capture_output=True, text=True, errors="replace")
        if completed.returncode != 0:
            raise BackupError(f"{tool} failed: {' '.join(completed.stderr.split())}")
        return completed.stdout


def _require(*tools: str, server: int | None = None) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            package = f"postgresql-client-{server}" if server else "postgresql-client"
            raise BackupError(f"{tool} is not installed: install the PostgreSQL client tools (Debian: {package})")


def _libpq_environment(url: sa.URL) -> dict[str, str]:
    """The environment with the URL's connection in libpq's variables, over any inherited ones
    (which psycopg reads too, so the tools reach the very database the app uses)."""
    environment = dict(os.environ)
    for key, value in url.query.items():
        if key not in LIBPQ_VARIABLES:
            raise BackupError(f"the database URL's parameter {key!r} cannot be handed to the PostgreSQL tools")
        environment[LIBPQ_VARIABLES[key]] = value if isinstance(value, str) else value[-1]
    parts = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database}
    environment.update({variable: str(value) for variable, value in parts.items() if value is not None})
    return environment
