"""Changing a milestone: validation, optimistic locking across sessions, audit in the same
transaction, Pix+ Édu levels."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, func, select

import rollout.tracking.updates as updates
from rollout.models import AuditEvent, Milestone, PixCertification, Programme, School
from rollout.core.author import Author
from rollout.tracking.updates import InvalidProgress, MilestoneChange, VersionConflict, update_milestone
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)

TODAY = date(2016, 6, 1)
ALICE = Author(actor="alice@test.invalid", channel="form", user_id=None)
BOB = Author(actor="bob@test.invalid", channel="api", user_id=None)


def _update(session: Session, programme: Programme, school: School, kind: str, version: int, author: Author = ALICE,
            **fields) -> Milestone:
    return update_milestone(session, programme=programme, school=school, kind=kind, change=MilestoneChange(**fields),
                            version=version, author=author, today=TODAY)


def _events(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id)))


def test_a_change_is_saved_with_its_audit_event(session, programme, schools) -> None:
    milestone = _update(session, programme, schools[0], "teachers_trained", 1, status="in_progress", count=12,
                        note="  Deux sessions sur trois  ")
    session.commit()
    assert (milestone.status, milestone.count, milestone.note, milestone.version) == ("in_progress", 12, "Deux sessions sur trois", 2)
    [event] = _events(session)
    assert (event.actor, event.channel, event.entity, event.entity_id) == ("alice@test.invalid", "form", "milestone", str(milestone.id))
    assert event.changes == {"status": ["not_started", "in_progress"], "count": [None, 12], "note": [None, "Deux sessions sur trois"]}
    assert event.district_id == programme.district_id and event.at.tzinfo is not None


def test_a_change_that_changes_nothing_writes_nothing(session, programme, schools) -> None:
    milestone = _update(session, programme, schools[0], "school_live", 1, status="not_started")
    session.commit()
    assert milestone.version == 1 and _events(session) == []


IMPOSSIBLE = [
    ("school_live", {"status": "done"}, "actual_on"),
    ("school_live", {"status": "done", "actual_on": date(2015, 8, 3)}, "actual_on"),  # before start − 28 days
    ("school_live", {"status": "done", "actual_on": date(2016, 6, 2)}, "actual_on"),  # after today
    ("teachers_trained", {"count": 10_000}, "count"),
    ("school_live", {"count": 3}, "count"),
    ("school_live", {"status": "finished"}, "status"),
    ("pix_certified", {"pix": {"initie": 9_000}}, "pix"),
    ("pix_certified", {"pix": {"initie": 2}, "count": 5}, "count"),
    ("school_live", {"pix": {"initie": 2}}, "pix"),
]


def test_impossible_states_are_refused_and_nothing_is_written(session, programme, schools) -> None:
    for kind, fields, field in IMPOSSIBLE:
        with pytest.raises(InvalidProgress) as refused:
            _update(session, programme, schools[0], kind, 1, **fields)
        assert field in {problem.column for problem in refused.value.problems}, (kind, fields)
        session.rollback()
    milestones = session.exec(select(Milestone).where(Milestone.school_id == schools[0].id)).all()
    assert {(m.status, m.version) for m in milestones} == {("not_started", 1)}
    assert _events(session) == []


def test_the_earliest_date_is_the_first_briefing_a_month_before_the_start(session, programme, schools) -> None:
    milestone = _update(session, programme, schools[0], "leadership_briefed", 1, status="done", actual_on=date(2015, 8, 4))
    assert milestone.actual_on == date(2015, 8, 4)


def test_the_second_of_two_editors_gets_a_conflict_and_the_first_edit_stays(engine, programme, schools) -> None:
    with Session(engine) as first, Session(engine) as second:
        school_a, school_b = first.get(School, schools[0].id), second.get(School, schools[0].id)
        seen_by_second = second.exec(select(Milestone).where(Milestone.school_id == school_b.id,
                                                             Milestone.kind == "school_live")).one()
        _update(first, first.get(Programme, programme.id), school_a, "school_live", 1,
                status="done", actual_on=date(2016, 1, 4))
        first.commit()
        with pytest.raises(VersionConflict) as conflict:
            _update(second, second.get(Programme, programme.id), school_b, "school_live", seen_by_second.version,
                    author=BOB, status="blocked", note="Wi-Fi en panne")
        second.rollback()
    assert conflict.value.current_version == 2 and conflict.value.expected == 1
    assert "alice@test.invalid" in str(conflict.value) and "Rien n'a été enregistré" in str(conflict.value)
    with Session(engine) as check:
        stored = check.exec(select(Milestone).where(Milestone.school_id == schools[0].id, Milestone.kind == "school_live")).one()
        assert (stored.status, stored.note, stored.version) == ("done", None, 2)


def test_the_update_itself_refuses_a_row_changed_after_it_was_read(engine, programme, schools, monkeypatch) -> None:
    """The version is checked in the UPDATE's WHERE clause, not only when reading: simulate a
    concurrent commit landing between the read and the write."""
    with Session(engine) as reader:
        stale = reader.exec(select(Milestone).where(Milestone.school_id == schools[0].id,
                                                    Milestone.kind == "school_live")).one()
        reader.expunge(stale)
    with Session(engine) as other:
        _update(other, other.get(Programme, programme.id), other.get(School, schools[0].id), "school_live", 1,
                status="in_progress")
        other.commit()
    real_read = updates.current_milestone
    reads = iter([stale])
    monkeypatch.setattr(updates, "current_milestone", lambda session, **kw: next(reads, None) or real_read(session, **kw))
    with Session(engine) as late, pytest.raises(VersionConflict) as conflict:
        _update(late, late.get(Programme, programme.id), late.get(School, schools[0].id), "school_live", 1,
                author=BOB, status="blocked")
    assert conflict.value.current_version == 2
    with Session(engine) as check:
        assert check.exec(select(Milestone.status).where(Milestone.school_id == schools[0].id,
                                                          Milestone.kind == "school_live")).one() == "in_progress"


def test_pix_levels_are_stored_and_their_sum_is_the_count(session, programme, schools) -> None:
    milestone = _update(session, programme, schools[0], "pix_certified", 1, status="in_progress",
                        pix={"initie": 3, "confirme": 1})
    milestone = _update(session, programme, schools[0], "pix_certified", milestone.version, pix={"initie": 2})
    session.commit()
    assert (milestone.count, milestone.version) == (3, 3)
    levels = dict(session.exec(select(PixCertification.level, PixCertification.certified)
                               .where(PixCertification.school_id == schools[0].id)).all())
    assert levels == {"initie": 2, "confirme": 1}
    last = _events(session)[-1]
    assert last.changes == {"count": [4, 3], "pix_initie": [3, 2]}


def test_a_milestone_the_school_lacks_is_created_from_version_zero(session, world) -> None:
    programme = session.get(Programme, world.programme_id)
    school = session.exec(select(School).where(School.programme_id == programme.id)).first()
    milestone = update_milestone(session, programme=programme, school=school, kind="relays_active",
                                 change=MilestoneChange(status="in_progress"), version=0, author=ALICE, today=TODAY)
    session.commit()
    assert (milestone.version, milestone.planned_on) == (1, None)
    assert session.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "create")).one() == 1
    with pytest.raises(VersionConflict):
        update_milestone(session, programme=programme, school=school, kind="relays_active",
                         change=MilestoneChange(status="done"), version=0, author=BOB, today=TODAY)
