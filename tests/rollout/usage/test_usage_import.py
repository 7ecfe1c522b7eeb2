"""Importing usage files: the contract's formats, one report of every invalid row, all or nothing,
and re-imports that replace changed rows and leave identical ones alone."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlmodel import Session, func, select

from rollout.core.author import Author
from rollout.imports.pipeline import confirm, read_preview, save_preview, saved_preview
from rollout.imports.tabular import TableError
from rollout.models import AuditEvent, ImportBatch, Programme, UsageRecord
from rollout.usage.table import UsageTable
from usage_world import Imported, import_usage_file, usage_world  # noqa: F401  (the fixture)

A, B, C = "0930001W", "0930002X", "0930003Y"
OTHER_DISTRICT = "0940001R"
HEADER = "date,uai,service,profile,visits,visitors,page_views"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode("utf-8")


def _import(engine: sa.Engine, programme_id: int, data: bytes, filename: str = "usage.csv", **options) -> Imported:
    """Import in its own transaction, as the CLI and the pages do."""
    with Session(engine) as session:
        programme = session.get(Programme, programme_id)
        summary = import_usage_file(session, programme, data, filename, **options)
        session.commit()
        return summary


def _stored(engine: sa.Engine) -> list[tuple]:
    with Session(engine) as session:
        rows = session.exec(
            select(
                UsageRecord.period_start, UsageRecord.period, UsageRecord.service, UsageRecord.profile,
                UsageRecord.audience, UsageRecord.visits, UsageRecord.visitors, UsageRecord.page_views,
            ).order_by(UsageRecord.period_start, UsageRecord.school_id, UsageRecord.service, UsageRecord.profile)
        )
        return [tuple(row) for row in rows]


def _count(engine: sa.Engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_french_excel_csv_in_windows_1252_with_semicolons(engine, usage_world) -> None:
    data = (
        "Jour;Code UAI;Outil;Profil;Visites;Visiteurs uniques;Pages vues\r\n"
        f"07/03/2016;{A.lower()};Cahier de textes;Élève;1 234;56;3 000\r\n"
        f"07/03/2016;{A};Emploi du temps;Enseignant;12;3;\r\n"
    ).encode("cp1252")
    summary = _import(engine, usage_world.programme_id, data, "statistiques.csv")
    assert (summary.new, summary.replaced, summary.unchanged) == (2, 0, 0)
    assert _stored(engine) == [
        (date(2016, 3, 7), "day", "Cahier de textes", "eleve", "pupil", 1234, 56, 3000),
        (date(2016, 3, 7), "day", "Emploi du temps", "enseignant", "teacher", 12, 3, None),
    ]


def test_xlsx_first_sheet_with_english_headers_and_typed_cells(engine, usage_world) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "UAI", "Service", "Profile", "Visits", "Visitors"])
    sheet.append([date(2016, 3, 7), A, "Messagerie", "National_ENS", 40, 9])
    sheet.append(["2016-04", A, "Messagerie", "National_ENS", 150, 10])
    workbook.create_sheet("Notes").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = _import(engine, usage_world.programme_id, buffer.getvalue(), "export.xlsx")
    assert summary.new == 2
    assert _stored(engine) == [
        (date(2016, 3, 7), "day", "Messagerie", "National_ENS", "teacher", 40, 9, None),
        (date(2016, 4, 1), "month", "Messagerie", "National_ENS", "teacher", 150, 10, None),
    ]


def test_every_header_alias_and_the_period_column(engine, usage_world) -> None:
    header = "Période;Period Start;Numéro UAI;OUTIL;profil;VISITES;visiteurs;pages_vues;Commentaire"
    data = _csv(
        f"semaine;2016-03-07;{A};Notes;National_TUT;9;4;20;x",
        f"mois;2016-03;{A};Notes;parent;30;10;60;",
        f";2016-04-08;{A};Notes;parent;2;1;3;",  # not in March: the month row covers March
        header=header,
    )
    summary = _import(engine, usage_world.programme_id, data)
    assert summary.ignored_columns == ["Commentaire"]
    assert [(row[0], row[1], row[3]) for row in _stored(engine)] == [
        (date(2016, 3, 1), "month", "parent"),
        (date(2016, 3, 7), "week", "National_TUT"),
        (date(2016, 4, 8), "day", "parent"),
    ]
    with Session(engine) as session:
        programme_header = "etablissement_uai,mois,outil,profil,visites"
        other = import_usage_file(session, session.get(Programme, usage_world.programme_id),
                                  _csv(f"{B},2016-05,Notes,staff,3", header=programme_header), "m.csv", dry_run=True)
    assert other.new == 1


def test_every_invalid_row_is_reported_in_one_pass_and_nothing_is_written(engine, usage_world) -> None:
    data = _csv(
        f"2016-03-07,{A},Notes,National_ENS,10,5,20",
        f"2016-03-07,{OTHER_DISTRICT},Notes,National_ENS,10,5,20",
        f"31/02/2016,{A},Notes,National_ENS,10,5,20",
        f"2016-13,{A},Notes,National_ENS,10,5,20",
        f"7 mars 2016,{A},Notes,National_ENS,10,5,20",
        f"2016-03-07,{A},Notes,National_XYZ,10,5,20",
        f"2016-03-07,{A},Absences,National_ENS,-3,,",
        f"2016-03-07,{A},Cahier de textes,National_ENS,12.5,,",
        f"2016-03-07,{A},Messagerie,National_ENS,10,11,abc",
        f"2016-03-07,{A},Notes,National_ENS,99,5,20",
        f"2016-03-07,{A},,National_ENS,10,5,20",
        ",,Notes,National_ENS,,,",
        "2016-03-07,0930001A,Notes,National_ENS,1,,",
    )
    with pytest.raises(TableError) as raised:
        _import(engine, usage_world.programme_id, data, "mars.csv")
    found = [(p.row, p.column, p.value, p.code, dict(p.params)) for p in raised.value.problems]
    assert found == [
        (3, "uai", OTHER_DISTRICT, "unknown_uai", {}),
        (4, "date", "31/02/2016", "no_such_day", {}),
        (5, "date", "2016-13", "no_such_day", {}),
        (6, "date", "7 mars 2016", "day_or_month_expected", {}),
        (7, "profile", "National_XYZ", "unknown_profile", {}),
        (8, "visits", "-3", "at_least", {"minimum": 0}),
        (9, "visits", "12.5", "integer_expected", {}),
        (10, "visitors", "11", "more_visitors_than_visits", {"visits": 10}),
        (10, "page_views", "abc", "integer_expected", {}),
        (11, None, None, "usage_key_repeated", {"first": 2}),
        (12, "service", "", "required", {}),
        (13, "uai", "", "required", {}),
        (13, "date", "", "required", {}),
        (13, "visits", "", "required", {}),
        (14, "uai", "0930001A", "uai_check_letter", {"expected": "W"}),
    ]
    message = str(raised.value)  # the command line's words: French, outside a request
    assert f"mars.csv, ligne 3, colonne uai = '{OTHER_DISTRICT}' : aucun établissement de ce programme n'a cet UAI" in message
    assert "mars.csv, ligne 10, colonne visitors = '11' : plus de visiteurs que de visites (10)" in message
    assert "mars.csv, ligne 14, colonne uai = '0930001A' : lettre de contrôle erronée (attendue : W)" in message
    assert len(message.splitlines()) == len(found) == 15
    assert _count(engine, UsageRecord) == 0
    assert _count(engine, ImportBatch) == 0
    assert _count(engine, AuditEvent) == 0


def test_one_bad_row_rejects_the_whole_file_and_keeps_what_was_stored(engine, usage_world) -> None:
    _import(engine, usage_world.programme_id, _csv(f"2016-03-07,{A},Notes,National_ENS,10,5,20"))
    before = _stored(engine)
    lines = [f"2016-03-{day:02d},{school},Notes,National_ELV,{day},1," for day in range(1, 29) for school in (A, B, C)]
    lines.append(f"2016-03-07,{A},Notes,National_ENS,5,9,")
    with pytest.raises(TableError) as raised:
        _import(engine, usage_world.programme_id, _csv(*lines))
    assert [(p.row, p.column) for p in raised.value.problems] == [(len(lines) + 1, "visitors")]
    assert _stored(engine) == before
    assert _count(engine, ImportBatch) == 1


def test_importing_the_same_file_twice_changes_nothing_and_says_so(engine, usage_world) -> None:
    data = _csv(
        f"2016-03-07,{A},Notes,National_ENS,10,5,20",
        f"2016-03-07,{B},Notes,National_ENS,11,6,",
        f"2016-03,{C},Cahier de textes,National_ELV,300,40,900",
    )
    first = _import(engine, usage_world.programme_id, data)
    stored = _stored(engine)
    second = _import(engine, usage_world.programme_id, data)
    assert (first.new, first.replaced, first.unchanged) == (3, 0, 0)
    assert (second.new, second.replaced, second.unchanged) == (0, 0, 3)
    assert _stored(engine) == stored
    with Session(engine) as session:
        record_batches = set(session.exec(select(UsageRecord.import_batch_id)))
    assert record_batches == {first.batch_id}


def test_a_row_with_an_existing_key_replaces_it(engine, usage_world) -> None:
    _import(engine, usage_world.programme_id, _csv(
        f"2016-03-07,{A},Notes,National_ENS,10,5,20",
        f"2016-03-07,{B},Notes,National_ENS,11,6,",
    ))
    summary = _import(engine, usage_world.programme_id, _csv(
        f"07/03/2016,{A},Notes,National_ENS,12,5,20",
        f"2016-03-07,{B},Notes,National_ENS,11,6,",
        f"2016-03-14,{B},Notes,National_ENS,8,4,",
    ), "corrections.csv")
    assert (summary.new, summary.replaced, summary.unchanged) == (1, 1, 1)
    assert [row[5] for row in _stored(engine)] == [12, 11, 8]
    with Session(engine) as session:
        batch = session.get(ImportBatch, summary.batch_id)
        assert (batch.kind, batch.source, batch.rows_new, batch.rows_replaced, batch.rows_unchanged) == (
            "usage", "corrections.csv", 1, 1, 1,
        )
        event = session.exec(select(AuditEvent).where(AuditEvent.import_batch_id == batch.id)).one()
        programme = session.get(Programme, usage_world.programme_id)
    assert (event.actor, event.channel, event.entity, event.action, event.district_id) == (
        "lea@example.fr", "import", "import_batch", "create", programme.district_id,
    )
    assert event.changes["rows_replaced"] == [None, 1] and event.changes["via"] == [None, "cli"]
    assert event.changes["first_date"] == [None, "2016-03-07"]


def test_a_dry_run_counts_and_writes_nothing(engine, usage_world) -> None:
    _import(engine, usage_world.programme_id, _csv(f"2016-03-07,{A},Notes,National_ENS,10,5,20"))
    summary = _import(engine, usage_world.programme_id, _csv(
        f"2016-03-07,{A},Notes,National_ENS,10,5,25",
        f"2016-03-14,{A},Notes,National_ENS,10,5,25",
    ), dry_run=True)
    assert (summary.new, summary.replaced, summary.unchanged, summary.batch_id) == (1, 1, 0, None)
    assert [row[7] for row in _stored(engine)] == [20]
    assert _count(engine, ImportBatch) == 1


@pytest.mark.parametrize(
    ("date_cell", "period_cell", "code"),
    [
        ("2016-03-08", "semaine", "week_starts_on_monday"),
        ("2016-03-07", "mois", "month_starts_on_first_day"),
        ("2016-03", "week", "month_starts_only_a_month"),
    ],
)
def test_a_date_that_does_not_start_its_period_is_refused(engine, usage_world, date_cell, period_cell, code) -> None:
    data = _csv(f"{date_cell},{A},Notes,National_ENS,10,{period_cell}", header="date,uai,service,profile,visits,period")
    with pytest.raises(TableError) as raised:
        _import(engine, usage_world.programme_id, data)
    assert [(p.column, p.value, p.code) for p in raised.value.problems] == [("date", date_cell, code)]


def test_an_unreadable_period_and_an_empty_file_are_refused(engine, usage_world) -> None:
    with pytest.raises(TableError, match="colonne period = 'fortnight' : période attendue : jour, semaine ou mois"):
        _import(engine, usage_world.programme_id, _csv(f"2016-03-07,{A},Notes,National_ENS,10,fortnight", header="date,uai,service,profile,visits,period"))
    with pytest.raises(TableError, match="empty.csv : le fichier a une ligne d'en-tête mais aucune ligne de données"):
        _import(engine, usage_world.programme_id, _csv(), "empty.csv")
    with pytest.raises(TableError, match="colonne obligatoire « profile » absente"):
        _import(engine, usage_world.programme_id, _csv(f"2016-03-07,{A},Notes,10", header="date,uai,service,visits"))


def test_labels_the_taxonomy_does_not_know_are_listed(engine, usage_world) -> None:
    summary = _import(engine, usage_world.programme_id, _csv(
        f"2016-03-07,{A},Cahier de Textes,National_ENS,10,5,",
        f"2016-03-07,{A},Jeux sérieux,National_ELV,10,5,",
        f"2016-03-07,{A},Porte-documents,National_ELV,10,5,",
    ))
    assert summary.unknown_labels == ["Jeux sérieux"]


def test_spellings_of_one_profile_share_one_key(engine, usage_world) -> None:
    _import(engine, usage_world.programme_id, _csv(
        f"2016-03-07,{A},Notes,Élève,10,5,",
        f"2016-03-07,{A},Notes,national_ens,10,5,",
    ))
    again = _import(engine, usage_world.programme_id, _csv(
        f"2016-03-07,{A},Notes,ELEVE,10,5,",
        f"2016-03-07,{A},Notes,NATIONAL_ENS,12,5,",
    ))
    assert (again.new, again.replaced, again.unchanged) == (0, 1, 1)
    assert [(row[3], row[5]) for row in _stored(engine)] == [("National_ENS", 12), ("eleve", 10)]


def _staging_left(session: Session) -> bool:
    """Whether the session's connection still holds the usage staging table (on SQLite a TEMP
    table is the connection's: it would stay on the pooled connection after the transaction)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql("SELECT to_regclass('pg_temp.usage_staging')").scalar() is not None
    found = connection.exec_driver_sql("SELECT count(*) FROM sqlite_temp_master WHERE name = 'usage_staging'")
    return found.scalar_one() > 0


def test_a_kept_preview_gives_its_staged_rows_back_and_still_confirms(engine, world) -> None:
    first, second = world.uais[:2]
    data = _csv(f"2016-03-07,{first},Notes,National_ENS,10,5,20", f"2016-03-07,{second},Notes,National_ELV,30,9,")
    user_id = world.user_ids["project_manager"]
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = read_preview(session, importer=UsageTable(), programme=programme, data=data, filename="mars.csv",
                               today=date.today())
        assert _staging_left(session)  # staged for an import that writes in the same transaction
        save_preview(session, importer=UsageTable(), programme=programme, preview=preview, user_id=user_id)
        # The page keeps the rows and commits: confirming starts again from them, so the staged
        # rows must not ride along on the connection the pool hands out next.
        assert not _staging_left(session)
        session.commit()
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        saved = saved_preview(session, programme=programme, saved_id=preview.saved_id, user_id=user_id)
        batch = confirm(session, importer=UsageTable(), programme=programme, saved=saved,
                        author=Author(actor="projet@test.invalid", channel="form", user_id=user_id), today=date.today())
        assert not _staging_left(session)
        session.commit()
        assert (batch.rows_new, batch.rows_replaced, batch.rows_unchanged) == (2, 0, 0)
    assert [(row[2], row[3], row[5], row[6], row[7]) for row in _stored(engine)] == [
        ("Notes", "National_ENS", 10, 5, 20), ("Notes", "National_ELV", 30, 9, None),
    ]
