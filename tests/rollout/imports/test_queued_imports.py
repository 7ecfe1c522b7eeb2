"""Uploads too large for a request, previewed and written by a real `rollout worker`: the page
follows them through progress.json, shows the preview a small file gets, keeps the outcome
after a reload, and answers only the person who sent the file."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from sqlmodel import Session, func, select

from rollout import queue
from rollout.imports import jobs
from rollout.imports.pipeline import PROGRESS_EVERY
from rollout.models import AuditEvent, ImportBatch, SavedPreview, UsageRecord
from tests.rollout.live_server import queue_worker, wait_until
from tests.rollout.queued_uploads import DAYS, THRESHOLD, queued_app, usage_file  # noqa: F401  (queued_app: a fixture)

WORKER_SECONDS = 60  # a deadline for the worker's start and its work, far above the seconds it takes


def _upload(client, csrf, world, data: bytes):
    path = f"/programmes/{world.programme_id}/usage/import"
    return client.post(path, data={"csrf_token": csrf(client, path), "file": (io.BytesIO(data), "annee.csv")},
                       content_type="multipart/form-data")


def _state(client, page: str) -> dict:
    response = client.get(f"{page}/progress.json")
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def _wait_for(client, page: str, status: str) -> dict:
    def reached():
        state = _state(client, page)
        assert state["status"] != "failed", state
        return state if state["status"] == status else None

    return wait_until(reached, timeout=WORKER_SECONDS, what=f"the import {status}", every=0.1)


def _main(html: str) -> str:
    """A page's content, without what differs between two previews of one file (ids, tokens)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'value="[^"]+"|/imports/\d+/', "", main)


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_large_upload_is_previewed_then_written_by_the_worker(client, app, engine, world, login, csrf, queued_app,
                                                                tmp_path) -> None:
    rows = len(world.uais) * DAYS * 2
    login(client, "project_manager")
    sent = _upload(client, csrf, world, usage_file(world))
    assert sent.status_code == 303
    page = sent.headers["Location"]
    assert re.fullmatch(rf"/programmes/{world.programme_id}/imports/\d+", page)
    waiting = client.get(page)
    assert waiting.status_code == 200
    assert '<progress id="import-progress"' in waiting.text and "en attente d'un calculateur" in html.unescape(waiting.text)
    assert 'src="/static/import_progress.js"' in waiting.text and "<script>" not in waiting.text
    assert _state(client, page) == {
        "status": "queued", "status_label": "en attente d'un calculateur", "running": True, "rows": 0, "to_write": 0,
        "written": None, "invalid_rows": 0, "failure": None}

    with queue_worker(tmp_path, engine.url.render_as_string(hide_password=False)):
        ready = _wait_for(client, page, "ready")
        assert (ready["rows"], ready["to_write"], ready["running"]) == (rows, rows, False)
        assert _count(engine, UsageRecord) == 0

        # The preview page is the one a small file gets: the same file previewed in a request
        # (by another person, whose preview does not replace this one) reads the same.
        preview = client.get(page)
        assert preview.status_code == 200 and f"Nouveaux : {rows}" in preview.text
        leader = app.test_client()
        login(leader, "district_leader")
        app.config["QUEUE_IMPORT_BYTES"] = 10**9
        in_request = _upload(leader, csrf, world, usage_file(world))
        app.config["QUEUE_IMPORT_BYTES"] = THRESHOLD
        assert in_request.status_code == 200
        assert _main(preview.text) == _main(in_request.text)

        confirmed = client.post(f"{page}/confirm", data={"csrf_token": csrf(client, page)})
        assert confirmed.status_code == 303 and confirmed.headers["Location"] == page
        written = _wait_for(client, page, "written")
    batch_id = written["written"]["batch"]
    assert written["written"] == {"batch": batch_id, "new": rows, "changed": 0, "unchanged": 0}
    assert "Traceback" not in (tmp_path / "worker.log").read_text(), (tmp_path / "worker.log").read_text()

    # What was written, and said, stays: a reload shows the batch, from the database.
    done = client.get(page)
    done_text = html.unescape(done.text)
    assert f"Import n° {batch_id} appliqué : {rows} nouveau(x), 0 modifié(s), 0 inchangé(s)." in done_text
    assert "<progress" not in done.text and "Confirmer" not in done.text
    assert _count(engine, UsageRecord) == rows
    with Session(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        assert (batch.kind, batch.rows_new, batch.user_id) == ("usage", rows, world.user_ids["project_manager"])
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "import_batch")).one()
        assert event.actor == "projet@test.invalid" and event.changes["via"] == [None, "form"]
        assert session.get(SavedPreview, int(page.rsplit("/", 1)[1])).rows == []  # the payload is not kept twice
    # Confirming again writes nothing more.
    assert client.post(f"{page}/confirm", data={"csrf_token": csrf(client, page)}).status_code == 409
    assert _count(engine, UsageRecord) == rows


def test_a_queued_file_with_invalid_rows_shows_them_after_a_reload(client, engine, world, login, csrf, queued_app,
                                                                    tmp_path) -> None:
    login(client, "district_leader")
    page = _upload(client, csrf, world, usage_file(world, bad_row=True)).headers["Location"]
    with queue_worker(tmp_path, engine.url.render_as_string(hide_password=False)):
        refused = _wait_for(client, page, "refused")
    assert refused["invalid_rows"] == 1 and not refused["running"]
    shown = html.unescape(client.get(page).text)
    assert "Lignes invalides : 1" in shown and "Confirmer" not in shown
    assert "<td>41</td>" in shown and world.other_uai in shown and "doit être ≥ 0" in shown
    assert client.post(f"{page}/confirm", data={"csrf_token": csrf(client, page)}).status_code == 409
    assert _count(engine, UsageRecord) == 0 and _count(engine, ImportBatch) == 0


def test_only_the_sender_follows_a_queued_import(client, app, world, login, csrf, queued_app) -> None:
    login(client, "project_manager")
    page = _upload(client, csrf, world, usage_file(world)).headers["Location"]
    for role, status in (("stakeholder", 403), ("other_leader", 404), ("district_leader", 404)):
        other = app.test_client()
        login(other, role)
        assert other.get(f"{page}/progress.json").status_code == status, role
        assert other.get(page).status_code == status, role
    other_programme = page.replace(f"/programmes/{world.programme_id}/", f"/programmes/{world.other_programme_id}/")
    assert client.get(f"{other_programme}/progress.json").status_code == 404
    assert client.post(f"{page}/cancel", data={}).status_code == 400  # no CSRF token


def test_a_worker_that_dies_leaves_the_import_failed(client, engine, world, login, csrf, queued_app) -> None:
    login(client, "project_manager")
    page = _upload(client, csrf, world, usage_file(world)).headers["Location"]
    saved_id = int(page.rsplit("/", 1)[1])
    with Session(engine) as session:  # a worker took it, then was killed: its heartbeat stops
        saved = session.get(SavedPreview, saved_id)
        jobs.update_job(saved, status="reading", rows=PROGRESS_EVERY)
        session.add(saved)
        session.commit()
    jobs.beat(saved_id)
    assert _state(client, page)["status"] == "reading"  # beating: alive
    queue.huey.put(jobs.heartbeat_key(saved_id), 0.0)  # its last beat, long ago
    state = _state(client, page)
    assert (state["status"], state["failure"], state["running"]) == ("failed", jobs.WORKER_DIED, False)
    assert "rien n'a été enregistré" in html.unescape(client.get(page).text)


def test_a_queue_that_cannot_be_reached_leaves_the_import_failed(client, world, login, csrf, queued_app,
                                                                 monkeypatch) -> None:
    from rollout.imports import tasks

    def unreachable(*args):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "preview_upload", unreachable)
    login(client, "project_manager")
    page = _upload(client, csrf, world, usage_file(world)).headers["Location"]
    state = _state(client, page)
    assert (state["status"], state["failure"]) == ("failed", jobs.QUEUE_DOWN)


def test_the_pipeline_counts_rows_every_so_often_and_at_the_end(engine, world, monkeypatch) -> None:
    from datetime import date

    from rollout.imports import pipeline
    from rollout.models import Programme
    from rollout.usage.table import UsageTable

    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 50)
    told: list[int] = []
    with Session(engine) as session:
        preview = pipeline.read_preview(session, importer=UsageTable(), programme=session.get(Programme, world.programme_id),
                                        data=usage_file(world), filename="annee.csv", today=date(2016, 6, 1),
                                        progress=told.append)
    assert told == [50, 100, 144] and preview.counts["new"] == 144


def test_a_file_the_worker_cannot_read_is_refused_with_its_problems(client, engine, world, login, csrf,
                                                                     queued_app) -> None:
    from rollout.imports.tasks import run_preview

    login(client, "project_manager")
    data = "Jour;Outil;Profil;Visites\r\n".encode() + b"01/03/2016;Notes;Enseignant;3\r\n" * 20
    page = _upload(client, csrf, world, data).headers["Location"]
    saved_id = int(page.rsplit("/", 1)[1])
    run_preview(engine, saved_id, data)  # the task's body, as the worker runs it
    state = _state(client, page)
    assert (state["status"], state["running"]) == ("refused", False)
    shown = html.unescape(client.get(page).text)
    assert "colonne obligatoire « uai » absente" in shown
    assert _count(engine, UsageRecord) == 0


def test_an_import_cancelled_before_the_worker_takes_it_is_never_read(client, engine, world, login, csrf,
                                                                       queued_app) -> None:
    from rollout.imports.tasks import run_preview

    login(client, "project_manager")
    data = usage_file(world)
    page = _upload(client, csrf, world, data).headers["Location"]
    cancelled = client.post(f"{page}/cancel", data={"csrf_token": csrf(client, page)})
    assert cancelled.status_code == 302
    run_preview(engine, int(page.rsplit("/", 1)[1]), data)
    assert client.get(page).status_code == 404
    assert _count(engine, SavedPreview) == 0


def test_a_queued_write_whose_rows_no_longer_apply_writes_nothing(client, engine, world, login, csrf,
                                                                 queued_app) -> None:
    from rollout.core.author import Author
    from rollout.imports.tasks import run_preview, run_write
    from rollout.models import School

    login(client, "project_manager")
    data = usage_file(world)
    page = _upload(client, csrf, world, data).headers["Location"]
    saved_id = int(page.rsplit("/", 1)[1])
    run_preview(engine, saved_id, data)  # the tasks' bodies, as the worker runs them
    assert client.post(f"{page}/confirm", data={"csrf_token": csrf(client, page)}).status_code == 303
    assert _state(client, page)["status"] == "confirmed"
    with Session(engine) as session:  # removed while the write waited for a worker
        session.delete(session.exec(select(School).where(School.uai == world.uais[1])).one())
        session.commit()
    run_write(engine, saved_id, left_out=set(), author=Author(actor="projet@test.invalid", channel="form",
                                                              user_id=world.user_ids["project_manager"]))
    assert _state(client, page)["status"] == "refused"
    shown = html.unescape(client.get(page).text)
    assert "ces lignes ne s'appliquent plus" in shown and "aucun établissement de ce programme n'a cet UAI" in shown
    assert _count(engine, UsageRecord) == 0 and _count(engine, ImportBatch) == 0
    with Session(engine) as session:
        assert session.get(SavedPreview, saved_id).rows == []  # nothing of it can be confirmed any more


def test_a_worker_killed_while_reading_leaves_the_import_failed(client, engine, world, login, csrf, queued_app,
                                                                tmp_path, monkeypatch) -> None:
    import os
    import signal
    import subprocess
    import sys

    monkeypatch.setattr(jobs, "STALE_AFTER", 3.0)  # as the pages judge it: a worker silent 3 s is gone
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "ROLLOUT_QUEUE_URL": queued_app, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "ROLLOUT_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(root)}
    login(client, "project_manager")
    page = _upload(client, csrf, world, usage_file(world)).headers["Location"]
    # A session of its own, so that killing its process group kills the consumer and its workers.
    worker = subprocess.Popen([str(Path(sys.executable).parent / "rollout"), "worker", "--import", "tests.import_worker_hooks"],
                              cwd=tmp_path, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_for(client, page, "reading")
        key = jobs.heartbeat_key(int(page.rsplit("/", 1)[1]))
        first = queue.huey.get(key, peek=True)
        wait_until(lambda: queue.huey.get(key, peek=True) > first, timeout=WORKER_SECONDS, what="a later heartbeat")
        assert _state(client, page)["status"] == "reading"  # beating: alive, however long it reads
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=WORKER_SECONDS)
    failed = wait_until(lambda: (state := _state(client, page))["status"] == "failed" and state,
                        timeout=WORKER_SECONDS, what="the import marked failed", every=0.2)
    assert (failed["failure"], failed["running"]) == (jobs.WORKER_DIED, False)
    assert "the worker stopped during the import" in client.get(page).text
    assert _count(engine, UsageRecord) == 0


def test_a_new_upload_does_not_replace_an_import_being_written(client, app, engine, world, login, csrf,
                                                               queued_app) -> None:
    from rollout.core.author import Author
    from rollout.imports.tasks import run_preview, run_write

    login(client, "project_manager")
    data = usage_file(world)
    page = _upload(client, csrf, world, data).headers["Location"]
    saved_id = int(page.rsplit("/", 1)[1])
    run_preview(engine, saved_id, data)
    assert client.post(f"{page}/confirm", data={"csrf_token": csrf(client, page)}).status_code == 303
    app.config["QUEUE_IMPORT_BYTES"] = 10**9  # the next file is previewed in the request
    assert _upload(client, csrf, world, data.replace(b";2\r\n", b";3\r\n")).status_code == 200
    assert _state(client, page)["status"] == "confirmed"  # confirmed, so still to be written
    run_write(engine, saved_id, left_out=set(), author=Author(actor="projet@test.invalid", channel="form",
                                                              user_id=world.user_ids["project_manager"]))
    assert _state(client, page)["written"]["new"] == len(world.uais) * DAYS * 2
    assert _count(engine, SavedPreview) == 2  # the batch written, and the new preview


def test_the_last_count_of_rows_read_is_written_at_once(client, engine, world, login, csrf, queued_app,
                                                        monkeypatch) -> None:
    """Progress is written at most once a second, but the count at the end of the rows always:
    comparing them with what is stored may take seconds more, under a count that stopped short."""
    from rollout.imports import pipeline, tasks

    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 50)
    login(client, "project_manager")
    page = _upload(client, csrf, world, usage_file(world)).headers["Location"]
    saved_id = int(page.rsplit("/", 1)[1])
    with Session(engine) as session:
        saved = session.get(SavedPreview, saved_id)
        jobs.update_job(saved, status="reading")
        session.add(saved)
        session.commit()
    counter = tasks._Counter(engine, saved_id)
    for count in (50, 100, 144):  # as the pipeline reports 144 rows, in well under a second
        counter(count)
    assert _state(client, page)["rows"] == 144
