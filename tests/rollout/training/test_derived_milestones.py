"""Milestones that follow from records: leadership briefed, administrators and teachers trained
from held sessions, Pix+ Édu certified from dated certifications; hand-typed values kept where
there are no records, and an overwritten one kept in the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.models import AuditEvent, Milestone, PixCertification, Programme, School, Trainer
from rollout.models.training import PixCertificationRecord, TrainingSession
from rollout.training.milestones import refresh_school_milestones

AUTHOR = Author(actor="tests", channel="form")


def _school(session: Session, world) -> School:
    return session.exec(select(School).where(School.uai == world.uais[0])).one()


def _add_session(session: Session, world, school: School, *, audience: str, held_on: date, attendees: int,
                 status: str = "held") -> None:
    trainer = session.exec(select(Trainer).where(Trainer.code == "AT-001")).one()
    session.add(TrainingSession(programme_id=world.programme_id, held_on=held_on, trainer_id=trainer.id, audience=audience,
                                school_id=school.id, modality="face_to_face", hours=3, attendees=attendees, status=status))
    session.flush()


def _teachers_trained(programme: Programme, school: School, held: list[date], attendees: int) -> tuple:
    """The rule, restated: in progress until the school's ceil(teachers / teachers per session)
    sessions are held, done on the date of the one that completes them."""
    needed = -(-school.teachers // programme.teachers_per_session)
    count = min(attendees, school.teachers)
    if len(held) < needed:
        return ("in_progress", None, count, "sessions")
    return ("done", sorted(held)[needed - 1], count, "sessions")


def test_a_schools_teacher_training_is_done_when_its_cascade_sessions_are_held(engine, world) -> None:
    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        needed = -(-school.teachers // programme.teachers_per_session)
        assert needed >= 2, "the world's first school needs several sessions for this test"
        days = [date(2015, 10, 1) + timedelta(days=7 * k) for k in range(needed)]
        for day in days[:-1]:
            _add_session(session, world, school, audience="teachers", held_on=day, attendees=5)
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        assert _milestones(session, school)["teachers_trained"] == ("in_progress", None, 5 * (needed - 1), "sessions")
        _add_session(session, world, school, audience="teachers", held_on=days[-1], attendees=5)
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        assert _milestones(session, school)["teachers_trained"] == ("done", days[-1], min(5 * needed, school.teachers), "sessions")


def _milestones(session: Session, school: School) -> dict[str, tuple]:
    return {m.kind: (m.status, m.actual_on, m.count, m.source)
            for m in session.exec(select(Milestone).where(Milestone.school_id == school.id)
                                  .execution_options(populate_existing=True))}


def test_held_sessions_make_the_three_milestones(engine, world) -> None:
    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        _add_session(session, world, school, audience="leadership", held_on=date(2015, 8, 20), attendees=3)
        _add_session(session, world, school, audience="administrators", held_on=date(2015, 9, 15), attendees=2)
        _add_session(session, world, school, audience="teachers", held_on=date(2015, 11, 3), attendees=20)
        _add_session(session, world, school, audience="teachers", held_on=date(2015, 10, 6), attendees=school.teachers)
        _add_session(session, world, school, audience="teachers", held_on=date(2015, 9, 1), attendees=30, status="cancelled")
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        assert _milestones(session, school) == {
            "leadership_briefed": ("done", date(2015, 8, 20), None, "sessions"),
            "admins_trained": ("done", date(2015, 9, 15), None, "sessions"),
            # capped at its teachers; done once the sessions the cascade gives it are held
            "teachers_trained": _teachers_trained(programme, school, [date(2015, 10, 6), date(2015, 11, 3)],
                                                  school.teachers),
        }
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "milestone")).all()
        assert len(events) == 3 and {event.channel for event in events} == {"form"}


def test_a_hand_typed_value_is_kept_without_records_and_overwritten_with_audit_when_sessions_exist(engine, world) -> None:
    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        session.add(Milestone(school_id=school.id, kind="teachers_trained", status="in_progress", count=7))
        session.add(Milestone(school_id=school.id, kind="admins_trained", status="done", actual_on=date(2015, 9, 2)))
        session.commit()
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        assert _milestones(session, school) == {
            "teachers_trained": ("in_progress", None, 7, "hand"), "admins_trained": ("done", date(2015, 9, 2), None, "hand")}
        _add_session(session, world, school, audience="teachers", held_on=date(2015, 12, 1), attendees=12)
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        assert _milestones(session, school)["teachers_trained"] == _teachers_trained(programme, school, [date(2015, 12, 1)], 12)
        assert _milestones(session, school)["admins_trained"] == ("done", date(2015, 9, 2), None, "hand")
        [event] = session.exec(select(AuditEvent).where(AuditEvent.entity == "milestone")).all()
        assert event.changes["count"] == [7, 12] and event.changes["source"] == ["hand", "sessions"]


def test_a_milestone_whose_sessions_are_gone_is_not_started_again(engine, world) -> None:
    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        _add_session(session, world, school, audience="leadership", held_on=date(2015, 8, 20), attendees=3)
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        for training in session.exec(select(TrainingSession)):
            training.status = "cancelled"
            session.add(training)
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        assert _milestones(session, school) == {"leadership_briefed": ("not_started", None, None, "hand")}


def test_certifications_make_the_pix_totals_and_milestone(engine, world) -> None:
    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        session.add(PixCertification(school_id=school.id, level="expert", certified=9))  # typed by hand before
        session.add_all([PixCertificationRecord(school_id=school.id, certified_on=date(2016, 5, 2), level="initie", certified=4),
                         PixCertificationRecord(school_id=school.id, certified_on=date(2016, 3, 1), level="confirme", certified=0),
                         PixCertificationRecord(school_id=school.id, certified_on=date(2016, 6, 1), level="confirme", certified=2)])
        session.flush()
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        assert _milestones(session, school) == {"pix_certified": ("done", date(2016, 5, 2), 6, "certifications")}
        totals = {row.level: row.certified for row in session.exec(select(PixCertification).where(PixCertification.school_id == school.id))}
        assert totals == {"initie": 4, "confirme": 2, "avance": 0, "expert": 0}


def test_the_school_page_says_where_a_date_came_from(client, engine, world, login) -> None:
    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        for day in (date(2015, 10, 6), date(2015, 10, 13), date(2015, 10, 20)):
            _add_session(session, world, school, audience="teachers", held_on=day, attendees=5)
        session.add(Milestone(school_id=school.id, kind="school_live", status="done", actual_on=date(2015, 12, 1)))
        session.add(PixCertificationRecord(school_id=school.id, certified_on=date(2016, 5, 2), level="initie", certified=4))
        session.flush()
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
    login(client, "stakeholder")
    page = client.get(f"/programmes/{world.programme_id}/progress/{world.uais[0]}").text
    assert "d&#39;après 3 séances réalisées" in page or "d'après 3 séances réalisées" in page
    assert "saisi à la main" in page and "d&#39;après les certifications" in page or "d'après les certifications" in page


def test_typing_over_a_derived_value_makes_it_hand_typed_with_the_change_audited(engine, world) -> None:
    from rollout.tracking.updates import MilestoneChange, update_milestone

    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        _add_session(session, world, school, audience="leadership", held_on=date(2015, 8, 20), attendees=3)
        refresh_school_milestones(session, programme, [school.id], AUTHOR)
        session.commit()
        update_milestone(session, programme=programme, school=school, kind="leadership_briefed",
                         change=MilestoneChange(actual_on=date(2015, 8, 27)), version=1, author=AUTHOR, today=date(2016, 1, 1))
        session.commit()
        assert _milestones(session, school)["leadership_briefed"] == ("done", date(2015, 8, 27), None, "hand")
        last = session.exec(select(AuditEvent).where(AuditEvent.entity == "milestone").order_by(AuditEvent.id.desc())).first()
        assert last.changes == {"actual_on": ["2015-08-20", "2015-08-27"], "source": ["sessions", "hand"]}
        update_milestone(session, programme=programme, school=school, kind="leadership_briefed",
                         change=MilestoneChange(note="vu avec la principale"), version=2, author=AUTHOR, today=date(2016, 1, 1))
        session.commit()
        assert _milestones(session, school)["leadership_briefed"][3] == "hand"


def test_recording_and_cancelling_a_session_derives_then_releases_the_milestone(engine, world) -> None:
    from rollout.training.sessions import cancel_session, record_sessions

    with Session(engine) as session:
        programme, school = session.get(Programme, world.programme_id), _school(session, world)
        [training] = record_sessions(session, programme=programme, author=AUTHOR, today=date(2016, 1, 1), rows=[{
            "held_on": date(2015, 10, 6), "trainer": "AT-001", "audience": "teachers", "uai": world.uais[0],
            "modality": "online", "hours": 3.0, "attendees": 9, "status": "held", "reference": "M-1"}])
        session.commit()
        assert _milestones(session, school) == {"teachers_trained": _teachers_trained(programme, school, [date(2015, 10, 6)], 9)}
        cancel_session(session, programme=programme, training=training, version=training.version, author=AUTHOR)
        session.commit()
        assert _milestones(session, school) == {"teachers_trained": ("not_started", None, None, "hand")}
