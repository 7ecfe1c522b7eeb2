"""Backups and restores: nothing lost in a round trip, consistent while the app writes, wrong
files refused with nothing changed, on SQLite and PostgreSQL, and through the command line."""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlmodel import Session, SQLModel, select

import rollout.backup
from rollout.backup import BackupError, backup, restore
from rollout.cli import main
from rollout.db import current_revision, head_revision, make_engine, upgrade
from rollout.models import (
    ApiToken,
    AuditEvent,
    District,
    ImportBatch,
    LoginAttempt,
    Milestone,
    PixCertification,
    Plan,
    SavedPreview,
    School,
    ServiceCategory,
    Trainer,
    TrainerCapacity,
    UsageRecord,
    User,
    Wave,
    utcnow,
)

FILLED_TABLES = {
    "district", "programme", "basin", "wave", "school", "trainer", "trainerbasin", "trainercapacity", "user_account",
    "userdistrict", "apitoken", "loginattempt", "milestone", "pixcertification", "usagerecord", "servicecategory",
    "importbatch", "savedpreview", "plan", "auditevent", "alembic_version",
}


def _fill(engine: sa.Engine, world) -> None:
    """Rows in the tables the `world` fixture leaves empty: progress, usage, plans, imports,
    audit, tokens and sign-ins, with accents, JSON, dates and nulls."""
    manager = world.user_ids["project_manager"]
    with Session(engine) as session:
        schools = session.exec(select(School).where(School.programme_id == world.programme_id).order_by(School.id)).all()
        trainer = session.exec(select(Trainer).where(Trainer.programme_id == world.programme_id)).first()
        wave = session.exec(select(Wave).where(Wave.programme_id == world.programme_id)).first()
        batch = ImportBatch(programme_id=world.programme_id, kind="usage", source="statistiques-2016.csv", user_id=manager, rows_new=2)
        session.add(batch)
        session.flush()
        session.add_all([
            Milestone(school_id=schools[0].id, kind="school_live", status="done", actual_on=date(2016, 1, 4), note="« Mise en service » réussie"),
            Milestone(school_id=schools[1].id, kind="teachers_trained", status="in_progress", count=12, planned_on=date(2016, 2, 1)),
            PixCertification(school_id=schools[0].id, level="initie", certified=4),
            TrainerCapacity(trainer_id=trainer.id, wave_id=wave.id, capacity=0),
            ServiceCategory(programme_id=world.programme_id, label_key="cahier de textes", label="Cahier de textes", category="pedagogy"),
            SavedPreview(programme_id=world.programme_id, user_id=manager, kind="usage", filename="stats.csv",
                         rows=[{"uai": schools[0].uai, "visits": 3}], summary={"new": 1}, expires_at=utcnow() + timedelta(hours=1)),
            Plan(programme_id=world.programme_id, name="Scénario A", status="optimal", scenario={"format": "rollout-scenario/1"},
                 result={"assignments": [{"uai": schools[0].uai, "wave": "W1"}]}, objective=12.5, bound=12.5, is_baseline=True,
                 created_by_id=manager),
            ApiToken(user_id=manager, name="tableur", token_hash="a" * 64, prefix="rlt_aaaa", expires_at=utcnow() + timedelta(days=30)),
            LoginAttempt(email="projet@test.invalid", ip="203.0.113.7", succeeded=True),
            AuditEvent(actor="projet@test.invalid", channel="form", user_id=manager, district_id=world.district_id,
                       entity="school", entity_id=schools[0].uai, action="update", changes={"pupils": [500, 510]}),
        ])
        session.add_all(
            UsageRecord(school_id=school.id, period_start=date(2016, 1, 4), period="week", service="Cahier de textes",
                        profile="Enseignant", audience="teacher", visits=120, visitors=30, page_views=None, import_batch_id=batch.id)
            for school in schools[:2]
        )
        session.commit()


def _contents(engine: sa.Engine) -> dict[str, Any]:
    """Every row of every table the database has (reflected, so tables the models no longer
    declare count too), and where each id sequence stands: ids must not be handed out twice."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        contents: dict[str, Any] = {
            name: [tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns or table.columns))]
            for name, table in metadata.tables.items()
        }
        if engine.dialect.name == "sqlite":
            contents["(ids)"] = connection.exec_driver_sql("SELECT name, seq FROM sqlite_sequence ORDER BY name").all()
        else:
            contents["(ids)"] = connection.exec_driver_sql(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1"
            ).all()
    return contents


def _change_everything(engine: sa.Engine, world) -> None:
    """What happens after a backup: edits, a school deleted with its progress and usage, a new
    district and account, a token revoked."""
    with Session(engine) as session:
        schools = session.exec(select(School).where(School.programme_id == world.programme_id).order_by(School.id)).all()
        schools[1].name = "Collège renommé"
        session.delete(schools[0])
        session.add(District(code="095", name="Val-d'Oise"))
        session.add(User(email="nouveau@test.invalid", password_hash="x", role="admin"))
        token = session.exec(select(ApiToken)).one()
        token.revoked_at = utcnow()
        session.commit()


def test_round_trip_loses_nothing(engine: sa.Engine, world, tmp_path: Path) -> None:
    _fill(engine, world)
    at_backup = _contents(engine)
    assert {name for name, rows in at_backup.items() if rows} >= FILLED_TABLES

    report = backup(engine, tmp_path / "rollout.backup")
    assert report.revision == head_revision()
    assert (tmp_path / "rollout.backup").stat().st_mode & 0o777 == 0o600, "it holds password hashes"
    assert report.counts == {"programmes": 2, "schools": 7, "milestones": 2, "usage records": 2, "users": 5, "audit events": 1}
    _change_everything(engine, world)
    changed = _contents(engine)
    assert changed != at_backup

    restored = restore(engine, tmp_path / "rollout.backup", keep_in=tmp_path / "instance")
    # The engine was open (connections in its pool) before the restore: it reads the restored rows.
    assert _contents(engine) == at_backup
    assert restored.kept is not None and restored.kept.parent == tmp_path / "instance"
    assert restored.upgraded_to is None and restored.counts == report.counts

    restore(engine, restored.kept, keep_in=tmp_path / "instance")
    assert _contents(engine) == changed


def test_a_running_app_reads_the_restored_rows_without_a_restart(engine: sa.Engine, tmp_path: Path) -> None:
    """A web worker's connection stays open across the restore, its query already prepared by
    the driver (psycopg prepares a statement run five times): its next transaction reads the
    restored rows."""
    with engine.begin() as connection:
        connection.execute(sa.insert(District.__table__), [{"code": "093", "name": "Seine-Saint-Denis"}])
    backup(engine, tmp_path / "rollout.backup")
    with engine.begin() as connection:
        connection.execute(sa.update(District.__table__).values(name="Renommé"))
        connection.execute(sa.insert(District.__table__), [{"code": "094", "name": "Val-de-Marne"}])

    query = sa.select(District.code, District.name).order_by(District.code)
    with engine.connect() as worker:
        for _ in range(6):
            assert worker.execute(query).all() == [("093", "Renommé"), ("094", "Val-de-Marne")]
            worker.rollback()
        restore(engine, tmp_path / "rollout.backup", keep_in=tmp_path / "instance")
        assert worker.execute(query).all() == [("093", "Seine-Saint-Denis")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_while_the_app_writes_is_one_committed_state(engine: sa.Engine, tmp_path: Path) -> None:
    """A writer commits ten audit events per transaction while backups are taken: each backup
    passes the integrity check and holds a whole number of those transactions."""
    batch = [{"actor": "writer@test.invalid", "channel": "system", "entity": "test", "entity_id": str(i), "action": "create",
              "changes": {}, "at": utcnow()} for i in range(10)]
    stop = threading.Event()
    writer_engine = make_engine(engine.url.render_as_string(hide_password=False))

    def write() -> None:
        while not stop.is_set():
            with writer_engine.begin() as connection:
                connection.execute(sa.insert(AuditEvent.__table__), batch)

    def events() -> int:
        with engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while events() < 100:
            time.sleep(0.01)
        counts = [backup(engine, tmp_path / f"live-{i}.sqlite3").counts["audit events"] for i in range(5)]
        written_during = events()
    finally:
        stop.set()
        writer.join()
        writer_engine.dispose()
    assert all(count % 10 == 0 and count >= 100 for count in counts), counts
    assert written_during > counts[0], "the writer went on while backups were taken"
    for i, count in enumerate(counts):
        copy = make_engine(f"sqlite:///{tmp_path / f'live-{i}.sqlite3'}")
        with copy.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert connection.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one() == count
        copy.dispose()


def test_a_failed_backup_leaves_no_file(sqlite_url: str, tmp_path: Path) -> None:
    """A database that is not rollout's (no migration revision) is not backed up, and nothing
    is left where the backup was to go."""
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (body TEXT)")
    target = tmp_path / "backups"
    target.mkdir()
    with pytest.raises(BackupError, match="has no migration revision"):
        backup(engine, target / "rollout.sqlite3")
    engine.dispose()
    assert list(target.iterdir()) == []


def _future_revision(engine: sa.Engine, path: Path) -> None:
    """A backup made by a newer rollout: a revision this code does not have."""
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    try:
        backup(engine, path)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head_revision()}'")


def _foreign_database(engine: sa.Engine, path: Path) -> None:
    """A database that is not rollout's: no alembic_version."""
    if engine.dialect.name == "sqlite":
        _sqlite_with_notes(path)
    else:
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_dump", "--format=custom", "--exclude-table=alembic_version", f"--file={path}", f"--dbname={url}"], check=True)


def _damaged_backup(engine: sa.Engine, path: Path) -> None:
    """A backup whose middle was overwritten (SQLite), or cut in half (PostgreSQL)."""
    backup(engine, path)
    data = bytearray(path.read_bytes())
    if engine.dialect.name == "sqlite":
        data[2 * 4096:len(data) // 2] = b"\xff" * (len(data) // 2 - 2 * 4096)
    else:
        del data[len(data) // 2:]
    path.write_bytes(bytes(data))


def _other_engine(engine: sa.Engine, path: Path) -> None:
    """A backup of the other engine."""
    if engine.dialect.name == "sqlite":
        path.write_bytes(b"PGDMP" + b"\x00" * 100)
    else:
        _sqlite_with_notes(path)


def _sqlite_with_notes(path: Path) -> None:
    other = make_engine(f"sqlite:///{path}")
    with other.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (body TEXT)")
        connection.exec_driver_sql("INSERT INTO notes VALUES ('not rollout')")
    other.dispose()


REFUSED = {
    "garbage": (lambda engine, path: path.write_bytes(b"not a database\n" * 100), "is not a rollout backup"),
    "empty": (lambda engine, path: path.write_bytes(b""), "is not a rollout backup"),
    "another application's database": (_foreign_database, "has no migration revision"),
    "damaged": (_damaged_backup, "integrity check|is damaged|pg_restore failed"),
    "from a newer rollout": (_future_revision, "this version of rollout does not have"),
    "of the other engine": (_other_engine, "backup but the database is"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_is_not_a_rollout_backup_is_refused_and_nothing_changes(engine: sa.Engine, world, tmp_path: Path, case: str) -> None:
    make, message = REFUSED[case]
    path = tmp_path / "offered"
    make(engine, path)
    before = _contents(engine)
    with pytest.raises(BackupError, match=message):
        restore(engine, path, keep_in=tmp_path / "instance")
    assert _contents(engine) == before
    assert not (tmp_path / "instance").exists(), "nothing was copied or changed"


def test_a_backup_from_before_an_upgrade_is_restored_then_upgraded(database_url: str, tmp_path: Path) -> None:
    """The usual restore after a failed deployment: the backup predates migrations that added
    tables referring to older ones (0005's savedpreview refers to user_account)."""
    engine = make_engine(database_url)
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(sa.insert(District.__table__), [{"code": "093", "name": "Seine-Saint-Denis"}])
    backup(engine, tmp_path / "before-upgrade.backup")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(District.__table__), [{"code": "094", "name": "Val-de-Marne"}])

    report = restore(engine, tmp_path / "before-upgrade.backup", keep_in=tmp_path / "instance")
    assert (report.revision, report.upgraded_to) == ("0004", head_revision())
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.execute(sa.select(District.code)).scalars().all() == ["093"]
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_password_never_reaches_a_command_line(engine: sa.Engine, tmp_path: Path, monkeypatch) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []
    run = subprocess.run

    def spy(arguments: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
        calls.append((arguments, options["env"]))
        return run(arguments, **options)

    monkeypatch.setattr(rollout.backup.subprocess, "run", spy)
    backup(engine, tmp_path / "rollout.pgdump")
    restore(engine, tmp_path / "rollout.pgdump", keep_in=tmp_path / "instance")
    password = engine.url.password
    assert {arguments[0] for arguments, _ in calls} == {"pg_dump", "pg_restore", "psql"}
    assert all(password not in argument for arguments, _ in calls for argument in arguments)
    assert all(environment["PGPASSWORD"] == password for _, environment in calls)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(("pg_dump", "message"), [
    (None, "pg_dump is not installed: install the PostgreSQL client tools"),
    ('echo "pg_dump (PostgreSQL) 9.6.24"', r"pg_dump 9 cannot dump a PostgreSQL \d+ server: install the PostgreSQL \d+ client tools"),
])
def test_pg_dump_missing_or_too_old_is_said(engine: sa.Engine, tmp_path: Path, monkeypatch, pg_dump: str | None, message: str) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    if pg_dump:
        (tools / "pg_dump").write_text(f"#!/bin/sh\n{pg_dump}\n")
        (tools / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    with pytest.raises(BackupError, match=message):
        backup(engine, tmp_path / "rollout.pgdump")
    assert [path.name for path in tmp_path.iterdir()] == ["bin"]


@pytest.fixture
def rollout_cli(database_url: str, tmp_path: Path, monkeypatch):
    """Run `rollout …` against a fresh, migrated database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(main, list(args))

    assert run("db", "upgrade").exit_code == 0
    return run


def _district_codes(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        codes = connection.execute(sa.select(District.code).order_by(District.code)).scalars().all()
    engine.dispose()
    return codes


def test_cli_backs_up_and_restores_only_when_told(rollout_cli, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "rollout.backup"
    assert rollout_cli("districts", "create", "093", "Seine-Saint-Denis").exit_code == 0
    result = rollout_cli("db", "backup", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"backup written to {path} (") and "programmes 0" in result.output
    assert rollout_cli("districts", "create", "094", "Val-de-Marne").exit_code == 0

    refused = rollout_cli("db", "restore", str(path))
    assert refused.exit_code == 1 and "Error: the database holds data: add --force" in refused.output
    assert _district_codes(database_url) == ["093", "094"]

    result = rollout_cli("db", "restore", str(path), "--force")
    assert result.exit_code == 0, result.output
    assert f"restored {path} (revision {head_revision()})" in result.output
    assert f"the database as it was is kept in {tmp_path / 'instance'}" in result.output
    assert _district_codes(database_url) == ["093"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("args", "message"), [
    (("db", "restore", "missing.backup", "--force"), "no backup file at missing.backup"),
    (("db", "restore", "garbage.backup", "--force"), "garbage.backup is not a rollout backup"),
    (("db", "backup", "no-such-folder/rollout.backup"), "no folder no-such-folder: create it first"),
])
def test_cli_errors_are_one_line(rollout_cli, tmp_path: Path, monkeypatch, args: tuple[str, ...], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.backup").write_bytes(b"garbage")
    result = rollout_cli(*args)
    assert result.exit_code == 1 and result.output.strip().splitlines()[-1].startswith(f"Error: {message}"), result.output
    assert not (tmp_path / "instance").exists() or not list((tmp_path / "instance").glob("*before-restore*"))


def test_a_session_ended_after_the_backup_does_not_come_back_with_it(app, engine: sa.Engine, world, login, csrf, tmp_path: Path) -> None:
    """Restoring brings back the session records as they were at backup time: one signed out
    since (a cookie someone may have copied) would be accepted again. Every session ends at a
    restore instead, and people sign in again."""
    client = app.test_client()
    login(client, "district_leader")
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    backup(engine, tmp_path / "rollout.backup")
    assert client.post("/logout", data={"csrf_token": csrf(client, "/account")}).status_code == 302

    restore(engine, tmp_path / "rollout.backup", keep_in=tmp_path / "instance")

    refused = stolen.get("/account")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("answer", "replaced"), [("n", False), ("y", True)])
def test_at_a_terminal_restore_asks_before_replacing_data(rollout_cli, database_url: str, tmp_path: Path,
                                                          answer: str, replaced: bool) -> None:
    """At a real terminal (a pseudo-terminal here, which CliRunner cannot give) the question is
    asked, and only "y" replaces the data."""
    import os
    import pty
    import select
    import sys

    path = tmp_path / "rollout.backup"
    assert rollout_cli("districts", "create", "093", "Seine-Saint-Denis").exit_code == 0
    assert rollout_cli("db", "backup", str(path)).exit_code == 0
    assert rollout_cli("districts", "create", "094", "Val-de-Marne").exit_code == 0
    controller, terminal = pty.openpty()
    env = {**os.environ, "DATABASE_URL": database_url, "ROLLOUT_INSTANCE_PATH": str(tmp_path / "instance")}
    process = subprocess.Popen([sys.executable, "-m", "rollout", "db", "restore", str(path)], stdin=terminal,
                               stdout=terminal, stderr=terminal, env=env, cwd=tmp_path)
    os.close(terminal)
    seen = b""
    try:
        while b"Replace it with" not in seen:
            ready, _, _ = select.select([controller], [], [], 60)
            assert ready, f"no question asked: {seen!r}"
            seen += os.read(controller, 4096)
        os.write(controller, f"{answer}\n".encode())
        assert process.wait(timeout=60) == (0 if replaced else 1)
    finally:
        process.kill()
        os.close(controller)
    assert _district_codes(database_url) == (["093"] if replaced else ["093", "094"])
