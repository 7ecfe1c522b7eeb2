"""The progress upload and the usage import read the same French spreadsheet the same way:
no-break spaces between thousands, a title line, every date form, totals rows."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.imports.pipeline import import_file, read_preview
from rollout.models import Programme, UsageRecord
from rollout.tracking.table import ProgressTable
from rollout.usage.table import UsageTable

NBSP, NNBSP = "\u00a0", "\u202f"


def test_the_progress_upload_reads_dates_in_every_form_under_a_title_line(engine, world) -> None:
    a, b, c, d = world.uais[:4]
    data = (
        "Suivi du déploiement ENT - export du 03/12/2026\n\n"
        "UAI;Jalon;Statut;Date\n"
        f"{a};Équipe de direction informée;Terminé;01/09/15\n"
        f"{b};Équipe de direction informée;Terminé;42248\n"
        f"{c};Équipe de direction informée;Terminé;01.09.2015\n"
        f"{d};Équipe de direction informée;Terminé;31/02/2015\n"
        "Total;;;\n"
    ).encode("cp1252")
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = read_preview(session, importer=ProgressTable(), programme=programme, data=data, filename="suivi.csv",
                               today=date(2016, 6, 1))
        assert [(problem.row, problem.column, problem.value, problem.reason) for problem in preview.problems] == [
            (7, "date", "31/02/2015", "date inexistante"),
        ]
        assert preview.header_row == 3
        assert [str(note) for note in preview.notes[:2]] == ["en-tête lu à la ligne 3 (lignes au-dessus ignorées)",
                                                             "ligne 8 « Total » ignorée : ligne de totaux"]
        assert [row.change["actual_on"] for row in preview.payload] == [date(2015, 9, 1)] * 3


def test_the_usage_import_reads_counts_grouped_by_no_break_spaces_and_dates_in_every_form(engine, world) -> None:
    uai = world.uais[0]
    valid = [f"07/03/16;{uai};Notes;National_ENS;1{NBSP}234;1{NNBSP}000", f"42436;{uai};Messagerie;National_ENS;12;3"]
    invalid = f"2016-03-07;{uai};Absences;National_ENS;-3;12,0"

    def usage_file(*lines: str) -> bytes:
        return ("date;uai;service;profile;visits;visitors\n" + "\n".join(lines) + "\nTotal;;;;1249;\n").encode()

    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        refused = read_preview(session, importer=UsageTable(), programme=programme, data=usage_file(*valid, invalid),
                               filename="usage.csv", today=date(2016, 6, 1))
        assert [(problem.row, problem.column, problem.reason) for problem in refused.problems] == [
            (4, "visits", "doit être ≥ 0"),
            (4, "visitors", "nombre entier attendu"),
        ]
        assert "ligne 5 « Total » ignorée : ligne de totaux" in [str(note) for note in refused.notes]
        session.rollback()
        _, batch = import_file(session, importer=UsageTable(), programme=programme, data=usage_file(*valid),
                               filename="usage.csv", author=Author(actor="test", channel="cli"), today=date(2016, 6, 1),
                               dry_run=False)
        stored = session.exec(select(UsageRecord.period_start, UsageRecord.service, UsageRecord.visits,
                                     UsageRecord.visitors).where(UsageRecord.import_batch_id == batch.id)).all()
    assert sorted(stored) == [(date(2016, 3, 7), "Messagerie", 12, 3), (date(2016, 3, 7), "Notes", 1234, 1000)]
