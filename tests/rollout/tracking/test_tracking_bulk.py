"""Bulk progress upload: French or English words, preview counts, every invalid row at once,
all-or-nothing, idempotent re-upload, one ImportBatch whose id every audit event carries."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from rollout.imports.export import table_bytes
from rollout.imports.pipeline import ImportConflict, confirm, import_file, read_preview, save_preview
from rollout.imports.tabular import TableError
from rollout.models import AuditEvent, ImportBatch, Milestone, PixCertification, SavedPreview
from rollout.core.author import Author
from rollout.tracking.updates import MilestoneChange, update_milestone
from rollout.tracking.table import ProgressTable
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)

TODAY = date(2016, 6, 1)
PM = Author(actor="projet@test.invalid", channel="form")


def _csv(text: str) -> bytes:
    return text.strip().encode("utf-8")


def _file(uais: list[str]) -> bytes:
    a, b = uais[0], uais[1]
    return _csv(f"""
UAI;Jalon;Statut;Date;Nombre;Niveau;Note
{a};Équipe de direction informée;Terminé;10/08/2015;;;Réunion de rentrée
{a};enseignants formes;EN COURS;;12;;
{a};Pix;;;3;initié;
{a};Pix;;;1;Confirmé;
{b};school live;done;2015-12-18;;;
""")


def _preview(session: Session, programme, data: bytes, filename: str = "avancement.csv"):
    return read_preview(session, importer=ProgressTable(), programme=programme, data=data, filename=filename, today=TODAY)


def _import(session: Session, programme, data: bytes, filename: str = "a.csv"):
    return import_file(session, importer=ProgressTable(), programme=programme, data=data, filename=filename, author=PM,
                       today=TODAY, dry_run=False)


def _counts(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_preview_then_confirm_applies_exactly_the_previewed_rows(session, programme, schools, world) -> None:
    uais = [school.uai for school in schools]
    preview = _preview(session, programme, _file(uais))
    assert preview.problems == []
    assert preview.counts == {"new": 0, "changed": 5, "unchanged": 0}
    assert _counts(session, AuditEvent) == 6 * 7  # only the baseline's creations: the preview wrote nothing
    user = world.user_ids["project_manager"]
    save_preview(session, importer=ProgressTable(), programme=programme, preview=preview, user_id=user)
    save_preview(session, importer=ProgressTable(), programme=programme, preview=preview, user_id=user)
    session.commit()
    assert _counts(session, SavedPreview) == 1  # a new upload replaces the one not confirmed

    batch = confirm(session, importer=ProgressTable(), programme=programme, saved=session.get(SavedPreview, preview.saved_id),
                    author=PM, today=TODAY)
    session.commit()
    assert (batch.kind, batch.source, batch.rows_replaced, batch.rows_new, batch.rows_unchanged) == ("progress", "avancement.csv", 5, 0, 0)
    assert _counts(session, SavedPreview) == 0
    stored = {(m.school_id, m.kind): m for m in session.exec(select(Milestone))}
    briefed = stored[schools[0].id, "leadership_briefed"]
    assert (briefed.status, briefed.actual_on, briefed.note) == ("done", date(2015, 8, 10), "Réunion de rentrée")
    assert (stored[schools[0].id, "teachers_trained"].status, stored[schools[0].id, "teachers_trained"].count) == ("in_progress", 12)
    assert stored[schools[0].id, "pix_certified"].count == 4
    assert stored[schools[1].id, "school_live"].status == "done"
    assert dict(session.exec(select(PixCertification.level, PixCertification.certified)
                             .where(PixCertification.school_id == schools[0].id)).all()) == {"initie": 3, "confirme": 1}
    events = session.exec(select(AuditEvent).where(AuditEvent.import_batch_id == batch.id)).all()
    assert len(events) == 4  # one per milestone: the two Pix rows change one milestone
    assert {(event.channel, event.actor) for event in events} == {("import", "projet@test.invalid")}


def test_re_uploading_the_same_file_changes_nothing(session, programme, schools) -> None:
    data = _file([school.uai for school in schools])
    _import(session, programme, data)
    session.commit()
    events = _counts(session, AuditEvent)
    preview, batch = _import(session, programme, data)
    session.commit()
    assert preview.counts == {"new": 0, "changed": 0, "unchanged": 5}
    assert batch is None  # nothing to write: no empty batch in the import history
    assert _counts(session, AuditEvent) == events and _counts(session, ImportBatch) == 1
    assert set(session.exec(select(Milestone.version).where(Milestone.kind == "school_live",
                                                            Milestone.school_id == schools[1].id))) == {2}


def test_every_invalid_row_is_listed_and_one_rejects_the_whole_file(session, programme, schools, world) -> None:
    a, b = schools[0].uai, schools[1].uai
    data = _csv(f"""
uai,milestone,status,date,count,note
{a},leadership briefed,done,2015-08-10,,
{a},school live,done,,,
{b},teachers trained,in progress,,999,
0930000Z,school live,done,2015-12-18,,
{world.other_uai},school live,done,2015-12-18,,
{b},décollage,fini,31/02/2016,douze,
{b},school live,done,2030-01-01,,
{a},leadership briefed,done,2015-08-11,,
""")
    preview = _preview(session, programme, data, "progress.csv")
    found = {(problem.row, problem.column, problem.code) for problem in preview.problems}
    assert found == {
        (3, "date", "done_without_date"),
        (4, "nombre", "more_than_teachers"),
        (5, "uai", "unknown_uai"), (6, "uai", "unknown_uai"),  # unknown, and another district's school
        (7, "jalon", "unknown_milestone"), (7, "statut", "unknown_status"), (7, "date", "no_such_day"),
        (7, "nombre", "integer_expected"),  # every problem of the row at once
        (8, "date", "date_in_future"),
        (9, "jalon", "milestone_repeated"),
    }
    assert preview.invalid_rows == 7 and preview.counts["changed"] == 1
    problem = next(p for p in preview.problems if p.row == 7 and p.column == "statut")
    assert problem.value == "fini" and "statut inconnu" in problem.reason
    with pytest.raises(TableError) as rejected:
        _import(session, programme, data, "progress.csv")
    assert "progress.csv, ligne 4, colonne nombre = '999' : plus que les " in str(rejected.value)
    session.rollback()
    assert _counts(session, ImportBatch) == 0
    assert session.exec(select(func.max(Milestone.version))).one() == 1


def test_a_header_problem_is_reported_and_xlsx_with_pix_columns_works(session, programme, schools) -> None:
    with pytest.raises(TableError) as refused:
        _preview(session, programme, _csv("uai,statut\n0930000Z,fait"), "x.csv")
    assert [(p.row, p.code) for p in refused.value.problems] == [(1, "no_progress_layout")]

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code UAI", "Étape", "État", "Date de réalisation", "Pix initié", "Pix avancé"])
    sheet.append([schools[2].uai, "Certification Pix+ Édu", "en cours", None, 4, 2])
    sheet.append([schools[2].uai, "Plateforme paramétrée", "terminé", date(2016, 1, 20), None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = _preview(session, programme, buffer.getvalue(), "suivi.xlsx")
    assert preview.problems == [] and preview.counts["changed"] == 2


def test_confirming_after_someone_changed_a_previewed_milestone_applies_nothing(session, programme, schools, world) -> None:
    preview = _preview(session, programme, _file([s.uai for s in schools]), "a.csv")
    save_preview(session, importer=ProgressTable(), programme=programme, preview=preview, user_id=world.user_ids["project_manager"])
    session.commit()
    update_milestone(session, programme=programme, school=schools[1], kind="school_live",
                     change=MilestoneChange(note="Ouverture reportée"), version=1,
                     author=Author(actor="direction@test.invalid", channel="form"), today=TODAY)
    session.commit()
    with pytest.raises(ImportConflict) as rejected:
        confirm(session, importer=ProgressTable(), programme=programme, saved=session.get(SavedPreview, preview.saved_id),
                author=PM, today=TODAY)
    session.rollback()
    assert [(p.row, p.column) for p in rejected.value.problems] == [(6, "jalon")]
    assert _counts(session, ImportBatch) == 0
    assert session.exec(select(Milestone.status).where(Milestone.school_id == schools[0].id,
                                                       Milestone.kind == "leadership_briefed")).one() == "not_started"


def test_one_row_per_school_and_a_column_per_milestone_as_tracking_sheets_are_kept(session, programme, schools) -> None:
    a, b = schools[0].uai, schools[1].uai
    data = _csv(f"""
Suivi du déploiement - export du 03/12/2026
UAI;Nom;Équipe de direction informée;Administrateurs formés;Établissement ouvert
{a};Collège A;10/08/2015;en cours;
{b};Collège B;;;18/12/2015
""")
    preview = _preview(session, programme, data)
    assert preview.problems == [] and preview.header_row == 2
    assert preview.counts == {"new": 0, "changed": 3, "unchanged": 0}
    shown = {change.key: change.changes for change in preview.changes}
    assert shown[f"{a} — Équipe de direction informée"] == {"status": ["not_started", "done"],
                                                            "actual_on": [None, date(2015, 8, 10)]}
    assert shown[f"{a} — Administrateurs formés"] == {"status": ["not_started", "in_progress"]}

    refused = _preview(session, programme, _csv(f"uai;Établissement ouvert;relais\n{a};bientôt;2030-01-01\n"))
    assert {(p.row, p.column, p.value) for p in refused.problems} == {
        (2, "school_live", "bientôt"),  # neither a date nor a status word
        (2, "relays_active", "2030-01-01"),  # in the future: the milestone's column is named, not "date"
    }
    with pytest.raises(TableError, match="pas les deux"):
        _preview(session, programme, _csv(f"uai;jalon;Établissement ouvert\n{a};direction;fait\n"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exported_sheet_uploads_again_as_nothing_changed(session, programme, schools, fmt) -> None:
    _import(session, programme, _file([school.uai for school in schools]))
    session.commit()
    header, rows = ProgressTable().export_rows(session, programme)
    data = table_bytes(header, rows, fmt=fmt, sheet="Avancement")
    again = _preview(session, programme, data, f"avancement.{fmt}")
    assert again.problems == [] and again.counts["new"] == again.counts["changed"] == 0
    assert again.counts["unchanged"] == 3  # the milestones started: two done, one in progress (Pix counts stay out)
    third = rows[2]
    edited = table_bytes(header, [*rows[:2], [*third[:2], date(2015, 8, 20), *third[3:]], *rows[3:]], fmt=fmt, sheet="Avancement")
    once = _preview(session, programme, edited, f"avancement.{fmt}")
    assert [change.changes for change in once.changes] == [{"status": ["not_started", "done"],
                                                            "actual_on": [None, date(2015, 8, 20)]}]
