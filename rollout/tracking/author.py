"""Who makes a change and through which channel, so that every channel audits alike."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from sqlmodel import Session

from rollout import audit
from rollout.models import AuditEvent, Milestone, Programme

MILESTONE_ENTITY = "milestone"


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

    def record(
        self,
        session: Session,
        *,
        programme: Programme,
        milestone: Milestone,
        action: str,
        changes: Mapping[str, list[Any]],
    ) -> AuditEvent:
        """Add the audit event of a milestone's change to the session (same transaction)."""
        return audit.record(
            session,
            actor=self.actor,
            channel=self.channel,
            entity=MILESTONE_ENTITY,
            entity_id=milestone.id,
            action=action,
            changes=changes,
            user_id=self.user_id,
            district_id=programme.district_id,
            import_batch_id=self.import_batch_id,
        )
