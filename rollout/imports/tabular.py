"""Reading an uploaded table: CSV (`,` or `;`, UTF-8 with or without BOM, or Windows-1252, as
French Excel writes it) or XLSX (first sheet), with a header row.

Headers are matched to the import's columns case- and accent-insensitively, French or English
aliases alike. The header need not be the first row: exports often start with a title line
("Statistiques ENT - export du 03/12/2026"), so the header is the first of the first rows that
has every required column, and the rows above it are ignored (a note says so). Totals rows
("Total général", "Sous-total") are skipped with a note, since they are no record. Cells come
back as stripped strings keyed by the column's canonical name, with the row number a person
sees in their spreadsheet; typing and validating the values is the import's job. Problems name
the file, row, column and value.

A file is bounded before it is parsed, so an upload cannot hold a worker for minutes: its size,
an XLSX's unpacked size (a small zip can unpack to gigabytes) and its number of data rows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from operator import itemgetter

from rollout.core.messages import Message
from rollout.core.problems import Problem
from rollout.core.text import fold

XLSX_MAGIC = b"PK\x03\x04"
MAX_BYTES = 50 * 2**20
"""The largest file read: three times a district's three years of usage statistics in CSV."""
MAX_UNPACKED_BYTES = 500 * 2**20
"""The most an XLSX may unpack to: a genuine workbook unpacks to five to ten times its size."""
MAX_DATA_ROWS = 1_000_000
"""The most data rows read: Excel's own limit is 1,048,576 rows a sheet."""
HEADER_SEARCH_ROWS = 10
"""How many non-empty rows at the top of a file may hold the header (title lines above it)."""
TOTALS_NOTED = 10
"""How many skipped totals rows a table names one by one; the others are counted."""
# Not "somme": it is also a département, and a basin or a commune may bear its name.
_TOTALS_LABELS = {"total", "totaux", "total general", "totaux generaux", "total resultat", "grand total",
                  "sous total", "sous totaux"}
_TOTALS_INITIALS = frozenset("TtSsGg")
_TOTALS_STARTS = frozenset({label[:3] for label in _TOTALS_LABELS})
_LONGEST_TOTALS_LABEL = 24
_HEADER_CHARS = 10_000  # of a line, enough for any header; a longer field is data


@dataclass(frozen=True)
class Column:
    """A column an import understands: its canonical name, other accepted headers, and whether
    the file must have it (a required column is part of what identifies a row)."""

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
    """The rows of a file: (row number, {canonical column: cell text}), empty and totals rows
    left out. `header_row` is the spreadsheet row read as the header; `notes` say
    what was skipped, for the preview page."""

    filename: str
    rows: list[tuple[int, dict[str, str]]]
    ignored_columns: list[str] = field(default_factory=list)
    header_row: int = 1
    notes: list[Message] = field(default_factory=list)


@dataclass
class _Header:
    """A row read as a header: where each known column is, and what is wrong with it."""

    row: int
    positions: dict[str, int]
    ignored: list[str]
    repeated: list[Problem]
    missing: list[Problem]

    @property
    def complete(self) -> bool:
        """Every required column is there (a row matching no column is no header either)."""
        return bool(self.positions) and not self.missing


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(header)).strip("_")


def _filled(row: list[str]) -> bool:
    return any(map(str.strip, row))


def _read_header(row_number: int, row: list[str], columns: Sequence[Column]) -> _Header:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    repeated: list[Problem] = []
    for index, cell in enumerate(row):
        matched = next((column for column in columns if column.matches(cell)), None)
        if matched is None:
            if cell.strip():
                ignored.append(cell.strip())
        elif matched.name in positions:
            repeated.append(Problem("column_repeated", row=row_number, column=cell.strip(), params={"name": matched.name}))
        else:
            positions[matched.name] = index
    missing = [
        Problem("column_missing", row=row_number,
                params={"name": column.name, "headers": ", ".join((column.name,) + column.aliases)})
        for column in columns if column.required and column.name not in positions
    ]
    return _Header(row_number, positions, ignored, repeated, missing)


def decode_text(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` one at a time, without copying the whole text as splitlines would."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


def _delimiter(text: str, columns: Sequence[Column]) -> str:
    """`;` or `,`, whichever splits a header row into more of the import's columns. Only a
    header can tell: a title line above it may have neither, and data rows hold decimal commas.
    Without a recognisable header, the one the first line that has either has more of."""
    lines = [line[:_HEADER_CHARS] for line in islice((line for line in _lines(text) if line.strip()), HEADER_SEARCH_ROWS)]

    def known(delimiter: str) -> int:
        return max((len(_read_header(0, next(csv.reader([line], delimiter=delimiter)), columns).positions)
                    for line in lines), default=0)

    semicolons, commas = known(";"), known(",")
    if semicolons != commas:
        return ";" if semicolons > commas else ","
    first = next((line for line in lines if ";" in line or "," in line), "")
    return ";" if first.count(";") > first.count(",") else ","


def _csv_rows(text: str, filename: str, columns: Sequence[Column]) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, columns))
    try:
        yield from reader
    except csv.Error as error:  # a field longer than csv.field_size_limit()
        raise TableError(filename, [Problem("csv_unreadable", row=reader.line_num, params={"detail": str(error)})]) from None


def _cell_text(value: object) -> str:
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


def _refuse_unpacked_size(data: bytes, filename: str) -> None:
    """TableError when the XLSX would unpack to more than MAX_UNPACKED_BYTES. The members'
    declared sizes are a true bound: zipfile never inflates a member past its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError) as error:  # what a damaged archive raises
        raise TableError(filename, [Problem("xlsx_unreadable", params={"detail": type(error).__name__})]) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(filename, [Problem("xlsx_too_big", params=_sizes(unpacked, MAX_UNPACKED_BYTES))])


def _xlsx_rows(data: bytes, filename: str) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise TableError(filename, [Problem("xlsx_unreadable", params={"detail": type(error).__name__})]) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _sizes(size: int, limit: int) -> dict[str, float]:
    """A size and its limit in mebibytes, for a message."""
    return {"size": size / 2**20, "limit": limit / 2**20}


def raw_rows(data: bytes, filename: str, columns: Sequence[Column] = ()) -> Iterable[list[str]]:
    """The file's rows as lists of cell texts, whatever its format; `columns` help find a CSV's
    delimiter. TableError, before anything is decoded or unpacked, when the file is too big."""
    if len(data) > MAX_BYTES:
        raise TableError(filename, [Problem("file_too_big", params=_sizes(len(data), MAX_BYTES))])
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        _refuse_unpacked_size(data, filename)
        return _xlsx_rows(data, filename)
    return _csv_rows(decode_text(data), filename, columns)


def _find_header(rows: Iterator[tuple[int, list[str]]], filename: str, columns: Sequence[Column]) -> tuple[_Header, bool]:
    """The first of the first non-empty rows that has every required column, and whether rows
    above it were skipped. When none has them all, TableError names what the row matching the
    most columns lacks: that row is most likely the header the person meant."""
    candidates: list[_Header] = []
    for number, row in rows:
        if not _filled(row):
            continue
        candidates.append(_read_header(number, row, columns))
        if candidates[-1].complete:
            return candidates[-1], len(candidates) > 1
        if len(candidates) == HEADER_SEARCH_ROWS:
            break
    if not candidates:
        raise TableError(filename, [Problem("file_empty")])
    best = max(candidates, key=lambda header: len(header.positions))
    raise TableError(filename, best.repeated + best.missing)


def _is_totals_label(cell: str) -> bool:
    return (cell[:3].lower() in _TOTALS_STARTS and len(cell) <= _LONGEST_TOTALS_LABEL
            and re.sub(r"[^a-z]+", " ", fold(cell)).strip() in _TOTALS_LABELS)


def _key_cells(names: Sequence[str]) -> Callable[[dict[str, str]], tuple[str, ...]]:
    """The cells of the columns `names` of a row, as a tuple even for one column (itemgetter
    gives a tuple only from two) and fetched in C, since every data row needs them."""
    if len(names) > 1:
        return itemgetter(*names)
    return lambda cells: tuple(cells[name] for name in names)


def _totals_label(first: str, key_cells: tuple[str, ...]) -> str | None:
    """The label that makes a row a totals row ("Total", "Sous-total"…), or None: its first
    filled cell `first`, or a cell of a required column when another required cell is blank.
    A row with every required cell filled is a record, whatever its cells say; a totals row
    leaves blank the columns it sums over."""
    if first[:1] in _TOTALS_INITIALS and _is_totals_label(first):
        return first
    if "" in key_cells:
        return next((cell for cell in key_cells if cell and _is_totals_label(cell)), None)
    return None


def _totals_notes(skipped: list[tuple[int, str]]) -> list[Message]:
    notes = [Message("totals_row_skipped", {"row": number, "label": label}) for number, label in skipped[:TOTALS_NOTED]]
    if len(skipped) > TOTALS_NOTED:
        notes.append(Message("more_totals_rows_skipped", {"count": len(skipped) - TOTALS_NOTED}))
    return notes


def read_table(data: bytes, filename: str, columns: Sequence[Column]) -> Table:
    """Read `data` against `columns`; TableError lists header problems (missing or repeated
    columns) or says which bound the file exceeds."""
    rows = enumerate(raw_rows(data, filename, columns), start=1)
    header, below_title = _find_header(rows, filename, columns)
    if header.repeated:
        raise TableError(filename, header.repeated)
    positions = header.positions
    key_cells = _key_cells([column.name for column in columns if column.required])
    named_positions, last_position = list(positions.items()), max(positions.values())
    table_rows: list[tuple[int, dict[str, str]]] = []
    totals: list[tuple[int, str]] = []
    for number, row in rows:
        first = next(filter(None, map(str.strip, row)), None)
        if first is None:
            continue
        if len(row) <= last_position:  # a row that stops before the last column read
            row = row + [""] * (last_position + 1 - len(row))
        cells = {name: row[index].strip() for name, index in named_positions}
        label = _totals_label(first, key_cells(cells))
        if label is not None:
            totals.append((number, label))
            continue
        if len(table_rows) == MAX_DATA_ROWS:
            raise TableError(filename, [Problem("too_many_rows", row=number, params={"limit": MAX_DATA_ROWS})])
        table_rows.append((number, cells))
    notes = [Message("header_below_title", {"row": header.row})] if below_title else []
    return Table(filename=filename, rows=table_rows, ignored_columns=header.ignored, header_row=header.row,
                 notes=notes + _totals_notes(totals))
