"""A usage upload previewed on the page and kept until the person confirms it.

The validated rows are stored in a `PendingImport` (kind "usage"), so confirming writes exactly
what the preview showed, even if the file on the person's disk changed since. One pending
upload per person and programme: a new preview replaces an abandoned one.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from rollout.imports.tabular import Problem, TableError
from rollout.models import PendingImport, Programme
from rollout.usage.importing import KEY_COLUMNS, VALUE_COLUMNS, Key, Values, programme_schools

KIND = "usage"


def save_pending(
    session: Session, *, programme: Programme, filename: str, rows: dict[Key, Values], user_id: int | None
) -> PendingImport:
    """Keep validated rows until confirmed, in place of the person's earlier pending upload. Does not commit."""
    for earlier in session.exec(select(PendingImport).where(
        PendingImport.programme_id == programme.id, PendingImport.kind == KIND, PendingImport.user_id == user_id,
    )):
        session.delete(earlier)
    pending = PendingImport(
        programme_id=programme.id, user_id=user_id, kind=KIND, filename=filename[:500],
        rows=[
            dict(zip(KEY_COLUMNS + VALUE_COLUMNS, (key[0], key[1].isoformat(), *key[2:], *values)))
            for key, values in rows.items()
        ],
    )
    session.add(pending)
    session.flush()
    return pending


def pending_upload(session: Session, *, programme: Programme, pending_id: int, user_id: int | None) -> PendingImport | None:
    """A usage upload awaiting confirmation by this person in this programme (None otherwise)."""
    return session.exec(select(PendingImport).where(
        PendingImport.id == pending_id, PendingImport.programme_id == programme.id,
        PendingImport.kind == KIND, PendingImport.user_id == user_id,
    )).first()


def pending_rows(session: Session, *, programme: Programme, pending: PendingImport) -> dict[Key, Values]:
    """The stored rows, checked again against the programme's schools (one may have been
    removed since the preview: TableError then, and nothing is written)."""
    schools = set(programme_schools(session, programme_id=programme.id).values())
    rows = {
        (row["school_id"], date.fromisoformat(row["period_start"]), row["service"], row["profile"]):
        tuple(row[column] for column in VALUE_COLUMNS)
        for row in pending.rows
    }
    if any(key[0] not in schools for key in rows):
        raise TableError(pending.filename, [Problem("a school of this file was removed since the preview: upload it again")])
    return rows
