"""The audit event of a change to reference data, whatever the channel (form, API, import)."""

from __future__ import annotations

from typing import Any, Mapping

from sqlmodel import Session

from rollout import audit
from rollout.models import Programme
from rollout.tracking.author import Author


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
