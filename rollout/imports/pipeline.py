"""One import pipeline for every file people bring: read → preview → keep → confirm or cancel.

An importer (one per kind of file: schools, basins, waves, trainers, progress, usage) plugs in
how it types and checks its rows (`Importer.preview`) and how it writes them
(`Importer.apply`); everything else is here, so that every import behaves alike:

- the file is read by `rollout.imports.tabular` (bounded, header found among the first rows);
- the preview lists what would be new, changed and unchanged, and every invalid row at once;
- a preview that can be confirmed is kept (`SavedPreview`) for the person who made it only,
  replacing their earlier preview of the same kind, until it expires;
- confirming applies exactly the kept rows, all or nothing, under one `ImportBatch`;
- the API and the command line run the same preview and the same apply in one call
  (`import_file`), like django-import-export's `import_data(dry_run=...)`;
- a file that would change nothing (every row already stored) writes nothing, on the page as
  through the API and the command line: no empty batch in the import history, no audit event.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, ClassVar, Iterator, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session, delete, or_, select

from rollout.audit import jsonable
from rollout.core.author import Author
from rollout.core.messages import Message
from rollout.core.problems import InvalidChange, Problem
from rollout.imports.tabular import Column, Table, TableError, read_table, stream_table
from rollout.models import ImportBatch, Programme, SavedPreview, utcnow

ACTIONS = ("new", "changed", "unchanged")
SHOWN = 200  # rows a preview page lists; the counts cover them all
PREVIEW_LIFETIME = timedelta(hours=24)
PROGRESS_EVERY = 10_000  # rows between two progress reports: often enough for a bar, rare enough to cost nothing

Progress = Callable[[int], None]
"""Told how many of a file's data rows the import has read and checked so far (the command
line's progress bar, the queued import's progress row)."""


@dataclass
class Change:
    """A row of the file as a person checks it before confirming: what it is about (`key`),
    what it does (`action`), and `{field: [old, new]}`."""

    row: int | None
    key: str
    action: str
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class Preview:
    """What importing a file would do. `payload` is what confirming applies, in the importer's
    own shape; `changes` is what the page shows of it; `facts` what the importer says of the
    file as a whole (JSON-ready, e.g. the period a usage file covers)."""

    kind: str
    filename: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    payload: Any = None
    notes: list[Message] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    header_row: int = 1
    facts: dict[str, Any] = field(default_factory=dict)
    saved_id: int | None = None

    @property
    def invalid_rows(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def confirmable(self) -> bool:
        """No invalid row, and something to write."""
        return not self.problems and writes_something(self.counts)

    def summary(self) -> dict[str, Any]:
        """What a SavedPreview keeps to show the preview again (JSON-ready)."""
        changes = [{**asdict(change), "changes": {name: [jsonable(old), jsonable(new)] for name, (old, new) in change.changes.items()}}
                   for change in self.changes[:SHOWN]]
        return {"counts": self.counts, "changes": changes, "notes": [asdict(note) for note in self.notes],
                "ignored_columns": self.ignored_columns, "header_row": self.header_row, "facts": self.facts}



def writes_something(counts: dict[str, int]) -> bool:
    """Whether a preview's counts have rows to write: a file that changes nothing writes nothing
    (no batch), however it is sent."""
    return counts["new"] + counts["changed"] > 0

class NotOffered(ValueError):
    """Rows left out that the preview did not offer to untick (a forged form)."""


class ImportConflict(TableError):
    """The programme changed since the preview, so some rows no longer apply: nothing written."""


class Importer(ABC):
    """What differs between imports: the kind, who may run it, its columns, how it reads and
    writes rows. `action` is a key of `rollout.core.permissions.ACTIONS`; `listing` the
    endpoint of the page a confirmed import goes back to."""

    kind: ClassVar[str]
    action: ClassVar[str]
    listing: ClassVar[str]
    key_label: ClassVar[str]
    field_names: ClassVar[Mapping[str, Any]] = {}
    changed_word: ClassVar[str] = "changed"  # how the command line names changed rows
    streams: ClassVar[bool] = False
    """Whether `preview` takes the table's rows as an iterator read once (`stream_table`), for
    files too large to hold as rows; it then refuses a file without data rows itself."""

    @abstractmethod
    def header(self) -> Sequence[Column]:
        """The columns the file may have."""

    @abstractmethod
    def preview(self, session: Session, *, programme: Programme, table: Table, today: date) -> Preview:
        """Type and check every row against the programme, writing nothing."""

    @abstractmethod
    def apply(self, session: Session, *, programme: Programme, preview: Preview, batch: ImportBatch,
              author: Author, today: date) -> dict[str, int] | None:
        """Write what the preview's payload says, in the caller's transaction; InvalidChange
        (naming the rows) when rows no longer apply. Returns the counts actually written when
        they can differ from the preview's (None otherwise)."""

    def leave_out(self, preview: Preview, keys: set[str]) -> Preview:
        """`preview` without the rows `keys` a person unticked before confirming (see
        `ReferenceTable.leave_out`); NotOffered for an import whose preview offers none to untick."""
        raise NotOffered(f"the {self.kind} import offers no rows to leave out")

    def dump(self, payload: Any) -> list[Any]:
        """The payload as JSON, to keep in a SavedPreview."""
        return payload

    def release(self, session: Session) -> None:
        """Give back what a preview holds in `session` once its rows are kept (`kept_rows`):
        confirming a kept preview starts again from its kept rows, so nothing the preview left
        in the session (e.g. `UsageTable`'s staged rows, which on SQLite outlive the
        transaction on the pooled connection) is used again. Nothing to give back by default."""

    def load(self, rows: list[Any]) -> Any:
        """The payload back from a SavedPreview."""
        return rows


class CountedRows(list):
    """A table's rows that tell `progress` how many the importer has gone through, every
    PROGRESS_EVERY rows and at the end: the one place an import counts its rows, whatever
    each importer does with them."""

    def __init__(self, rows: list[tuple[int, dict[str, str]]], progress: Progress) -> None:
        super().__init__(rows)
        self.progress = progress

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return counted(super().__iter__(), self.progress)


def counted(rows: Iterator[tuple[int, dict[str, str]]], progress: Progress) -> Iterator[tuple[int, dict[str, str]]]:
    """`rows` telling `progress` how many have gone through, every PROGRESS_EVERY rows and at the
    end (a streamed table's rows, or `CountedRows`')."""
    count = 0
    for count, row in enumerate(rows, start=1):
        if count % PROGRESS_EVERY == 0:
            progress(count)
        yield row
    progress(count)


def read_preview(session: Session, *, importer: Importer, programme: Programme, data: bytes, filename: str,
                 today: date, progress: Progress | None = None) -> Preview:
    """Read `data` and preview it. TableError when the file itself cannot be read (too large,
    no header, required columns missing, no data rows); invalid rows are in the preview.
    `progress` hears how many rows the importer has checked so far."""
    if importer.streams:
        table = stream_table(data, filename, importer.header())
    else:
        table = read_table(data, filename, importer.header())
        if not table.rows:
            raise TableError(filename, [Problem("no_data_rows")])
    if progress is not None:
        table.rows = CountedRows(table.rows, progress) if isinstance(table.rows, list) else counted(table.rows, progress)
    preview = importer.preview(session, programme=programme, table=table, today=today)
    preview.notes = [*table.notes, *preview.notes]
    preview.ignored_columns = table.ignored_columns
    preview.header_row = table.header_row
    preview.problems.sort(key=lambda problem: problem.row or 0)  # stable: a row's problems in the importer's order
    return preview


def apply_preview(session: Session, *, importer: Importer, programme: Programme, preview: Preview, author: Author,
                  today: date) -> ImportBatch:
    """Write a preview's rows as one ImportBatch. ImportConflict when rows no longer apply:
    the caller rolls back and nothing is written."""
    batch = ImportBatch(
        programme_id=programme.id, kind=importer.kind, source=preview.filename[:500], user_id=author.user_id,
        rows_new=preview.counts["new"], rows_replaced=preview.counts["changed"], rows_unchanged=preview.counts["unchanged"],
    )
    session.add(batch)
    session.flush()
    try:
        counts = importer.apply(session, programme=programme, preview=preview, batch=batch, author=author, today=today)
    except InvalidChange as error:
        raise ImportConflict(preview.filename, error.problems) from None
    if counts is not None:
        batch.rows_new, batch.rows_replaced, batch.rows_unchanged = counts["new"], counts["changed"], counts["unchanged"]
        session.add(batch)
    session.flush()
    return batch


def import_file(session: Session, *, importer: Importer, programme: Programme, data: bytes, filename: str,
                author: Author, today: date, dry_run: bool,
                progress: Progress | None = None) -> tuple[Preview, ImportBatch | None]:
    """Preview a file and, unless `dry_run`, apply it at once (the API and the command line).
    The batch is None for a dry run and for a file that would change nothing, which writes
    nothing, as the page then offers nothing to confirm. TableError lists every problem when any
    row is invalid; nothing is written. Does not commit."""
    preview = read_preview(session, importer=importer, programme=programme, data=data, filename=filename, today=today,
                           progress=progress)
    if preview.problems:
        raise TableError(filename, preview.problems)
    if dry_run or not preview.confirmable:
        return preview, None
    return preview, apply_preview(session, importer=importer, programme=programme, preview=preview, author=author,
                                  today=today)


def save_preview(session: Session, *, importer: Importer, programme: Programme, preview: Preview, user_id: int,
                 now: datetime | None = None) -> None:
    """Keep a confirmable preview for its author (sets `preview.saved_id`), in place of their
    earlier preview of the same kind in this programme; expired previews go too. Does not commit."""
    now = now or utcnow()
    forget_previews(session, programme=programme, kind=importer.kind, user_id=user_id, now=now)
    if not preview.confirmable:
        return
    saved = SavedPreview(
        programme_id=programme.id, user_id=user_id, kind=importer.kind, filename=preview.filename[:500],
        rows=kept_rows(session, importer=importer, preview=preview), summary=preview.summary(), created_at=now,
        expires_at=now + PREVIEW_LIFETIME,
    )
    session.add(saved)
    session.flush()
    preview.saved_id = saved.id


def kept_rows(session: Session, *, importer: Importer, preview: Preview) -> list[Any]:
    """A confirmable preview's rows as a SavedPreview keeps them (the page's `save_preview`, the
    worker's preview task), read while the preview's transaction lasts, since an importer may
    hold its rows there; what it held is then released, as only the kept rows are used again."""
    rows = importer.dump(preview.payload)
    importer.release(session)
    return rows


BEING_WRITTEN = ("confirmed", "writing")
"""The states of a queued import (`rollout.imports.jobs`) confirmed by its author and handed to
a worker: a new upload does not take its place, since what was confirmed is written."""
API_JOB = "api"
"""A queued import's `via` when it was sent through the API (`rollout.api.imports`): it is
followed by id, not through the pages, and never replaced by another upload."""


def forget_previews(session: Session, *, programme: Programme, kind: str, user_id: int, now: datetime) -> None:
    """Delete the user's previews of `kind` in this programme (a new one replaces them), but
    a queued import confirmed and being written, and an import sent through the API (its
    script follows it by id, and may send several files at once); and every expired preview
    there. Does not commit."""
    job_status = sa.func.coalesce(SavedPreview.summary[("job", "status")].as_string(), "")
    job_via = sa.func.coalesce(SavedPreview.summary[("job", "via")].as_string(), "")
    session.exec(delete(SavedPreview).where(
        SavedPreview.programme_id == programme.id,
        or_((SavedPreview.user_id == user_id) & (SavedPreview.kind == kind) & job_status.not_in(BEING_WRITTEN)
            & (job_via != API_JOB),
            SavedPreview.expires_at <= now),
    ))


def forget_expired(session: Session, *, programme: Programme, now: datetime) -> None:
    """Delete every expired preview in this programme, and no other. Does not commit."""
    session.exec(delete(SavedPreview).where(SavedPreview.programme_id == programme.id, SavedPreview.expires_at <= now))


def saved_preview(session: Session, *, programme: Programme, saved_id: int, user_id: int,
                  now: datetime | None = None, rows: bool = True) -> SavedPreview | None:
    """The user's own unexpired preview in this programme; None for anyone else's, or none.
    Without its `rows` (loaded only if read) for who needs only its state: a million rows are a
    large JSON document to parse at every poll of a queued import's page."""
    statement = select(SavedPreview).where(
        SavedPreview.id == saved_id, SavedPreview.programme_id == programme.id, SavedPreview.user_id == user_id,
        SavedPreview.expires_at > (now or utcnow()),
    )
    return session.exec(statement if rows else statement.options(defer(SavedPreview.rows))).first()


def restore(importer: Importer, saved: SavedPreview) -> Preview:
    """A kept preview as it was shown, with its payload, ready to show again or to confirm. Its
    notes are shown in the language of whoever reads them (a preview kept before notes had
    codes, for at most PREVIEW_LIFETIME, shows them as they were written)."""
    summary = saved.summary
    return Preview(
        kind=saved.kind, filename=saved.filename, counts=summary["counts"],
        changes=[Change(**change) for change in summary["changes"]], payload=importer.load(saved.rows),
        notes=[Message(**note) if isinstance(note, dict) else note for note in summary["notes"]],
        ignored_columns=summary["ignored_columns"], header_row=summary["header_row"], facts=summary["facts"],
        saved_id=saved.id,
    )


def confirm(session: Session, *, importer: Importer, programme: Programme, saved: SavedPreview, author: Author,
            today: date, left_out: set[str] | frozenset[str] = frozenset()) -> ImportBatch | None:
    """Apply exactly the kept rows, but the new ones `left_out` (unticked by the person), and
    forget the preview. None when what is left would change nothing: nothing written, the
    preview kept. NotOffered when a key left out was not offered; ImportConflict when rows no
    longer apply: the caller rolls back. Does not commit."""
    preview = restore(importer, saved)
    if left_out:
        preview = importer.leave_out(preview, set(left_out))
        if not preview.confirmable:
            return None
    batch = apply_preview(session, importer=importer, programme=programme, preview=preview, author=author, today=today)
    session.delete(saved)
    session.flush()
    return batch
