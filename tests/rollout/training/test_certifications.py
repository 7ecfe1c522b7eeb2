"""Pix+ Édu certifications imported or entered per school: the contract's headers and aliases,
every bad row reported with nothing written, re-imports that change nothing, and the school's
totals and milestone derived from them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.imports.pipeline import import_file
from rollout.imports.tabular import TableError
from rollout.models import ImportBatch, Milestone, PixCertification, Programme, School
from rollout.models.training import PixCertificationRecord
from rollout.training.certifications import CertificationTable

TODAY = date(2016, 6, 30)
AUTHOR = Author(actor="tests", channel="cli")


def _written(batch: ImportBatch | None) -> dict[str, int] | None:
    """The counts the import batch wrote, None when nothing was written."""
    return None if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced, "unchanged": batch.rows_unchanged}


def _import(engine, programme_id: int, text: str, *, dry_run: bool = False):
    with Session(engine) as session:
        preview, batch = import_file(session, importer=CertificationTable(), programme=session.get(Programme, programme_id),
                                     data=text.encode("utf-8"), filename="pix.csv", author=AUTHOR, today=TODAY,
                                     dry_run=dry_run)
        session.commit()
        return preview, _written(batch)


def _records(engine) -> list[tuple]:
    with Session(engine) as session:
        return [(r.certified_on, r.level, r.certified) for r in session.exec(
            select(PixCertificationRecord).order_by(PixCertificationRecord.certified_on, PixCertificationRecord.level))]


def test_french_headers_and_levels_derive_totals_and_milestone(engine, world) -> None:
    uai = world.uais[0]
    text = f"Date certification;RNE;Niveau;Certifiés\n12/05/2016;{uai};Initié;3\n2016-06-01;{uai.lower()};advanced;1\n"
    preview, written = _import(engine, world.programme_id, text)
    assert written == {"new": 2, "changed": 0, "unchanged": 0}
    assert _records(engine) == [(date(2016, 5, 12), "initie", 3), (date(2016, 6, 1), "avance", 1)]
    with Session(engine) as session:
        school = session.exec(select(School).where(School.uai == uai)).one()
        milestone = session.exec(select(Milestone).where(Milestone.school_id == school.id)).one()
        assert (milestone.kind, milestone.status, milestone.actual_on, milestone.count, milestone.source) == (
            "pix_certified", "done", date(2016, 5, 12), 4, "certifications")
        assert {row.level: row.certified for row in session.exec(select(PixCertification))} == {
            "initie": 3, "confirme": 0, "avance": 1, "expert": 0}
    again, written = _import(engine, world.programme_id, text)
    assert written is None and again.counts == {"new": 0, "changed": 0, "unchanged": 2}


def test_every_bad_row_is_reported_and_nothing_is_written(engine, world) -> None:
    uai = world.uais[0]
    text = ("date,uai,level,certified\n"
            f"2016-05-12,{uai},initie,2\n"
            f"2016-05-12,{uai},initie,3\n"  # same key
            f"2016-05-12,{world.other_uai},expert,1\n"
            f"2016-13-01,{uai},expert,1\n"
            f"2016-05-12,{uai},maître,1\n"
            f"2016-05-12,{uai},expert,-1\n"
            f"2016-07-01,{uai},expert,1\n")
    with pytest.raises(TableError) as refused:
        _import(engine, world.programme_id, text)
    assert [(p.row, p.column, p.value, p.code) for p in refused.value.problems] == [
        (3, None, None, "certification_key_repeated"), (4, "uai", world.other_uai, "unknown_uai"),
        (5, "date", "2016-13-01", "no_such_day"), (6, "level", "maître", "unknown_pix_level"),
        (7, "certified", "-1", "at_least"), (8, "date", "2016-07-01", "date_in_future")]
    assert _records(engine) == []


def test_more_certified_than_teachers_is_refused(engine, world) -> None:
    with Session(engine) as session:
        teachers = session.exec(select(School).where(School.uai == world.uais[0])).one().teachers
    with pytest.raises(TableError) as refused:
        _import(engine, world.programme_id, f"date,uai,level,certified\n2016-05-12,{world.uais[0]},initie,{teachers + 1}\n")
    assert [(p.row, p.code) for p in refused.value.problems] == [(2, "more_than_teachers")]
    assert _records(engine) == []


def test_a_school_without_records_keeps_its_hand_typed_values(engine, world) -> None:
    with Session(engine) as session:
        other_id = session.exec(select(School.id).where(School.uai == world.uais[1])).one()
        session.add(Milestone(school_id=other_id, kind="pix_certified", status="done", actual_on=date(2016, 2, 1), count=5))
        session.add(PixCertification(school_id=other_id, level="expert", certified=5))
        session.commit()
    _import(engine, world.programme_id, f"date,uai,level,certified\n2016-05-12,{world.uais[0]},initie,2\n")
    with Session(engine) as session:
        milestone = session.exec(select(Milestone).where(Milestone.school_id == other_id)).one()
        assert (milestone.count, milestone.source) == (5, "hand")
        assert session.get(PixCertification, (other_id, "expert")).certified == 5


def test_the_school_form_records_a_certification_and_stakeholders_cannot(client, engine, world, login, csrf) -> None:
    path = f"/programmes/{world.programme_id}/training/certifications/{world.uais[0]}"
    login(client, "stakeholder")
    assert client.get(path).status_code == 403
    assert client.get(f"/programmes/{world.programme_id}/training/certifications").status_code == 200
    client.get("/logout")
    login(client, "project_manager")
    response = client.post(path, data={"csrf_token": csrf(client, path), "date": "2016-05-12", "level": "confirme",
                                       "certified": "4"})
    assert response.status_code == 302, response.text
    assert _records(engine) == [(date(2016, 5, 12), "confirme", 4)]
    refused = client.post(path, data={"csrf_token": csrf(client, path), "date": "2099-05-12", "level": "confirme",
                                      "certified": "4"})
    assert refused.status_code == 422 and _records(engine) == [(date(2016, 5, 12), "confirme", 4)]
    assert client.post(path, data={"date": "2016-05-13", "level": "confirme", "certified": "1"}).status_code in (400, 422)
    assert len(_records(engine)) == 1
    assert client.get(f"/programmes/{world.other_programme_id}/training/certifications/{world.other_uai}").status_code == 404


def test_the_api_imports_certifications(client, engine, world, token) -> None:
    data = f"date,uai,niveau,nombre\n2016-05-12,{world.uais[0]},expert,2\n".encode()
    response = client.post(f"/api/v1/training/certifications/imports?programme={world.programme_id}",
                           data={"file": (io.BytesIO(data), "pix.csv")}, headers=token("project_manager"),
                           content_type="multipart/form-data")
    assert response.status_code == 201 and response.json["new"] == 1
    assert _records(engine) == [(date(2016, 5, 12), "expert", 2)]


def test_a_file_over_the_size_bound_is_refused_before_it_is_read(client, engine, world, token, monkeypatch) -> None:
    from rollout.imports import bounds

    monkeypatch.setattr(bounds, "MAX_BYTES", 64)
    data = ("date,uai,level,certified\n" + f"2016-05-12,{world.uais[0]},expert,1\n" * 4).encode()
    response = client.post(f"/api/v1/training/certifications/imports?programme={world.programme_id}",
                           data={"file": (io.BytesIO(data), "pix.csv")}, headers=token("project_manager"),
                           content_type="multipart/form-data")
    assert response.status_code == 413 and [p["code"] for p in response.json["problems"]] == ["file_too_big"]
    assert _records(engine) == []


def test_a_school_with_certifications_does_not_have_them_typed_again(engine, world) -> None:
    from rollout.tracking.updates import InvalidProgress, MilestoneChange, update_milestone

    _import(engine, world.programme_id, f"date,uai,level,certified\n2016-05-12,{world.uais[0]},initie,2\n")
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        school = session.exec(select(School).where(School.uai == world.uais[0])).one()
        with pytest.raises(InvalidProgress) as refused:
            update_milestone(session, programme=programme, school=school, kind="pix_certified",
                             change=MilestoneChange(pix={"expert": 3}), version=1, author=AUTHOR, today=TODAY)
        assert [problem.code for problem in refused.value.problems] == ["pix_follows_certifications"]
        session.rollback()
        noted = update_milestone(session, programme=programme, school=school, kind="pix_certified",
                                 change=MilestoneChange(note="session de juin"), version=1, author=AUTHOR, today=TODAY)
        session.commit()
        assert (noted.note, noted.count, noted.source) == ("session de juin", 2, "certifications")
