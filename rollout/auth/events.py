"""Security events in the audit trail: sign-ins and their failures, sign-outs, password
changes, tokens, (de)activations, and the requests the access rules refuse.

They go to the same table as every other change, so they are kept as long as the rest of the
trail. An event's facts (an address, a token's name) are stored as values it brought in,
`{field: [None, value]}`, the shape the trail gives to everything it records.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import request
from flask_login import current_user
from sqlmodel import Session

from rollout import audit
from rollout.core.author import Author
from rollout.db import get_engine
from rollout.models import AuditEvent

PATH_LENGTH = 500


def record_event(db: Session, author: Author, *, entity: str, entity_id: int | str, action: str,
                 details: Mapping[str, Any] | None = None, changes: Mapping[str, list[Any]] | None = None,
                 district_id: int | None = None) -> AuditEvent:
    """Add a security event to the caller's transaction: `details` are facts it notes, `changes`
    fields it changed (`{field: [old, new]}`); `district_id` when the event concerns one
    district's data (a share link), so that district's trail shows it. Does not commit."""
    return audit.record(
        db, actor=author.actor, channel=author.channel, user_id=author.user_id, entity=entity,
        entity_id=entity_id, action=action, changes={**audit.created(details or {}), **(changes or {})},
        district_id=district_id,
    )


def record_refusal() -> None:
    """Audit the current request, which the access rules refuse, in a transaction of its own:
    the request's own is rolled back, and the event must outlive it."""
    signed_in = current_user.is_authenticated
    author = Author(
        actor=current_user.email if signed_in else "anonymous",
        channel="api" if request.path.startswith("/api/") else "form",
        user_id=current_user.id if signed_in else None,
    )
    details = {
        "method": request.method, "path": request.path[:PATH_LENGTH], "endpoint": request.endpoint,
        "ip": request.remote_addr,
    }
    with Session(get_engine()) as own:
        record_event(own, author, entity="request", entity_id=(request.endpoint or "")[:64], action="refused", details=details)
        own.commit()
