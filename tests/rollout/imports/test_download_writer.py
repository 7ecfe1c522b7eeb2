"""Downloads as French offices open them, and never a formula in a cell the data put there."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from rollout.imports.export import restored, table_bytes

DANGEROUS = ["=HYPERLINK(\"http://x.invalid\")", "+33 1 23", "-2+3", "@SUM(A1)", "\tcaché", "\rretour"]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _xlsx_sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_neutralises_text_a_spreadsheet_would_run(text: str) -> None:
    rows = _csv_rows(table_bytes(["name"], [[text]], fmt="csv", sheet="x"))
    assert rows == [["name"], ["'" + text]]


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_writes_such_text_as_a_neutralised_string_never_a_formula(text: str) -> None:
    cell = _xlsx_sheet(table_bytes(["name"], [[text]], fmt="xlsx", sheet="x"))["A2"]
    assert cell.data_type == "s"
    # XML turns a carriage return into a line feed; the quote in front is what matters.
    assert cell.value == "'" + text.replace("\r", "\n")


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_header_is_neutralised_too(text: str) -> None:
    assert _csv_rows(table_bytes([text], [], fmt="csv", sheet="x"))[0] == ["'" + text]
    cell = _xlsx_sheet(table_bytes([text], [], fmt="xlsx", sheet="x"))["A1"]
    assert (cell.data_type, cell.value[0]) == ("s", "'")


def test_negative_numbers_stay_numbers() -> None:
    assert _csv_rows(table_bytes(["n", "x"], [[-3, -2.5]], fmt="csv", sheet="x"))[1] == ["-3", "-2,5"]
    sheet = _xlsx_sheet(table_bytes(["n", "x"], [[-3, -2.5]], fmt="xlsx", sheet="x"))
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [(-3, "n"), (-2.5, "n")]


def test_harmless_text_is_left_alone() -> None:
    texts = ["Saint-Denis", "a=b", "W2=0 W3=4", "REP+", "N S", "'déjà cité'"]
    assert _csv_rows(table_bytes(["t"] * len(texts), [texts], fmt="csv", sheet="x"))[1] == texts
    sheet = _xlsx_sheet(table_bytes(["t"] * len(texts), [texts], fmt="xlsx", sheet="x"))
    assert [cell.value for cell in sheet[2]] == texts


def test_csv_is_what_french_excel_opens() -> None:
    data = table_bytes(
        ["uai", "début", "latitude", "élèves", "formé", "courriel"],
        [["0930001W", date(2016, 9, 12), 48.85, 1234, True, None], ["0930002X", date(2017, 1, 4), -0.5, 0, False, "a;b"]],
        fmt="csv", sheet="x",
    )
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == "uai;début;latitude;élèves;formé;courriel"
    assert _csv_rows(data)[1:] == [
        ["0930001W", "12/09/2016", "48,85", "1234", "oui", ""],
        ["0930002X", "04/01/2017", "-0,5", "0", "non", "a;b"],
    ]


def test_csv_numbers_never_use_an_exponent() -> None:
    assert _csv_rows(table_bytes(["a", "b", "c"], [[1e-05, -2.5e-07, 1e20]], fmt="csv", sheet="x"))[1] == [
        "0,00001", "-0,00000025", "100000000000000000000"]


def test_xlsx_has_real_dates_and_numbers() -> None:
    data = table_bytes(["début", "latitude", "élèves", "formé", "courriel"],
                       [[date(2016, 9, 12), 48.85, 1234, True, None]], fmt="xlsx", sheet="Vagues")
    sheet = _xlsx_sheet(data)
    assert sheet.title == "Vagues"
    assert [cell.value for cell in sheet[1]] == ["début", "latitude", "élèves", "formé", "courriel"]
    assert sheet["A1"].font.b
    started, latitude, pupils, trained, email = sheet[2]
    assert (started.value, started.number_format) == (datetime(2016, 9, 12), "DD/MM/YYYY")
    assert (latitude.value, latitude.data_type) == (48.85, "n")
    assert (pupils.value, pupils.data_type) == (1234, "n")
    assert trained.value == "oui"
    assert email.value is None


def test_xlsx_drops_characters_xml_cannot_hold() -> None:
    sheet = _xlsx_sheet(table_bytes(["name"], [["Coll\x07ège"]], fmt="xlsx", sheet="x"))
    assert sheet["A2"].value == "Collège"


def test_sheet_title_is_one_excel_accepts() -> None:
    sheet = _xlsx_sheet(table_bytes(["a"], [], fmt="xlsx", sheet="Bassins [093]: nord/sud et encore bien plus"))
    assert sheet.title == "Bassins  093   nord sud et enco"


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        table_bytes(["a"], [], fmt="ods", sheet="x")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [*DANGEROUS, "Saint-Denis", "'déjà cité'", "'"])
def test_restored_undoes_the_quote_and_nothing_else(text: str) -> None:
    written = _csv_rows(table_bytes(["t"], [[text]], fmt="csv", sheet="x"))[1][0]
    assert restored(written) == text
