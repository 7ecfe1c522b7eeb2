"""Who makes a change and through which channel, so that every channel audits alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session, SQLModel

from rollout import audit
from rollout.models import AuditEvent, Programme


@dataclass(frozen=True)
class Author:
    """The person (or process) behind a change: `actor` is the email kept in the audit trail;
    `channel` is form, api, import, cli or system; an import also names its batch."""

    actor: str
    channel: str
    user_id: int | None = None
    import_batch_id: int | None = None

    def for_batch(self, batch_id: int) -> Author:
        """The same person, writing through an import batch."""
        return replace(self, channel="import", import_batch_id=batch_id)

    def add_created(self, session: Session, *, programme: Programme, entity: str, record: SQLModel,
                    values: Mapping[str, Any]) -> None:
        """Add a new record, flushed so that it has its id, and its creation event (`values`,
        what the person gave) to the session."""
        session.add(record)
        session.flush()
        self.record(session, programme=programme, entity=entity, entity_id=record.id, action="create",
                    changes=audit.created(values))

    def record(
        self,
        session: Session,
        *,
        programme: Programme,
        entity: str,
        entity_id: int | str,
        action: str,
        changes: Mapping[str, list[Any]],
    ) -> AuditEvent:
        """Add the change's audit event to the session, so it commits with the change or not at all."""
        return audit.record(
            session,
            actor=self.actor,
            channel=self.channel,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=changes,
            user_id=self.user_id,
            district_id=programme.district_id,
            import_batch_id=self.import_batch_id,
        )

    def record_many(self, session: Session, *, programme: Programme, changes: Iterable[audit.Change]) -> int:
        """Insert the audit events of many changes at once (`audit.record_many`), the same events
        `record` would add one by one, in one statement of the change's transaction; how many."""
        return audit.record_many(
            session,
            actor=self.actor,
            channel=self.channel,
            changes=changes,
            user_id=self.user_id,
            district_id=programme.district_id,
            import_batch_id=self.import_batch_id,
        )
