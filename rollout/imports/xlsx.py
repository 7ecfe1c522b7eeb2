"""Reading the first sheet of an XLSX within bounds, whatever the file declares.

openpyxl trusts a workbook. Its read-only sheet pads every row to the width the sheet declares
(`<dimension ref="A1:XFD1048576"/>`: 16,384 cells a row) and yields an empty row for every row
number a row element skips (`<row r="99999999">`: a hundred million); `load_workbook` reads
every sheet, each to its end when it declares no dimension, and the shared strings whole. A
5 KB file could so hold a worker for a quarter of an hour. Here:

- the archive is checked before any of its XML is parsed, from its directory alone: how many
  parts it holds, what they unpack to in all and for the shared strings, and how many times
  each part (and the whole) unpacks to its packed size (`rollout.imports.bounds`);
- only the parts the first sheet needs are read (content types, shared strings, workbook,
  styles, that sheet), each once; links to other workbooks are not followed;
- the sheet's declared dimension is never read: its rows are built from the cells present, and
  a row numbered beyond the last a sheet may have, or a value beyond the widest row read, is
  refused as soon as it is seen.

openpyxl still types each cell (shared strings, numbers, booleans, inline text, dates from the
styles), so cells read as they did before.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS

from rollout.core.problems import Problem
from rollout.imports import bounds

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DATA, _FORMULA, _VALUE = (_MAIN + tag for tag in ("row", "c", "sheetData", "f", "v"))


class WorkbookRefused(ValueError):
    """A workbook that is not read any further, and why (reading stops at the first problem)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.code)


def _unreadable(error: BaseException, *, row: int | None = None, column: str | None = None) -> WorkbookRefused:
    return WorkbookRefused(Problem("xlsx_unreadable", row=row, column=column, params={"detail": type(error).__name__}))


def _compressed_too_much(unpacked: int, packed: int) -> bool:
    return unpacked > bounds.RATIO_FLOOR and unpacked > bounds.MAX_RATIO * max(packed, 1)


def check_archive(data: bytes, filename: str) -> None:
    """WorkbookRefused when the archive holds too many parts, would unpack to too much (in all,
    or its shared strings), or unpacks like a zip bomb rather than a workbook. Only the zip
    directory is read; its declared sizes are a true bound, since zipfile never inflates a
    part past its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError) as error:  # what a damaged archive raises
        raise _unreadable(error) from None
    if len(members) > bounds.MAX_PARTS:
        raise WorkbookRefused(Problem("xlsx_too_many_parts", params={"count": len(members), "limit": bounds.MAX_PARTS}))
    unpacked = sum(member.file_size for member in members)
    if unpacked > bounds.MAX_UNPACKED_BYTES:
        raise WorkbookRefused(Problem("xlsx_too_big", params=bounds.mebibytes(unpacked, bounds.MAX_UNPACKED_BYTES)))
    parts = [(member.filename, member.file_size, member.compress_size) for member in members]
    for name, size, packed in [*parts, (filename, unpacked, len(data))]:
        if _compressed_too_much(size, packed):
            raise WorkbookRefused(Problem("xlsx_compressed_too_much", params={
                "part": name, "ratio": size // max(packed, 1), "limit": bounds.MAX_RATIO}))


def _check_shared_strings(reader: ExcelReader) -> None:
    """WorkbookRefused when the shared strings the content types name unpack to too much:
    openpyxl reads them whole, before any row."""
    declared = reader.package.find(SHARED_STRINGS)
    if declared is None:
        return
    size = reader.archive.getinfo(declared.PartName[1:]).file_size
    if size > bounds.MAX_SHARED_STRINGS_BYTES:
        raise WorkbookRefused(Problem("xlsx_shared_strings_too_big",
                                      params=bounds.mebibytes(size, bounds.MAX_SHARED_STRINGS_BYTES)))


def _first_sheet(reader: ExcelReader) -> str:
    """The part of the workbook's first worksheet, as openpyxl's `worksheets[0]` would be."""
    for _sheet, relation in reader.parser.find_sheets():
        if relation.target in reader.valid_files and "chartsheet" not in relation.Type:
            return relation.target
    raise KeyError("no worksheet")


def _opened(data: bytes) -> tuple[ExcelReader, str]:
    """openpyxl's reader with what the first sheet needs read (content types, shared strings,
    workbook, styles), and that sheet's part."""
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # what openpyxl would not keep (styles, extensions): values are read alike
            reader.read_manifest()
            _check_shared_strings(reader)
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
        return reader, _first_sheet(reader)
    except WorkbookRefused:
        raise
    except Exception as error:  # noqa: BLE001 (openpyxl raises many types for a damaged file)
        raise _unreadable(error) from None


def cell_text(value: object) -> str:
    """A typed cell as the text an import reads (a date as ISO, a float without exponent)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text else text  # 1e-05 is 0.00001 in the cell
    return str(value)


class _Sheet:
    """Typing one sheet's cells with openpyxl, dates included: a date-formatted number outside
    the dates a spreadsheet writes stays a number (openpyxl would warn and make it an error)."""

    def __init__(self, reader: ExcelReader) -> None:
        workbook = reader.wb
        self.parser = WorkSheetParser(None, reader.shared_strings, data_only=True)
        self.dates, self.durations, self.epoch = workbook._date_formats, workbook._timedelta_formats, workbook.epoch

    def start_row(self, element: Element, previous: int, seen: int) -> int:
        """The row's number; WorkbookRefused when it lies beyond the last a sheet may have."""
        try:
            number = int(element.get("r") or previous + 1)
        except ValueError as error:
            raise _unreadable(error, row=previous + 1) from None
        if number > bounds.MAX_ROWS or seen > bounds.MAX_ROWS:
            raise WorkbookRefused(Problem("row_beyond_sheet", row=number, params={"limit": bounds.MAX_ROWS}))
        self.parser.row_counter, self.parser.col_counter = number, 0
        return number

    def read_cell(self, element: Element, row: int, values: dict[int, object]) -> None:
        """Add the cell's value to `values` by column; WorkbookRefused for a formula whose value
        was never computed, or a value beyond the widest row read."""
        try:
            cell = self.parser.parse_cell(element)
        except Exception as error:  # noqa: BLE001 (a damaged cell: a bad number, a missing shared string…)
            raise _unreadable(error, row=row, column=element.get("r")) from None
        column, value = cell["column"], cell["value"]
        if value is None:
            if element.find(_FORMULA) is not None and element.find(_VALUE) is None:
                raise WorkbookRefused(Problem("formula_without_value", row=row, column=get_column_letter(column)))
            return
        if column > bounds.MAX_COLUMNS:
            raise WorkbookRefused(Problem("too_many_columns", row=row, column=get_column_letter(min(column, 18_278)),
                                          params={"count": column, "limit": bounds.MAX_COLUMNS}))
        if cell["style_id"] in self.dates and isinstance(value, (int, float)):
            try:
                value = from_excel(value, self.epoch, timedelta=cell["style_id"] in self.durations)
            except (OverflowError, ValueError):
                pass  # no date a spreadsheet writes: the import says the cell is no date
        values[column] = value


def _row_texts(values: dict[int, object]) -> list[str]:
    """A row's cells from column A to its last value, empty where the sheet has none."""
    texts = [""] * max(values, default=0)
    for column, value in values.items():
        texts[column - 1] = cell_text(value)
    return texts


def _rows(reader: ExcelReader, part: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of each row element of the sheet, read as a stream: a row's
    cells are dropped once read, and reading stops at the end of the sheet's data."""
    sheet = _Sheet(reader)
    number = seen = 0
    data: Element | None = None
    values: dict[int, object] | None = None
    with reader.archive.open(part) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == _ROW:
                    seen += 1
                    number, values = sheet.start_row(element, number, seen), {}
                elif element.tag == _DATA:
                    data = element
            elif element.tag == _CELL and values is not None:
                sheet.read_cell(element, number, values)
                element.clear()
            elif element.tag == _ROW and values is not None:
                yield number, _row_texts(values)
                values = None
                if data is not None:
                    data.clear()
            elif element.tag == _DATA:
                return


def sheet_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) of the first sheet's rows that have a row element, in order;
    WorkbookRefused for an archive over a bound, a damaged part, or a row or cell beyond one."""
    check_archive(data, filename)
    reader, part = _opened(data)
    try:
        yield from _rows(reader, part)
    except WorkbookRefused:
        raise
    except Exception as error:  # noqa: BLE001 (damaged XML, a part not inflating to its declared size…)
        raise _unreadable(error) from None
    finally:
        reader.archive.close()
