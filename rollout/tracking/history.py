"""A school's history: the audit events of its milestones, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from rollout.models import AuditEvent, Milestone, Programme, School
from rollout.models.progress import MILESTONE_ENTITY

SCHOOL_ENTITY = "school"


@dataclass(frozen=True)
class HistoryEntry:
    """An audit event with the milestone it concerns (None for the school's own events)."""

    event: AuditEvent
    kind: str | None


def school_history(session: Session, *, programme: Programme, school: School, limit: int = 200) -> list[HistoryEntry]:
    """The newest `limit` audit events of the school itself and of its milestones.

    Audit events name their entity by id as text, so the school's milestone ids are matched as
    text, in one query, and only among the programme's district's events: an id alone could
    name a row of another district (ids of deleted rows were reused before migration 0007, and
    the trail outlives the rows it describes).
    """
    kinds = dict(session.exec(select(Milestone.id, Milestone.kind).where(Milestone.school_id == school.id)).all())
    milestone_ids = [str(milestone_id) for milestone_id in kinds]
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.district_id == programme.district_id,
            ((AuditEvent.entity == MILESTONE_ENTITY) & col(AuditEvent.entity_id).in_(milestone_ids))
            | ((AuditEvent.entity == SCHOOL_ENTITY) & (AuditEvent.entity_id == str(school.id)))
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
    ).all()
    return [
        HistoryEntry(event=event, kind=kinds.get(int(event.entity_id)) if event.entity == MILESTONE_ENTITY else None)
        for event in events
    ]
