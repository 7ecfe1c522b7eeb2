"""The programme pages: a district leader creates a programme in one of their districts and
edits its settings (a stale edit is shown, not applied); everyone else reads them."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent, Programme

FORM = {"name": "ENT 2026", "platform": "Nouvel ENT", "previous_platform": "", "start_date": "2026-09-01",
        "teachers_per_session": "15", "trainers_per_session": "8", "schools_per_leadership_session": "6", "trainer_lag": "1",
        "weight_rep_plus": "2,5", "weight_rep": "1.5", "weight_none": "1"}


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _programmes(engine) -> list[Programme]:
    with Session(engine) as session:
        return list(session.exec(select(Programme).order_by(Programme.id)))


def test_a_leader_creates_a_programme_then_finds_where_to_add_its_schools(client, engine, world, login):
    login(client, "district_leader")
    home = client.get("/").text
    assert 'href="/programmes/new"' in home
    page = client.get("/programmes/new").text
    assert "093 — Seine-Saint-Denis" in page and "094" not in page and 'value="15"' in page
    created = client.post("/programmes/new", data={**FORM, "district": "093", "csrf_token": _token(page)})
    assert created.status_code == 302
    programme = _programmes(engine)[-1]
    assert (programme.name, programme.district_id, programme.weight_rep_plus, programme.weight_rep) == (
        "ENT 2026", world.district_id, 2.5, 1.5)
    settings = client.get(created.location)
    assert settings.status_code == 200 and "ENT 2026" in settings.text
    for link in (f"/programmes/{programme.id}/schools/import-national", f"/programmes/{programme.id}/schools/import",
                 f"/programmes/{programme.id}/waves", f"/programmes/{programme.id}/trainers"):
        assert f'href="{link}"' in settings.text
    with Session(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "programme")).one()
        assert (event.action, event.channel, event.user_id) == ("create", "form", world.user_ids["district_leader"])


@pytest.mark.parametrize(("change", "shown"), [
    ({"name": "ENT 093"}, "un programme de ce district porte déjà ce nom"),
    ({"weight_rep": "beaucoup"}, "nombre attendu"),
    ({"weight_none": "0"}, "doit être &gt; 0"),
    ({"trainer_lag": ""}, "valeur obligatoire"),
    ({"district": "094"}, "aucun de vos districts n&#39;a ce code"),
])
def test_a_refused_creation_says_why_beside_the_field_and_writes_nothing(client, engine, world, login, change, shown):
    login(client, "district_leader")
    page = client.get("/programmes/new").text
    refused = client.post("/programmes/new", data={**FORM, "district": "093", **change, "csrf_token": _token(page)})
    assert refused.status_code == 422 and shown in refused.text
    assert len(_programmes(engine)) == 2


@pytest.mark.parametrize("role", ["project_manager", "stakeholder"])
def test_other_roles_read_the_settings_but_cannot_create_or_edit(client, engine, world, login, role):
    login(client, role)
    assert "/programmes/new" not in client.get("/").text
    assert client.get("/programmes/new").status_code == 403
    page = client.get(f"/programmes/{world.programme_id}/settings")
    assert page.status_code == 200 and "<dd>ENT 093</dd>" in page.text and "<form method=\"post\" action=\"/programmes" not in page.text
    assert "import-national" not in page.text
    edit = client.post(f"/programmes/{world.programme_id}/settings", data={**FORM, "version": "1", "csrf_token": _token(page.text)})
    assert edit.status_code == 403
    assert _programmes(engine)[0].name == "ENT 093"


def test_another_districts_leader_gets_404(client, engine, world, login):
    login(client, "other_leader")
    listing = client.get("/programmes").text
    assert "ENT 094" in listing and "ENT 093" not in listing
    assert client.get(f"/programmes/{world.programme_id}/settings").status_code == 404
    page = client.get(f"/programmes/{world.other_programme_id}/settings").text
    refused = client.post(f"/programmes/{world.programme_id}/settings", data={**FORM, "version": "1", "csrf_token": _token(page)})
    assert refused.status_code == 404
    assert _programmes(engine)[0].name == "ENT 093"


def test_the_second_of_two_settings_edits_gets_409_with_its_input_kept(client, engine, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/settings"
    opened = client.get(url).text
    assert 'name="version" type="hidden" value="1"' in opened
    edit = {**FORM, "name": "ENT 093", "platform": "ENT", "start_date": "2015-09-01", "version": "1", "csrf_token": _token(opened)}
    assert client.post(url, data={**edit, "trainer_lag": "2"}).status_code == 302
    conflict = client.post(url, data={**edit, "trainer_lag": "0"})
    assert conflict.status_code == 409
    assert "Quelqu'un d'autre a enregistré ces paramètres" in conflict.text
    assert 'name="version" type="hidden" value="2"' in conflict.text and 'id="trainer_lag" name="trainer_lag" type="number" value="0"' in conflict.text
    programme = _programmes(engine)[0]
    assert (programme.trainer_lag, programme.version) == (2, 2)
    assert client.post(url, data={**edit, "trainer_lag": "0", "version": "2"}).status_code == 302
    assert _programmes(engine)[0].trainer_lag == 0
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "programme").order_by(AuditEvent.id)).all()
        assert [event.changes["trainer_lag"] for event in events] == [[1, 2], [2, 0]]
