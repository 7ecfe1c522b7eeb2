"""Training sessions through the page, the API and the command line: the same rules and answers
as `record_sessions`, project managers and leaders only, another district's programme 404."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from rollout.cli import main
from rollout.models import AuditEvent, ImportBatch, SavedPreview
from rollout.models.training import TrainingSession
from tests.conftest import World

YESTERDAY = date.today() - timedelta(days=1)


def _sessions(engine) -> list[TrainingSession]:
    with Session(engine) as session:
        return list(session.exec(select(TrainingSession).order_by(TrainingSession.id)))


def _page(world: World) -> str:
    return f"/programmes/{world.programme_id}/training/sessions"


def _csrf(client, path: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text)
    return match.group(1) if match else ""


def test_the_form_records_one_session_per_school_and_the_list_filters(client, engine, world: World, login) -> None:
    login(client, "project_manager")
    form = {"csrf_token": _csrf(client, _page(world)), "date": YESTERDAY.isoformat(), "trainer": "AT-001",
            "audience": "teachers", "uai": world.uais[:2], "modality": "hybrid", "hours": "2.5",
            "attendees": "4", "status": "held", "reference": ""}
    response = client.post(_page(world), data=form)
    assert response.status_code == 302, response.text
    stored = _sessions(engine)
    assert len(stored) == 2 and {s.attendees for s in stored} == {4}
    with Session(engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.entity == "training_session",
                                                     AuditEvent.channel == "form")).all()
    listed = client.get(_page(world) + f"?uai={world.uais[0]}").text
    assert listed.count("AT-001") >= 1 and "1 séance(s)" in listed
    assert "0 séance(s)" in client.get(_page(world) + "?status=cancelled").text
    assert client.get(_page(world) + "?status=lost").status_code == 400


def test_a_refused_form_shows_the_problem_beside_its_field_and_writes_nothing(client, engine, world: World, login) -> None:
    login(client, "district_leader")
    form = {"csrf_token": _csrf(client, _page(world)), "date": YESTERDAY.isoformat(), "trainer": "AT-001",
            "audience": "teachers", "uai": [world.uais[0]], "modality": "online", "hours": "1", "attendees": "99999",
            "status": "held"}
    response = client.post(_page(world), data=form)
    assert response.status_code == 422
    assert "plus de participants que d&#39;enseignants" in response.text or "plus de participants que d'enseignants" in response.text
    assert _sessions(engine) == []


def test_cancelling_from_the_page_keeps_the_session(client, engine, world: World, login) -> None:
    login(client, "project_manager")
    form = {"csrf_token": _csrf(client, _page(world)), "date": YESTERDAY.isoformat(), "trainer": "AT-001",
            "audience": "leadership", "uai": [world.uais[0]], "modality": "online", "hours": "1", "attendees": "2",
            "status": "held"}
    assert client.post(_page(world), data=form).status_code == 302
    [training] = _sessions(engine)
    response = client.post(f"{_page(world)}/{training.id}/cancel",
                           data={"csrf_token": _csrf(client, _page(world)), "version": "1"})
    assert response.status_code == 302
    assert [(s.status, s.version) for s in _sessions(engine)] == [("cancelled", 2)]


def test_stakeholders_see_neither_the_page_nor_the_api(client, world: World, login, token) -> None:
    login(client, "stakeholder")
    assert client.get(_page(world)).status_code == 403
    assert client.get(f"/api/v1/training/sessions?programme={world.programme_id}", headers=token("stakeholder")).status_code == 403


def test_another_districts_leader_gets_404(client, world: World, login, token) -> None:
    login(client, "other_leader")
    assert client.get(_page(world)).status_code == 404
    assert client.get(f"/api/v1/training/sessions?programme={world.programme_id}", headers=token("other_leader")).status_code == 404


def test_the_api_records_lists_and_patches_with_the_version(client, engine, world: World, token) -> None:
    headers = token("project_manager")
    url = f"/api/v1/training/sessions?programme={world.programme_id}"
    body = {"held_on": YESTERDAY.isoformat(), "trainer": "V-1", "audience": "trainers", "modality": "face_to_face",
            "hours": 6, "attendees": 1, "trainees": ["AT-002"]}
    created = client.post(url, json=body, headers=headers)
    assert created.status_code == 201, created.text
    [public] = created.json["sessions"]
    assert (public["trainer"], public["uai"], public["trainees"], public["version"]) == ("V-1", None, ["AT-002"], 1)
    refused = client.post(url, json={**body, "trainer": "AT-002", "audience": "teachers", "uais": [world.other_uai],
                                     "trainees": []}, headers=headers)
    assert refused.status_code == 409 and refused.json["field"] == "uai" and world.other_uai in refused.json["message"]
    listed = client.get(url + "&trainer=V-1", headers=headers).json["sessions"]
    assert [s["id"] for s in listed] == [public["id"]]
    patch = f"/api/v1/training/sessions/{public['id']}?programme={world.programme_id}"
    changed = client.patch(patch, json={"version": 1, "hours": 7}, headers=headers)
    assert changed.status_code == 200 and (changed.json["hours"], changed.json["version"]) == (7.0, 2)
    stale = client.patch(patch, json={"version": 1, "status": "cancelled"}, headers=headers)
    assert stale.status_code == 409 and stale.json["current_version"] == 2
    other = client.get(f"/api/v1/training/sessions?programme={world.other_programme_id}", headers=headers)
    assert other.status_code == 404


CSV = "date,trainer,audience,uai,modality,hours,attendees\n2015-10-05,AT-002,teachers,{uai},online,1,3\n"


def test_the_api_import_detects_the_kind_and_refuses_a_bad_file_whole(client, engine, world: World, token) -> None:
    headers = token("district_leader")
    url = f"/api/v1/training/imports?programme={world.programme_id}"
    dry = client.post(url, data={"file": (io.BytesIO(CSV.format(uai=world.uais[0]).encode()), "s.csv"), "dry_run": "true"},
                      headers=headers, content_type="multipart/form-data")
    assert dry.status_code == 200, dry.text
    assert (dry.json["kind"], dry.json["new"], dry.json["dry_run"], dry.json["written"]) == ("sessions", 1, True, False)
    bad = client.post(url, data={"file": (io.BytesIO(CSV.format(uai="0000000X").encode()), "s.csv")},
                      headers=headers, content_type="multipart/form-data")
    assert bad.status_code == 422
    assert [(p["row"], p["column"], p["value"]) for p in bad.json["problems"]] == [(2, "uai", "0000000X")]
    assert _sessions(engine) == []


@pytest.fixture
def rollout(engine, database_url, world, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=True)


def test_the_command_line_dry_run_and_refusal(rollout, engine, world: World, tmp_path) -> None:
    good, bad = tmp_path / "seances.csv", tmp_path / "mauvais.csv"
    good.write_text(CSV.format(uai=world.uais[0]), encoding="utf-8")
    bad.write_text(CSV.format(uai=world.uais[0]).replace(",3\n", ",x\n"), encoding="utf-8")
    programme = str(world.programme_id)
    result = rollout("training", "import", str(good), "--dry-run", "--programme", programme)
    assert result.exit_code == 0, result.output
    assert "seances.csv (sessions): would import 1 row: 1 new, 0 replaced, 0 unchanged" in result.output
    assert _sessions(engine) == []
    result = rollout("training", "import", str(bad), "--kind", "sessions", "--programme", programme)
    assert result.exit_code == 2 and "ligne 2, colonne attendees = 'x'" in result.output
    unknown = tmp_path / "autre.csv"
    unknown.write_text("a,b\n1,2\n", encoding="utf-8")
    result = rollout("training", "import", str(unknown), "--programme", programme)
    assert result.exit_code == 2 and "--kind" in result.output
    with Session(engine) as session:
        assert session.exec(select(ImportBatch)).all() == [] and _sessions(engine) == []


def test_the_upload_page_previews_keeps_then_confirms_all_or_nothing(client, engine, world: World, login) -> None:
    login(client, "project_manager")
    url = f"{_page(world)}/import"
    good = CSV.format(uai=world.uais[0]).encode()

    def send(data: bytes):
        return client.post(url, data={"csrf_token": _csrf(client, url), "file": (io.BytesIO(data), "s.csv")},
                           content_type="multipart/form-data")

    refused = send(good.replace(b",3\n", b",x\n"))
    assert refused.status_code == 422 and "attendees" in refused.text and _sessions(engine) == []
    preview = send(good)
    assert preview.status_code == 200 and "Nouveaux : 1" in preview.text and _sessions(engine) == []
    with Session(engine) as session:
        saved = session.exec(select(SavedPreview)).one()
    assert saved.kind == "sessions"
    shown = f"/programmes/{world.programme_id}/imports/{saved.id}"
    confirmed = client.post(f"{shown}/confirm", data={"csrf_token": _csrf(client, shown)})
    assert confirmed.status_code == 302 and len(_sessions(engine)) == 1
    with Session(engine) as session:
        batch = session.exec(select(ImportBatch)).one()
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "training_session")).all()
    assert (batch.kind, batch.rows_new) == ("sessions", 1) and {event.import_batch_id for event in events} == {batch.id}
    again = send(good)
    assert "Inchangés : 1" in again.text and "Rien ne changerait" in again.text
