"""Writing the audit trail: one event per change, added to the caller's transaction.

Because the event is added to the same session as the change and committed with it, a change
can never be saved without its audit event, nor an event without its change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from rollout.models import AuditEvent


def jsonable(value: Any) -> Any:
    """A value as it can be stored in the event's JSON (dates as ISO strings)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value changed between two snapshots."""
    return {
        field: [jsonable(before.get(field)), jsonable(after.get(field))]
        for field in after
        if before.get(field) != after.get(field)
    }


class Change(NamedTuple):
    """One change among many audited at once (`record_many`): what, which one, how, old → new."""

    entity: str
    entity_id: str | int
    action: str
    changes: Mapping[str, list[Any]]


def _event(change: Change, *, actor: str, channel: str, user_id: int | None, district_id: int | None,
           import_batch_id: int | None) -> dict[str, Any]:
    """An event's columns, the same whether it is added alone or with many."""
    return {
        "user_id": user_id,
        "actor": actor,
        "channel": channel,
        "import_batch_id": import_batch_id,
        "district_id": district_id,
        "entity": change.entity,
        "entity_id": str(change.entity_id),
        "action": change.action,
        "changes": {field: [jsonable(old), jsonable(new)] for field, (old, new) in change.changes.items()},
    }


def record(
    session: Session,
    *,
    actor: str,
    channel: str,
    entity: str,
    entity_id: str | int,
    action: str,
    changes: Mapping[str, list[Any]],
    user_id: int | None = None,
    district_id: int | None = None,
    import_batch_id: int | None = None,
) -> AuditEvent:
    """Add an audit event (who, channel, what, old → new) to the session. Does not commit."""
    event = AuditEvent(**_event(Change(entity, entity_id, action, changes), actor=actor, channel=channel,
                                user_id=user_id, district_id=district_id, import_batch_id=import_batch_id))
    session.add(event)
    return event


def record_many(
    session: Session,
    *,
    actor: str,
    channel: str,
    changes: Iterable[Change],
    user_id: int | None = None,
    district_id: int | None = None,
    import_batch_id: int | None = None,
) -> int:
    """Insert the events of many changes by one author in one statement, in the caller's
    transaction, in their order; how many. For thousands of changes at once (a country's import
    derives milestones for every school), where an event object apiece would cost seconds."""
    rows = [_event(change, actor=actor, channel=channel, user_id=user_id, district_id=district_id,
                   import_batch_id=import_batch_id) for change in changes]
    if rows:
        session.flush()  # the events already added come first, as they would with `record`
        session.execute(sa.insert(AuditEvent.__table__), rows)  # one statement: the ORM's splits rows by their None values
    return len(rows)


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [None, value]}` for a record created with `values`."""
    return {field: [None, value] for field, value in values.items() if value is not None}


def deleted(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [value, None]}` for a record deleted, so the trail keeps what was lost."""
    return {field: [value, None] for field, value in values.items() if value is not None}
