"""Recording training sessions (`rollout.training.sessions`): every rule refuses with the field and
value and writes nothing; the key replaces; trainers trained get their date and `Trainer.trained`;
a re-plan counts them trained from then."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.core.problems import InvalidChange, StaleVersion
from rollout.models import AuditEvent, Plan, Programme, School, Trainer
from rollout.models.training import TrainingSession, TrainingTrainee
from rollout.planning.replanning import progress_document
from rollout.training.sessions import cancel_session, record_sessions, trained_on, update_session
from tests.conftest import World

TODAY = date(2016, 6, 1)
AUTHOR = Author(actor="projet@test.invalid", channel="form")


def _row(**given):
    row = {"held_on": date(2015, 10, 5), "trainer": "AT-001", "audience": "teachers", "uai": None, "modality": "face_to_face",
           "hours": 3.0, "attendees": 10, "status": "held", "reference": None, "planned_wave": None, "trainees": []}
    row.update(given)
    return row


def _record(engine: sa.Engine, world: World, *rows, today: date = TODAY):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        written = record_sessions(session, programme=programme, rows=list(rows), author=AUTHOR, today=today)
        session.commit()
        return [training.id for training in written]


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def _refused(engine: sa.Engine, world: World, *rows, today: date = TODAY) -> list:
    before = (_count(engine, "trainingsession"), _count(engine, "auditevent"), _count(engine, "trainingtrainee"))
    with pytest.raises(InvalidChange) as refused:
        _record(engine, world, *rows, today=today)
    assert (_count(engine, "trainingsession"), _count(engine, "auditevent"), _count(engine, "trainingtrainee")) == before
    return refused.value.problems


def test_a_school_session_is_recorded_and_audited(engine: sa.Engine, world: World) -> None:
    [session_id] = _record(engine, world, _row(uai=world.uais[0]))
    with Session(engine) as session:
        training = session.get(TrainingSession, session_id)
        school = session.exec(select(School).where(School.uai == world.uais[0])).one()
        assert (training.school_id, training.attendees, training.status) == (school.id, 10, "held")
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "training_session")).one()
        assert event.entity_id == str(session_id) and event.action == "create" and event.changes["attendees"] == [None, 10]


@pytest.mark.parametrize(("given", "column", "code"), [
    ({"trainer": "AT-999"}, "trainer", "training_trainer_unknown"),
    ({"uai": "0000000X"}, "uai", "training_school_unknown"),
    ({"uai": None}, "uai", "training_school_required"),
    ({"audience": "trainers", "trainer": "V-1"}, "uai", "training_trainers_no_school"),
    ({"attendees": 100_000}, "attendees", "training_attendees_above_teachers"),
    ({"held_on": date(2016, 6, 2)}, "date", "training_held_in_future"),
    ({"hours": 0}, "hours", "more_than"),
    ({"modality": "radio"}, "modality", "one_of"),
    ({"trainees": ["AT-002"]}, "trainees", "training_trainees_not_trainers"),
])
def test_each_rule_refuses_naming_the_field_and_value(engine: sa.Engine, world: World, given, column, code) -> None:
    row = _row(uai=world.uais[0])
    row.update(given)
    problems = _refused(engine, world, row)
    assert [(problem.column, problem.code) for problem in problems] == [(column, code)]
    assert problems[0].value is not None and problems[0].reason


def test_a_cancelled_session_may_be_dated_in_the_future(engine: sa.Engine, world: World) -> None:
    assert _record(engine, world, _row(uai=world.uais[0], held_on=date(2016, 9, 1), status="cancelled"))


def test_one_bad_row_refuses_the_whole_change(engine: sa.Engine, world: World) -> None:
    problems = _refused(engine, world, _row(uai=world.uais[0]), _row(uai=world.uais[1], trainer="nobody"))
    assert [problem.value for problem in problems] == ["nobody"]


def test_the_key_replaces_the_session_and_an_identical_row_changes_nothing(engine: sa.Engine, world: World) -> None:
    first = _record(engine, world, _row(uai=world.uais[0]))
    events = _count(engine, "auditevent")
    assert _record(engine, world, _row(uai=world.uais[0])) == first
    assert _count(engine, "auditevent") == events
    assert _record(engine, world, _row(uai=world.uais[0], attendees=12)) == first
    with Session(engine) as session:
        training = session.get(TrainingSession, first[0])
        assert (training.attendees, training.version) == (12, 2)
    by_reference = _record(engine, world, _row(uai=world.uais[0], reference="S-1", attendees=12))
    assert by_reference == first  # the organiser's id given to the session recorded without one
    events = _count(engine, "auditevent")
    assert _record(engine, world, _row(uai=world.uais[0], attendees=12)) == first  # without its reference: the same
    assert _count(engine, "auditevent") == events
    moved = _record(engine, world, _row(uai=world.uais[0], reference="S-1", held_on=date(2015, 10, 6)))
    assert moved == first and _count(engine, "trainingsession") == 1


def test_the_same_key_twice_in_one_change_is_refused(engine: sa.Engine, world: World) -> None:
    problems = _refused(engine, world, _row(uai=world.uais[0]), _row(uai=world.uais[0], attendees=3))
    assert [problem.code for problem in problems] == ["training_session_key_repeated"]


def test_a_trainers_session_trains_its_trainees_from_its_date(engine: sa.Engine, world: World) -> None:
    _record(engine, world, _row(trainer="V-1", audience="trainers", held_on=date(2015, 9, 10), attendees=2,
                                trainees=["AT-002"]))
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        trainer = session.exec(select(Trainer).where(Trainer.code == "AT-002")).one()
        assert trained_on(session, programme) == {trainer.id: date(2015, 9, 10)}
        assert trainer.trained and trainer.version == 2
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "trainer")).one()
        assert event.changes["trained"] == [False, True]


def test_a_trainer_cannot_be_trained_after_a_session_they_delivered(engine: sa.Engine, world: World) -> None:
    _record(engine, world, _row(trainer="AT-002", uai=world.uais[1], held_on=date(2015, 10, 1)))
    problems = _refused(engine, world, _row(trainer="V-1", audience="trainers", held_on=date(2015, 10, 2),
                                            attendees=1, trainees=["AT-002"]))
    assert [(problem.code, problem.value) for problem in problems] == [("training_trained_after_delivering", "2015-10-02")]
    assert "AT-002" in problems[0].reason
    # Trained first, delivering the same day or later is fine; delivering before is refused.
    _record(engine, world, _row(trainer="V-1", audience="trainers", held_on=date(2015, 9, 30), attendees=1, trainees=["AT-002"]))
    problems = _refused(engine, world, _row(trainer="AT-002", uai=world.uais[1], held_on=date(2015, 9, 29)))
    assert [problem.code for problem in problems] == ["training_trained_after_delivering"]


def test_trainees_default_to_the_adopted_plans_vendor_session_of_the_wave(engine: sa.Engine, world: World) -> None:
    with Session(engine) as session:
        session.add(Plan(programme_id=world.programme_id, name="Référence", status="feasible", is_baseline=True, scenario={}, result={
            "assignments": [], "teacher_sessions": [], "leadership_training": [],
            "trainer_training": [{"wave": "W2", "vendor": "V-1", "trainers": ["AT-002"]},
                                 {"wave": "W1", "vendor": "V-1", "trainers": ["AT-001"]}]}))
        session.commit()
    [session_id] = _record(engine, world, _row(trainer="V-1", audience="trainers", held_on=date(2016, 1, 15), attendees=1))
    with Session(engine) as session:
        trainees = session.exec(select(TrainingTrainee.trainer_id).where(TrainingTrainee.session_id == session_id)).all()
        assert trainees == [session.exec(select(Trainer.id).where(Trainer.code == "AT-002")).one()]


def test_update_is_locked_on_the_version_and_cancel_keeps_the_session(engine: sa.Engine, world: World) -> None:
    [session_id] = _record(engine, world, _row(uai=world.uais[0]))
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        training = session.get(TrainingSession, session_id)
        update_session(session, programme=programme, training=training, changes={"hours": 2.5}, version=1, author=AUTHOR,
                       today=TODAY)
        session.commit()
        assert (training.hours, training.version) == (2.5, 2)
        with pytest.raises(StaleVersion):
            update_session(session, programme=programme, training=training, changes={"hours": 4}, version=1, author=AUTHOR)
        session.rollback()
        with pytest.raises(InvalidChange) as refused:
            update_session(session, programme=programme, training=training, changes={"attendees": 100_000}, version=2,
                           author=AUTHOR)
        assert refused.value.problems[0].column == "attendees"
        session.rollback()
        cancel_session(session, programme=programme, training=session.get(TrainingSession, session_id), version=2, author=AUTHOR)
        session.commit()
        assert session.get(TrainingSession, session_id).status == "cancelled"


def test_a_replan_counts_trainers_trained_by_sessions_up_to_its_date(engine: sa.Engine, world: World) -> None:
    _record(engine, world, _row(trainer="V-1", audience="trainers", held_on=date(2016, 2, 1), attendees=1, trainees=["AT-002"]))
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        plan = Plan(programme_id=programme.id, name="p", status="feasible", scenario={}, result={"assignments": []})
        session.add(plan)
        session.flush()
        before, _ = progress_document(session, programme, plan=plan, as_of=date(2016, 1, 31))
        after, _ = progress_document(session, programme, plan=plan, as_of=date(2016, 2, 1))
        assert before["trainers_trained"] == ["AT-001"]
        assert after["trainers_trained"] == ["AT-001", "AT-002"]


def test_a_held_teachers_session_makes_the_schools_milestone_follow(engine: sa.Engine, world: World) -> None:
    from rollout.models import Milestone

    _record(engine, world, _row(uai=world.uais[0], attendees=7, held_on=date(2015, 10, 5)))
    with Session(engine) as session:
        school = session.exec(select(School).where(School.uai == world.uais[0])).one()
        milestone = session.exec(select(Milestone).where(Milestone.school_id == school.id,
                                                         Milestone.kind == "teachers_trained")).one()
        # one session of the several its teachers need: under way, counted, from the sessions
        assert (milestone.status, milestone.count, milestone.source) == ("in_progress", 7, "sessions")


def test_without_a_plan_or_outside_every_wave_a_trainers_session_trains_no_one_by_default(engine: sa.Engine, world: World) -> None:
    [no_plan] = _record(engine, world, _row(trainer="V-1", audience="trainers", held_on=date(2015, 9, 20), attendees=1))
    with Session(engine) as session:
        session.add(Plan(programme_id=world.programme_id, name="Référence", status="feasible", is_baseline=True, scenario={},
                         result={"trainer_training": [{"wave": "W1", "vendor": "V-1", "trainers": ["AT-002"]}]}))
        session.commit()
    [between] = _record(engine, world, _row(trainer="V-1", audience="trainers", held_on=date(2015, 12, 25), attendees=1))
    with Session(engine) as session:
        assert session.exec(select(TrainingTrainee).where(TrainingTrainee.session_id.in_([no_plan, between]))).all() == []
        assert not session.exec(select(Trainer).where(Trainer.code == "AT-002")).one().trained
