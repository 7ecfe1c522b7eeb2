"""Importing reference data (schools, basins, waves, trainers): one row per record, keyed on
its UAI or code, each validated through the same `XCreate` model as forms and the API.

`ReferenceTable` is the pipeline's importer for all four (one subclass each, in the entity's
package): it types each cell, validates each row, checks the rows against each other and
against the programme (keys repeated, unknown basins or waves, waves out of order), and sorts
the valid rows into new, changed (with old → new per field) and unchanged. Confirming applies
exactly those entries through the domain functions (so each change gets its audit event, with
the batch id); any failure (the data changed since the preview) refuses the whole file.

A row describes the whole record, but only the columns present in the file are compared and
changed: a file without an `email` column leaves emails alone, while an empty cell in a present
column clears the value (and the preview shows it).

`export_rows` writes the programme's records in the same layout, each cell as its column reads
it back, so a downloaded file uploads again as "nothing changed" (django-import-export's
`export()`); the quote a download puts before formula-like text is taken off again on reading.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable, ClassVar, Iterable, Iterator, Mapping, TypeVar

from pydantic import ValidationError
from sqlmodel import Session, SQLModel

from rollout.audit import jsonable
from rollout.imports.export import restored
from rollout.imports.pipeline import ACTIONS, Change, Importer, NotOffered, Preview
from rollout.imports.tabular import Column, Table
from rollout.models import ImportBatch, Programme
from rollout.core.messages import Message
from rollout.core.problems import InvalidChange, InvalidValue, Problem, problems_of, refuse
from rollout.core.author import Author

Converter = Callable[[str], Any]
Record = TypeVar("Record")
Renderer = Callable[[Any], Any]


@dataclass(frozen=True)
class ImportColumn:
    """A column of an import: its header aliases, how to type a cell (None: keep the text).

    An empty cell is None (the field's default), unless `converts_blank`: then the converter
    decides (e.g. a trainer's basins, where blank is an error and `*` means every basin).
    `render` is the converter's inverse, for downloads: a value as the cell that `convert` reads
    back (None: the value itself, which `rollout.imports.export` writes as French spreadsheets do).
    """

    column: Column
    convert: Converter | None = None
    converts_blank: bool = False
    render: Renderer | None = None

    @property
    def name(self) -> str:
        return self.column.name

    def cell(self, value: Any) -> Any:
        return self.render(value) if self.render else value


@dataclass(frozen=True)
class Existing:
    """A record already in the programme, as the import compares it."""

    values: dict[str, Any]
    version: int | None = None


@dataclass
class Entry:
    """One valid row: what it would do. `data` is what confirming applies (JSON-ready)."""

    row: int
    key: str
    action: str
    data: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    version: int | None = None
    entity: str = ""

    def stored(self) -> dict[str, Any]:
        return {"row": self.row, "key": self.key, "action": self.action, "data": self.data,
                "changes": self.changes, "version": self.version, "entity": self.entity}

    def versioned(self) -> dict[str, Any]:
        """What updating the record applies, at the version the preview saw (optimistic lock)."""
        return {**self.data, "version": self.version}


@dataclass
class Row:
    """A typed row: its values, whether they passed the model, and the columns already wrong."""

    number: int
    values: dict[str, Any]
    valid: bool = True
    failed: set[str] = field(default_factory=set)


def placed_problems(rows: Iterable[Row], check: Callable[[Row], Iterable[Problem]]) -> list[Problem]:
    """What `check` finds in each row, placed at that row. A column that could not be typed is
    already reported with its own reason; what `check` says of it is left out."""
    return [replace(problem, row=row.number) for row in rows for problem in check(row) if problem.column not in row.failed]


class ReferenceTable(Importer):
    """What differs between the imports of schools, basins, waves and trainers: the entity, its
    key, its columns (with how each cell is typed), and how a row is created or updated."""

    action = "edit_reference"
    entity: ClassVar[str]
    key: ClassVar[str]
    columns: ClassVar[tuple[ImportColumn, ...]]
    create_model: ClassVar[type[SQLModel]]

    def existing(self, session: Session, programme: Programme) -> dict[str, Existing]:
        raise NotImplementedError

    def cross_problems(
        self, session: Session, programme: Programme, rows: dict[str, Row], existing: dict[str, Existing]
    ) -> list[Problem]:
        """Problems between rows or with the programme (unknown codes, order); rows by key,
        including rows already found invalid (their values are typed but unvalidated)."""
        return []

    def create(self, session: Session, programme: Programme, data: dict[str, Any], author: Author) -> None:
        raise NotImplementedError

    def previewed(self, record: Record | None, entry: Entry) -> Record:
        """The record an entry changes; refused, naming its key, when it was deleted since the preview."""
        if record is None:
            raise refuse("deleted_since_preview", column=self.key, value=entry.key)
        return record

    def update(self, session: Session, programme: Programme, entry: Entry, author: Author) -> None:
        raise NotImplementedError

    @property
    def key_label(self) -> str:  # type: ignore[override]
        return self.key

    def header(self) -> list[Column]:
        return [spec.column for spec in self.columns]

    def export_order(self, key: str, current: Existing) -> Any:
        """Where a record comes in a download: by key, unless the table knows a better order."""
        return key

    def export_rows(self, session: Session, programme: Programme) -> tuple[list[str], list[list[Any]]]:
        """The programme's records in the import's layout: the columns' names, then a row per
        record, each cell written so that its column reads it back as the same value."""
        existing = self.existing(session, programme)
        keys = sorted(existing, key=lambda key: self.export_order(key, existing[key]))
        rows = [[spec.cell({**existing[key].values, self.key: key}.get(spec.name)) for spec in self.columns] for key in keys]
        return [spec.name for spec in self.columns], rows

    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        present = set(table.rows[0][1])
        typed: list[Row] = []
        problems: list[Problem] = []
        for number, cells in table.rows:
            row, cell_problems = typed_row(self, cells, number)
            problems += cell_problems
            typed.append(row)
        entries, row_problems = classify(self, session, programme, typed, present)
        return entries_preview(self.kind, table.filename, entries, problems + row_problems)

    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> None:
        self.write(session, programme, preview.payload, author.for_batch(batch.id))

    def leave_out(self, preview: Preview, keys: set[str]) -> Preview:
        """The preview without the new records `keys` (rows a person unticked before confirming),
        counted again. NotOffered when a key is none of the new records the preview offered to
        untick (`facts["choosable"]`, each naming its key: the national file's new schools)."""
        offered = {row[self.key] for row in preview.facts.get("choosable", ())}
        if not keys <= offered:
            raise NotOffered(f"not offered in this preview: {', '.join(sorted(keys - offered))}")
        kept = self.still_needed([entry for entry in preview.payload if entry.entity != self.entity or entry.key not in keys])
        left = entries_preview(preview.kind, preview.filename, kept, [], preview.notes)
        return replace(preview, counts=left.counts, changes=left.changes, payload=kept)

    def still_needed(self, entries: list[Entry]) -> list[Entry]:
        """The entries left once rows were left out; a table whose rows bring other records along
        (the basins of a national-file import) drops those no row needs any more."""
        return entries

    def dump(self, payload: list[Entry]) -> list[dict[str, Any]]:
        return [entry.stored() for entry in payload]

    def load(self, rows: list[dict[str, Any]]) -> list[Entry]:
        return [Entry(**row) for row in rows]

    def write(self, session: Session, programme: Programme, entries: list[Entry], author: Author) -> None:
        """Apply the entries in file order; a table may order them otherwise (e.g. basins first)."""
        for entry in entries:
            with at_row(entry.row):
                if entry.action == "new":
                    self.create(session, programme, entry.data, author)
                elif entry.action == "changed":
                    self.update(session, programme, entry, author)


@contextmanager
def at_row(row: int) -> Iterator[None]:
    """Give the row number to the problems of a change refused while applying that row."""
    try:
        yield
    except InvalidChange as error:
        error.problems = [
            problem if problem.row is not None else replace(problem, row=row)
            for problem in error.problems
        ]
        raise


def typed_row(table: ReferenceTable, cells: Mapping[str, str], row: int) -> tuple[Row, list[Problem]]:
    """The row's present cells typed (an empty cell is None), and the cells that could not be."""
    values: dict[str, Any] = {}
    problems = []
    for spec in table.columns:
        if spec.name not in cells:
            continue
        text = restored(cells[spec.name])
        if text == "" and not spec.converts_blank:
            values[spec.name] = None
            continue
        try:
            values[spec.name] = spec.convert(text) if spec.convert else text
        except InvalidValue as error:
            problems.append(error.at(row=row, column=spec.name, value=text))
    return Row(number=row, values=values, failed={problem.column for problem in problems if problem.column}), problems


SPREADSHEET_PRECISION = 1e-15
"""How far apart two decimals may be and still be one value: spreadsheets keep 15 or 16
significant digits (openpyxl writes 16), a coordinate computed elsewhere may carry 17."""


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, float) and isinstance(after, float):
        return math.isclose(before, after, rel_tol=SPREADSHEET_PRECISION)
    return before == after


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` (JSON-ready) for the fields of `after` that differ from `before`
    (decimals: beyond what a spreadsheet keeps of them)."""
    return {
        name: [jsonable(before.get(name)), jsonable(value)]
        for name, value in after.items()
        if not _same(jsonable(before.get(name)), jsonable(value))
    }


def classify(
    table: ReferenceTable, session: Session, programme: Programme, rows: list[Row], present: set[str]
) -> tuple[list[Entry], list[Problem]]:
    """Validate typed rows and sort them into entries (new, changed, unchanged) and problems.
    A row with a bad cell is still checked for its other problems, so that one preview lists them all."""
    problems: list[Problem] = []
    by_key: dict[str, Row] = {}
    for row in rows:
        try:
            model = table.create_model.model_validate({name: value for name, value in row.values.items() if value is not None})
            row.values = model.model_dump(mode="json")
        except ValidationError as error:
            row.valid = False
            problems += [replace(p, row=row.number) for p in problems_of(error, row.values) if p.column not in row.failed]
        key = str(row.values.get(table.key) or "")
        if not key:
            continue
        if key in by_key:
            problems.append(Problem("key_repeated", row=row.number, column=table.key, value=key,
                                    params={"key": table.key, "first": by_key[key].number}))
            row.valid = False
            continue
        by_key[key] = row
    existing = table.existing(session, programme)
    problems += table.cross_problems(session, programme, by_key, existing)
    invalid_rows = {problem.row for problem in problems} | {row.number for row in rows if row.failed}
    entries = []
    for key, row in by_key.items():
        if row.number in invalid_rows or not row.valid:
            continue
        current = existing.get(key)
        if current is None:
            entries.append(Entry(row=row.number, key=key, action="new", data=row.values, entity=table.entity))
            continue
        compared = {name: row.values[name] for name in present if name in row.values and name != table.key}
        changes = compare(current.values, compared)
        entries.append(Entry(
            row=row.number, key=key, action="changed" if changes else "unchanged",
            data={name: new for name, (_, new) in changes.items()}, changes=changes, version=current.version,
            entity=table.entity,
        ))
    return entries, problems


def entries_preview(kind: str, filename: str, entries: list[Entry], problems: list[Problem],
                    notes: list[Message] | None = None) -> Preview:
    """The pipeline's preview of classified entries; basins a schools import creates along the
    way are shown but not counted (the counts are of the file's rows, which in a basins import
    are basins)."""
    counts = {action: sum(1 for entry in entries if entry.action == action and (entry.entity != "basin" or kind == "basins"))
              for action in ACTIONS}
    changes = [
        Change(row=entry.row or None, key=_shown_key(entry), action=entry.action, changes=entry.changes)
        for entry in entries if entry.action != "unchanged"
    ]
    return Preview(kind=kind, filename=filename, counts=counts, problems=problems, changes=changes, payload=entries,
                   notes=notes or [])


def _shown_key(entry: Entry) -> str:
    """The entry's key, with the name of a new record (what a person recognises it by)."""
    name = entry.data.get("name") or entry.data.get("label") if entry.action == "new" else None
    return f"{entry.key} — {name}" if name else entry.key
