"""`/api/v1/schools`: create and edit with optimistic locking (409), access by role and district."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent

NEW = {"uai": "0931234L", "name": "Collège Neuf", "commune": "Bobigny", "pupils": 400, "teachers": 30, "basin": "N"}


def test_a_district_leader_creates_then_edits_a_school(client, world, token):
    headers = token("district_leader")
    created = client.post("/api/v1/schools", json={**NEW, "pinned_wave": "W1"}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.get_json()["pinned_wave"] == "W1" and created.get_json()["version"] == 1
    patched = client.patch("/api/v1/schools/0931234L", json={"version": 1, "teachers": 31, "basin": "S"}, headers=headers)
    assert patched.status_code == 200 and (patched.get_json()["teachers"], patched.get_json()["basin"]) == (31, "S")
    in_south = client.get("/api/v1/schools?basin=S", headers=headers).get_json()["schools"]
    assert "0931234L" in {school["uai"] for school in in_south}


def test_a_stale_version_answers_409_with_the_current_one_and_changes_nothing(client, engine, world, token):
    headers = token("district_leader")
    uai = world.uais[0]
    assert client.patch(f"/api/v1/schools/{uai}", json={"version": 1, "teachers": 50}, headers=headers).status_code == 200
    stale = client.patch(f"/api/v1/schools/{uai}", json={"version": 1, "teachers": 60}, headers=headers)
    assert stale.status_code == 409
    assert stale.get_json()["field"] == "version" and stale.get_json()["current_version"] == 2
    assert client.get(f"/api/v1/schools/{uai}", headers=headers).get_json()["teachers"] == 50
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "school")).all()
    assert [(event.channel, event.changes["teachers"][1]) for event in events] == [("api", 50)]


def test_refusals_name_the_field(client, world, token):
    headers = token("district_leader")
    taken = client.post("/api/v1/schools", json={**NEW, "uai": world.uais[0]}, headers=headers)
    assert taken.status_code == 409 and taken.get_json()["field"] == "uai"
    unknown = client.post("/api/v1/schools", json={**NEW, "basin": "Z"}, headers=headers)
    assert unknown.status_code == 409 and unknown.get_json()["field"] == "basin"
    invalid = client.post("/api/v1/schools", json={**NEW, "teachers": 0}, headers=headers)
    assert invalid.status_code == 422 and invalid.get_json()["field"] == "teachers"


def test_only_district_leaders_write_and_other_districts_schools_are_404(client, world, token):
    for role in ("project_manager", "stakeholder"):
        assert client.post("/api/v1/schools", json=NEW, headers=token(role)).status_code == 403
        assert client.patch(f"/api/v1/schools/{world.uais[0]}", json={"version": 1}, headers=token(role)).status_code == 403
    other = token("other_leader")
    assert client.patch(f"/api/v1/schools/{world.uais[0]}", json={"version": 1, "teachers": 9}, headers=other).status_code == 404
    assert client.post(f"/api/v1/schools?programme={world.programme_id}", json=NEW, headers=other).status_code == 404


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_value_the_database_refuses_is_named_without_the_databases_words(client, world, token):
    """PostgreSQL text cannot hold a NUL character: the refusal names the field, in French,
    and says nothing of the database (its own words went to the log)."""
    refused = client.patch(f"/api/v1/schools/{world.uais[0]}", json={"version": 1, "name": "Collège\x00"},
                           headers=token("district_leader"))
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["field"] == "name" and "caractère nul" in body["message"]
    assert not any(word in body["message"] for word in ("PostgreSQL", "0x00", "database", "base de données")), body
