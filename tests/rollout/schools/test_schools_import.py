"""Importing schools from a spreadsheet: preview, every invalid row at once, all-or-nothing,
idempotent re-import, audit with the batch id."""

from __future__ import annotations

from datetime import date

import io

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from rollout.imports.tabular import TableError
from rollout.models import AuditEvent, ImportBatch, SavedPreview, Programme, School
from rollout.imports.pipeline import ImportConflict, apply_preview, read_preview
from rollout.schools.table import SchoolTable
from rollout.core.author import Author

LEADER = Author(actor="direction@test.problems", channel="form")
HEADER = "UAI;Nom de l'établissement;Commune;Élèves;Enseignants;Bassin;Éducation prioritaire;Latitude"


def _preview(session, programme_id, text, filename="etablissements.csv"):
    programme = session.get(Programme, programme_id)
    return programme, read_preview(session, importer=SchoolTable(), programme=programme, data=text.encode("utf-8"),
                                     filename=filename, today=date.today())


def _confirm(session, programme, preview):
    return apply_preview(session, importer=SchoolTable(), programme=programme, preview=preview, author=LEADER, today=date.today())


def test_every_invalid_row_is_reported_at_once_with_row_column_value_and_nothing_is_stored(engine, world):
    text = "\n".join([
        HEADER,
        "0931234L;Collège Neuf;Bobigny;400;30;N;REP+;48,91",
        "0931234M;Collège Faux;Bobigny;400;30;N;;",      # wrong check letter
        "0931235M;Collège Deux;Pantin;beaucoup;0;Z;;",    # three problems on one row
        "0931234L;Doublon;Bobigny;1;1;N;;",               # same UAI as row 2
        "0931236N;Collège Trois;Noisy;100;10;S;rep plus;95",  # latitude out of range
    ])
    with Session(engine) as session:
        programme, preview = _preview(session, world.programme_id, text)
        problems = {(p.row, p.column, p.value, p.code) for p in preview.problems}
        assert problems == {
            (3, "uai", "0931234M", "uai_check_letter"), (4, "pupils", "beaucoup", "integer_expected"),
            (4, "teachers", "0", "at_least"), (4, "basin", "Z", "unknown_basin"), (5, "uai", "0931234L", "key_repeated"),
            (6, "latitude", "95.0", "at_most"),
        }
        assert {p.reason for p in preview.problems if p.row == 3} == {"lettre de contrôle erronée (attendue : L)"}
        assert preview.invalid_rows == 4 and preview.counts["new"] == 1
        assert not preview.confirmable
        assert session.exec(select(func.count()).select_from(SavedPreview)).one() == 0


def test_a_file_without_a_required_column_says_which_and_the_accepted_headers(engine, world):
    with Session(engine) as session, pytest.raises(TableError, match="basin.*bassin"):
        _preview(session, world.programme_id, "UAI;Nom;Commune;Élèves;Enseignants\n0931234L;A;B;1;1")


def test_preview_counts_then_confirm_applies_audits_and_reimport_is_unchanged(engine, world):
    kept, changed = world.uais[0], world.uais[1]
    with Session(engine) as session:
        schools = {s.uai: s for s in session.exec(select(School).where(School.programme_id == world.programme_id))}
        row = lambda s, teachers: f"{s.uai};{s.name};{s.commune};{s.pupils};{teachers};{'N' if s.basin_id == schools[world.uais[0]].basin_id else 'S'};{s.priority};{s.latitude}"
        text = "\n".join([
            HEADER,
            row(schools[kept], schools[kept].teachers),
            row(schools[changed], schools[changed].teachers + 5),
            "0931234L;Collège Neuf;Bobigny;400;30;N;;48.91",
        ])
        old_teachers = schools[changed].teachers
        programme, preview = _preview(session, world.programme_id, text)
        assert (preview.counts["new"], preview.counts["changed"], preview.counts["unchanged"], preview.problems) == (1, 1, 1, [])
        assert next(e for e in preview.payload if e.action == "changed").changes == {"teachers": [old_teachers, old_teachers + 5]}
        session.commit()
        batch = _confirm(session, programme, preview)
        session.commit()
        events = session.exec(select(AuditEvent).where(AuditEvent.import_batch_id == batch.id)).all()
        assert (batch.rows_new, batch.rows_replaced, batch.rows_unchanged) == (1, 1, 1)
        assert sorted(event.action for event in events) == ["create", "update"]
        assert {event.channel for event in events} == {"import"}
        assert session.exec(select(func.count()).select_from(SavedPreview)).one() == 0

        _, again = _preview(session, world.programme_id, text)
        assert (again.counts["new"], again.counts["changed"], again.counts["unchanged"]) == (0, 0, 3)
        assert not again.confirmable  # nothing to apply


def test_confirming_is_all_or_nothing_when_the_programme_changed_since_the_preview(engine, world):
    """A school edited between preview and confirm: the import is refused as a whole, naming the
    row, and neither its other rows nor its batch are written."""
    with Session(engine) as session:
        school = session.exec(select(School).where(School.uai == world.uais[0], School.programme_id == world.programme_id)).one()
        text = "\n".join([HEADER, "0931234L;Collège Neuf;Bobigny;400;30;N;;",
                          f"{school.uai};Nouveau nom;{school.commune};{school.pupils};{school.teachers};N;{school.priority};{school.latitude}"])
        programme, preview = _preview(session, world.programme_id, text)
        school.version += 1  # someone else's edit, committed before the confirmation
        session.add(school)
        session.commit()
        with pytest.raises(ImportConflict) as refused:
            _confirm(session, programme, preview)
        session.rollback()
        assert refused.value.problems[0].row == 3 and refused.value.problems[0].column == "version"
        assert session.exec(select(School).where(School.uai == "0931234L")).first() is None
        assert session.exec(select(func.count()).select_from(ImportBatch)).one() == 0


def test_xlsx_with_english_headers_is_read_like_csv(engine, world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["uai", "name", "city", "pupils", "teachers", "basin", "pinned_wave"])
    sheet.append(["0931234L", "Collège Neuf", "Bobigny", 400, 30, "N", "W1"])
    data = io.BytesIO()
    workbook.save(data)
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = read_preview(session, importer=SchoolTable(), programme=programme, data=data.getvalue(),
                                 filename="ecoles.xlsx", today=date.today())
        assert preview.problems == [] and preview.counts["new"] == 1
        assert preview.payload[0].data["pinned_wave"] == "W1"
