"""Importing the M@gistère participants export: counts per school and course only, the
contract's headers and aliases, every bad row reported with nothing written, a cumulative export
replacing the previous one, and no participant's name or e-mail kept anywhere."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.imports.pipeline import import_file
from rollout.imports.tabular import TableError
from rollout.models import AuditEvent, ImportBatch, Programme, SavedPreview
from rollout.models.training import CourseCompletion, CourseEnrolment
from rollout.training.record_imports import RECORD_IMPORTERS

TODAY = date(2016, 6, 30)
AUTHOR = Author(actor="tests", channel="cli")


def _import(engine, programme_id: int, text: str, *, dry_run: bool = False, encoding: str = "utf-8"):
    with Session(engine) as session:
        programme = session.get(Programme, programme_id)
        preview, _ = import_file(session, importer=RECORD_IMPORTERS["courses"](), programme=programme, data=text.encode(encoding),
                                 filename="participants.csv", author=AUTHOR, today=TODAY, dry_run=dry_run)
        session.commit()
        return preview


def _enrolments(engine) -> list[tuple]:
    with Session(engine) as session:
        return [(row.course, row.school_id, row.enrolled, row.in_progress, row.completed)
                for row in session.exec(select(CourseEnrolment).order_by(CourseEnrolment.course, CourseEnrolment.school_id))]


def _completions(engine) -> list[tuple]:
    with Session(engine) as session:
        return [(row.course, row.month, row.completed)
                for row in session.exec(select(CourseCompletion).order_by(CourseCompletion.course, CourseCompletion.month))]


def test_french_export_with_aliases_is_counted_per_school_and_course(engine, world) -> None:
    first, second = world.uais[:2]
    text = ("Nom;Prénom;Adresse électronique;Nom du parcours;RNE;État;Date achèvement\r\n"
            f"Dupont;Camille;camille.dupont@ac-creteil.fr;ENT en classe;{first};Terminé;12/03/2016\r\n"
            f"Martin;Léa;lea.martin@ac-creteil.fr;ENT en classe;{first.lower()};en cours;\r\n"
            f"Durand;Paul;paul.durand@ac-creteil.fr;ENT en classe;{first};Achevé;2016-04-02\r\n"
            f"Petit;Zoé;zoe.petit@ac-creteil.fr;ENT en classe;{second};Inscrit;\r\n")
    preview = _import(engine, world.programme_id, text, encoding="cp1252")
    assert preview.counts == {"new": 2, "changed": 0, "unchanged": 0}
    assert [note.code for note in preview.notes] == ["personal_columns_dropped", "course_export_counts"]
    with Session(engine) as session:
        ids = {uai: session.exec(sa.text("SELECT id FROM school WHERE uai = :uai").bindparams(uai=uai)).scalar_one()
               for uai in (first, second)}
    assert _enrolments(engine) == sorted([("ENT en classe", ids[first], 3, 1, 2), ("ENT en classe", ids[second], 1, 0, 0)])
    assert _completions(engine) == [("ENT en classe", date(2016, 3, 1), 1), ("ENT en classe", date(2016, 4, 1), 1)]


def test_the_same_export_again_changes_nothing_and_a_newer_one_replaces_it(engine, world) -> None:
    first, second = world.uais[:2]
    header = "course,uai,status,completed_on\n"
    older = header + f"Pix+ Édu,{first},in_progress,\nPix+ Édu,{second},enrolled,\nAutre,{first},enrolled,\n"
    _import(engine, world.programme_id, older)
    again = _import(engine, world.programme_id, older)
    assert again.counts == {"new": 0, "changed": 0, "unchanged": 3} and not again.confirmable
    newer = header + f"Pix+ Édu,{first},completed,2016-05-20\n"  # cumulative: the second school left the course
    replaced = _import(engine, world.programme_id, newer)
    assert replaced.counts == {"new": 0, "changed": 2, "unchanged": 0}
    assert [(course, enrolled, in_progress, completed) for course, _, enrolled, in_progress, completed in _enrolments(engine)] == [
        ("Autre", 1, 0, 0), ("Pix+ Édu", 1, 0, 1)]  # a course the export does not hold is kept


def test_every_bad_row_is_reported_and_nothing_is_written(engine, world) -> None:
    first = world.uais[0]
    text = ("parcours,uai,statut,date_de_fin\n"
            f"ENT,{first},termine,\n"  # completed without a date
            f"ENT,{world.other_uai},inscrit,\n"  # another district's school
            f"ENT,{first},abandonné,\n"
            f",{first},inscrit,\n"
            f"ENT,{first},termine,31/02/2016\n"
            f"ENT,{first},termine,2016-07-01\n"
            f"ENT,{first},inscrit,\n")
    with pytest.raises(TableError) as refused:
        _import(engine, world.programme_id, text)
    assert [(p.row, p.column, p.value, p.code) for p in refused.value.problems] == [
        (2, "completed_on", "", "completed_without_date"), (3, "uai", world.other_uai, "unknown_uai"),
        (4, "status", None, "unknown_course_status"), (5, "course", "", "required"),
        (6, "completed_on", "31/02/2016", "no_such_day"), (7, "completed_on", "2016-07-01", "date_in_future")]
    assert _enrolments(engine) == [] and _completions(engine) == []


def test_a_file_without_the_contract_columns_is_refused(engine, world) -> None:
    with pytest.raises(TableError) as refused:
        _import(engine, world.programme_id, f"nom,email,uai\nDupont,d@x.fr,{world.uais[0]}\n")
    assert {problem.code for problem in refused.value.problems} == {"column_missing"}


def _dump(engine) -> str:
    """Every cell of every table, as text."""
    texts = []
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            texts.extend(str(row) for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')))
    return "\n".join(texts)


def _tables(engine) -> set[str]:
    """The tables that hold at least one row."""
    with engine.connect() as connection:
        return {table for table in sa.inspect(engine).get_table_names()
                if connection.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar()}


def test_no_participant_is_stored_anywhere(client, engine, world, login, csrf) -> None:
    """Not in the kept preview either: the page keeps it for confirmation, counts only."""
    login(client, "project_manager")
    path = f"/programmes/{world.programme_id}/training/courses/import"
    data = ("nom,prenom,email,parcours,uai,statut,date_achevement\n"
            f"Quenouille-Farandole,Anastasie,anastasie.quenouille@ac-creteil.fr,ENT,{world.uais[0]},termine,2016-03-01\n"
            ).encode()

    def send():
        return client.post(path, data={"csrf_token": csrf(client, path), "file": (io.BytesIO(data), "export.csv")},
                           content_type="multipart/form-data")

    def personal(dumped: str) -> bool:
        return "Quenouille" in dumped or "Anastasie" in dumped or "ac-creteil.fr" in dumped

    preview = send()
    assert preview.status_code == 200, preview.text
    assert "sont ignorées et ne sont pas conservées" in preview.text and "Nouveaux : 1" in preview.text
    assert "Quenouille" not in preview.text and "anastasie" not in preview.text.lower()
    assert _enrolments(engine) == [] and "savedpreview" in _tables(engine) and not personal(_dump(engine))
    with Session(engine) as session:
        saved_id = session.exec(select(SavedPreview.id)).one()
    confirm = f"/programmes/{world.programme_id}/imports/{saved_id}/confirm"
    assert client.post(confirm, data={"csrf_token": csrf(client, f"/programmes/{world.programme_id}/imports/{saved_id}")}
                       ).status_code == 302
    assert len(_enrolments(engine)) == 1 and not personal(_dump(engine))
    with Session(engine) as session:
        batch = session.exec(select(ImportBatch).where(ImportBatch.kind == "courses")).one()
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "import_batch")).one()
        assert (event.import_batch_id, event.channel, event.changes["rows_new"]) == (batch.id, "import", [None, 1])
        assert session.exec(select(SavedPreview)).all() == []
    page = client.get(f"/programmes/{world.programme_id}/training/courses")
    assert page.status_code == 200 and "ENT" in page.text
    again = send()
    assert again.status_code == 200 and "Rien ne changerait" in again.text
    with Session(engine) as session:
        assert session.exec(select(SavedPreview)).all() == [] and len(session.exec(select(ImportBatch)).all()) == 1


def test_stakeholders_read_course_counts_but_do_not_import(client, world, login) -> None:
    login(client, "stakeholder")
    assert client.get(f"/programmes/{world.programme_id}/training/courses").status_code == 200
    assert client.get(f"/programmes/{world.programme_id}/training/courses/import").status_code == 403
    assert client.get(f"/programmes/{world.other_programme_id}/training/courses").status_code == 404


def test_the_api_imports_counts_and_refuses_stakeholders(client, engine, world, token) -> None:
    data = f"parcours,uai,statut,date_achevement,email\nENT,{world.uais[0]},termine,2016-03-01,x.y@ac-creteil.fr\n".encode()

    def post(role: str, **form):
        return client.post(f"/api/v1/training/courses/imports?programme={world.programme_id}",
                           data={"file": (io.BytesIO(data), "export.csv"), **form}, headers=token(role),
                           content_type="multipart/form-data")

    assert post("stakeholder").status_code == 403
    dry = post("project_manager", dry_run="true")
    assert dry.status_code == 200 and dry.json["new"] == 1 and dry.json["ignored_columns"] == ["email"]
    assert _enrolments(engine) == []
    done = post("district_leader")
    assert done.status_code == 201 and done.json["written"] is True and done.json["import_batch_id"] is not None
    again = post("district_leader")
    assert again.status_code == 200 and (again.json["unchanged"], again.json["written"]) == (1, False)
    bad = client.post(f"/api/v1/training/courses/imports?programme={world.programme_id}",
                      data={"file": (io.BytesIO(b"parcours,uai,statut\nENT,0000000A,inscrit\n"), "bad.csv")},
                      headers=token("project_manager"), content_type="multipart/form-data")
    assert bad.status_code == 422 and [p["row"] for p in bad.json["problems"]] == [2]


def test_the_command_line_detects_and_imports_an_export(engine, database_url, world, tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from rollout.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    export = tmp_path / "participants.csv"
    export.write_text(f"Nom;Parcours;RNE;Statut\nDupont;ENT;{world.uais[0]};inscrit\n", encoding="utf-8")
    runner = CliRunner()
    args = ["training", "import", str(export), "--programme", str(world.programme_id)]
    dry = runner.invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "participants.csv (courses): would import 1 row: 1 new" in dry.output and _enrolments(engine) == []
    done = runner.invoke(main, [*args, "--kind", "courses"])
    with Session(engine) as session:
        batch = session.exec(select(ImportBatch)).one()
    assert done.exit_code == 0, done.output
    assert f"participants.csv: imported as import batch {batch.id} 1 row: 1 new, 0 changed, 0 unchanged" in done.output
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert ("participants.csv (courses): read 1 row: 0 new, 0 changed, 1 unchanged "
            "(nothing changed: every row is already stored, nothing written)") in again.output
    with Session(engine) as session:
        assert [written.id for written in session.exec(select(ImportBatch))] == [batch.id]
    export.write_text(f"parcours,uai,statut\nENT,{world.uais[0]},perdu\n", encoding="utf-8")
    refused = runner.invoke(main, args)
    assert refused.exit_code == 2 and "ligne 2, colonne status" in refused.output
    assert len(_enrolments(engine)) == 1
