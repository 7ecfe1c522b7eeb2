"""Milestones that follow from records instead of being typed twice.

`leadership_briefed`, `admins_trained` and `teachers_trained` follow from a school's held
training sessions of the matching audience. The first two are done on the first one's date.
Teachers trained are the attendees summed, capped at the school's teachers; the milestone is in
progress from the first teachers' session and done on the date of the one that completes the
sessions the cascade gives the school, ceil(teachers / teachers per session) as the planner
counts them (a few absent teachers do not hold a school back forever). And `pix_certified` with the school's
Pix+ Édu totals per level follows from its dated certifications. A school without such records
keeps what people typed: programmes that record no sessions edit these milestones by hand.
When records exist they win over a hand-typed value, and the change is audited with the old
value, so nothing typed is ever silently lost. Every channel that writes sessions or
certifications calls `refresh_school_milestones` in its own transaction; the demo's loader,
which writes a new programme and records no change, stores what `derived_milestones` gives.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rollout.audit import diff
from rollout.core.author import Author
from rollout.models import Milestone, PixCertification, Programme, School, utcnow
from rollout.models.progress import MILESTONE_ENTITY
from rollout.models.training import PixCertificationRecord, TrainingSession
from rollout.tracking.milestones import PIX_LEVELS

SESSION_MILESTONES = {"leadership_briefed": "leadership", "admins_trained": "administrators",
                      "teachers_trained": "teachers"}
"""The milestones held sessions make, and the audience of those sessions."""
PIX_KIND = "pix_certified"
COUNTED_BY_ATTENDEES = "teachers_trained"
DERIVED_SOURCES = {**dict.fromkeys(SESSION_MILESTONES, "sessions"), PIX_KIND: "certifications"}
"""Each derived milestone and the `source` its records give it, in the order they are written."""


@dataclass(frozen=True)
class Held:
    """What a school's held sessions of one audience say: their dates in order, attendees."""

    dates: tuple[date, ...]
    attendees: int

    @property
    def first(self) -> date:
        return self.dates[0]


def held_sessions(session: Session, *, programme_id: int, school_ids: Iterable[int]) -> dict[tuple[int, str], Held]:
    """Held sessions per (school, audience), for the audiences that make milestones, in one query."""
    ids = list(school_ids)
    if not ids:
        return {}
    statement = (
        select(TrainingSession.school_id, TrainingSession.audience, TrainingSession.held_on, TrainingSession.attendees)
        .where(TrainingSession.programme_id == programme_id, col(TrainingSession.school_id).in_(ids),
               TrainingSession.status == "held", col(TrainingSession.audience).in_(SESSION_MILESTONES.values()))
        .order_by(TrainingSession.held_on, TrainingSession.id)
    )
    dates: dict[tuple[int, str], list[date]] = defaultdict(list)
    attendees: dict[tuple[int, str], int] = defaultdict(int)
    for school_id, audience, held_on, count in session.exec(statement):
        dates[school_id, audience].append(held_on)
        attendees[school_id, audience] += count
    return {key: Held(tuple(days), attendees[key]) for key, days in dates.items()}


def certification_records(session: Session, *, school_ids: Iterable[int]) -> dict[int, list[PixCertificationRecord]]:
    """Each school's dated certifications, oldest first."""
    ids = list(school_ids)
    records: dict[int, list[PixCertificationRecord]] = defaultdict(list)
    if ids:
        statement = (select(PixCertificationRecord).where(col(PixCertificationRecord.school_id).in_(ids))
                     .order_by(PixCertificationRecord.certified_on, PixCertificationRecord.level))
        for record in session.exec(statement):
            records[record.school_id].append(record)
    return records


def _state(milestone: Milestone | None) -> dict[str, Any]:
    """The fields a derivation sets, as audited."""
    if milestone is None:
        return {"status": "not_started", "actual_on": None, "count": None, "source": "hand"}
    return {"status": milestone.status, "actual_on": milestone.actual_on, "count": milestone.count, "source": milestone.source}


def _from_sessions(kind: str, held: Held | None, school: School, programme: Programme) -> dict[str, Any] | None:
    """The derived state of a session milestone, or None when no held session makes it."""
    if held is None:
        return None
    if kind != COUNTED_BY_ATTENDEES:
        return {"status": "done", "actual_on": held.first, "count": None, "source": "sessions"}
    count = min(held.attendees, school.teachers)
    needed = max(1, math.ceil(school.teachers / programme.teachers_per_session))
    if len(held.dates) < needed:
        return {"status": "in_progress", "actual_on": None, "count": count, "source": "sessions"}
    return {"status": "done", "actual_on": held.dates[needed - 1], "count": count, "source": "sessions"}


def _from_certifications(records: list[PixCertificationRecord]) -> dict[str, Any] | None:
    """The derived state of `pix_certified`: done on the first date a teacher was certified, the
    count their total; None when the school has no certification recorded."""
    if not records:
        return None
    certified = [record for record in records if record.certified > 0]
    total = sum(record.certified for record in records)
    if not certified:
        return {"status": "not_started", "actual_on": None, "count": 0, "source": "certifications"}
    return {"status": "done", "actual_on": certified[0].certified_on, "count": total, "source": "certifications"}


def _released(before: dict[str, Any], derived_source: str) -> dict[str, Any] | None:
    """When the records a milestone followed from are gone (a session cancelled, certifications
    removed), it is not started again and typed by hand from then; a hand-typed one is kept."""
    if before["source"] != derived_source:
        return None
    return {"status": "not_started", "actual_on": None, "count": None, "source": "hand"}


def _write(session: Session, *, programme: Programme, school: School, kind: str, milestone: Milestone | None,
           after: dict[str, Any], author: Author) -> None:
    """Store the derived state with its audit event (old and new values); nothing when equal."""
    before = _state(milestone)
    changes = diff(before, after)
    if not changes:
        return
    if milestone is None:
        milestone = Milestone(school_id=school.id, kind=kind, **after)
        session.add(milestone)
        session.flush()
        action = "create"
    else:
        session.execute(
            sa.update(Milestone).where(col(Milestone.id) == milestone.id)
            .values(**after, version=Milestone.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        action = "update"
    author.record(session, programme=programme, entity=MILESTONE_ENTITY, entity_id=milestone.id, action=action,
                  changes=changes)


def _store_totals(session: Session, *, school_id: int, records: list[PixCertificationRecord]) -> None:
    """The school's certified teachers per level, as the sum of its dated certifications."""
    totals = dict.fromkeys(PIX_LEVELS, 0)
    for record in records:
        totals[record.level] += record.certified
    for level, certified in totals.items():
        row = session.get(PixCertification, (school_id, level))
        if row is None:
            session.add(PixCertification(school_id=school_id, level=level, certified=certified))
        elif row.certified != certified:
            row.certified = certified
            session.add(row)


def derived_milestones(session: Session, programme: Programme,
                       schools: Iterable[School]) -> tuple[dict[tuple[int, str], dict[str, Any]],
                                                           dict[int, list[PixCertificationRecord]]]:
    """What the held sessions and dated certifications of `schools` (of `programme`) say of their
    derived milestones, keyed (school id, kind), only where records make one; and the
    certifications read. Writes nothing, so that the demo's loader, which records no change,
    derives its milestones by the very rule `refresh_school_milestones` applies."""
    schools = list(schools)
    ids = [school.id for school in schools]
    held = held_sessions(session, programme_id=programme.id, school_ids=ids)
    certifications = certification_records(session, school_ids=ids)
    derived: dict[tuple[int, str], dict[str, Any]] = {}
    for school in schools:
        for kind, audience in SESSION_MILESTONES.items():
            state = _from_sessions(kind, held.get((school.id, audience)), school, programme)
            if state is not None:
                derived[school.id, kind] = state
        state = _from_certifications(certifications.get(school.id, []))
        if state is not None:
            derived[school.id, PIX_KIND] = state
    return derived, certifications


def refresh_school_milestones(session: Session, programme: Programme, school_ids: Iterable[int], author: Author) -> None:
    """Derive the milestones of `school_ids` (of `programme`) from their held sessions and dated
    certifications, after any of them changed. Milestones without records are left as typed;
    one that followed from records now gone is reset. Audited; does not commit."""
    ids = sorted(set(school_ids))
    if not ids:
        return
    schools = session.exec(select(School).where(col(School.id).in_(ids), School.programme_id == programme.id)).all()
    derived, certifications = derived_milestones(session, programme, schools)
    stored = {(milestone.school_id, milestone.kind): milestone for milestone in session.exec(
        select(Milestone).where(col(Milestone.school_id).in_(ids)).execution_options(populate_existing=True))}
    for school in schools:
        for kind, source in DERIVED_SOURCES.items():
            milestone = stored.get((school.id, kind))
            after = derived.get((school.id, kind)) or _released(_state(milestone), source)
            if after is None:
                continue
            if kind == PIX_KIND:
                records = certifications.get(school.id, [])
                if records or after["source"] == "hand":
                    _store_totals(session, school_id=school.id, records=records)
            _write(session, programme=programme, school=school, kind=kind, milestone=milestone, after=after,
                   author=author)
    session.flush()
