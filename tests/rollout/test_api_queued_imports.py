"""Files too large for a request, sent through the API: answered 202 with the job and its
`Location`, then previewed and (unless a dry run) written by the worker's task, whose state
`GET /api/v1/imports/{id}` reads; only its sender reads it, and page uploads and API jobs never
replace each other. The task's body runs here as the worker runs it, on the message the request
put in the queue."""

from __future__ import annotations

import io
import re

from sqlmodel import Session, func, select

from rollout import queue
from rollout.imports import jobs, tasks
from rollout.imports.pipeline import PROGRESS_EVERY
from rollout.models import AuditEvent, ImportBatch, SavedPreview, UsageRecord
from rollout.models.training import TrainingSession
from tests.rollout.live_server import queue_worker, wait_until
from tests.rollout.queued_uploads import DAYS, THRESHOLD, queued_app, usage_file  # noqa: F401  (queued_app: a fixture)


def _post(client, headers, world, data: bytes, *, dry_run: bool = False, path: str = "usage/imports"):
    form = {"file": (io.BytesIO(data), "annee.csv"), "dry_run": "true" if dry_run else "false"}
    return client.post(f"/api/v1/{path}?programme={world.programme_id}", data=form, headers=headers,
                       content_type="multipart/form-data")


def _run(engine) -> int:
    """Run the task the request queued, with the arguments in its message; the job's id."""
    saved_id, data, dry_run, author = queue.huey.dequeue().args
    tasks.run_import(engine, saved_id, data, dry_run=dry_run, author=author)
    return saved_id


def _state(client, headers, url: str) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_large_file_is_accepted_then_written_by_the_task(client, engine, world, token, queued_app) -> None:
    rows = len(world.uais) * DAYS * 2
    headers = token("project_manager")
    data = usage_file(world)
    sent = _post(client, headers, world, data)
    assert sent.status_code == 202, sent.text
    url = sent.headers["Location"]
    assert re.fullmatch(rf"/api/v1/imports/\d+\?programme={world.programme_id}", url)
    assert sent.json == {
        "id": int(url.split("/")[-1].split("?")[0]), "status": "queued", "status_label": "en attente d'un calculateur",
        "running": True, "status_url": url, "kind": "usage", "filename": "annee.csv", "size": len(data), "rows": 0,
        "dry_run": False, "counts": None, "batch_id": None, "problems": [], "invalid_rows": 0, "failure": None}
    assert _state(client, headers, url) == sent.json
    assert _count(engine, UsageRecord) == 0

    _run(engine)
    written = _state(client, headers, url)
    assert (written["status"], written["running"], written["rows"]) == ("written", False, rows)
    assert written["counts"] == {"new": rows, "changed": 0, "unchanged": 0} and written["batch_id"]
    assert _count(engine, UsageRecord) == rows
    with Session(engine) as session:
        batch = session.get(ImportBatch, written["batch_id"])
        assert (batch.kind, batch.rows_new, batch.user_id) == ("usage", rows, world.user_ids["project_manager"])
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "import_batch")).one()
        assert event.actor == "projet@test.invalid" and event.changes["via"] == [None, "api"]
        assert session.get(SavedPreview, written["id"]).rows == []  # the payload is not kept once written

    # The same file again changes nothing: written, with no batch, as the synchronous API answers.
    again = _post(client, headers, world, data)
    assert again.status_code == 202
    _run(engine)
    same = _state(client, headers, again.headers["Location"])
    assert (same["status"], same["batch_id"], same["counts"]) == ("written", None, {"new": 0, "changed": 0, "unchanged": rows})
    assert _count(engine, ImportBatch) == 1


def test_a_real_worker_writes_the_file_the_api_queued(client, engine, world, token, queued_app, tmp_path) -> None:
    headers = token("project_manager")
    sent = _post(client, headers, world, usage_file(world))
    assert sent.status_code == 202
    url = sent.headers["Location"]
    with queue_worker(tmp_path, engine.url.render_as_string(hide_password=False)):
        done = wait_until(lambda: (state := _state(client, headers, url))["running"] is False and state,
                          timeout=60, what="the import done", every=0.1)
    assert (done["status"], done["counts"]["new"]) == ("written", len(world.uais) * DAYS * 2), done
    assert _count(engine, UsageRecord) == len(world.uais) * DAYS * 2
    assert "Traceback" not in (tmp_path / "worker.log").read_text(), (tmp_path / "worker.log").read_text()


def test_a_dry_run_ends_ready_with_its_counts_and_writes_nothing(client, engine, world, token, queued_app) -> None:
    headers = token("district_leader")
    sent = _post(client, headers, world, usage_file(world), dry_run=True)
    assert sent.status_code == 202 and sent.json["dry_run"] is True
    saved_id = _run(engine)
    ready = _state(client, headers, sent.headers["Location"])
    rows = len(world.uais) * DAYS * 2
    assert (ready["status"], ready["running"], ready["batch_id"]) == ("ready", False, None)
    assert ready["counts"] == {"new": rows, "changed": 0, "unchanged": 0}
    assert _count(engine, UsageRecord) == 0 and _count(engine, ImportBatch) == 0
    with Session(engine) as session:
        assert session.get(SavedPreview, saved_id).rows == []  # nothing will confirm it: its rows are not kept


def test_a_file_with_invalid_rows_ends_refused_with_them(client, engine, world, token, queued_app) -> None:
    headers = token("project_manager")
    sent = _post(client, headers, world, usage_file(world, bad_row=True))
    _run(engine)
    refused = _state(client, headers, sent.headers["Location"])
    assert (refused["status"], refused["running"], refused["invalid_rows"], refused["batch_id"]) == ("refused", False, 1, None)
    assert {(p["row"], p["column"], p["code"]) for p in refused["problems"]} >= {(41, "uai", "unknown_uai")}
    assert all(p["row"] == 41 and p["reason"] for p in refused["problems"])
    assert _count(engine, UsageRecord) == 0 and _count(engine, ImportBatch) == 0


def test_a_file_of_a_kind_read_from_its_header_is_queued_as_that_kind(client, app, engine, world, token,
                                                                       queued_app) -> None:
    app.config["QUEUE_IMPORT_BYTES"] = 50
    headers = token("district_leader")
    data = f"date,trainer,audience,uai,modality,hours,attendees\n2015-10-05,AT-002,teachers,{world.uais[0]},online,1,3\n"
    sent = _post(client, headers, world, data.encode(), path="training/imports")
    assert sent.status_code == 202, sent.text
    assert sent.json["kind"] == "sessions"
    _run(engine)
    written = _state(client, headers, sent.headers["Location"])
    assert (written["status"], written["counts"]["new"]) == ("written", 1)
    assert _count(engine, TrainingSession) == 1


def test_only_the_sender_reads_the_job(client, app, world, token, login, queued_app) -> None:
    sent = _post(client, token("project_manager"), world, usage_file(world))
    url = sent.headers["Location"]
    for role, status in (("stakeholder", 403), ("district_leader", 404), ("other_leader", 404)):
        assert client.get(url, headers=token(role)).status_code == status, role
    other_programme = url.replace(f"programme={world.programme_id}", f"programme={world.other_programme_id}")
    assert client.get(other_programme, headers=token("project_manager")).status_code == 404
    # The pages do not show it, even to its sender: it is followed through the API.
    browser = app.test_client()
    login(browser, "project_manager")
    page = f"/programmes/{world.programme_id}/imports/{sent.json['id']}"
    assert browser.get(page).status_code == 404 and browser.get(f"{page}/progress.json").status_code == 404


def test_a_reader_may_not_send_a_file(client, engine, world, token, queued_app) -> None:
    refused = _post(client, token("stakeholder"), world, usage_file(world))
    assert refused.status_code == 403
    assert _count(engine, SavedPreview) == 0 and queue.huey.dequeue() is None


def test_page_uploads_and_api_jobs_do_not_replace_each_other(client, app, engine, world, token, login, csrf,
                                                             queued_app) -> None:
    headers = token("project_manager")
    data = usage_file(world)
    browser = app.test_client()
    login(browser, "project_manager")
    path = f"/programmes/{world.programme_id}/usage/import"

    def upload_page():
        return browser.post(path, data={"csrf_token": csrf(browser, path), "file": (io.BytesIO(data), "annee.csv")},
                            content_type="multipart/form-data")

    page = upload_page().headers["Location"]
    first = _post(client, headers, world, data).headers["Location"]
    second = _post(client, headers, world, data).headers["Location"]  # a script may send several files at once
    assert browser.get(f"{page}/progress.json").status_code == 200
    assert upload_page().status_code == 303  # replaces the page's earlier upload, not the API's jobs
    assert browser.get(f"{page}/progress.json").status_code == 404
    assert _state(client, headers, first)["status"] == _state(client, headers, second)["status"] == "queued"
    assert _count(engine, SavedPreview) == 3


def test_a_job_whose_worker_died_reads_failed(client, engine, world, token, queued_app) -> None:
    headers = token("project_manager")
    sent = _post(client, headers, world, usage_file(world))
    saved_id = sent.json["id"]
    with Session(engine) as session:  # a worker took it, then was killed: its heartbeat stops
        saved = session.get(SavedPreview, saved_id)
        jobs.update_job(saved, status="reading", rows=PROGRESS_EVERY)
        session.add(saved)
        session.commit()
    queue.huey.put(jobs.heartbeat_key(saved_id), 0.0)  # its last beat, long ago
    failed = _state(client, headers, sent.headers["Location"])
    assert (failed["status"], failed["failure"], failed["running"]) == ("failed", jobs.WORKER_DIED, False)


def test_a_queue_that_cannot_be_reached_answers_503(client, world, token, queued_app, monkeypatch) -> None:
    def unreachable(*args):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "import_upload", unreachable)
    response = _post(client, token("project_manager"), world, usage_file(world))
    assert response.status_code == 503 and response.json["field"] == "file"


def test_a_file_below_the_threshold_is_still_imported_in_the_request(client, app, engine, world, token,
                                                                     queued_app) -> None:
    app.config["QUEUE_IMPORT_BYTES"] = 10**9
    response = _post(client, token("project_manager"), world, usage_file(world))
    assert response.status_code == 201, response.text
    assert response.json["batch_id"] and _count(engine, UsageRecord) == len(world.uais) * DAYS * 2
    assert queue.huey.dequeue() is None and _count(engine, SavedPreview) == 0
