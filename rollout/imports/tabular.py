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

A file is bounded before and while it is parsed, so an upload cannot hold a worker for minutes:
its size, an XLSX's archive (`rollout.imports.xlsx`), its rows, its columns and its data rows
(the values are in `rollout.imports.bounds`). A file that is no table at all (an image, an old
binary .xls) is told apart from a table whose header is wrong.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any

from rollout.core.messages import Message
from rollout.core.problems import Problem
from rollout.core.text import fold
from rollout.imports import bounds

XLSX_MAGIC = b"PK\x03\x04"
TOO_LARGE = frozenset({"file_too_big", "xlsx_too_big", "xlsx_too_many_parts", "xlsx_shared_strings_too_big",
                       "row_beyond_sheet", "too_many_columns", "too_many_rows"})
"""Problems that say a file is larger than the product reads (413), not that it is wrong (422)."""
_BINARY_SNIFF = 4096  # characters within which a NUL says the file is binary, not a damaged table
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
_DECODE_CHUNK = 2**20  # characters (or bytes) decoded at a time


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

    @property
    def status(self) -> int:
        """The HTTP status that refuses the file: 413 when it is over a bound (split it), else 422."""
        return 413 if any(problem.code in TOO_LARGE for problem in self.problems) else 422


@dataclass
class Table:
    """The rows of a file: (row number, {canonical column: cell text}), empty and totals rows
    left out. `header_row` is the spreadsheet row read as the header; `notes` say
    what was skipped, for the preview page."""

    filename: str
    rows: list[tuple[int, dict[str, str]]] | Iterator[tuple[int, dict[str, str]]]
    ignored_columns: list[str] = field(default_factory=list)
    header_row: int = 1
    notes: list[Message] = field(default_factory=list)
    data: bytes = b""
    """The file, when `rows` is read as it is iterated (`stream_table`): to read it again."""


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


def _encoding(data: bytes) -> str:
    """UTF-16 when it starts with its byte-order mark (Excel's "Unicode text"), UTF-8 (a BOM is
    dropped) when the bytes are valid UTF-8, else Windows-1252. UTF-8 is checked a chunk at a
    time, so that no copy of the whole text is made to find out."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(data)
    try:
        for start in range(0, len(data), _DECODE_CHUNK):
            decoder.decode(view[start:start + _DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def decode_text(data: bytes, encoding: str, *, newline: str | None = "") -> io.TextIOWrapper:
    """The file's text in `encoding` (`_encoding`), decoded as it is read: never held whole, a
    daily usage file is a million lines. `newline` as `open` takes it (`""` for the csv module,
    None for lines ended however they are)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline=newline)


def _lines(data: bytes, encoding: str) -> Iterator[str]:
    """The lines of the file one at a time, ended as the csv module ends a record (`\\n`, `\\r\\n`
    or a lone `\\r`, as old Mac files and some cells hold), their ends removed."""
    for line in decode_text(data, encoding, newline=None):
        yield line.rstrip("\n")


def _delimiter(data: bytes, encoding: str, columns: Sequence[Column]) -> str:
    """`;` or `,`, whichever splits a header row into more of the import's columns. Only a
    header can tell: a title line above it may have neither, and data rows hold decimal commas.
    Without a recognisable header, the one the first line that has either has more of."""
    first_lines = islice(_lines(data, encoding), bounds.MAX_ROWS)  # a file of blank lines is read no further than the CSV is
    lines = [line[:_HEADER_CHARS] for line in islice((line for line in first_lines if line.strip()), HEADER_SEARCH_ROWS)]

    def known(delimiter: str) -> int:
        return max((len(_read_header(0, next(csv.reader([line], delimiter=delimiter)), columns).positions)
                    for line in lines), default=0)

    semicolons, commas = known(";"), known(",")
    if semicolons != commas:
        return ";" if semicolons > commas else ","
    first = next((line for line in lines if ";" in line or "," in line), "")
    return ";" if first.count(";") > first.count(",") else ","


def _within_columns(number: int, row: list[str], filename: str) -> list[str]:
    """The row without the empty cells beyond MAX_COLUMNS (trailing separators); TableError
    when a cell beyond it holds something."""
    if any(map(str.strip, islice(row, bounds.MAX_COLUMNS, None))):
        raise TableError(filename, [Problem("too_many_columns", row=number,
                                            params={"count": len(row), "limit": bounds.MAX_COLUMNS})])
    return row[:bounds.MAX_COLUMNS]


def _csv_rows(data: bytes, encoding: str, filename: str, columns: Sequence[Column]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(decode_text(data, encoding), delimiter=_delimiter(data, encoding, columns))
    try:
        for number, row in enumerate(reader, start=1):
            if number > bounds.MAX_ROWS:
                raise TableError(filename, [Problem("row_beyond_sheet", row=number, params={"limit": bounds.MAX_ROWS})])
            yield number, row if len(row) <= bounds.MAX_COLUMNS else _within_columns(number, row, filename)
    except csv.Error as error:  # a field longer than csv.field_size_limit()
        raise TableError(filename, [Problem("csv_unreadable", row=reader.line_num, params={"detail": str(error)})]) from None


def _xlsx_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    # openpyxl is loaded when a workbook is read, not with the app.
    from rollout.imports import xlsx

    try:
        yield from xlsx.sheet_rows(data, filename)
    except xlsx.WorkbookRefused as refused:
        raise TableError(filename, [refused.problem]) from None


def _refuse_nul(data: bytes, encoding: str, filename: str) -> None:
    """TableError when the text holds a NUL character, which no table holds and PostgreSQL cannot
    store: near the start, the file is binary (an image, an old .xls); further on, a damaged
    line, named. UTF-8 and Windows-1252 write NUL as a zero byte and nothing else with one, so
    their bytes are searched; UTF-16 text is searched a chunk at a time."""
    if encoding != "utf-16":
        at = data.find(b"\x00")
        if at == -1:
            return
        lines = data.count(b"\n", 0, at)
        if at < 4 * _BINARY_SNIFF:  # at most 4 bytes a character: count the characters before it
            at = len(data[:at].decode(encoding, errors="replace"))
    else:
        at, lines = _utf16_nul(data)
        if at == -1:
            return
    if at < _BINARY_SNIFF:
        raise TableError(filename, [Problem("not_a_table")])
    raise TableError(filename, [Problem("nul_character", row=lines + 1)])


def _utf16_nul(data: bytes) -> tuple[int, int]:
    """Where the first NUL character of UTF-16 text is (-1 if none), and the lines before it."""
    read = lines = 0
    for chunk in iter(lambda stream=decode_text(data, "utf-16"): stream.read(_DECODE_CHUNK), ""):
        at = chunk.find("\x00")
        if at != -1:
            return read + at, lines + chunk.count("\n", 0, at)
        read, lines = read + len(chunk), lines + chunk.count("\n")
    return -1, lines


def raw_rows(data: bytes, filename: str, columns: Sequence[Column] = ()) -> Iterable[tuple[int, list[str]]]:
    """The file's rows as (row number, cell texts), whatever its format; `columns` help find a
    CSV's delimiter. TableError, before anything is decoded or unpacked, when the file is too
    big or no table; while reading, when a row is beyond a bound or the file is damaged."""
    if len(data) > bounds.MAX_BYTES:
        raise TableError(filename, [Problem("file_too_big", params=bounds.mebibytes(len(data), bounds.MAX_BYTES))])
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data, filename)
    encoding = _encoding(data)
    _refuse_nul(data, encoding, filename)
    return _csv_rows(data, encoding, filename, columns)


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


def _key_cells(names: Sequence[str | int]) -> Callable[[Any], tuple[str, ...]]:
    """The cells `names` of a row (column names of its cells, or positions of its raw cells), as
    a tuple even for one (itemgetter gives a tuple only from two) and fetched in C, since every
    data row needs them."""
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
    table = stream_table(data, filename, columns)
    table.rows, table.data = list(table.rows), b""
    return table


def stream_table(data: bytes, filename: str, columns: Sequence[Column]) -> Table:
    """`read_table` for a file too large to hold as rows (a million usage rows): the header is
    read at once, but `rows` is an iterator that reads, checks and yields one row at a time,
    once, and raises TableError when a row passes a bound. `notes` names the skipped totals rows
    once the rows are all read."""
    rows = iter(raw_rows(data, filename, columns))
    header, below_title = _find_header(rows, filename, columns)
    if header.repeated:
        raise TableError(filename, header.repeated)
    notes = [Message("header_below_title", {"row": header.row})] if below_title else []
    return Table(filename=filename, rows=_data_rows(rows, header.positions, columns, filename, notes),
                 ignored_columns=header.ignored, header_row=header.row, notes=notes, data=data)


def _data_rows(rows: Iterator[tuple[int, list[str]]], positions: dict[str, int], columns: Sequence[Column],
               filename: str, notes: list[Message]) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows below the header as (row number, {column: stripped cell}), empty and
    totals rows left out; the totals rows are added to `notes` at the end."""
    key_cells = _key_cells([column.name for column in columns if column.required])
    names, last_position = list(positions), max(positions.values())
    cells_of = _key_cells(list(positions.values()))  # the cells read, in the order of `names`, fetched in C
    totals: list[tuple[int, str]] = []
    count = 0
    for number, row in rows:
        first = next(filter(None, map(str.strip, row)), None)
        if first is None:
            continue
        if len(row) <= last_position:  # a row that stops before the last column read
            row = row + [""] * (last_position + 1 - len(row))
        cells = dict(zip(names, map(str.strip, cells_of(row))))
        label = _totals_label(first, key_cells(cells))
        if label is not None:
            totals.append((number, label))
            continue
        if count == bounds.MAX_DATA_ROWS:
            raise TableError(filename, [Problem("too_many_rows", row=number, params={"limit": bounds.MAX_DATA_ROWS})])
        count += 1
        yield number, cells
    notes.extend(_totals_notes(totals))
