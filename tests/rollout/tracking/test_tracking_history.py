"""A school's history: the audit events of its milestones, newest first, nobody else's."""

from __future__ import annotations

from datetime import date

from rollout.audit import record
from rollout.core.author import Author
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
           action="update", changes={"teachers": [40, 42]})
    session.commit()

    history = school_history(session, school=schools[0])
    assert len(history) == 7 + 3  # the baseline's creations, the two changes, the school's own
    assert (history[0].kind, history[0].event.changes) == (None, {"teachers": [40, 42]})
    history = history[1:]
    assert [(entry.event.actor, entry.kind) for entry in history[:2]] == [
        ("bob@test.invalid", "admins_trained"), ("alice@test.invalid", "admins_trained")]
    assert history[0].event.changes == {"status": ["in_progress", "done"], "actual_on": [None, "2015-09-20"]}
    assert all(entry.event.actor != "alice@test.invalid" or entry.event.changes != {"status": ["not_started", "blocked"]}
               for entry in history)
