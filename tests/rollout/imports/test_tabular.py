"""Reading uploaded tables the way French offices produce them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

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
    assert "stats.csv, row 1, column uai: column 'uai' appears twice" in message
    assert "stats.csv, row 1: required column 'date' is missing" in message
    assert "required column 'visits' is missing" in message
    assert len(raised.value.problems) == 3


def test_empty_and_damaged_files() -> None:
    with pytest.raises(TableError, match="empty.csv: the file is empty"):
        read_table(b"\n\n", "empty.csv", COLUMNS)
    with pytest.raises(TableError, match="bad.xlsx: not a readable XLSX workbook"):
        read_table(b"PK\x03\x04garbage", "bad.xlsx", COLUMNS)
