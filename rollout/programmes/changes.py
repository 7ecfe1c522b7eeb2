"""The audit event of a change to reference data, whatever the channel (form, API, import),
and the optimistic lock that keeps two people's edits of one record from overwriting each other."""

from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from rollout import audit
from rollout.models import Programme
from rollout.programmes.problems import StaleVersion
from rollout.tracking.author import Author


def claim_version(
    session: Session, record: SQLModel, expected: int, *, entity: str, key: str, feminine: bool = False,
) -> int:
    """Move `record` from version `expected` to the next one with one guarded UPDATE, so that of
    two edits based on the same version only the first passes; the other gets StaleVersion
    (refused, nothing written) instead of silently overwriting it. Returns the new version.
    `entity` names the record in French ("La vague"), `feminine` agrees the message with it."""
    model = type(record)
    claimed = session.execute(
        sa.update(model).where(model.id == record.id, model.version == expected)
        .values(version=expected + 1).execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        current = session.exec(select(model.version).where(model.id == record.id)).one()
        raise StaleVersion(entity=entity, key=key, expected=expected, current=current, feminine=feminine)
    record.version = expected + 1
    return record.version


def record_change(
    session: Session,
    *,
    author: Author,
    programme: Programme,
    entity: str,
    entity_id: int,
    action: str,
    changes: Mapping[str, list[Any]],
) -> None:
    """Add the change's audit event to the session, so it commits with the change or not at all."""
    audit.record(
        session,
        actor=author.actor,
        channel=author.channel,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=changes,
        user_id=author.user_id,
        district_id=programme.district_id,
        import_batch_id=author.import_batch_id,
    )


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [None, value]}` for a record created with `values`."""
    return {field: [None, value] for field, value in values.items() if value is not None}


def deleted(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [value, None]}` for a record deleted, so the trail keeps what was lost."""
    return {field: [value, None] for field, value in values.items() if value is not None}
