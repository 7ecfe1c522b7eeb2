"""`/api/v1/programmes`: list, read, create, edit; scoped to the caller's districts, refusals
naming the field, stale edits 409 with the current version, documented in the OpenAPI document."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent, Programme

NEW = {"name": "ENT 2026", "platform": "Nouvel ENT", "start_date": "2026-09-01"}


def test_everyone_lists_and_reads_their_districts_programmes_only(client, world, token):
    listed = client.get("/api/v1/programmes", headers=token("stakeholder")).get_json()
    assert [(p["id"], p["district"], p["name"]) for p in listed["programmes"]] == [(world.programme_id, "093", "ENT 093")]
    read = client.get(f"/api/v1/programmes/{world.programme_id}", headers=token("project_manager")).get_json()
    assert (read["version"], read["trainer_lag"], read["weight_rep_plus"]) == (1, 1, 1.0)
    assert client.get(f"/api/v1/programmes/{world.programme_id}", headers=token("other_leader")).status_code == 404


def test_a_leader_creates_a_programme_with_defaults_audited_as_the_api(client, engine, world, token):
    created = client.post("/api/v1/programmes", json={**NEW, "weight_rep_plus": 3}, headers=token("district_leader"))
    assert created.status_code == 201
    body = created.get_json()
    assert (body["district"], body["teachers_per_session"], body["weight_rep_plus"], body["version"]) == ("093", 15, 3.0, 1)
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "programme")).one()
        assert (event.entity_id, event.channel, event.action) == (str(body["id"]), "api", "create")
    schools = client.get(f"/api/v1/schools?programme={body['id']}", headers=token("district_leader"))
    assert schools.status_code == 200 and schools.get_json()["schools"] == []


@pytest.mark.parametrize(("role", "body", "status", "field"), [
    ("district_leader", {**NEW, "name": "ENT 093"}, 409, "name"),
    ("district_leader", {**NEW, "district": "094"}, 404, "district"),
    ("district_leader", {**NEW, "weight_rep": 0}, 422, "weight_rep"),
    ("district_leader", {**NEW, "teachers_per_session": None}, 422, "teachers_per_session"),
    ("district_leader", {"name": "X", "platform": "ENT"}, 422, "start_date"),
    ("admin", NEW, 400, "district"),
    ("project_manager", NEW, 403, None),
    ("stakeholder", NEW, 403, None),
])
def test_a_refused_creation_writes_nothing(client, engine, world, token, role, body, status, field):
    refused = client.post("/api/v1/programmes", json=body, headers=token(role))
    assert refused.status_code == status and refused.get_json()["field"] == field
    with Session(engine) as session:
        assert len(session.exec(select(Programme)).all()) == 2
        assert session.exec(select(AuditEvent).where(AuditEvent.entity == "programme")).all() == []


def test_an_edit_based_on_an_old_version_is_refused_not_applied(client, world, token):
    headers = token("district_leader")
    path = f"/api/v1/programmes/{world.programme_id}"
    assert client.patch(path, json={"trainer_lag": 2, "version": 1}, headers=headers).get_json()["version"] == 2
    stale = client.patch(path, json={"trainer_lag": 0, "version": 1}, headers=headers)
    assert stale.status_code == 409
    assert stale.get_json()["field"] == "version" and stale.get_json()["current_version"] == 2
    assert "ENT 093 : quelqu'un d'autre a enregistré" in stale.get_json()["message"]
    assert client.get(path, headers=headers).get_json()["trainer_lag"] == 2
    assert client.patch(path, json={"trainer_lag": 0}, headers=headers).status_code == 422
    emptied = client.patch(path, json={"name": None, "version": 2}, headers=headers)
    assert emptied.status_code == 422 and emptied.get_json()["field"] == "name"


def test_edits_are_scoped_and_for_leaders_only(client, world, token):
    path = f"/api/v1/programmes/{world.programme_id}"
    assert client.patch(path, json={"trainer_lag": -5, "version": 1}, headers=token("other_leader")).status_code == 404
    assert client.patch(path, json={"trainer_lag": 2, "version": 1}, headers=token("project_manager")).status_code == 403
    assert client.get(path, headers=token("district_leader")).get_json()["trainer_lag"] == 1


def test_the_document_describes_the_programmes_operations(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/programmes"]) == {"get", "post"}
    assert set(paths["/api/v1/programmes/{programme_id}"]) == {"get", "patch"}
    assert "409" in paths["/api/v1/programmes/{programme_id}"]["patch"]["responses"]
