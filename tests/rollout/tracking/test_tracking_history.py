"""A school's history: the audit events of its milestones, newest first, nobody else's."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from rollout.audit import record
from rollout.core.author import Author
from rollout.models import District, School
from rollout.tracking.history import school_history
from rollout.tracking.updates import MilestoneChange, update_milestone
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)

TODAY = date(2016, 6, 1)


def test_history_is_the_schools_own_events_newest_first(session, programme, schools) -> None:
    alice, bob = Author(actor="alice@test.invalid", channel="form"), Author(actor="bob@test.invalid", channel="api")
    first = update_milestone(session, programme=programme, school=schools[0], kind="admins_trained",
                             change=MilestoneChange(status="in_progress"), version=1, author=alice, today=TODAY)
    update_milestone(session, programme=programme, school=schools[0], kind="admins_trained",
                     change=MilestoneChange(status="done", actual_on=date(2015, 9, 20)), version=first.version,
                     author=bob, today=TODAY)
    update_milestone(session, programme=programme, school=schools[1], kind="admins_trained",
                     change=MilestoneChange(status="blocked"), version=1, author=alice, today=TODAY)
    record(session, actor="direction@test.invalid", channel="form", entity="school", entity_id=schools[0].id,
           action="update", changes={"teachers": [40, 42]}, district_id=programme.district_id)
    session.commit()

    history = school_history(session, programme=programme, school=schools[0])
    assert len(history) == 7 + 3  # the baseline's creations, the two changes, the school's own
    assert (history[0].kind, history[0].event.changes) == (None, {"teachers": [40, 42]})
    history = history[1:]
    assert [(entry.event.actor, entry.kind) for entry in history[:2]] == [
        ("bob@test.invalid", "admins_trained"), ("alice@test.invalid", "admins_trained")]
    assert history[0].event.changes == {"status": ["in_progress", "done"], "actual_on": [None, "2015-09-20"]}
    assert all(entry.event.actor != "alice@test.invalid" or entry.event.changes != {"status": ["not_started", "blocked"]}
               for entry in history)


def test_history_leaves_out_another_districts_events_about_the_same_id(session, programme, schools) -> None:
    other = District(code="095", name="Val-d'Oise")
    session.add(other)
    session.flush()
    record(session, actor="someone@elsewhere.invalid", channel="form", entity="school", entity_id=schools[0].id,
           action="delete", changes={"name": ["Collège d'ailleurs", None]}, district_id=other.id)
    session.commit()

    actors = {entry.event.actor for entry in school_history(session, programme=programme, school=schools[0])}
    assert "someone@elsewhere.invalid" not in actors


def test_a_new_school_never_inherits_a_deleted_schools_id_or_history(session, programme, schools) -> None:
    """SQLite reused the id of the last deleted row: the newest school, deleted and replaced,
    handed its history (its people, their emails) to its successor."""
    newest = max(schools, key=lambda school: school.id)
    Author(actor="gone@test.invalid", channel="form").record(
        session, programme=programme, entity="school", entity_id=newest.id, action="update", changes={"teachers": [1, 2]})
    session.delete(newest)
    session.commit()
    successor = School(programme_id=programme.id, basin_id=newest.basin_id, uai=newest.uai, name="Collège nouveau", commune=newest.commune,
                       pupils=300, teachers=25, priority=newest.priority)
    session.add(successor)
    session.commit()

    assert successor.id > newest.id
    assert school_history(session, programme=programme, school=successor) == []
    assert session.exec(select(School).where(School.id == newest.id)).first() is None
