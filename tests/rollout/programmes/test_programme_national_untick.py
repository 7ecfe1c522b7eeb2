"""A new programme's schools from the national collège file: pick a département, then untick the
collèges the programme does not cover; confirming imports the others, all or nothing, audited,
and creates only the basins the kept collèges are in."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.models import AuditEvent, Basin, District, ImportBatch, SavedPreview, School, Wave
from rollout.models.organisation import ProgrammeCreate
from rollout.programmes.records import create_programme


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def new_programme(engine, world) -> int:
    """An empty programme of district 093, as a leader has just created it."""
    with Session(engine) as session:
        data = ProgrammeCreate(name="ENT 2026", platform="Nouvel ENT", start_date=date(2026, 9, 1))
        programme = create_programme(session, district=session.get(District, world.district_id), data=data,
                                     author=Author(actor="direction@test.invalid", channel="form"))
        session.commit()
        return programme.id


def _preview(client, programme_id: int) -> str:
    url = f"/programmes/{programme_id}/schools/import-national"
    page = client.post(url, data={"departments": "093", "schools_per_basin": "16", "csrf_token": _token(client.get(url).text)},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    return page.text


def _confirm(client, preview: str, **fields) -> object:
    action = re.search(r'action="([^"]+/confirm)"', preview).group(1)
    return client.post(action, data={"csrf_token": _token(preview), **fields})


def _stored(engine, model, programme_id: int, column) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(column).where(model.programme_id == programme_id)))


def test_unticked_collèges_are_not_imported_nor_their_own_basins(client, engine, new_programme, login):
    login(client, "district_leader")
    preview = _preview(client, new_programme)
    offered = re.findall(r'name="offered" value="([^"]+)"', preview)
    ticked = re.findall(r'name="keep" value="([^"]+)"[^>]*checked', preview)
    assert len(offered) == 130 and ticked == offered
    with Session(engine) as session:  # each collège's basin, as the preview shows it
        basin_of = {school["uai"]: school["basin"] for school in session.exec(select(SavedPreview)).one().summary["facts"]["choosable"]}
    assert set(basin_of) == set(offered) and all(f"<td>{basin}</td>" in preview for basin in basin_of.values())
    first_basin = min(basin_of.values())
    kept = sorted(uai for uai, basin in basin_of.items() if basin == first_basin)[1:]  # one of its schools unticked too
    done = _confirm(client, preview, offered=offered, keep=kept)
    assert done.status_code == 302
    assert _stored(engine, School, new_programme, School.uai) == set(kept)
    assert _stored(engine, Basin, new_programme, Basin.code) == {first_basin}
    with Session(engine) as session:
        batch = session.exec(select(ImportBatch).where(ImportBatch.programme_id == new_programme)).one()
        assert (batch.rows_new, batch.kind) == (len(kept), "schools")
        events = session.exec(select(AuditEvent).where(AuditEvent.import_batch_id == batch.id)).all()
        assert sorted(event.entity_id for event in events if event.entity == "school") == sorted(
            str(id_) for id_ in session.exec(select(School.id).where(School.programme_id == new_programme)))
        assert session.exec(select(SavedPreview)).all() == []


def test_unticking_every_collège_imports_nothing_and_keeps_the_preview(client, engine, new_programme, login):
    login(client, "district_leader")
    preview = _preview(client, new_programme)
    offered = re.findall(r'name="offered" value="([^"]+)"', preview)
    refused = _confirm(client, preview, offered=offered)
    assert refused.status_code == 302
    shown = client.get(refused.location)
    assert shown.status_code == 200 and "Aucune ligne cochée : rien n&#39;a été importé" in shown.text
    assert _stored(engine, School, new_programme, School.uai) == set()
    assert _stored(engine, Basin, new_programme, Basin.code) == set()
    done = _confirm(client, shown.text, offered=offered, keep=offered)  # the kept preview, confirmed whole
    assert done.status_code == 302 and len(_stored(engine, School, new_programme, School.uai)) == 130


def test_leaving_out_a_row_the_preview_did_not_offer_is_refused_whole(client, engine, world, new_programme, login):
    login(client, "district_leader")
    preview = _preview(client, new_programme)
    offered = re.findall(r'name="offered" value="([^"]+)"', preview)
    forged = _confirm(client, preview, offered=[*offered, world.other_uai], keep=offered)
    assert forged.status_code == 400
    assert _stored(engine, School, new_programme, School.uai) == set()


def test_a_spreadsheet_preview_offers_nothing_to_untick(client, engine, world, login):
    login(client, "district_leader")
    url = f"/programmes/{world.programme_id}/waves/import"
    data = {"file": (io.BytesIO(b"code,position,start_date,end_date\nW4,3,2016-09-01,2016-12-16\n"), "v.csv"),
            "csrf_token": _token(client.get(url).text)}
    preview = client.post(url, data=data, content_type="multipart/form-data").text
    assert 'name="offered"' not in preview
    assert _confirm(client, preview, offered=["W4"]).status_code == 400
    with Session(engine) as session:
        assert "W4" not in set(session.exec(select(Wave.code)))
