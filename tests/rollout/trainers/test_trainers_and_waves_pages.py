"""Trainers, waves and basins pages: forms with errors beside the fields, imports with preview,
deletion refused with its reason, read-only for other roles."""

from __future__ import annotations

import io
import re

from sqlmodel import Session, select

from rollout.models import AuditEvent, SavedPreview, School, Trainer, Wave


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_lists_are_read_only_for_a_project_manager(client, world, login):
    login(client, "project_manager")
    for page in ("trainers", "waves", "basins"):
        response = client.get(f"/programmes/{world.programme_id}/{page}")
        assert response.status_code == 200 and "Ajouter" not in response.text
    assert "Formatrice Nord" in client.get(f"/programmes/{world.programme_id}/trainers").text
    assert client.get(f"/programmes/{world.programme_id}/waves/new").status_code == 403


def test_a_trainer_form_shows_unknown_basins_beside_the_field_then_saves(client, engine, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/trainers/new"
    form = {"code": "R-1", "name": "Relais", "tier": "relay", "capacity": "2", "basins": "S Z", "capacities": ""}
    refused = client.post(url, data={**form, "csrf_token": _token(client.get(url).text)})
    assert refused.status_code == 422 and "bassin inconnu dans ce programme" in refused.text
    saved = client.post(url, data={**form, "basins": "S N", "csrf_token": _token(client.get(url).text)})
    assert saved.status_code == 302
    with Session(engine) as session:
        assert session.exec(select(Trainer).where(Trainer.code == "R-1")).one().tier == "relay"


def test_deleting_a_pinned_wave_is_refused_with_the_reason(client, engine, world, login):
    with Session(engine) as session:
        wave = session.exec(select(Wave).where(Wave.programme_id == world.programme_id, Wave.code == "W1")).one()
        school = session.exec(select(School).where(School.uai == world.uais[0], School.programme_id == world.programme_id)).one()
        school.pinned_wave_id = wave.id
        session.add(school)
        session.commit()
    login(client, "district_leader")
    page = client.get(f"/programmes/{world.programme_id}/waves")
    refused = client.post(f"/programmes/{world.programme_id}/waves/W1/delete", data={"csrf_token": _token(page.text)},
                          follow_redirects=True)
    assert "La vague W1 n&#39;est pas supprimée" in refused.text and world.uais[0] in refused.text
    done = client.post(f"/programmes/{world.programme_id}/waves/W3/delete", data={"csrf_token": _token(page.text)})
    assert done.status_code == 302
    with Session(engine) as session:
        assert set(session.exec(select(Wave.code).where(Wave.programme_id == world.programme_id))) == {"W1", "W2"}
        assert session.exec(select(AuditEvent.channel).where(AuditEvent.entity == "wave")).all() == ["form"]


def test_a_waves_import_is_previewed_cancelled_or_confirmed(client, engine, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/waves/import"
    data = b"code,position,start_date,end_date\nW4,3,2016-09-01,2016-12-16\n"

    def preview():
        return client.post(url, data={"file": (io.BytesIO(data), "vagues.csv"), "csrf_token": _token(client.get(url).text)},
                           content_type="multipart/form-data")

    first = preview()
    assert first.status_code == 200 and "Nouveaux : 1" in first.text
    cancel = re.search(r'action="([^"]+/cancel)"', first.text).group(1)
    assert client.post(cancel, data={"csrf_token": _token(first.text)}).status_code == 302
    second = preview()
    confirm = re.search(r'action="([^"]+/confirm)"', second.text).group(1)
    assert client.post(confirm, data={"csrf_token": _token(second.text)}).status_code == 302
    with Session(engine) as session:
        assert session.exec(select(Wave).where(Wave.code == "W4")).one().position == 3
        assert session.exec(select(SavedPreview)).all() == []
        assert session.exec(select(AuditEvent.import_batch_id).where(AuditEvent.entity == "wave")).one() is not None


def test_someone_elses_pending_import_is_404(client, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/trainers/import"
    data = b"code;nom;niveau;bassins\nR-1;Relais;relay;S\n"
    preview = client.post(url, data={"file": (io.BytesIO(data), "f.csv"), "csrf_token": _token(client.get(url).text)},
                          content_type="multipart/form-data")
    pending = re.search(r'action="(/programmes/\d+/imports/\d+)/confirm"', preview.text).group(1)
    assert client.get(pending).status_code == 200
    client.post("/logout", data={"csrf_token": _token(preview.text)})
    login(client, "admin")
    assert client.get(pending).status_code == 404


def test_the_second_of_two_trainer_or_wave_edits_gets_409_with_its_input_kept(client, engine, world, login):
    """Two leaders open the same trainer (and the same wave) at version 1; the first saves. The
    second's save is refused with 409: the saved version is shown, what they typed stays in the
    form with the new version, and saving again then goes through knowingly."""
    login(client, "district_leader")
    base = f"/programmes/{world.programme_id}"
    cases = (
        (f"{base}/trainers/AT-001/edit", {"name": "Première", "tier": "academic", "capacity": "3", "basins": "N S", "capacities": ""},
         "name", "Seconde", Trainer, "AT-001"),
        (f"{base}/waves/W1/edit", {"label": "Pilotes", "position": "0", "start_date": "2015-09-01", "end_date": "2015-12-18"},
         "label", "Écrasé", Wave, "W1"),
    )
    for url, form, field, second, model, code in cases:
        opened = client.get(url).text
        assert 'name="version"' in opened and 'value="1"' in opened
        first = client.post(url, data={**form, "version": "1", "csrf_token": _token(opened)})
        assert first.status_code == 302
        conflict = client.post(url, data={**form, field: second, "version": "1", "csrf_token": _token(opened)})
        assert conflict.status_code == 409
        assert "Quelqu'un d'autre a enregistré cette fiche" in conflict.text and form[field] in conflict.text
        assert model is not Trainer or "Déjà formé : non" in conflict.text  # the saved values, in words
        assert f'value="{second}"' in conflict.text and 'name="version" type="hidden" value="2"' in conflict.text
        with Session(engine) as session:
            record = session.exec(select(model).where(model.code == code, model.programme_id == world.programme_id)).one()
            assert getattr(record, field) == form[field] and record.version == 2
        again = client.post(url, data={**form, field: second, "version": "2", "csrf_token": _token(conflict.text)})
        assert again.status_code == 302
        with Session(engine) as session:
            record = session.exec(select(model).where(model.code == code, model.programme_id == world.programme_id)).one()
            assert getattr(record, field) == second and record.version == 3
