"""Trainers' private calendar feeds (`rollout.training.feeds`): created and revoked by those who
record sessions, the address shown once and only its digest stored, the feed's calendar with
each session's recorded state, 404 once revoked, audited, and hidden from stakeholders and logs."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from html import unescape

import icalendar
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.models import AuditEvent, Programme
from rollout.models.training import TrainerFeed
from rollout.sharing.redaction import without_secrets
from rollout.training.sessions import record_sessions
from tests.conftest import World
from tests.rollout.training.test_planned_sessions import AUTHOR, adopted_plan

WAVE_STARTS = {"W1": date(2015, 9, 1), "W2": date(2016, 1, 4), "W3": date(2016, 4, 4)}  # the world's waves
FEED_ADDRESS = re.compile(r'<code id="new-feed">http://localhost/feeds/([A-Za-z0-9_-]+)\.ics</code>')


def _create(client, world: World, code: str, csrf) -> tuple[str, str]:
    """Create a feed from the trainer's page; its secret and the page that showed it."""
    path = f"/programmes/{world.programme_id}/training/planned/{code}"
    response = client.post(f"{path}/feed", data={"csrf_token": csrf(client, path)})
    assert response.status_code == 200
    match = FEED_ADDRESS.search(response.text)
    assert match, "the new feed's address is not shown"
    return match.group(1), response.text


def _events(text: str) -> list:
    return [component for component in icalendar.Calendar.from_ical(text).walk("VEVENT")]


def test_a_feed_is_created_shown_once_and_stored_as_a_digest(client, engine: sa.Engine, world: World, login, csrf) -> None:
    login(client, "project_manager")
    secret, _page = _create(client, world, "AT-001", csrf)
    with Session(engine) as session:
        [feed] = session.exec(select(TrainerFeed)).all()
        assert feed.token_hash == hashlib.sha256(secret.encode()).hexdigest() and feed.created_by == world.user_ids["project_manager"]
        [event] = session.exec(select(AuditEvent).where(AuditEvent.entity == "trainerfeed")).all()
        assert event.action == "feed_create" and secret not in str(event.changes)
    again = client.get(f"/programmes/{world.programme_id}/training/planned/AT-001").text
    assert secret not in again and "actif" in again


def test_the_feed_is_the_trainers_calendar_with_states(client, engine: sa.Engine, world: World, login, csrf) -> None:
    plan = adopted_plan(engine, world)
    first, second = [row for row in plan["teacher_sessions"] if row["trainer"] == plan["teacher_sessions"][0]["trainer"]][:2]
    code = first["trainer"]
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        rows = [{"held_on": WAVE_STARTS[row["wave"]] + timedelta(days=day), "trainer": code, "audience": "teachers", "uai": row["uai"],
                 "modality": "face_to_face", "hours": 3.0, "attendees": 1, "status": status, "reference": None,
                 "planned_wave": row["wave"], "trainees": []}
                for row, status, days in ((first, "cancelled", 1), (second, "held", second["sessions"])) for day in range(days)]
        record_sessions(session, programme=programme, rows=rows, author=AUTHOR, today=date(2026, 1, 1))
        session.commit()
    login(client, "district_leader")
    secret, _page = _create(client, world, code, csrf)
    client.post("/logout", data={})
    response = client.get(f"/feeds/{secret}.ics")  # no sign-in: a calendar app subscribes
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    events = _events(response.text)
    assert len(events) == len([row for row in plan["teacher_sessions"] if row["trainer"] == code])
    cancelled, held = (next(event for event in events if f"({row['uai']})" in str(event["description"])) for row in (first, second))
    assert str(cancelled.get("status")) == "CANCELLED" and f"Annulée le {WAVE_STARTS[first['wave']]:%d/%m/%Y}" in str(cancelled["description"])
    assert held.get("status") is None and "Réalisée" in str(held["description"])
    others = [event for event in events if event not in (cancelled, held)]
    assert all("Non réalisée" in str(event["description"]) for event in others)  # every wave of the world has ended
    with Session(engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "feed_use", AuditEvent.entity == "trainerfeed")).one().actor == "anonymous"
    client.get(f"/feeds/{secret}.ics")  # polled again within the hour: one use in the trail
    with Session(engine) as session:
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "feed_use", AuditEvent.entity == "trainerfeed")).all()) == 1


def test_the_download_is_the_same_calendar(client, engine: sa.Engine, world: World, login) -> None:
    plan = adopted_plan(engine, world)
    login(client, "project_manager")
    response = client.get(f"/programmes/{world.programme_id}/training/planned/V-1/calendar.ics")
    assert response.status_code == 200 and 'filename="V-1.ics"' in response.headers["Content-Disposition"]
    assert len(_events(response.text)) == len(plan["trainer_training"]) + len(plan["leadership_training"])


def test_without_an_adopted_plan_the_feed_is_an_empty_calendar(client, world: World, login, csrf) -> None:
    login(client, "project_manager")
    secret, _page = _create(client, world, "AT-002", csrf)
    response = client.get(f"/feeds/{secret}.ics")
    assert response.status_code == 200 and _events(response.text) == []


def test_a_revoked_feed_is_404_and_audited(client, engine: sa.Engine, world: World, login, csrf) -> None:
    login(client, "project_manager")
    secret, _page = _create(client, world, "AT-001", csrf)
    with Session(engine) as session:
        feed_id = session.exec(select(TrainerFeed.id)).one()
    path = f"/programmes/{world.programme_id}/training/planned/AT-001"
    assert client.post(f"{path}/feed/{feed_id}/revoke", data={"csrf_token": csrf(client, path)}).status_code == 302
    assert client.get(f"/feeds/{secret}.ics").status_code == 404
    assert client.get("/feeds/not-a-feed.ics").status_code == 404
    with Session(engine) as session:
        actions = [event.action for event in session.exec(select(AuditEvent).where(AuditEvent.entity == "trainerfeed")
                                                          .order_by(AuditEvent.id))]
        assert actions == ["feed_create", "feed_revoke", "refused", "refused"]
        assert session.get(TrainerFeed, feed_id).revoked_at is not None
    # another trainer's feed cannot be revoked through this trainer's page
    other_path = f"/programmes/{world.programme_id}/training/planned/AT-002"
    assert client.post(f"{other_path}/feed/{feed_id}/revoke", data={"csrf_token": csrf(client, other_path)}).status_code == 404


def test_stakeholders_never_see_a_feed_and_other_districts_cannot_make_one(client, engine: sa.Engine, world: World, login,
                                                                           csrf) -> None:
    login(client, "district_leader")
    _create(client, world, "AT-001", csrf)
    client.post("/logout", data={})
    login(client, "stakeholder")
    path = f"/programmes/{world.programme_id}/training/planned/AT-001"
    assert client.get(path).status_code == 403
    assert client.post(f"{path}/feed", data={"csrf_token": csrf(client, f"/programmes/{world.programme_id}/trainers")}).status_code == 403
    assert client.get(f"{path}/calendar.ics").status_code == 403
    for page in (f"/programmes/{world.programme_id}/trainers", f"/programmes/{world.programme_id}/progress/{world.uais[0]}"):
        assert "/feeds/" not in unescape(client.get(page).text) and "flux" not in client.get(page).text
    client.post("/logout", data={})
    login(client, "other_leader")
    assert client.post(f"{path}/feed", data={"csrf_token": csrf(client, f"/programmes/{world.other_programme_id}/trainers")}).status_code == 404
    with Session(engine) as session:
        assert len(session.exec(select(TrainerFeed)).all()) == 1


def test_feed_secrets_are_redacted_from_logs() -> None:
    line = '127.0.0.1 - - "GET /feeds/abcDEF_123-xyz.ics HTTP/1.1" 200 -'
    assert without_secrets(line) == '127.0.0.1 - - "GET /feeds/….ics HTTP/1.1" 200 -'
    assert without_secrets("GET /partage/abc/equity") == "GET /partage/…/equity"

