"""Reading an uploaded table: CSV (`,` or `;`, UTF-8 with or without BOM, or Windows-1252, as
French Excel writes it) or XLSX (first sheet), with a required header row.

Headers are matched to the import's columns case- and accent-insensitively, French or English
aliases alike. Cells come back as stripped strings keyed by the column's canonical name, with
the row number a person sees in their spreadsheet (the header is row 1); typing and validating
the values is the import's job. Problems name the file, row, column and value.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Iterator, Sequence

from rollout.core.problems import Problem
from rollout.core.text import fold

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Column:
    """A column an import understands: its canonical name, other accepted headers, and whether
    the file must have it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        key = _header_key(header)
        return key == _header_key(self.name) or key in {_header_key(alias) for alias in self.aliases}


class TableError(ValueError):
    """A file that cannot be imported; `problems` lists every problem found in one pass."""

    def __init__(self, filename: str, problems: Sequence[Problem]) -> None:
        self.filename = filename
        self.problems = list(problems)
        super().__init__("\n".join(problem.describe(filename) for problem in self.problems))


@dataclass
class Table:
    """The rows of a file: (row number, {canonical column: cell text}), empty rows left out."""

    filename: str
    rows: list[tuple[int, dict[str, str]]]
    ignored_columns: list[str] = field(default_factory=list)


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(header)).strip("_")


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(text: str) -> Iterator[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes, filename: str) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise TableError(filename, [Problem(f"not a readable XLSX workbook ({type(error).__name__})")]) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def raw_rows(data: bytes, filename: str) -> Iterable[list[str]]:
    """The file's rows as lists of cell texts, whatever its format."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data, filename)
    return _csv_rows(decode_text(data))


def read_table(data: bytes, filename: str, columns: Sequence[Column]) -> Table:
    """Read `data` against `columns`; TableError lists header problems (missing or repeated columns)."""
    rows = enumerate(raw_rows(data, filename), start=1)
    header = next((row for _, row in rows if any(cell.strip() for cell in row)), None)
    if header is None:
        raise TableError(filename, [Problem("the file is empty: a header row is required")])
    positions: dict[str, int] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        matched = next((column for column in columns if column.matches(cell)), None)
        if matched is None:
            if cell.strip():
                ignored.append(cell.strip())
        elif matched.name in positions:
            problems.append(Problem(f"column {matched.name!r} appears twice", row=1, column=cell.strip()))
        else:
            positions[matched.name] = index
    for column in columns:
        if column.required and column.name not in positions:
            accepted = ", ".join((column.name,) + column.aliases)
            problems.append(Problem(f"required column {column.name!r} is missing (accepted headers: {accepted})", row=1))
    if problems:
        raise TableError(filename, problems)
    table_rows = []
    for number, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        table_rows.append(
            (number, {name: (row[index].strip() if index < len(row) else "") for name, index in positions.items()})
        )
    return Table(filename=filename, rows=table_rows, ignored_columns=ignored)
