"""Basins import like the other reference data: previewed, then created and renamed all or
nothing under one batch; a code is never changed and a basin never deleted by a file."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlmodel import Session, select

from rollout.basins.table import BasinTable
from rollout.imports.pipeline import read_preview
from rollout.models import AuditEvent, Basin, ImportBatch, Programme, SavedPreview


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _upload(client, programme_id: int, data: bytes, filename: str = "bassins.csv"):
    url = f"/programmes/{programme_id}/basins/import"
    return client.post(url, data={"file": (io.BytesIO(data), filename), "csrf_token": _token(client.get(url).text)},
                       content_type="multipart/form-data")


def _basins(engine, programme_id: int) -> dict[str, str]:
    with Session(engine) as session:
        return dict(session.exec(select(Basin.code, Basin.name).where(Basin.programme_id == programme_id)).all())


def test_a_basins_file_creates_and_renames_under_one_batch(client, engine, world, login) -> None:
    login(client, "district_leader")
    page = client.get(f"/programmes/{world.programme_id}/basins")
    assert f'href="/programmes/{world.programme_id}/basins/import"' in page.text
    preview = _upload(client, world.programme_id, "Code bassin;Nom du bassin\nN;Nord-Ouest\nS;Sud\nE;Est\n".encode())
    assert preview.status_code == 200
    assert "Nouveaux : 1" in preview.text and "Modifiés : 1" in preview.text and "Inchangés : 1" in preview.text
    confirm = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
    assert client.post(confirm, data={"csrf_token": _token(preview.text)}).status_code == 302

    assert _basins(engine, world.programme_id) == {"N": "Nord-Ouest", "S": "Sud", "E": "Est"}
    with Session(engine) as session:
        batch = session.exec(select(ImportBatch)).one()
        assert (batch.kind, batch.rows_new, batch.rows_replaced, batch.rows_unchanged) == ("basins", 1, 1, 1)
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "basin").order_by(AuditEvent.id)).all()
        assert [(event.action, event.import_batch_id, event.changes["name"]) for event in events] == [
            ("update", batch.id, ["Nord", "Nord-Ouest"]), ("create", batch.id, [None, "Est"])]
        assert session.exec(select(SavedPreview)).all() == []


def test_every_problem_of_every_row_is_listed_and_nothing_kept(client, engine, world, login) -> None:
    login(client, "district_leader")
    refused = _upload(client, world.programme_id, b"code,name\nE 1,Est\nO,\nS,Sud\nS,Sud encore\n")
    assert refused.status_code == 422
    with Session(engine) as session:
        preview = read_preview(session, importer=BasinTable(), programme=session.get(Programme, world.programme_id),
                               data=b"code,name\nE 1,Est\nO,\nS,Sud\nS,Sud encore\n", filename="b.csv", today=date.today())
        assert session.exec(select(SavedPreview)).all() == []
    assert {(problem.row, problem.column) for problem in preview.problems} == {(2, "code"), (3, "name"), (5, "code")}
    assert _basins(engine, world.programme_id) == {"N": "Nord", "S": "Sud"}


def test_a_rename_made_since_the_preview_refuses_the_whole_file(client, engine, world, login) -> None:
    login(client, "district_leader")
    preview = _upload(client, world.programme_id, b"code;name\nN;Nord-Ouest\nE;Est\n")
    with Session(engine) as session:
        basin = session.exec(select(Basin).where(Basin.programme_id == world.programme_id, Basin.code == "N")).one()
        basin.name = "Nord (Saint-Denis)"
        session.add(basin)
        session.commit()
    confirm = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
    refused = client.post(confirm, data={"csrf_token": _token(preview.text)})
    assert refused.status_code == 409 and "renommé depuis l" in refused.text
    assert _basins(engine, world.programme_id) == {"N": "Nord (Saint-Denis)", "S": "Sud"}


def test_only_district_leaders_import_basins(client, world, login) -> None:
    login(client, "project_manager")
    assert client.get(f"/programmes/{world.programme_id}/basins/import").status_code == 403
    assert "basins/import" not in client.get(f"/programmes/{world.programme_id}/basins").text
