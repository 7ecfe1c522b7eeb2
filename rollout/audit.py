"""Writing the audit trail: one event per change, added to the caller's transaction.

Because the event is added to the same session as the change and committed with it, a change
can never be saved without its audit event, nor an event without its change.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

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
    event = AuditEvent(
        user_id=user_id,
        actor=actor,
        channel=channel,
        import_batch_id=import_batch_id,
        district_id=district_id,
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        changes={field: [jsonable(old), jsonable(new)] for field, (old, new) in changes.items()},
    )
    session.add(event)
    return event


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [None, value]}` for a record created with `values`."""
    return {field: [None, value] for field, value in values.items() if value is not None}


def deleted(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [value, None]}` for a record deleted, so the trail keeps what was lost."""
    return {field: [value, None] for field, value in values.items() if value is not None}
