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

A country's file touches every school, so the refresh works on all of them at once: it reads
the records, stored milestones and Pix totals of all the schools in a few queries, derives in
memory and writes only what changed, a statement for each kind of write. Done a school at a time
(queries, a flush and an event object per school) it was 90 % of a 50,000-certification import.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from rollout.audit import Change, diff
from rollout.core.author import Author
from rollout.core.sql import among
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
CHUNK = 10_000
"""School ids a query takes at once: SQLite binds one parameter a value (at most 32,766), while
PostgreSQL gets them as one array (`among`); the country's 5,287 collèges fit in one."""


@dataclass(frozen=True)
class Held:
    """What a school's held sessions of one audience say: their dates in order, attendees."""

    dates: tuple[date, ...]
    attendees: int

    @property
    def first(self) -> date:
        return self.dates[0]


class Certified(NamedTuple):
    """One dated certification, as the derivation reads it (columns, not ORM objects: a country
    has tens of thousands)."""

    school_id: int
    certified_on: date
    level: str
    certified: int


@dataclass(frozen=True)
class Stored:
    """A derived milestone as stored: its id and the fields a derivation sets."""

    id: int
    state: dict[str, Any]


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """The ids, sorted, in lists a query takes at once."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


def held_sessions(session: Session, *, programme_id: int, school_ids: Iterable[int]) -> dict[tuple[int, str], Held]:
    """Held sessions per (school, audience), for the audiences that make milestones, in one query
    (a chunk of schools)."""
    dates: dict[tuple[int, str], list[date]] = defaultdict(list)
    attendees: dict[tuple[int, str], int] = defaultdict(int)
    for ids in _chunks(school_ids):
        statement = (
            select(TrainingSession.school_id, TrainingSession.audience, TrainingSession.held_on, TrainingSession.attendees)
            .where(TrainingSession.programme_id == programme_id, among(TrainingSession.school_id, ids),
                   TrainingSession.status == "held", col(TrainingSession.audience).in_(SESSION_MILESTONES.values()))
            .order_by(TrainingSession.held_on, TrainingSession.id)
        )
        for school_id, audience, held_on, count in session.exec(statement):
            dates[school_id, audience].append(held_on)
            attendees[school_id, audience] += count
    return {key: Held(tuple(days), attendees[key]) for key, days in dates.items()}


def certification_records(session: Session, *, school_ids: Iterable[int]) -> dict[int, list[Certified]]:
    """Each school's dated certifications, oldest first, in one query (a chunk of schools)."""
    records: dict[int, list[Certified]] = defaultdict(list)
    for ids in _chunks(school_ids):
        statement = (select(PixCertificationRecord.school_id, PixCertificationRecord.certified_on,
                            PixCertificationRecord.level, PixCertificationRecord.certified)
                     .where(among(PixCertificationRecord.school_id, ids))
                     .order_by(PixCertificationRecord.certified_on, PixCertificationRecord.level))
        for row in session.exec(statement):
            records[row.school_id].append(Certified(*row))
    return records


def _stored_milestones(session: Session, school_ids: Iterable[int]) -> dict[tuple[int, str], Stored]:
    """The derived milestones stored for the schools, keyed (school id, kind)."""
    stored: dict[tuple[int, str], Stored] = {}
    for ids in _chunks(school_ids):
        statement = (select(Milestone.id, Milestone.school_id, Milestone.kind, Milestone.status, Milestone.actual_on,
                            Milestone.count, Milestone.source)
                     .where(among(Milestone.school_id, ids), col(Milestone.kind).in_(DERIVED_SOURCES)))
        for milestone_id, school_id, kind, status, actual_on, count, source in session.exec(statement):
            stored[school_id, kind] = Stored(milestone_id, {"status": status, "actual_on": actual_on, "count": count,
                                                            "source": source})
    return stored


def _stored_totals(session: Session, school_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    """The Pix totals stored for the schools, keyed (school id, level)."""
    totals: dict[tuple[int, str], int] = {}
    for ids in _chunks(school_ids):
        statement = (select(PixCertification.school_id, PixCertification.level, PixCertification.certified)
                     .where(among(PixCertification.school_id, ids)))
        for school_id, level, certified in session.exec(statement):
            totals[school_id, level] = certified
    return totals


def _state(stored: Stored | None) -> dict[str, Any]:
    """The fields a derivation sets, as audited."""
    if stored is None:
        return {"status": "not_started", "actual_on": None, "count": None, "source": "hand"}
    return stored.state


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


def _from_certifications(records: list[Certified]) -> dict[str, Any] | None:
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


def _totals(records: list[Certified]) -> dict[str, int]:
    """A school's certified teachers per level, as the sum of its dated certifications."""
    totals = dict.fromkeys(PIX_LEVELS, 0)
    for record in records:
        totals[record.level] += record.certified
    return totals


def derived_milestones(session: Session, programme: Programme,
                       schools: Iterable[School]) -> tuple[dict[tuple[int, str], dict[str, Any]],
                                                           dict[int, list[Certified]]]:
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


@dataclass
class _Writes:
    """What a refresh changes, gathered before anything is written."""

    created: list[dict[str, Any]]
    updated: list[dict[str, Any]]
    events: list[tuple[tuple[int, str], int | None, dict[str, list[Any]]]]
    """(school id, kind), the stored milestone's id (None for a new one) and the changes, in order."""
    new_totals: list[dict[str, Any]]
    changed_totals: list[dict[str, Any]]


def _plan(schools: list[School], derived: dict[tuple[int, str], dict[str, Any]],
          certifications: dict[int, list[Certified]], stored: dict[tuple[int, str], Stored],
          totals: dict[tuple[int, str], int]) -> _Writes:
    """Compare what the records say with what is stored, school by school, kind by kind."""
    writes = _Writes([], [], [], [], [])
    for school in schools:
        for kind, source in DERIVED_SOURCES.items():
            milestone = stored.get((school.id, kind))
            before = _state(milestone)
            after = derived.get((school.id, kind)) or _released(before, source)
            if after is None:
                continue
            if kind == PIX_KIND:
                records = certifications.get(school.id, [])
                if records or after["source"] == "hand":
                    for level, certified in _totals(records).items():
                        row = {"school_id": school.id, "level": level, "certified": certified}
                        if (school.id, level) not in totals:
                            writes.new_totals.append(row)
                        elif totals[school.id, level] != certified:
                            writes.changed_totals.append(row)
            changes = diff(before, after)
            if not changes:
                continue
            if milestone is None:
                writes.created.append({"school_id": school.id, "kind": kind, **after})
            else:
                writes.updated.append({"milestone_id": milestone.id, **{f"new_{field}": value for field, value in after.items()}})
            writes.events.append(((school.id, kind), None if milestone is None else milestone.id, changes))
    return writes


def _store(session: Session, writes: _Writes) -> dict[tuple[int, str], int]:
    """Write the changes, one statement for each kind of write; the new milestones' ids. The
    objects of changed rows the session holds are expired, so that they are read again."""
    now = utcnow()
    ids: dict[tuple[int, str], int] = {}
    if writes.created:
        rows = [{**row, "version": 1, "updated_at": now} for row in writes.created]
        table = Milestone.__table__  # the table's, not the ORM's insert, which splits rows by their None values
        inserted = session.execute(sa.insert(table).returning(table.c.id, table.c.school_id, table.c.kind), rows)
        ids = {(school_id, kind): milestone_id for milestone_id, school_id, kind in inserted}
    if writes.updated:
        table = Milestone.__table__
        session.execute(
            sa.update(table).where(table.c.id == sa.bindparam("milestone_id"))
            .values(status=sa.bindparam("new_status"), actual_on=sa.bindparam("new_actual_on"),
                    count=sa.bindparam("new_count"), source=sa.bindparam("new_source"),
                    version=table.c.version + 1, updated_at=now),
            writes.updated)
    if writes.new_totals:
        session.execute(sa.insert(PixCertification.__table__), writes.new_totals)
    if writes.changed_totals:
        table = PixCertification.__table__
        session.execute(
            sa.update(table).where(table.c.school_id == sa.bindparam("total_school_id"),
                                   table.c.level == sa.bindparam("total_level"))
            .values(certified=sa.bindparam("total_certified")),
            [{f"total_{field}": value for field, value in row.items()} for row in writes.changed_totals])
    held = [identity_key(Milestone, row["milestone_id"]) for row in writes.updated]
    held += [identity_key(PixCertification, (row["school_id"], row["level"])) for row in writes.changed_totals]
    for key in held:
        instance = session.identity_map.get(key)
        if instance is not None:
            session.expire(instance)
    return ids


def refresh_school_milestones(session: Session, programme: Programme, school_ids: Iterable[int], author: Author) -> None:
    """Derive the milestones of `school_ids` (of `programme`) from their held sessions and dated
    certifications, after any of them changed. Milestones without records are left as typed;
    one that followed from records now gone is reset. Audited; does not commit. A few queries
    and statements whatever the number of schools (see the module's docstring)."""
    ids = sorted(set(school_ids))
    if not ids:
        return
    session.flush()  # the records just written are read, and their events come before these
    schools = sorted((school for chunk in _chunks(ids) for school in session.exec(
        select(School).where(among(School.id, chunk), School.programme_id == programme.id))), key=lambda school: school.id)
    derived, certifications = derived_milestones(session, programme, schools)
    ids = [school.id for school in schools]
    writes = _plan(schools, derived, certifications, _stored_milestones(session, ids), _stored_totals(session, ids))
    created = _store(session, writes)
    author.record_many(session, programme=programme, changes=(
        Change(MILESTONE_ENTITY, created[key] if milestone_id is None else milestone_id,
               "update" if milestone_id is not None else "create", changes)
        for key, milestone_id, changes in writes.events))
