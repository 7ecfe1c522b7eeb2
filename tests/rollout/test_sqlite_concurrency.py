"""Many writers at once on one SQLite file: imports, API edits and form edits, from gunicorn's
workers and threads and from another process. No one is told "database is locked" nor gets a
500: every write is applied, except that of two edits of one record from the same version, one
is applied and the other refused with a 409 naming the current version.

The writers are sent while a usage import is seen writing (`live_server.writing_probe`), so
each of them reads what that import is about to change, then writes: a second import of some of
the same rows must see them stored (replaced, not inserted twice), edits must wait their turn.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable

import pytest
from live_server import Answer, Background, call, live_server, wait_until, writing_probe
from sqlmodel import Session, func, select
from test_faults import usage_file

from rollout import db
from rollout.app import create_app
from rollout.models import Milestone, School, UsageRecord

FIRST_IMPORT_ROWS = 100_000  # long enough to be seen writing while the others are sent
SECOND_IMPORT_ROWS = 5_000  # the first import's first rows, with other visit counts
API_MILESTONES = ("admins_trained", "platform_provisioned", "school_live")
FORM_MILESTONE = "relays_active"
CONTESTED = "leadership_briefed"


def form_edit(client, path: str, csrf_token: str) -> Callable[[], Answer]:
    """A signed-in browser's milestone form, submitted when called."""

    def submit() -> Answer:
        response = client.post(path, data={"csrf_token": csrf_token, "status": "in_progress", "actual_on": "",
                                           "count": "", "note": "Saisi pendant un import", "version": "0"})
        return response.status_code, response.text

    return submit


def browser_forms(engine, login, csrf, paths: list[str], tmp_path) -> list[Callable[[], Answer]]:
    """Milestone forms opened by signed-in browsers of an app in this process, beside gunicorn's."""
    app = create_app({"SECRET_KEY": "other-process", "SQLALCHEMY_DATABASE_URL": str(engine.url)},
                     instance_path=str(tmp_path / "browser"))
    forms = []
    for path in paths:
        client = app.test_client()
        login(client, "project_manager")
        forms.append(form_edit(client, path, csrf(client, path)))
    return forms


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_concurrent_imports_and_edits_are_applied_or_refused_as_stale_never_locked(
    engine, world, token, login, csrf, tmp_path, monkeypatch
) -> None:
    # SQLite's default page cache for the import, as in test_faults: its pages reach the WAL
    # file mid-write, which is what the probe sees (the 64 MiB cache holds them until commit).
    monkeypatch.setenv("ROLLOUT_SQLITE_IMPORT_CACHE_MB", "2")
    # The imports run in their requests, beside the edits, whatever their size (the API hands
    # larger files to `rollout worker`, which this test does not start).
    monkeypatch.setenv("ROLLOUT_QUEUE_IMPORT_BYTES", str(2**30))
    leader = token("district_leader")
    school_uai, *edited = world.uais
    with Session(engine) as session:
        school_version = session.exec(select(School.version).where(School.uai == school_uai)).one()
    forms = browser_forms(engine, login, csrf, [f"/programmes/{world.programme_id}/progress/{uai}/{FORM_MILESTONE}"
                                                for uai in edited[:2]], tmp_path)

    with live_server(tmp_path, str(engine.url), workers=2) as server:
        api = f"{server.url}/api/v1"

        def patch_milestone(uai: str, kind: str) -> Callable[[], Answer]:
            headers = token("project_manager")  # a token used for the first time: its use is noted too
            return lambda: call("PATCH", f"{api}/schools/{uai}/milestones/{kind}", headers=headers,
                                body={"version": 0, "status": "in_progress"})

        def import_usage(rows: int, visits: int) -> Callable[[], Answer]:
            upload = ("usage.csv", usage_file(world.uais, rows, visits=visits))
            return lambda: call("POST", f"{api}/usage/imports", headers=leader, upload=upload)

        writers = {
            "second import": import_usage(SECOND_IMPORT_ROWS, visits=13),
            "school": lambda: call("PATCH", f"{api}/schools/{school_uai}", headers=leader,
                                   body={"version": school_version, "name": "Collège renommé pendant un import"}),
            **{f"api {kind}": patch_milestone(uai, kind) for uai, kind in zip(edited, API_MILESTONES)},
            **{f"form {number}": submit for number, submit in enumerate(forms)},
            "contested 1": patch_milestone(edited[-1], CONTESTED),
            "contested 2": patch_milestone(edited[-1], CONTESTED),
        }
        first = Background(import_usage(FIRST_IMPORT_ROWS, visits=12))
        writing = writing_probe(engine, "usagerecord")
        first.start()
        wait_until(writing, timeout=60, what="the first import writing")
        answers = run_at_once(writers)
        first.join(timeout=120)

    answers["first import"] = first.answer
    for name, (status, body) in answers.items():
        assert status not in (None, 500, 503) and "locked" not in body, (name, status, body)
    assert [answers[name][0] for name in ("first import", "second import")] == [201, 201]
    assert json.loads(answers["second import"][1])["replaced"] == SECOND_IMPORT_ROWS
    assert all(answers[name][0] == 200 for name in answers if name.startswith(("api", "school")))
    assert all(answers[name][0] == 302 for name in answers if name.startswith("form"))
    contested = sorted((answers["contested 1"], answers["contested 2"]))
    assert [status for status, _ in contested] == [200, 409]
    assert json.loads(contested[1][1])["current_version"] == 1

    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(UsageRecord)).one() == FIRST_IMPORT_ROWS
        assert session.exec(select(func.count()).where(UsageRecord.visits == 13)).one() == SECOND_IMPORT_ROWS
        assert session.exec(select(School.name).where(School.uai == school_uai)).one() == "Collège renommé pendant un import"
        statuses = dict(session.exec(select(Milestone.kind, func.count()).group_by(Milestone.kind)).all())
    assert statuses == {**dict.fromkeys(API_MILESTONES, 1), FORM_MILESTONE: 2, CONTESTED: 1}


def run_at_once(requests: dict[str, Callable[[], Answer]]) -> dict[str, Answer]:
    """Send every request from its own thread, all released together; their answers by name."""
    start = threading.Barrier(len(requests))

    def released(request: Callable[[], Answer]) -> Callable[[], Answer]:
        def send() -> Answer:
            start.wait()
            return request()

        return send

    threads = {name: Background(released(request)) for name, request in requests.items()}
    for thread in threads.values():
        thread.start()
    for thread in threads.values():
        thread.join(timeout=120)
    return {name: thread.answer for name, thread in threads.items()}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_writer_still_waiting_when_the_busy_timeout_ends_is_told_to_retry(
    engine, world, token, monkeypatch, tmp_path
) -> None:
    """A busy timeout of 0.1 s stands for an import longer than the real one (SQLITE_BUSY_TIMEOUT_MS)."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URL": str(engine.url)}, instance_path=str(tmp_path / "app"))
    client, headers = app.test_client(), token("project_manager")
    milestones = f"/api/v1/schools/{world.uais[0]}/milestones"
    assert client.get(milestones, headers=headers).status_code == 200  # the token's first use is noted now
    url = f"{milestones}/school_live"
    writer = sqlite3.connect(engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        refused = client.patch(url, headers=headers, json={"version": 0, "status": "in_progress"})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert refused.status_code == 503
    assert "réessayez dans quelques instants" in refused.get_json()["message"]
    assert "locked" not in refused.text
    assert client.patch(url, headers=headers, json={"version": 0, "status": "in_progress"}).status_code == 200
