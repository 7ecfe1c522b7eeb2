"""The training dashboard's numbers on SQLite and PostgreSQL, checked against the same rows
counted in the test: the delivered cascade, the workload per wave, hours per teacher, online
completion by course."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from dashboards.queries import training
from dashboards.queries.filters import Filters
from dashboards.queries.overview import cascade_counts, selected_schools
from rollout.models import CourseEnrolment, Plan, Programme, School, Trainer, TrainingSession, TrainingTrainee
from tests.dashboards.test_overview_queries import live  # noqa: F401  (fixture)
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)

SESSIONS = [
    # (day, trainer, audience, school index, modality, hours, attendees, status, planned wave)
    (date(2015, 8, 20), "V-1", "trainers", None, "face_to_face", 6.0, 2, "held", "W1"),
    (date(2015, 8, 25), "V-1", "trainers", None, "online", 2.0, 0, "cancelled", "W1"),
    (date(2015, 8, 28), "V-1", "leadership", 0, "face_to_face", 2.0, 1, "held", "W1"),
    (date(2015, 8, 28), "V-1", "leadership", 1, "face_to_face", 2.0, 1, "held", "W1"),
    (date(2015, 8, 29), "V-1", "administrators", 0, "face_to_face", 3.0, 2, "held", "W1"),  # not planned
    (date(2015, 10, 5), "AT-001", "teachers", 0, "face_to_face", 3.0, 20, "held", "W1"),
    (date(2015, 11, 5), "AT-001", "teachers", 0, "online", 2.5, 10, "held", None),
    (date(2016, 2, 1), "AT-002", "teachers", 2, "hybrid", 4.0, 15, "held", None),
    (date(2016, 2, 10), "AT-002", "teachers", 3, "face_to_face", 3.0, 12, "cancelled", None),
]
COURSES = [("Parcours A", 0, 20, 5, 10), ("Parcours A", 2, 10, 0, 5), ("Parcours B", 1, 8, 2, 0)]


@pytest.fixture
def delivered(engine, live):  # noqa: F811
    """`live` with the sessions above (the trainers' session training AT-001 and AT-002), online
    courses, and an adopted plan that runs sessions in W1 and W2."""
    with Session(engine) as session:
        schools = session.exec(select(School).where(School.programme_id == live.programme_id).order_by(School.uai)).all()
        trainers = {t.code: t for t in session.exec(select(Trainer).where(Trainer.programme_id == live.programme_id))}
        for day, code, audience, index, modality, hours, attendees, status, wave in SESSIONS:
            row = TrainingSession(programme_id=live.programme_id, held_on=day, trainer_id=trainers[code].id,
                                  audience=audience, school_id=None if index is None else schools[index].id,
                                  modality=modality, hours=hours, attendees=attendees, status=status, planned_wave=wave)
            session.add(row)
            session.flush()
            if audience == "trainers" and status == "held":
                session.add_all([TrainingTrainee(session_id=row.id, trainer_id=trainers[c].id) for c in ("AT-001", "AT-002")])
        for course, index, enrolled, progress, completed in COURSES:
            session.add(CourseEnrolment(programme_id=live.programme_id, school_id=schools[index].id, course=course,
                                        enrolled=enrolled, in_progress=progress, completed=completed,
                                        exported_on=date(2016, 3, 1)))
        plan = session.exec(select(Plan).where(Plan.programme_id == live.programme_id, Plan.is_baseline)).one()
        uais = [school.uai for school in schools]
        plan.result = plan.result | {
            "teacher_sessions": [{"trainer": "AT-001", "uai": uais[0], "wave": "W1", "sessions": 2},
                                 {"trainer": "AT-002", "uai": uais[2], "wave": "W2", "sessions": 3}],
            "trainer_training": [{"vendor": "V-1", "wave": "W1", "trainers": ["AT-001", "AT-002"]}],
            "leadership_training": [{"vendor": "V-1", "wave": "W1", "schools": uais[:2]}],
        }
        session.add(plan)
        session.commit()
    return live


def _run(engine, world, function, filters: Filters = Filters()):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        schools = selected_schools(session, programme=programme, filters=filters)
        if function in (training.training_cascade, training.workload):
            return function(session, programme=programme, schools=schools, filters=filters), schools
        return function(session, programme=programme, schools=schools), schools


def _held_teachers(indexes: set[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _day, _code, audience, index, modality, _hours, attendees, status, _wave in SESSIONS:
        if audience == "teachers" and status == "held" and index in indexes:
            counts[modality] = counts.get(modality, 0) + attendees
    return counts


def test_the_cascade_counts_held_sessions_usage_and_certifications(engine, delivered) -> None:
    cascade, schools = _run(engine, delivered, training.training_cascade)
    assert cascade.trainers_trained == 2  # the cancelled session trained nobody
    assert cascade.leadership_briefed == len({s[3] for s in SESSIONS if s[2] == "leadership" and s[7] == "held"})
    assert dict(cascade.teachers_by_modality) == _held_teachers(set(range(6))) == {"face_to_face": 20, "online": 10,
                                                                                   "hybrid": 15}
    with Session(engine) as session:
        programme = session.get(Programme, delivered.programme_id)
        active = cascade_counts(session, programme=programme, schools=schools, filters=Filters()).teachers_active
    assert cascade.teachers_active == active > 0
    assert dict(cascade.certified_by_level) == {"initie": 4}


def test_a_school_filter_keeps_its_sessions_and_the_programmes_trainers(engine, delivered) -> None:
    cascade, _schools = _run(engine, delivered, training.training_cascade, Filters(wave="W2"))
    assert cascade.trainers_trained == 2 and cascade.leadership_briefed == 0
    assert dict(cascade.teachers_by_modality) == _held_teachers({2, 3}) == {"hybrid": 15}
    assert dict(cascade.certified_by_level) == {}


def test_the_workload_sets_the_plan_against_sessions_held_and_cancelled(engine, delivered) -> None:
    waves, _schools = _run(engine, delivered, training.workload)
    # W1 planned: 2 teacher sessions, a trainers' training, a briefing; held: the trainers' session, one
    # briefing of two schools, two teacher sessions (one dated in W1 without a planned wave).
    assert [(w.wave, w.planned, w.held, w.cancelled) for w in waves] == [
        ("Vague 1", 4, 4, 1), ("Vague 2", 3, 1, 1), ("Vague 3", 0, 0, 0)]
    one, _ = _run(engine, delivered, training.workload, Filters(school=sorted(delivered.uais)[1]))
    assert [(w.planned, w.held, w.cancelled) for w in one] == [(1, 1, 0), (0, 0, 0), (0, 0, 0)]
    wave, _ = _run(engine, delivered, training.workload, Filters(wave="W2"))
    assert [(w.wave, w.planned, w.held) for w in wave] == [("Vague 2", 3, 1)]


def test_hours_per_teacher_divide_teacher_hours_by_the_schools_teachers(engine, delivered) -> None:
    hours, schools = _run(engine, delivered, training.hours_per_teacher)
    expected = {}
    for _day, _code, audience, index, _modality, length, attendees, status, _wave in SESSIONS:
        if audience == "teachers" and status == "held":
            expected[schools[index].uai] = expected.get(schools[index].uai, 0) + length * attendees
    by_uai = {row.uai: row for row in hours}
    assert len(hours) == 6 and {uai: row.teacher_hours for uai, row in by_uai.items() if row.teacher_hours} == expected
    first = by_uai[schools[0].uai]
    assert first.teachers == schools[0].teachers and first.per_teacher == pytest.approx(85.0 / schools[0].teachers)


def test_completion_sums_each_course_over_the_selected_schools(engine, delivered) -> None:
    courses, _schools = _run(engine, delivered, training.course_progress)
    assert [(c.course, c.enrolled, c.in_progress, c.completed) for c in courses] == [
        ("Parcours A", 30, 5, 15), ("Parcours B", 8, 2, 0)]
    assert courses[0].rate == pytest.approx(0.5) and courses[1].rate == 0
    north, _ = _run(engine, delivered, training.course_progress, Filters(school=sorted(delivered.uais)[2]))
    assert [(c.course, c.enrolled, c.completed) for c in north] == [("Parcours A", 10, 5)]


def test_a_programme_without_sessions_records_none(engine, live) -> None:  # noqa: F811
    with Session(engine) as session:
        assert not training.records_sessions(session, programme=session.get(Programme, live.programme_id))


def test_a_schools_teachers_trained_never_exceed_its_teachers_and_are_credited_face_to_face_first() -> None:
    """Attendances are not people: a school counts at most its teachers, as its milestone does,
    the modalities taking them in the documented order."""
    attended = [(1, "online", 30), (1, "face_to_face", 20), (2, "hybrid", 5), (3, "online", 4)]
    assert training._teachers_by_modality(attended, {1: 25, 2: 40, 3: 0}) == {"face_to_face": 20, "online": 5, "hybrid": 5}
