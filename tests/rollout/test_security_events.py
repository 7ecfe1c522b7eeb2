"""Security events go to the audit trail, kept like every other change: one test per kind."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout.models import AuditEvent

from conftest import WORLD_EMAILS, WORLD_PASSWORD


def _events(engine: sa.Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def _facts(event: AuditEvent) -> dict[str, object]:
    """What the event noted: `{field: [None, value]}` read back as `{field: value}`."""
    return {field: new for field, (_old, new) in event.changes.items()}


def test_sign_in_is_audited_with_the_address(client, engine: sa.Engine, world, login) -> None:
    login(client, "stakeholder")
    [event] = _events(engine, "sign_in")
    assert (event.entity, event.entity_id, event.user_id) == ("account", str(world.user_ids["stakeholder"]), world.user_ids["stakeholder"])
    assert event.actor == WORLD_EMAILS["stakeholder"] and event.channel == "form"
    assert _facts(event)["ip"] == "127.0.0.1" and _facts(event)["session"]


def test_a_failed_sign_in_is_audited_with_the_email_tried_and_never_the_password(client, engine: sa.Engine, world, csrf) -> None:
    tried = {"email": "Nobody@Test.invalid", "password": "a secret worth keeping", "csrf_token": csrf(client)}
    assert client.post("/login", data=tried, environ_base={"REMOTE_ADDR": "192.0.2.44"}).status_code == 401
    assert client.post("/login", data={**tried, "email": WORLD_EMAILS["stakeholder"]}).status_code == 401
    unknown, known = _events(engine, "sign_in_failed")
    assert _facts(unknown) == {"email": "nobody@test.invalid", "ip": "192.0.2.44", "reason": "unknown_email"}
    assert unknown.user_id is None and unknown.entity_id == "unknown"
    assert _facts(known)["reason"] == "wrong_password" and known.user_id == world.user_ids["stakeholder"]
    assert "a secret worth keeping" not in json.dumps([unknown.changes, known.changes, unknown.actor, known.actor])


def test_sign_out_is_audited(client, engine: sa.Engine, world, login, csrf) -> None:
    login(client, "stakeholder")
    client.post("/logout", data={"csrf_token": csrf(client, "/account")})
    [event] = _events(engine, "sign_out")
    assert event.user_id == world.user_ids["stakeholder"] and _facts(event)["session"] == _facts(_events(engine, "sign_in")[0])["session"]


def test_sign_out_everywhere_is_audited(app, engine: sa.Engine, world, login, csrf) -> None:
    for _ in range(2):
        client = app.test_client()
        login(client, "stakeholder")
    client.post("/account/sessions/end", data={"csrf_token": csrf(client, "/account")})
    [event] = _events(engine, "sign_out_all")
    assert event.user_id == world.user_ids["stakeholder"] and _facts(event) == {"sessions_ended": 2}


def test_a_password_change_is_audited(client, engine: sa.Engine, world, login, csrf) -> None:
    login(client, "stakeholder")
    new = "une phrase que personne ne devine"
    client.post("/account/password", data={"current_password": WORLD_PASSWORD, "new_password": new, "confirmation": new,
                                           "csrf_token": csrf(client, "/account")})
    [event] = _events(engine, "password_change")
    assert event.entity_id == str(world.user_ids["stakeholder"]) and _facts(event) == {"sessions_ended": 0}
    assert new not in json.dumps(event.changes)


def test_token_creation_and_revocation_are_audited(client, engine: sa.Engine, world, login, csrf) -> None:
    login(client, "project_manager")
    page = client.post("/account/tokens", data={"name": "import nocturne", "days": "365", "csrf_token": csrf(client, "/account/tokens")})
    secret = re.search(r'<code id="new-token">([^<]+)</code>', page.text).group(1)
    [created] = _events(engine, "token_create")
    assert created.entity == "token" and created.user_id == world.user_ids["project_manager"]
    assert _facts(created)["name"] == "import nocturne" and _facts(created)["user"] == WORLD_EMAILS["project_manager"]
    assert secret not in json.dumps(created.changes)
    client.post(f"/account/tokens/{created.entity_id}/revoke", data={"csrf_token": csrf(client, "/account/tokens")})
    [revoked] = _events(engine, "token_revoke")
    assert revoked.entity_id == created.entity_id and revoked.actor == WORLD_EMAILS["project_manager"]


def test_deactivation_and_reactivation_are_audited(client, engine: sa.Engine, world, login, csrf) -> None:
    login(client, "admin")
    for action in ("deactivate", "activate"):
        client.post(f"/admin/users/{world.user_ids['stakeholder']}/{action}", data={"csrf_token": csrf(client, "/admin/users")})
    [deactivated] = _events(engine, "deactivate")
    [activated] = _events(engine, "activate")
    assert deactivated.changes["active"] == [True, False] and activated.changes["active"] == [False, True]
    assert deactivated.entity_id == activated.entity_id == str(world.user_ids["stakeholder"])
    assert deactivated.actor == activated.actor == WORLD_EMAILS["admin"]


def test_a_refused_page_is_audited_though_its_request_is_rolled_back(client, engine: sa.Engine, world, login) -> None:
    login(client, "stakeholder")
    path = f"/programmes/{world.programme_id}/schools/new"
    assert client.get(path).status_code == 403
    [event] = _events(engine, "refused")
    assert (event.entity, event.entity_id, event.channel) == ("request", "schools.new", "form")
    assert event.user_id == world.user_ids["stakeholder"] and event.actor == WORLD_EMAILS["stakeholder"]
    assert _facts(event) == {"method": "GET", "path": path, "endpoint": "schools.new", "ip": "127.0.0.1"}


def test_a_refused_api_call_is_audited(client, engine: sa.Engine, world, token) -> None:
    response = client.post(f"/api/v1/schools?programme={world.programme_id}", json={}, headers=token("stakeholder"))
    assert response.status_code == 403
    [event] = _events(engine, "refused")
    assert event.channel == "api" and _facts(event)["method"] == "POST" and event.user_id == world.user_ids["stakeholder"]
