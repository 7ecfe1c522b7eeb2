"""Writing a table for people to download: CSV as French Excel opens it, or XLSX.

The reference-data downloads use the import's own layout (its column names, one row per
record), so a downloaded file uploads again as "nothing changed". This module only writes
cells; what goes in them is the table's business (`ReferenceTable.export_rows`).

- CSV: UTF-8 with a byte-order mark (so Excel does not read it as Windows-1252), `;` between
  cells, dates `DD/MM/YYYY`, decimals with a comma, `oui`/`non`, nothing for None.
- XLSX: real dates (shown `DD/MM/YYYY`) and numbers; text as text; `oui`/`non` as in CSV.

Text a spreadsheet would take for a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
carriage return) is written after a single quote, in both formats: the OWASP rule against
CSV injection, so that a school named `=HYPERLINK(...)` stays a name on the reader's screen.
A negative number is a number, not text, and is written as one. `restored` takes the quote
off again when such a file is imported, so that neutralised cells round-trip too.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Literal, Sequence

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
DATE_FORMAT = "DD/MM/YYYY"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralised(text: str) -> str:
    """`text`, after a single quote if a spreadsheet would read it as a formula."""
    return QUOTE + text if text.startswith(FORMULA_STARTS) else text


def restored(text: str) -> str:
    """A cell's text as it was before `neutralised` (a file this module wrote, uploaded again)."""
    return text[1:] if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS) else text


def _french_number(value: int | float | Decimal) -> str:
    """Digits and a decimal comma, never an exponent (`1e-05` is written `0,00001`): the
    imports refuse scientific notation, as nobody types it in a district's table."""
    text = str(value)
    if "e" in text.lower():
        text = format(Decimal(text), "f")
    return text.replace(".", ",")


def _french_date(value: date) -> str:
    text = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, datetime):
        text += f" {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return text


def csv_cell(value: Any) -> str:
    """A value as French Excel writes it in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, float, Decimal)):
        return _french_number(value)
    if isinstance(value, date):
        return _french_date(value)
    return neutralised(str(value))


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_cell(name) for name in columns])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(sheet: str) -> str:
    """A title Excel accepts: at most 31 characters, none of `[]:*?/\\`."""
    return _SHEET_FORBIDDEN.sub(" ", sheet).strip()[:31] or "Feuille1"


def _xlsx(columns: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=_sheet_title(sheet))
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> WriteOnlyCell:
        if isinstance(value, bool):
            value = "oui" if value else "non"
        if isinstance(value, Decimal):
            value = float(value)
        if value is not None and not isinstance(value, (int, float, date)):
            # XML cannot hold most control characters: they are dropped rather than refused.
            value = neutralised(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        written = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # never a formula, whatever the text
        elif isinstance(value, date):
            written.number_format = DATE_FORMAT + (" hh:mm:ss" if isinstance(value, datetime) else "")
        if header:
            written.font = bold
        return written

    worksheet.append([cell(name, header=True) for name in columns])
    for row in rows:
        worksheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, fmt: Literal["csv", "xlsx"], sheet: str) -> bytes:
    """A header row of `columns`, then `rows`, as a CSV or XLSX file (`sheet` names the XLSX's
    only sheet). Values: None, bool, int, float, Decimal, date, datetime or text."""
    if fmt == "csv":
        return _csv(columns, rows)
    if fmt == "xlsx":
        return _xlsx(columns, rows, sheet)
    raise ValueError(f"unknown format {fmt!r}: csv or xlsx")
