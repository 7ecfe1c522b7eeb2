"""The schools pages: list with filters and colours, create and edit forms with optimistic
locking, imports with preview and confirmation, access by role and district."""

from __future__ import annotations

import io
import re

from sqlmodel import Session, select

from rollout.models import AuditEvent, School

from conftest import WORLD_EMAILS


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _school(engine, world, uai):
    with Session(engine) as session:
        return session.exec(select(School).where(School.programme_id == world.programme_id, School.uai == uai)).one()


def test_the_list_filters_by_basin_and_shows_the_status_colour(client, world, login):
    login(client, "stakeholder")
    page = client.get(f"/programmes/{world.programme_id}/schools?basin=N&sort=pupils")
    assert page.status_code == 200
    listed = re.findall(r">(\d{7}[A-Z])</a>", page.text)
    assert listed and len(listed) == 3 and set(listed) < set(world.uais)
    assert "colour-green" in page.text
    assert "Ajouter un établissement" not in page.text  # read-only for a stakeholder


def test_a_district_leader_creates_a_school_and_sees_errors_beside_the_fields(client, engine, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/schools/new"
    form = {"uai": "0931234L", "name": "Collège Neuf", "commune": "Bobigny", "pupils": "400", "teachers": "0",
            "priority": "REP", "basin": "N", "pinned_wave": "", "latest_wave": ""}
    refused = client.post(url, data={**form, "csrf_token": _token(client.get(url).text)})
    assert refused.status_code == 422 and "doit être ≥ 1" in refused.text
    created = client.post(url, data={**form, "teachers": "30", "csrf_token": _token(client.get(url).text)})
    assert created.status_code == 302
    assert _school(engine, world, "0931234L").teachers == 30
    with Session(engine) as session:
        assert session.exec(select(AuditEvent.channel).where(AuditEvent.entity == "school")).all() == ["form"]


def test_the_second_of_two_edits_gets_409_with_its_input_kept(client, engine, world, login):
    login(client, "district_leader")
    uai = world.uais[0]
    url = f"/programmes/{world.programme_id}/schools/{uai}/edit"
    page = client.get(url).text
    token = _token(page)
    school = _school(engine, world, uai)
    form = {"name": school.name, "commune": school.commune, "pupils": school.pupils, "priority": school.priority,
            "basin": "N", "pinned_wave": "", "latest_wave": "", "version": "1", "csrf_token": token}
    assert client.post(url, data={**form, "teachers": "41"}).status_code == 302
    conflict = client.post(url, data={**form, "teachers": "77"})
    assert conflict.status_code == 409
    assert "autre a enregistré cet établissement" in conflict.text and 'value="77"' in conflict.text
    assert _school(engine, world, uai).teachers == 41
    again = client.post(url, data={**form, "teachers": "77", "version": "2"})
    assert again.status_code == 302 and _school(engine, world, uai).teachers == 77


def test_import_preview_then_confirm(client, engine, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/schools/import"
    data = "uai;nom;commune;eleves;enseignants;bassin\n0931234L;Collège Neuf;Bobigny;400;30;S\n".encode()
    preview = client.post(url, data={"file": (io.BytesIO(data), "ecoles.csv"), "csrf_token": _token(client.get(url).text)},
                          content_type="multipart/form-data")
    assert preview.status_code == 200 and "Nouveaux : 1" in preview.text
    confirm = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
    assert client.post(confirm, data={"csrf_token": _token(preview.text)}).status_code == 302
    assert _school(engine, world, "0931234L").name == "Collège Neuf"


def test_an_invalid_import_lists_every_problem_and_offers_no_confirmation(client, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/schools/import"
    data = "uai;nom;commune;eleves;enseignants;bassin\n0931234X;A;Bobigny;400;30;S\n0931235M;B;Pantin;-1;30;Q\n".encode()
    preview = client.post(url, data={"file": (io.BytesIO(data), "ecoles.csv"), "csrf_token": _token(client.get(url).text)},
                          content_type="multipart/form-data")
    assert preview.status_code == 422
    assert "Lignes invalides : 2" in preview.text and "/confirm" not in preview.text
    for cell in ("0931234X", "-1", "Q"):
        assert f"<td>{cell}</td>" in preview.text


def test_national_import_page_uses_the_shipped_file_for_the_district(client, engine, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/schools/import-national"
    page = client.get(url)
    assert 'value="093"' in page.text
    preview = client.post(url, data={"departments": "093", "schools_per_basin": "16", "csrf_token": _token(page.text)})
    assert preview.status_code == 200 and "Nouveaux : 124" in preview.text and "Inchangés : 6" in preview.text


def test_only_district_leaders_edit_and_another_districts_school_is_404(client, world, login):
    login(client, "project_manager")
    assert client.get(f"/programmes/{world.programme_id}/schools/new").status_code == 403
    assert client.get(f"/programmes/{world.programme_id}/schools").status_code == 200
    client.post("/logout", data={"csrf_token": _token(client.get("/").text)})
    login(client, email=WORLD_EMAILS["other_leader"])
    assert client.get(f"/programmes/{world.programme_id}/schools/{world.uais[0]}/edit").status_code == 404
    assert client.get(f"/programmes/{world.other_programme_id}/schools/{world.uais[0]}/edit").status_code == 404
    assert client.get(f"/programmes/{world.other_programme_id}/schools/{world.other_uai}/edit").status_code == 200
