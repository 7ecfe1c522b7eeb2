"""The optimistic lock that keeps two people's edits of one record from overwriting each other.

Every editable record has a `version`; an edit says which version it started from, and one
guarded UPDATE moves it on, so the check holds across processes and servers.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from rollout.core.problems import StaleVersion


def claim_version(session: Session, record: SQLModel, expected: int, *, key: str) -> int:
    """Move `record` from version `expected` to the next one with one guarded UPDATE, so that of
    two edits based on the same version only the first passes; the other gets StaleVersion
    (refused, nothing written) instead of silently overwriting it. Returns the new version.
    `key` names the record to the person (its code or UAI)."""
    model = type(record)
    claimed = session.execute(
        sa.update(model).where(model.id == record.id, model.version == expected)
        .values(version=expected + 1).execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        current = session.exec(select(model.version).where(model.id == record.id)).one()
        raise StaleVersion(key=key, expected=expected, current=current)
    record.version = expected + 1
    return record.version
