"""Hostile and malformed files, at every import, page and API: the work is bounded by what the
file really holds (never by what it declares), a refusal says why with the row and column
where there is one, over a bound answers 413 and refused content 422, never a 500, and
nothing is written.

Reading is proved bounded without timing it: the hostile reads run under a guard of twenty
seconds (far above what a bounded read takes, far below what an unbounded one does) and the
rows the reader hands over are counted. Then generated files (hypothesis: any encoding, BOM,
delimiter, merged cells, formulas without values, serial dates, 100,000-character and hostile
cells, bytes that are no table) go through every upload page, their previews confirmed, and
through the import API.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable

import pytest
from handmade_xlsx import (
    MAIN,
    cell,
    declared_smaller,
    guard,
    parts,
    row,
    workbook,
    zipped,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
    laughs = f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN}"><si><t>&a9;</t></si></sst>'
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


def test_a_lone_carriage_return_ends_a_line_as_the_csv_reader_says() -> None:
    # Old Mac files end lines so, and a cell may start with one: finding the delimiter crashed (a 500).
    expected = [(2, {"date": "2015-09-07", "uai": "0931234L", "visits": "3"})]
    assert read_table(b"date;uai;visits\r2015-09-07;0931234L;3\r", "mac.csv", COLUMNS).rows == expected
    assert read_table(b"date;uai;visits\n2015-09-07;0931234L;3\n\rx;;\n", "cr.csv", COLUMNS).rows[0] == expected[0]


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


# Generated files: any encoding, layout and cell, at every importer, page and API.

HOSTILE_CELLS = ("", " ", "=1+1", '=HYPERLINK("http://x","y")', "+33 1", "-1", "@SUM(1)", "\tx", "'=x", "x" * 100_000,
                 "9" * 30, str(2**70), "-0", "1e308", "NaN", "42254", "2015-02-30", "31/12/9999", "00/00/0000", "é" * 60,
                 "\u202e", "\ufeff", "\x01\x02", "a\x00b", "Total", "oui", "N;S", "W1=0 W2=-5")
ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "cp1252", "cp1252", "utf-16", "utf-16-le", "latin-1")


def _examples(engine, count: int) -> int:
    """`count` examples on SQLite, a third on PostgreSQL (each costs a round trip more)."""
    return count if engine.dialect.name == "sqlite" else max(count // 3, 5)


def _valid_rows(world) -> dict[str, dict[str, str]]:
    """A row each import accepts from the world's programme: the base a generated row changes
    a cell or two of, so that examples reach validation, the preview and the writes."""
    return {
        "basins": {"code": "Z9", "name": "Zone neuf"},
        "trainers": {"code": "R-9", "name": "Relais", "tier": "relay", "basins": "N", "capacity": "4"},
        "waves": {"code": "W9", "position": "9", "start_date": "2019-01-07", "end_date": "2019-03-01"},
        "schools": {"uai": "0930616P", "name": "Collège Romain Rolland", "commune": "Clichy-sous-Bois", "pupils": "653",
                    "teachers": "48", "basin": "N"},
        "progress": {"uai": world.uais[0], "jalon": "school_live", "statut": "terminé", "date": "2016-01-04"},
        "usage": {"date": "2016-03-07", "uai": world.uais[1], "service": "Notes", "profile": "National_ENS",
                  "visits": "10", "visitors": "3"},
        "sessions": {"date": "2015-10-05", "trainer": "AT-002", "audience": "teachers", "uai": world.uais[0],
                     "modality": "online", "hours": "1", "attendees": "3"},
        "courses": {"course": "ENT", "uai": world.uais[0], "status": "termine", "completed_on": "2016-03-01", "email": "x@y.fr"},
        "certifications": {"date": "2016-03-01", "uai": world.uais[0], "level": "initie", "certified": "1"},
    }


@st.composite
def _tables(draw: st.DrawFn, world, kinds: list[str]) -> tuple[str, list[list[str]]]:
    """An importer's kind and a table for it: the header of a valid row (or some of the import's
    columns), with a column repeated or added sometimes, then a few rows, each the valid row
    with cells changed to hostile or arbitrary ones."""
    kind = draw(st.sampled_from(kinds))
    names = [column.name for column in IMPORTERS[kind]().header()]
    valid = _valid_rows(world)[kind]
    some = st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True)
    header = draw(st.one_of(st.just(list(valid)), st.just(list(valid)), some))
    header += draw(st.lists(st.sampled_from([*names, "remarque", ""]), max_size=1))
    cell = st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(max_size=12))
    rows = []
    for _ in range(draw(st.sampled_from([1, 1, 2, 3, 0]))):
        row = [valid.get(name, "") for name in header]
        for index in draw(st.lists(st.integers(min_value=0, max_value=len(header) - 1), max_size=2)):
            row[index] = draw(cell)
        rows.append(row)
    return kind, [header, *rows]


def _csv_bytes(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(rows: list[list[str]], *, merged: bool, formula: bool, serial_dates: bool) -> bytes:
    """The table as openpyxl writes it: numbers as numbers, and optionally a merged range, a
    formula without its value (openpyxl computes none) and date-formatted serial numbers."""
    workbook_ = Workbook()
    sheet = workbook_.active
    for cells in rows:
        sheet.append([float(text) if _is_number(text) else ILLEGAL_CHARACTERS_RE.sub("", text) for text in cells])
    if serial_dates:
        for (first, *_rest) in sheet.iter_rows(min_row=2):
            first.value, first.number_format = 42254, "DD/MM/YYYY"
    if formula:
        sheet.cell(row=sheet.max_row, column=sheet.max_column + 1, value="=1+1")
    if merged and sheet.max_row > 1:
        sheet.merge_cells(start_row=2, start_column=1, end_row=sheet.max_row, end_column=min(2, sheet.max_column))
    buffer = io.BytesIO()
    workbook_.save(buffer)
    return buffer.getvalue()


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and len(text) < 20
    except ValueError:
        return False


@st.composite
def _files(draw: st.DrawFn, world, kinds: list[str]) -> tuple[str, bytes, str]:
    """(kind, content, filename): a generated table in CSV (any delimiter and encoding, a BOM or
    not) or XLSX, or bytes that are no table (random, an image, a zip that is no workbook)."""
    kind, rows = draw(_tables(world, kinds))
    shape = draw(st.sampled_from(["csv", "csv", "xlsx", "bytes"]))
    if shape == "csv":
        data = _csv_bytes(rows, draw(st.sampled_from(";;,\t")), draw(st.sampled_from(ENCODINGS)))
        return kind, data, "fichier.csv"
    if shape == "xlsx":
        return kind, _xlsx_bytes(rows, merged=draw(st.booleans()), formula=draw(st.booleans()),
                                 serial_dates=draw(st.booleans())), "fichier.xlsx"
    junk = draw(st.one_of(st.binary(max_size=300), st.sampled_from([PNG, zipped({"a.txt": "x"}), b"PK\x03\x04"])))
    return kind, junk, draw(st.sampled_from(["fichier.csv", "fichier.xlsx", "image.png"]))


FILE_LEVEL = {"file_too_big", "xlsx_unreadable", "xlsx_too_big", "xlsx_too_many_parts", "xlsx_compressed_too_much",
              "xlsx_shared_strings_too_big", "not_a_table", "file_empty", "no_data_rows", "csv_unreadable"}
"""Problems of a whole file; every other problem names its row."""


def _records(counts: dict[str, int]) -> dict[str, int]:
    """The counts of what an import writes, kept previews apart."""
    return {name: count for name, count in counts.items() if name != "savedpreview"}


def _settings(engine, count: int) -> settings:
    return settings(max_examples=_examples(engine, count), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])


def test_any_file_at_any_upload_page_is_previewed_or_refused_never_a_500(client, engine, world, login, csrf,
                                                                        stored) -> None:
    login(client, "district_leader")
    token = csrf(client, f"/programmes/{world.programme_id}/basins/import")

    @_settings(engine, 60)
    @given(_files(world, sorted(IMPORTERS)))
    def check(file: tuple[str, bytes, str]) -> None:
        kind, data, filename = file
        before = stored()
        page = client.post(f"/programmes/{world.programme_id}/{UPLOAD_PATHS[kind]}", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(data), filename)})
        assert page.status_code in (200, 413, 422), page.text
        after = stored()
        # A preview is kept, or replaces its author's last one: nothing else is written.
        assert _records(after) == _records(before) and after["savedpreview"] <= before["savedpreview"] + 1
        confirm = re.search(r'action="(/programmes/\d+/imports/\d+/confirm)"', page.text)
        if confirm:
            applied = client.post(confirm.group(1), data={"csrf_token": token})
            assert applied.status_code in (302, 409), applied.text
            if applied.status_code == 409:
                assert _records(stored()) == _records(before)

    check()


def test_any_file_at_the_import_api_is_imported_whole_or_refused_naming_rows(client, engine, world, token,
                                                                            stored) -> None:
    headers = token("district_leader")

    @_settings(engine, 40)
    @given(_files(world, ["progress", "usage"]), st.booleans())
    def check(file: tuple[str, bytes, str], dry_run: bool) -> None:
        kind, data, filename = file
        before = stored()
        response = client.post(f"/api/v1/{kind}/imports", headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), filename), "dry_run": str(dry_run).lower()})
        assert response.status_code in (200, 201, 413, 422), response.text
        if response.status_code >= 400:
            problems = response.json["problems"]
            assert problems and all(problem["reason"] and problem["code"] for problem in problems)
            assert all(problem["row"] is not None or problem["code"] in FILE_LEVEL for problem in problems), problems
        if dry_run or response.status_code >= 400:
            assert stored() == before

    check()
