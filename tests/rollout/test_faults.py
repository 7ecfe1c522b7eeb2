"""A gunicorn worker killed (SIGKILL) while it writes an import: the database holds all of the
import or none of it, the master starts a new worker, and the same import sent again succeeds.

Real components only: gunicorn started from the Procfile's line, the real database (SQLite file
or PostgreSQL server), the real API. The kill happens only once the worker is seen writing
(`live_server.writing_probe`), polled with a deadline, never guessed with a sleep.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from live_server import (
    Background,
    LiveServer,
    call,
    live_server,
    wait_until,
    writing_probe,
)
from sqlmodel import Session, func, select

from rollout.colleges.national_file import public_colleges
from rollout.models import AuditEvent, ImportBatch, Milestone, School, UsageRecord
from rollout.models.progress import MILESTONE_ENTITY
from rollout.tracking.vocabulary import MILESTONE_LABELS

USAGE_ROWS = 100_000  # applied in about two seconds: time to see the worker writing, and to kill it
PROGRESS_SCHOOLS = 200  # added to the world's six; the file has a row per school and milestone
NOTE = "Compte rendu de la réunion de lancement. " * 25  # 1,000 characters: the transaction outgrows
# SQLite's page cache, so its pages reach the WAL file before it commits (what the probe sees)
SERVICES = ("Notes", "Cahier de textes", "Messagerie", "Ressources", "Vie scolaire", "Agenda", "Blog", "Casier",
            "Espaces de travail", "Actualités")
PROFILES = ("National_ELV", "National_ENS", "National_TUT", "National_DIR", "National_EVS", "National_DOC",
            "National_ACA", "National_COL", "National_ETA")


def usage_file(uais: list[str], rows: int, *, visits: int = 12) -> bytes:
    """`rows` distinct usage rows: every school, service and profile, day after day from 2016."""
    lines = ["date,uai,service,profile,visits,visitors"]
    day = date(2016, 1, 1)
    while len(lines) <= rows:
        lines += [f"{day.isoformat()},{uai},{service},{profile},{visits},3" for uai in uais for service in SERVICES
                  for profile in PROFILES]
        day += timedelta(days=1)
    return ("\n".join(lines[: rows + 1]) + "\n").encode()


def progress_file(uais: list[str]) -> bytes:
    """A row per school and milestone, each "en cours" with a note: every milestone created."""
    lines = ["uai;jalon;statut;note", *(f"{uai};{label};en cours;{NOTE}" for uai in uais for label in MILESTONE_LABELS.values())]
    return ("\n".join(lines) + "\n").encode()


def count(engine: sa.Engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def kill_while_writing(server: LiveServer, engine: sa.Engine, upload: Background, table: str) -> None:
    """Start `upload`, SIGKILL the worker once it is seen writing, and wait for a new worker."""
    [worker] = server.workers()
    writing = writing_probe(engine, table)
    upload.start()
    wait_until(writing, timeout=60, what=f"the worker writing {table}")
    server.kill_worker(worker)
    upload.join(timeout=30)
    assert upload.answer is not None and upload.answer[0] is None, upload.answer  # killed before answering
    wait_until(lambda: len(server.workers()) == 1 and server.answers(), timeout=30, what="a new worker serving")


def test_a_usage_import_killed_mid_write_leaves_nothing_and_succeeds_when_sent_again(
    engine, world, token, tmp_path, monkeypatch
) -> None:
    # SQLite's default page cache (the import's 64 MiB would hold the whole write until it
    # commits): its pages then reach the WAL file mid-write, which is what the probe sees.
    monkeypatch.setenv("ROLLOUT_SQLITE_IMPORT_CACHE_MB", "2")
    # Read and written in the request, whose gunicorn worker this test kills: the file (about 6
    # MiB) is above the size the API hands to `rollout worker` (test_api_queued_imports.py).
    monkeypatch.setenv("ROLLOUT_QUEUE_IMPORT_BYTES", str(2**30))
    headers = token("project_manager")
    upload = ("usage.csv", usage_file(world.uais, USAGE_ROWS))
    with live_server(tmp_path, engine.url.render_as_string(hide_password=False)) as server:
        url = f"{server.url}/api/v1/usage/imports"
        kill_while_writing(server, engine, Background(lambda: call("POST", url, headers=headers, upload=upload)),
                           "usagerecord")
        assert count(engine, UsageRecord) == 0
        assert count(engine, ImportBatch) == 0
        assert count(engine, AuditEvent, AuditEvent.entity == "import_batch") == 0

        status, body = call("POST", url, headers=headers, upload=upload)
        assert status == 201, body
        assert count(engine, UsageRecord) == USAGE_ROWS
        assert count(engine, ImportBatch) == 1
        assert count(engine, AuditEvent, AuditEvent.entity == "import_batch") == 1


def more_schools(engine: sa.Engine, programme_id: int, how_many: int) -> list[str]:
    """Add real collèges of other departments to the programme, so that a progress file is long."""
    colleges = [college for college in public_colleges() if not college.uai.startswith("09")][:how_many]
    with Session(engine) as session:
        basin_id = session.exec(select(School.basin_id).where(School.programme_id == programme_id)).first()
        session.add_all(School(programme_id=programme_id, basin_id=basin_id, uai=college.uai, name=college.name,
                               commune=college.commune, pupils=college.pupils, teachers=40) for college in colleges)
        session.commit()
    return [college.uai for college in colleges]


def test_a_progress_import_killed_mid_write_changes_nothing_and_succeeds_when_sent_again(
    engine, world, token, tmp_path
) -> None:
    uais = world.uais + more_schools(engine, world.programme_id, PROGRESS_SCHOOLS)
    headers = token("project_manager")
    upload = ("avancement.csv", progress_file(uais))
    with live_server(tmp_path, engine.url.render_as_string(hide_password=False)) as server:
        url = f"{server.url}/api/v1/progress/imports"
        kill_while_writing(server, engine, Background(lambda: call("POST", url, headers=headers, upload=upload)),
                           "milestone")
        assert count(engine, Milestone) == 0
        assert count(engine, ImportBatch) == 0
        assert count(engine, AuditEvent, AuditEvent.entity == MILESTONE_ENTITY) == 0

        status, body = call("POST", url, headers=headers, upload=upload)
        assert status == 200, body
        assert count(engine, Milestone) == len(uais) * len(MILESTONE_LABELS)
        assert count(engine, ImportBatch) == 1
        assert count(engine, AuditEvent, AuditEvent.entity == MILESTONE_ENTITY) == len(uais) * len(MILESTONE_LABELS)
