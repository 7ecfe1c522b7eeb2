"""Reading uploaded tables the way French offices produce them."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from rollout.core.messages import Message
from rollout.imports import bounds, tabular, xlsx
from rollout.imports.tabular import Column, TableError, read_table

COLUMNS = (
    Column("date", ("jour", "mois")),
    Column("uai", ("code_uai",)),
    Column("visits", ("visites",)),
    Column("visitors", ("visiteurs", "visiteurs_uniques"), required=False),
)


def test_french_excel_csv_semicolons_windows_1252_and_french_headers() -> None:
    data = "Jour;Code UAI;Visités;Remarque\r\n01/09/2015;0931234L;12;élève\r\n\r\n02/09/2015;0930001W;3;\r\n".encode("cp1252")
    table = read_table(data, "stats.csv", COLUMNS)
    assert table.rows == [
        (2, {"date": "01/09/2015", "uai": "0931234L", "visits": "12"}),
        (4, {"date": "02/09/2015", "uai": "0930001W", "visits": "3"}),
    ]
    assert table.ignored_columns == ["Remarque"]


def test_utf8_with_bom_and_commas() -> None:
    data = "\ufeffdate,uai,visits,Visiteurs uniques\n2015-09-07,0931234L,10,4\n".encode("utf-8")
    table = read_table(data, "stats.csv", COLUMNS)
    assert table.rows == [(2, {"date": "2015-09-07", "uai": "0931234L", "visits": "10", "visitors": "4"})]


def test_xlsx_first_sheet_with_typed_cells() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "UAI", "Visites"])
    sheet.append([date(2015, 9, 7), "0931234L", 10])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "stats.xlsx", COLUMNS)
    assert table.rows == [(2, {"date": "2015-09-07", "uai": "0931234L", "visits": "10"})]


def test_header_problems_are_all_reported_with_the_file_name() -> None:
    data = b"uai;uai;visiteurs\n0931234L;0931234L;3\n"
    with pytest.raises(TableError) as raised:
        read_table(data, "stats.csv", COLUMNS)
    message = str(raised.value)
    assert "stats.csv, ligne 1, colonne uai : colonne « uai » en double" in message
    assert "stats.csv, ligne 1 : colonne obligatoire « date » absente" in message
    assert "colonne obligatoire « visits » absente" in message
    assert len(raised.value.problems) == 3


def test_empty_and_damaged_files() -> None:
    with pytest.raises(TableError, match="empty.csv : le fichier est vide"):
        read_table(b"\n\n", "empty.csv", COLUMNS)
    with pytest.raises(TableError, match="bad.xlsx : classeur XLSX illisible"):
        read_table(b"PK\x03\x04garbage", "bad.xlsx", COLUMNS)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_plain_file_has_its_header_on_row_1_and_no_notes() -> None:
    table = read_table(b"date,uai,visits\n2015-09-07,0931234L,10\n", "stats.csv", COLUMNS)
    assert table.header_row == 1 and table.notes == []


def test_title_lines_above_the_header_of_a_csv_are_skipped_and_said() -> None:
    data = "Statistiques ENT - export du 03/12/2026\n\nJour;Code UAI;Visites\n01/09/2015;0931234L;12\n".encode("cp1252")
    table = read_table(data, "stats.csv", COLUMNS)
    assert table.header_row == 3
    assert table.rows == [(4, {"date": "01/09/2015", "uai": "0931234L", "visits": "12"})]
    assert table.notes == [Message("header_below_title", {"row": 3})]


def test_semicolons_are_found_on_the_header_under_a_title_with_commas_and_decimal_commas() -> None:
    data = (
        "Export du 03/12/2026, tous établissements, toutes périodes\n"
        "Collèges de Seine-Saint-Denis, académie de Créteil\n"
        "date;uai;visits;visitors\n"
        "2015-09-07;0931234L;1,5;2,5\n"
    ).encode()
    table = read_table(data, "stats.csv", COLUMNS)
    assert table.header_row == 3
    assert table.rows == [(4, {"date": "2015-09-07", "uai": "0931234L", "visits": "1,5", "visitors": "2,5"})]


def test_title_rows_above_the_header_of_an_xlsx_are_skipped_and_said() -> None:
    data = _xlsx([["Statistiques ENT - export du 03/12/2026"], [None], ["Date", "UAI", "Visites", "Visiteurs"],
                  [date(2015, 9, 7), "0931234L", 10, 0.00001]])
    table = read_table(data, "stats.xlsx", COLUMNS)
    assert table.header_row == 3
    assert table.rows == [(4, {"date": "2015-09-07", "uai": "0931234L", "visits": "10", "visitors": "0.00001"})]
    assert table.notes == [Message("header_below_title", {"row": 3})]


def test_without_a_complete_header_the_row_matching_most_columns_is_named() -> None:
    data = b"Statistiques ENT\nuai;visites;commentaire\n0931234L;3;\n"
    with pytest.raises(TableError) as raised:
        read_table(data, "stats.csv", COLUMNS)
    assert [(problem.row, problem.code, problem.params["name"]) for problem in raised.value.problems] == [
        (2, "column_missing", "date"),
    ]


def test_the_header_is_looked_for_in_the_first_ten_non_empty_rows_only() -> None:
    data = ("\n".join(f"titre {number}" for number in range(1, 11)) + "\n\ndate;uai;visits\n2015-09-07;0931234L;1\n").encode()
    with pytest.raises(TableError, match="stats.csv, ligne 1 : colonne obligatoire « date » absente"):
        read_table(data, "stats.csv", COLUMNS)
    nine = ("\n".join(f"titre {number}" for number in range(1, 10)) + "\n\ndate;uai;visits\n2015-09-07;0931234L;1\n").encode()
    assert read_table(nine, "stats.csv", COLUMNS).header_row == 11


@pytest.mark.parametrize("label", ["Total", "TOTAL", "Totaux", "Total général", "TOTAL GENERAL", "Sous-total",
                                   "sous total", "Total :", "Total Résultat"])
def test_a_totals_row_is_skipped_and_named(label: str) -> None:
    data = f"date;uai;visits\n2015-09-07;0931234L;10\n{label};;10\n".encode()
    table = read_table(data, "stats.csv", COLUMNS)
    assert table.rows == [(2, {"date": "2015-09-07", "uai": "0931234L", "visits": "10"})]
    assert table.notes == [Message("totals_row_skipped", {"row": 3, "label": label})]
    assert str(table.notes[0]) == f"ligne 3 « {label} » ignorée : ligne de totaux"


def test_a_basin_named_after_the_somme_is_data_not_a_totals_row() -> None:
    columns = [Column("code"), Column("name")]
    table = read_table("code;name\n080-01;Somme\nSomme;Bassin de la Somme\n".encode(), "bassins.csv", columns)
    assert [number for number, _ in table.rows] == [2, 3] and table.notes == []


def test_a_totals_label_in_a_required_column_counts_when_another_required_cell_is_blank() -> None:
    data = (
        b"Remarque;date;uai;visits;visitors\n"
        b";2015-09-07;Sous-total;;10\n"
        b"x;2015-09-07;0931234L;10;Total\n"
        b"Total sorties;2015-09-08;0931234L;3;\n"
        b"Totalement neuf;2015-09-09;0931234L;4;\n"
        b";2015-09-10;Total;4;\n"
        b";;;;  TOTAL  \n"
    )
    table = read_table(data, "stats.csv", COLUMNS)
    assert [number for number, _ in table.rows] == [3, 4, 5, 6]
    assert table.notes == [Message("totals_row_skipped", {"row": 2, "label": "Sous-total"}),
                           Message("totals_row_skipped", {"row": 7, "label": "TOTAL"})]


def test_many_totals_rows_are_counted_beyond_the_first_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "TOTALS_NOTED", 2)
    data = b"date;uai;visits\n" + b"".join(b"2015-09-07;0931234L;1\nTotal;;1\n" for _ in range(5))
    table = read_table(data, "stats.csv", COLUMNS)
    assert len(table.rows) == 5
    assert [str(note) for note in table.notes] == ["ligne 3 « Total » ignorée : ligne de totaux",
                                                   "ligne 5 « Total » ignorée : ligne de totaux",
                                                   "et 3 autres lignes de totaux ignorées"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_BYTES", 100)
    monkeypatch.setattr(tabular, "decode_text", _never)
    monkeypatch.setattr(xlsx, "check_archive", _never)
    for data, filename in ((b"date;uai;visits\n" + b"2015-09-07;0931234L;1\n" * 10, "big.csv"),
                           (_xlsx([["date", "uai", "visits"]]), "big.xlsx")):
        with pytest.raises(TableError) as raised:
            read_table(data, filename, COLUMNS)
        assert f"{filename} : fichier trop volumineux (" in str(raised.value)
        assert "au plus 0,0 Mio) : découpez-le en plusieurs fichiers" in str(raised.value)


def test_an_xlsx_that_unpacks_too_large_is_refused_before_openpyxl_opens_it(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (3 * 2**20))
    bomb = buffer.getvalue()
    assert len(bomb) < 2**14
    monkeypatch.setattr(bounds, "MAX_UNPACKED_BYTES", 2**20)
    monkeypatch.setattr(xlsx, "ExcelReader", _never)
    with pytest.raises(TableError, match=r"bomb.xlsx : classeur trop volumineux une fois décompressé \(3,0 Mio, au plus 1,0 Mio\)"):
        read_table(bomb, "bomb.xlsx", COLUMNS)


def test_reading_stops_at_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_DATA_ROWS", 3)
    data = b"date;uai;visits\n" + b"2015-09-07;0931234L;1\n" * 3
    assert len(read_table(data, "stats.csv", COLUMNS).rows) == 3
    with pytest.raises(TableError) as raised:
        read_table(data + b"\n2015-09-07;0931234L;1\n", "stats.csv", COLUMNS)
    assert str(raised.value) == "stats.csv, ligne 6 : plus de 3 lignes de données : découpez le fichier"


def test_a_csv_field_too_long_to_read_is_a_problem_not_a_crash() -> None:
    data = b"date;uai;visits\n2015-09-07;0931234L;1\n2015-09-08;" + b"x" * 200_000 + b";1\n"
    with pytest.raises(TableError, match="stats.csv, ligne 3 : CSV illisible"):
        read_table(data, "stats.csv", COLUMNS)


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("the file was parsed although it is over a limit")
