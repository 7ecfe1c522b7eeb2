"""The progress API: read a school's milestones, PATCH one with optimistic locking (409 with the
current version), and bulk uploads with dry_run, 422 listing every invalid row."""

from __future__ import annotations

import io

from sqlmodel import Session, func, select

from rollout.models import AuditEvent, ImportBatch, Milestone
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)


def _url(world, uai: str, kind: str = "") -> str:
    return f"/api/v1/schools/{uai}/milestones{'/' + kind if kind else ''}?programme={world.programme_id}"


def test_read_milestones_with_colour_and_versions(client, tracked, token) -> None:
    uai = sorted(tracked.uais)[0]
    response = client.get(_url(tracked, uai) + "&as_of=2015-08-05", headers=token("stakeholder"))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["uai"], body["wave"], body["colour"], body["as_of"]) == (uai, "W1", "amber", "2015-08-05")
    assert [m["kind"] for m in body["milestones"]][:2] == ["leadership_briefed", "admins_trained"]
    assert body["milestones"][0]["version"] == 1
    assert body["milestones"][0]["planned_on"] == "2015-08-04"
    assert body["pix"] == {"initie": 0, "confirme": 0, "avance": 0, "expert": 0}


def test_patch_then_a_stale_patch_gets_409_with_the_current_version(client, tracked, token, engine) -> None:
    uai = sorted(tracked.uais)[0]
    headers = token("project_manager")
    first = client.patch(_url(tracked, uai, "teachers_trained"), json={"version": 1, "status": "in_progress", "count": 9},
                         headers=headers)
    assert first.status_code == 200, first.text
    assert (first.get_json()["version"], first.get_json()["count"]) == (2, 9)
    stale = client.patch(_url(tracked, uai, "teachers_trained"), json={"version": 1, "count": 30},
                         headers=token("district_leader"))
    assert stale.status_code == 409
    assert (stale.get_json()["field"], stale.get_json()["current_version"]) == ("version", 2)
    assert "projet@test.invalid" in stale.get_json()["message"]
    with Session(engine) as session:
        assert session.exec(select(Milestone.count).where(Milestone.kind == "teachers_trained",
                                                          Milestone.version == 2)).all() == [9]
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).one()
        assert (event.channel, event.user_id, event.changes["count"]) == ("api", tracked.user_ids["project_manager"], [None, 9])


def test_patch_refusals(client, tracked, token) -> None:
    uai = sorted(tracked.uais)[0]
    invalid = client.patch(_url(tracked, uai, "school_live"), json={"version": 1, "status": "done"},
                           headers=token("project_manager"))
    assert invalid.status_code == 422 and invalid.get_json()["field"] == "actual_on"
    assert client.patch(_url(tracked, uai, "take_off"), json={"version": 1}, headers=token("project_manager")).status_code == 404
    assert client.patch(_url(tracked, uai, "school_live"), json={"version": 1, "status": "done", "actual_on": "2016-01-04"},
                        headers=token("stakeholder")).status_code == 403
    other = client.patch(f"/api/v1/schools/{uai}/milestones/school_live", json={"version": 1, "status": "blocked"},
                         headers=token("other_leader"))
    assert other.status_code == 404
    assert client.get(f"/api/v1/schools/{uai}/milestones", headers=token("other_leader")).status_code == 404


def _upload(client, world, headers, data: bytes, *, dry_run: bool):
    return client.post(f"/api/v1/progress/imports?programme={world.programme_id}", headers=headers,
                       data={"file": (io.BytesIO(data), "suivi.csv"), "dry_run": "true" if dry_run else "false"},
                       content_type="multipart/form-data")


def test_bulk_upload_dry_run_apply_and_idempotent_reupload(client, tracked, token, engine) -> None:
    a, b = sorted(tracked.uais)[:2]
    data = f"uai,milestone,status,date\n{a},leadership briefed,done,2015-08-10\n{b},leadership briefed,in progress,\n".encode()
    headers = token("project_manager")
    dry = _upload(client, tracked, headers, data, dry_run=True)
    assert dry.status_code == 200
    assert (dry.get_json()["applied"], dry.get_json()["counts"]) == (False, {"new": 0, "changed": 2, "unchanged": 0})
    applied = _upload(client, tracked, headers, data, dry_run=False)
    assert applied.status_code == 200 and applied.get_json()["applied"]
    batch_id = applied.get_json()["batch_id"]
    again = _upload(client, tracked, headers, data, dry_run=False)
    assert again.get_json()["counts"] == {"new": 0, "changed": 0, "unchanged": 2}
    assert {key: again.get_json()[key] for key in ("dry_run", "applied", "batch_id")} == {
        "dry_run": False, "applied": False, "batch_id": None}
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 1
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).all()
        assert {(e.channel, e.import_batch_id) for e in events} == {("import", batch_id)} and len(events) == 2


def test_bulk_upload_with_invalid_rows_is_422_and_writes_nothing(client, tracked, token, engine) -> None:
    a = sorted(tracked.uais)[0]
    data = f"uai,milestone,status\n{a},leadership briefed,done\n{a},ouverture,en cours\n0930000Z,relais,bloqué\n".encode()
    response = _upload(client, tracked, token("district_leader"), data, dry_run=False)
    assert response.status_code == 422
    assert [(p["row"], p["column"], p["code"]) for p in response.get_json()["problems"]] == [
        (2, "date", "done_without_date"), (4, "uai", "unknown_uai")]
    assert response.get_json()["problems"][1]["reason"] == "aucun établissement de ce programme n'a cet UAI"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 0
        assert session.exec(select(func.max(Milestone.version))).one() == 1
    dry = _upload(client, tracked, token("district_leader"), data, dry_run=True)
    assert dry.status_code == 422 and dry.get_json()["problems"] == response.get_json()["problems"]
    assert _upload(client, tracked, token("stakeholder"), data, dry_run=True).status_code == 403
