"""A school's colour: green on time, amber late, red when blocked or late by more than 10% of
its wave's duration; computed for a whole programme in one aggregate query."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from rollout.models import Milestone, UsageRecord
from rollout.tracking.colour import colour_of, evaluation_date, programme_progress
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)

BRIEFING_W1 = date(2015, 8, 4)  # leadership briefing of W1 schools (W1: 108 days)


@pytest.mark.parametrize(
    ("blocked", "days_late", "wave_days", "colour"),
    [
        (0, 0, 100, "green"),
        (0, 1, 100, "amber"),
        (0, 10, 100, "amber"),  # exactly 10% is not more than 10%
        (0, 11, 100, "red"),
        (1, 0, 100, "red"),
        (0, 500, None, "amber"),  # no wave in the baseline: late, but no duration to compare with
    ],
)
def test_colour_rule(blocked: int, days_late: int, wave_days: int | None, colour: str) -> None:
    assert colour_of(blocked=blocked, days_late=days_late, wave_days=wave_days) == colour


def _colours(session, programme, as_of: date) -> list[str]:
    return [row.colour for row in programme_progress(session, programme=programme, as_of=as_of)]


def test_colours_at_their_boundaries_from_the_database(session, programme, schools) -> None:
    assert _colours(session, programme, BRIEFING_W1) == ["green"] * 6
    assert _colours(session, programme, BRIEFING_W1 + timedelta(days=1)) == ["amber", "amber"] + ["green"] * 4
    assert _colours(session, programme, BRIEFING_W1 + timedelta(days=10)) == ["amber", "amber"] + ["green"] * 4
    assert _colours(session, programme, BRIEFING_W1 + timedelta(days=11)) == ["red", "red"] + ["green"] * 4


def test_done_is_never_late_and_blocked_is_always_red(session, programme, schools) -> None:
    first = session.exec(select(Milestone).where(Milestone.school_id == schools[0].id,
                                                 Milestone.kind == "leadership_briefed")).one()
    first.status, first.actual_on = "done", date(2015, 9, 30)
    last = session.exec(select(Milestone).where(Milestone.school_id == schools[5].id,
                                                Milestone.kind == "pix_certified")).one()
    last.status = "blocked"
    session.add_all([first, last])
    session.commit()

    progress = programme_progress(session, programme=programme, as_of=BRIEFING_W1 + timedelta(days=11))
    assert [row.colour for row in progress] == ["green", "red", "green", "green", "green", "red"]
    assert (progress[0].done, progress[0].days_late) == (1, 0)
    assert (progress[1].days_late, progress[1].wave.code) == (11, "W1")
    assert progress[5].blocked == 1


def test_the_whole_programme_takes_a_fixed_number_of_queries(engine, session, programme, schools) -> None:
    statements: list[str] = []

    def remember(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", remember)
    try:
        progress = programme_progress(session, programme=programme, as_of=date(2016, 1, 1))
    finally:
        sa.event.remove(engine, "before_cursor_execute", remember)
    assert len(progress) == 6
    milestone_queries = [sql for sql in statements if "FROM school LEFT OUTER JOIN milestone" in sql]
    assert len(milestone_queries) == 1 and len(statements) <= 4


def test_a_simulated_programme_is_evaluated_at_its_last_recorded_date(session, programme, schools) -> None:
    today = date(2026, 11, 23)
    assert evaluation_date(session, programme=programme, today=today) == today
    programme.simulated = True
    briefed = session.exec(select(Milestone).where(Milestone.school_id == schools[0].id,
                                                   Milestone.kind == "leadership_briefed")).one()
    briefed.status, briefed.actual_on = "done", date(2015, 8, 10)
    session.add_all([programme, briefed])
    session.add(UsageRecord(school_id=schools[1].id, period_start=date(2016, 3, 7), service="Notes",
                            profile="National_ENS", audience="teacher", visits=3))
    session.commit()
    assert evaluation_date(session, programme=programme, today=today) == date(2016, 3, 7)
