"""Refreshing the derived milestones of many schools works on all of them at once: the number of
SQL statements does not grow with the schools (a country's import touches 5,287 of them), and
the result — milestones, Pix totals, audit events — is the one a school at a time gives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.colleges.national_file import public_colleges
from rollout.colleges.teachers import estimated_teachers
from rollout.core.author import Author
from rollout.models import AuditEvent, Milestone, PixCertification, Programme, School, Trainer
from rollout.models.training import PixCertificationRecord, TrainingSession
from rollout.training.milestones import refresh_school_milestones

AUTHOR = Author(actor="tests", channel="import")


def _more_schools(session: Session, programme: Programme, count: int) -> list[School]:
    """`count` more collèges of Seine-Saint-Denis in the world's programme (it has six)."""
    basin_id = session.exec(select(School.basin_id).where(School.programme_id == programme.id)).first()
    schools = [School(programme_id=programme.id, basin_id=basin_id, uai=college.uai, name=college.name,
                      commune=college.commune, commune_code=college.commune_code, pupils=college.pupils,
                      teachers=estimated_teachers(college.pupils, college.priority), priority=college.priority,
                      latitude=college.latitude, longitude=college.longitude)
               for college in public_colleges(departments=["093"])[6:6 + count]]
    session.add_all(schools)
    session.flush()
    return schools


def _mixed(session: Session, programme: Programme, schools: list[School]) -> None:
    """Records and stored milestones of every kind a refresh meets, a school in five alike:
    typed by hand without records; sessions over a hand-typed value; certifications over a
    hand-typed total; derived milestones whose records are gone; derived ones a new record moves."""
    trainer_id = session.exec(select(Trainer.id).where(Trainer.code == "AT-001")).one()

    def held(school: School, audience: str, day: date, attendees: int, status: str = "held") -> None:
        session.add(TrainingSession(programme_id=programme.id, held_on=day, trainer_id=trainer_id, audience=audience,
                                    school_id=school.id, modality="face_to_face", hours=3, attendees=attendees,
                                    status=status))

    def certified(school: School, day: date, level: str, count: int) -> None:
        session.add(PixCertificationRecord(school_id=school.id, certified_on=day, level=level, certified=count))

    start = date(2015, 9, 1)
    for number, school in enumerate(schools):
        day = start + timedelta(days=number)
        case = number % 5
        if case == 0:
            session.add(Milestone(school_id=school.id, kind="teachers_trained", status="in_progress", count=7))
            session.add(Milestone(school_id=school.id, kind="admins_trained", status="done", actual_on=day))
        elif case == 1:
            session.add(Milestone(school_id=school.id, kind="teachers_trained", status="in_progress", count=3))
            held(school, "leadership", day, 3)
            held(school, "administrators", day + timedelta(days=10), 2)
            for week in range(number % 4 + 1):
                held(school, "teachers", day + timedelta(days=20 + 7 * week), 15)
            held(school, "teachers", day + timedelta(days=5), 30, status="cancelled")
        elif case == 2:
            session.add(PixCertification(school_id=school.id, level="expert", certified=9))
            certified(school, day + timedelta(days=30), "initie", 4)
            certified(school, day, "confirme", 0)
            if number % 2:
                certified(school, day + timedelta(days=60), "confirme", 2)
        elif case == 3:
            session.add(Milestone(school_id=school.id, kind="leadership_briefed", status="done", actual_on=day,
                                  source="sessions"))
            session.add(Milestone(school_id=school.id, kind="pix_certified", status="done", actual_on=day, count=5,
                                  source="certifications"))
            session.add(PixCertification(school_id=school.id, level="initie", certified=5))
            if number % 2:
                certified(school, day, "avance", 0)
        else:
            session.add(Milestone(school_id=school.id, kind="teachers_trained", status="in_progress", count=15,
                                  source="sessions", version=3))
            session.add(Milestone(school_id=school.id, kind="leadership_briefed", status="done", actual_on=day,
                                  source="sessions"))
            session.add_all(PixCertification(school_id=school.id, level=level, certified=0)
                            for level in ("initie", "confirme", "avance", "expert"))
            held(school, "leadership", day, 2)
            held(school, "teachers", day, 15)
            held(school, "teachers", day + timedelta(days=14), 15)
            certified(school, day, "initie", 1)
    session.flush()


def _snapshot(session: Session, schools: list[int]) -> tuple[dict, dict, list]:
    """The schools' milestones and Pix totals, and the milestone events in their order, each
    event naming its milestone by (school, kind): ids differ between two runs on PostgreSQL."""
    milestones = {m.id: m for m in session.exec(select(Milestone).where(Milestone.school_id.in_(schools))
                                                 .execution_options(populate_existing=True))}
    states = {(m.school_id, m.kind): (m.status, m.actual_on, m.count, m.source, m.version, m.note, m.planned_on)
              for m in milestones.values()}
    totals = {(row.school_id, row.level): row.certified for row in session.exec(
        select(PixCertification).where(PixCertification.school_id.in_(schools)).execution_options(populate_existing=True))}
    events = [((milestones[int(e.entity_id)].school_id, milestones[int(e.entity_id)].kind), e.action, e.changes,
               e.actor, e.channel, e.district_id, e.user_id, e.import_batch_id)
              for e in session.exec(select(AuditEvent).where(AuditEvent.entity == "milestone").order_by(AuditEvent.id))]
    return states, totals, events


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements sent to the database meanwhile (an executemany counts once)."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_refreshing_many_schools_sends_as_many_statements_as_refreshing_a_few(engine, world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        schools = _more_schools(session, programme, 55)
        _mixed(session, programme, schools)
        session.commit()
        few, many = [school.id for school in schools[:5]], [school.id for school in schools[5:]]
        counts = []
        for ids in (few, many):
            session.get(Programme, world.programme_id)  # loaded again after the commit, outside the count
            with _statements(engine) as sent:
                refresh_school_milestones(session, programme, ids, AUTHOR)
            counts.append(len(sent))
            events = session.exec(select(AuditEvent).where(AuditEvent.entity == "milestone")).all()
            session.commit()
            assert events, "the refresh wrote nothing: the count would say nothing"
        assert counts[0] == counts[1] <= 12, counts


def test_refreshing_schools_at_once_gives_what_refreshing_them_one_by_one_gives(engine, world) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        schools = _more_schools(session, programme, 14)
        _mixed(session, programme, [*session.exec(select(School).where(School.uai.in_(world.uais))), *schools])
        session.commit()
        ids = sorted(session.exec(select(School.id).where(School.programme_id == programme.id)).all())
        other = session.exec(select(School.id).where(School.uai == world.other_uai)).one()

        for school_id in [*ids, other]:
            refresh_school_milestones(session, programme, [school_id], AUTHOR)
        one_by_one = _snapshot(session, ids)
        session.rollback()
        refresh_school_milestones(session, programme, [other, *reversed(ids)], AUTHOR)
        at_once = _snapshot(session, ids)
        session.rollback()

    assert at_once == one_by_one
    states, totals, events = at_once
    actions = {(kind, action, changes.get("source", [None, None])[1]) for (_, kind), action, changes, *_ in events}
    assert {("teachers_trained", "update", "sessions"), ("leadership_briefed", "create", "sessions"),
            ("pix_certified", "create", "certifications"), ("leadership_briefed", "update", "hand"),
            ("pix_certified", "update", "hand"), ("teachers_trained", "update", None)} <= actions, actions
    assert ("in_progress", None, 7, "hand", 1, None, None) in states.values()  # typed by hand, no records: kept
    assert 9 not in totals.values() and 5 not in totals.values()  # hand totals replaced by records, or released
