"""Hostile and malformed files, at every import, page and API: the work is bounded by what the
file really holds (never by what it declares), a refusal says why with the row and column
where there is one, over a bound answers 413 and refused content 422, never a 500, and
nothing is written.

Reading is proved bounded without timing it: the hostile reads run under a guard of twenty
seconds (far above what a bounded read takes, far below what an unbounded one does) and the
rows the reader hands over are counted.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from handmade_xlsx import cell, declared_smaller, guard, parts, row, workbook, zipped
from openpyxl import Workbook

from rollout.imports import bounds, xlsx
from rollout.imports.export import table_bytes
from rollout.imports.registry import IMPORTERS, UPLOAD_PATHS
from rollout.imports.tabular import Column, TableError, raw_rows, read_table

COLUMNS = (Column("date"), Column("uai"), Column("visits"))
HEADER = row(1, "date", "uai", "visits")
DATA = row(2, "2015-09-07", "0931234L", 3)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _refusal(data: bytes, filename: str = "hostile.xlsx") -> TableError:
    with guard(), pytest.raises(TableError) as raised:
        read_table(data, filename, COLUMNS)
    return raised.value


def _placed(error: TableError) -> list[tuple[str, int | None, str | None]]:
    return [(problem.code, problem.row, problem.column) for problem in error.problems]


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("parsed although the archive is over a bound")


def test_a_declared_dimension_is_never_read_and_only_the_rows_present_are_handed_over() -> None:
    # 5 KB that openpyxl read as 16,384 cells a row and a million rows: a quarter of an hour.
    data = workbook(HEADER, DATA, '<row r="1048576"><c r="A1048576"><v>1</v></c></row>', dimension="A1:XFD1048576")
    assert len(data) < 5_000
    with guard():
        rows = list(raw_rows(data, "declared.xlsx"))
    assert rows == [(1, ["date", "uai", "visits"]), (2, ["2015-09-07", "0931234L", "3"]), (1048576, ["1"])]


def test_a_row_numbered_past_a_sheets_last_row_is_refused_as_soon_as_it_is_seen() -> None:
    error = _refusal(workbook(HEADER, DATA, '<row r="99999999"><c r="A99999999"><v>1</v></c></row>'))
    assert _placed(error) == [("row_beyond_sheet", 99999999, None)]
    assert error.status == 413
    assert str(error) == ("hostile.xlsx, ligne 99999999 : au-delà de la ligne 1048576, la dernière d'une feuille de "
                          "tableur : découpez le fichier")


def test_a_million_row_elements_are_refused_whatever_numbers_they_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_ROWS", 50)
    error = _refusal(workbook(HEADER, *(f'<row r="2">{cell("A2", 1)}</row>' for _ in range(60))))
    assert _placed(error) == [("row_beyond_sheet", 2, None)]


def test_a_value_beyond_the_widest_row_read_is_refused_naming_its_row_and_column() -> None:
    error = _refusal(workbook(HEADER, f'<row r="2">{cell("A2", "2015-09-07")}{cell("XFD2", "x")}</row>'))
    assert _placed(error) == [("too_many_columns", 2, "XFD")]
    assert error.status == 413


def test_cells_without_references_cannot_widen_a_row_past_the_bound() -> None:
    error = _refusal(workbook(HEADER, '<row r="2">' + "<c><v>1</v></c>" * 20_000 + "</row>"))
    assert _placed(error) == [("too_many_columns", 2, "ALM")]


def test_empty_cells_beyond_the_bound_are_left_out() -> None:
    styled = "".join(f'<c r="{letters}2" s="0"/>' for letters in ("AAA", "XFD"))
    data = workbook(HEADER, f'<row r="2">{cell("A2", "2015-09-07")}{cell("B2", "0931234L")}{cell("C2", 3)}{styled}</row>')
    assert list(raw_rows(data, "styled.xlsx"))[1] == (2, ["2015-09-07", "0931234L", "3"])


def test_only_the_first_sheet_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Three thousand sheets that are all one sheet without a dimension: openpyxl read each to its end.
    members = parts(HEADER + "".join(row(number, "2015-09-07", "0931234L", number) for number in range(2, 3_000)))
    sheets = "".join(f'<sheet name="F{number}" sheetId="{number}" r:id="rId1"/>' for number in range(1, 3_000))
    members["xl/workbook.xml"] = str(members["xl/workbook.xml"]).replace(
        '<sheet name="Feuil1" sheetId="1" r:id="rId1"/>', sheets)
    with guard():
        table = read_table(zipped(members), "sheets.xlsx", COLUMNS)
    assert len(table.rows) == 2_998


def test_a_zip_bomb_is_refused_from_the_zip_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "ExcelReader", _never)
    bomb = zipped(parts(HEADER + " " * 30 * 2**20))
    error = _refusal(bomb, "bomb.xlsx")
    assert _placed(error) == [("xlsx_compressed_too_much", None, None)]
    assert error.problems[0].params["part"] == "xl/worksheets/sheet1.xml" and error.problems[0].params["ratio"] > 900
    assert error.status == 422


def test_an_archive_compressed_like_a_bomb_as_a_whole_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "ExcelReader", _never)
    members = parts(DATA) | {f"xl/media/padding{number}.xml": " " * (2**20 - 1) for number in range(3)}
    error = _refusal(zipped(members), "bomb.xlsx")
    assert error.problems[0].code == "xlsx_compressed_too_much" and error.problems[0].params["part"] == "bomb.xlsx"


def test_an_archive_of_too_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "ExcelReader", _never)
    members = parts(HEADER) | {f"xl/media/image{number}.png": b"" for number in range(bounds.MAX_PARTS)}
    error = _refusal(zipped(members))
    assert error.problems[0].code == "xlsx_too_many_parts" and error.status == 413


def test_shared_strings_over_their_bound_are_refused_before_they_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_SHARED_STRINGS_BYTES", 2_000)
    monkeypatch.setattr("openpyxl.reader.excel.read_string_table", _never)
    data = workbook(HEADER, DATA, shared_strings=[f"texte {number}" for number in range(200)])
    error = _refusal(data)
    assert error.problems[0].code == "xlsx_shared_strings_too_big" and error.status == 413


def test_a_part_that_inflates_past_its_declared_size_is_cut_there() -> None:
    data = declared_smaller(zipped(parts(HEADER + DATA + " " * 20 * 2**20 + DATA)), "xl/worksheets/sheet1.xml", 1_000)
    assert _placed(_refusal(data)) == [("xlsx_unreadable", None, None)]


def test_entities_that_expand_a_billion_times_are_refused() -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{level} "{f"&a{level - 1};" * 10}">' for level in range(1, 10))
    laughs = f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{xlsx._MAIN[1:-1]}"><si><t>&a9;</t></si></sst>'
    error = _refusal(workbook(HEADER, DATA, shared_strings=laughs))
    assert error.problems[0].code == "xlsx_unreadable" and error.status == 422


def test_a_formula_without_its_value_is_refused_naming_its_cell() -> None:
    data = workbook(HEADER, f'<row r="2">{cell("A2", "2015-09-07")}{cell("B2", "0931234L")}<c r="C2"><f>1+2</f></c></row>')
    error = _refusal(data)
    assert _placed(error) == [("formula_without_value", 2, "C")]
    assert "hostile.xlsx, ligne 2, colonne C : formule sans valeur calculée" in str(error)


def test_a_formula_reads_as_the_value_its_spreadsheet_computed() -> None:
    computed = '<c r="C2"><f>1+2</f><v>3</v></c><c r="D2" t="str"><f>IF(C2&gt;5,"x","")</f><v></v></c>'
    data = workbook(HEADER, f'<row r="2">{cell("A2", "2015-09-07")}{cell("B2", "0931234L")}{computed}</row>')
    assert read_table(data, "f.xlsx", COLUMNS).rows == [(2, {"date": "2015-09-07", "uai": "0931234L", "visits": "3"})]


def test_a_date_formatted_number_no_calendar_holds_stays_a_number() -> None:
    workbook_ = Workbook()
    workbook_.active.append(["date", "uai", "visits"])
    workbook_.active.append([1e20, "0931234L", 3])
    workbook_.active["A2"].number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook_.save(buffer)
    assert read_table(buffer.getvalue(), "d.xlsx", COLUMNS).rows[0][1]["date"] == "100000000000000000000"


@pytest.mark.parametrize(("data", "filename", "code"), [
    (PNG, "image.csv", "not_a_table"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "ancien.xls", "not_a_table"),
    (zipped({"notes.txt": "not a workbook"}), "archive.csv", "xlsx_unreadable"),
    (b"PK\x03\x04 truncated", "stats.xlsx", "xlsx_unreadable"),
    (workbook(HEADER)[:-40], "cut.xlsx", "xlsx_unreadable"),
])
def test_what_is_no_table_is_told_so(data: bytes, filename: str, code: str) -> None:
    error = _refusal(data, filename)
    assert [problem.code for problem in error.problems] == [code] and error.status == 422


def test_a_genuine_large_export_compresses_well_within_the_ratio_bound() -> None:
    # Ten thousand identical rows: the most repetitive sheet an export writes.
    rows = [["2015-09-07", "0931234L", "Cahier de textes", "National_ELV", 12, 3]] * 10_000
    data = table_bytes(["date", "uai", "service", "profile", "visits", "visitors"], rows, fmt="xlsx", sheet="Usage")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > bounds.RATIO_FLOOR and sheet.file_size < bounds.MAX_RATIO / 3 * sheet.compress_size
    xlsx.check_archive(data, "usage.xlsx")


def test_csv_rows_are_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_ROWS", 20)
    error = _refusal(b"date;uai;visits\n" + b"\n" * 30, "blank.csv")
    assert _placed(error) == [("row_beyond_sheet", 21, None)]
    wide = b"date;uai;visits\n2015-09-07;0931234L;3" + b";" * 2_000 + b"x\n"
    assert _placed(_refusal(wide, "wide.csv")) == [("too_many_columns", 2, None)]
    trailing = b"date;uai;visits\n2015-09-07;0931234L;3" + b";" * 2_000 + b"\n"
    assert read_table(trailing, "trailing.csv", COLUMNS).rows == [(2, {"date": "2015-09-07", "uai": "0931234L", "visits": "3"})]


def test_utf16_with_its_byte_order_mark_reads_as_text() -> None:
    data = "date;uai;visits\n2015-09-07;0931234L;3\n".encode("utf-16")
    assert read_table(data, "unicode.csv", COLUMNS).rows == [(2, {"date": "2015-09-07", "uai": "0931234L", "visits": "3"})]


# Through the pages and the API: the status, and nothing written.

HOSTILE: dict[str, tuple[Callable[[], bytes], int, str]] = {
    "far.xlsx": (lambda: workbook(HEADER, '<row r="99999999"><c r="A99999999"><v>1</v></c></row>',
                                  dimension="A1:XFD1048576"), 413, "row_beyond_sheet"),
    "wide.xlsx": (lambda: workbook(HEADER, f'<row r="2">{cell("XFD2", "x")}</row>'), 413, "too_many_columns"),
    "parts.xlsx": (lambda: zipped(parts(HEADER) | {f"p{number}": b"" for number in range(bounds.MAX_PARTS)}), 413,
                   "xlsx_too_many_parts"),
    "bomb.xlsx": (lambda: zipped(parts(HEADER + " " * 10 * 2**20)), 422, "xlsx_compressed_too_much"),
    "formula.xlsx": (lambda: workbook(HEADER, '<row r="2"><c r="A2"><f>NOW()</f></c></row>'), 422,
                     "formula_without_value"),
    "image.csv": (lambda: PNG, 422, "not_a_table"),
    "big.csv": (lambda: b"uai;code;date\n" + b"0931234L;x;2015-09-07\n" * 10_000, 413, "file_too_big"),
}


@pytest.fixture
def small_uploads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files over 200 KB are too big, so that the test need not send 50 MiB."""
    monkeypatch.setattr(bounds, "MAX_BYTES", 200_000)


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_every_upload_page_refuses_a_hostile_file_and_writes_nothing(client, world, login, csrf, stored, small_uploads,
                                                                     kind: str) -> None:
    login(client, "district_leader")
    path = f"/programmes/{world.programme_id}/{UPLOAD_PATHS[kind]}"
    token, before = csrf(client, path), stored()
    for filename, (make, status, code) in HOSTILE.items():
        with guard():
            page = client.post(path, data={"csrf_token": token, "file": (io.BytesIO(make()), filename)},
                               content_type="multipart/form-data")
        assert page.status_code == status, (filename, page.text)
        assert filename in page.text and "Traceback" not in page.text
        assert stored() == before, filename


@pytest.mark.parametrize("endpoint", ["/api/v1/progress/imports", "/api/v1/usage/imports"])
@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_every_import_api_refuses_a_hostile_file_and_writes_nothing(client, world, token, stored, small_uploads,
                                                                    endpoint: str, dry_run: str) -> None:
    headers, before = token("district_leader"), stored()
    for filename, (make, status, code) in HOSTILE.items():
        with guard():
            response = client.post(endpoint, headers=headers, content_type="multipart/form-data",
                                   data={"file": (io.BytesIO(make()), filename), "dry_run": dry_run})
        assert response.status_code == status, (filename, response.text)
        assert [problem["code"] for problem in response.json["problems"]] == [code]
        assert response.json["message"].startswith(f"{filename}: 1 problem, nothing imported")
        assert stored() == before, filename
