"""The import pipeline every kind of file goes through: a preview is kept only when it can be
confirmed, only for its author, replaced by their next one, forgotten when it expires; the
pages check a kept preview in one order (404, 403, 400) whatever its kind."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from rollout.core.author import Author

from rollout.imports.pipeline import PREVIEW_LIFETIME, ImportConflict, apply_preview, read_preview, save_preview, saved_preview
from rollout.models import Programme, SavedPreview, utcnow
from rollout.trainers.records import delete_trainer, trainer_or_none
from rollout.trainers.table import TrainerTable
from rollout.waves.table import WaveTable

NEW_TRAINER = "code;nom;niveau;bassins\nR-1;Relais;relay;S\n".encode()


def _preview(session: Session, programme: Programme, data: bytes, importer=None):
    return read_preview(session, importer=importer or TrainerTable(), programme=programme, data=data,
                        filename="f.csv", today=date.today())


def test_only_a_confirmable_preview_is_kept_and_the_next_one_replaces_it(engine, world) -> None:
    leader = world.user_ids["district_leader"]
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        first = _preview(session, programme, NEW_TRAINER)
        save_preview(session, importer=TrainerTable(), programme=programme, preview=first, user_id=leader)
        wave = _preview(session, programme, b"code;position;start_date;end_date\nW9;9;2019-01-07;2019-03-01\n", WaveTable())
        save_preview(session, importer=WaveTable(), programme=programme, preview=wave, user_id=leader)
        second = _preview(session, programme, "code;nom;niveau;bassins\nR-2;Relais deux;relay;N\n".encode())
        save_preview(session, importer=TrainerTable(), programme=programme, preview=second, user_id=leader)
        invalid = _preview(session, programme, b"code;nom;niveau;bassins\nR-3;Relais;chef;Z\n")
        save_preview(session, importer=TrainerTable(), programme=programme, preview=invalid, user_id=leader)
        session.commit()
        kept = session.exec(select(SavedPreview.kind, SavedPreview.id).order_by(SavedPreview.kind)).all()
        # The invalid preview kept nothing and replaced the trainers one: a person's last upload
        # of a kind is the one they can confirm, never an earlier file.
        assert kept == [("waves", wave.saved_id)]
        assert invalid.saved_id is None and invalid.problems


def test_a_kept_preview_is_its_authors_until_it_expires(engine, world) -> None:
    leader, manager = world.user_ids["district_leader"], world.user_ids["project_manager"]
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = _preview(session, programme, NEW_TRAINER)
        now = utcnow()
        save_preview(session, importer=TrainerTable(), programme=programme, preview=preview, user_id=leader, now=now)
        session.commit()
        found = lambda user, at: saved_preview(session, programme=programme, saved_id=preview.saved_id, user_id=user, now=at)
        assert found(leader, now).id == preview.saved_id
        assert found(manager, now) is None
        assert found(leader, now + PREVIEW_LIFETIME) is None
        other = session.get(Programme, world.other_programme_id)
        assert saved_preview(session, programme=other, saved_id=preview.saved_id, user_id=leader, now=now) is None
        # The next save of anyone in the programme clears what has expired.
        later = _preview(session, programme, NEW_TRAINER)
        save_preview(session, importer=TrainerTable(), programme=programme, preview=later, user_id=manager,
                     now=now + PREVIEW_LIFETIME + timedelta(seconds=1))
        session.commit()
        assert session.exec(select(SavedPreview.id)).all() == [later.saved_id]


def _kept_preview_url(client, world, csrf) -> str:
    upload = f"/programmes/{world.programme_id}/trainers/import"
    page = client.post(upload, data={"csrf_token": csrf(client, upload), "file": (io.BytesIO(NEW_TRAINER), "f.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    return re.search(r'action="(/programmes/\d+/imports/\d+)/confirm"', page.text).group(1)


def test_the_pages_check_a_kept_preview_in_one_order(app, client, world, login, csrf) -> None:
    login(client, "district_leader")
    kept = _kept_preview_url(client, world, csrf)
    assert client.get(kept).status_code == 200
    assert client.post(f"{kept}/confirm", data={}).status_code == 400  # the author, without the form's token
    manager = app.test_client()
    login(manager, "project_manager")
    token = csrf(manager, f"/programmes/{world.programme_id}/progress/upload")
    for path in (kept, f"{kept}/confirm", f"{kept}/cancel"):  # not theirs: 404 before anything else
        response = manager.get(path) if path == kept else manager.post(path, data={"csrf_token": token})
        assert response.status_code == 404, path
    cancelled = client.post(f"{kept}/cancel", data={"csrf_token": csrf(client, kept)})
    assert cancelled.status_code == 302 and cancelled.headers["Location"].endswith("/trainers/import")
    assert client.get(kept).status_code == 404


def test_a_title_line_and_a_totals_row_are_skipped_and_said_on_the_preview(client, world, login, csrf) -> None:
    login(client, "district_leader")
    upload = f"/programmes/{world.programme_id}/trainers/import"
    data = "Formateurs - export du 03/12/2026\ncode;nom;niveau;bassins\nR-1;Relais;relay;S\nTotal;;;\n".encode()
    page = client.post(upload, data={"csrf_token": csrf(client, upload), "file": (io.BytesIO(data), "f.csv")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "Nouveaux : 1" in page.text
    assert "ligne 2" in page.text and "Total" in page.text


def _upload(client, url: str, data: bytes, csrf):
    return client.post(url, data={"csrf_token": csrf(client, url.split("?")[0]), "file": (io.BytesIO(data), "f.csv")},
                       content_type="multipart/form-data")


def test_a_kept_previews_notes_read_in_the_language_of_whoever_opens_it(client, world, login, csrf) -> None:
    login(client, "district_leader")
    page = _upload(client, f"/programmes/{world.programme_id}/trainers/import", b"Formateurs 2026\n" + NEW_TRAINER, csrf)
    assert page.status_code == 200 and "en-tête lu à la ligne 2 (lignes au-dessus ignorées)" in page.text
    kept = re.search(r'action="(/programmes/\d+/imports/\d+)/confirm"', page.text).group(1)
    english = client.get(f"{kept}?lang=en").text
    assert "header read on row 2 (rows above ignored)" in english and "en-tête lu" not in english


def test_an_invalid_file_is_explained_in_the_pages_language(client, world, login, csrf) -> None:
    login(client, "district_leader")
    upload = f"/programmes/{world.programme_id}/trainers/import"
    invalid = b"code;nom;niveau;bassins;capacite\nR-3;Relais;relay;S;douze\n"
    french = _upload(client, upload, invalid, csrf)
    assert french.status_code == 422 and "nombre entier attendu" in french.text
    english = _upload(client, f"{upload}?lang=en", invalid, csrf)
    assert english.status_code == 422 and "whole number expected" in english.text
    assert "nombre entier attendu" not in english.text


def test_a_record_deleted_since_the_preview_refuses_the_whole_file_naming_its_row(engine, world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = _preview(session, programme, "code;nom;niveau;bassins\nR-1;Relais;relay;S\nAT-001;Renommé;academic;N\n".encode())
        assert preview.counts == {"new": 1, "changed": 1, "unchanged": 0}
        delete_trainer(session, programme=programme, trainer=trainer_or_none(session, programme=programme, code="AT-001"),
                       author=Author(actor="direction@test.invalid", channel="form"))
        session.commit()
        with pytest.raises(ImportConflict) as refused:
            apply_preview(session, importer=TrainerTable(), programme=programme, preview=preview,
                          author=Author(actor="direction@test.invalid", channel="form"), today=date.today())
        session.rollback()
        assert [(p.code, p.row, p.column, p.value) for p in refused.value.problems] == [
            ("deleted_since_preview", 3, "code", "AT-001")]
        assert trainer_or_none(session, programme=programme, code="R-1") is None  # nothing of the file was written
