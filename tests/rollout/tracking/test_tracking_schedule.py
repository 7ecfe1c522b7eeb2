"""Planned dates come from the baseline's wave windows by one rule, applied on adoption."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from rollout.models import AuditEvent, Milestone, Wave
from rollout.tracking.milestones import MILESTONE_KINDS, planned_dates
from tracking_world import adopt, programme, schools, session, tracked  # noqa: F401  (fixtures)


def test_the_rule_on_a_wave() -> None:
    dates = planned_dates(date(2015, 9, 1), date(2015, 12, 18))
    assert dates == {
        "leadership_briefed": date(2015, 8, 4),
        "admins_trained": date(2015, 9, 15),
        "platform_provisioned": date(2015, 9, 22),
        "teachers_trained": date(2015, 12, 11),
        "school_live": date(2015, 12, 18),
        "relays_active": date(2016, 4, 16),
        "pix_certified": date(2016, 9, 13),
    }


def test_a_short_wave_pushes_later_milestones_back_instead_of_reordering_them() -> None:
    dates = planned_dates(date(2016, 1, 4), date(2016, 1, 15))
    assert dates["platform_provisioned"] == date(2016, 1, 25)
    assert dates["teachers_trained"] == dates["school_live"] == date(2016, 1, 25)
    assert [dates[kind] for kind in MILESTONE_KINDS] == sorted(dates.values())


@given(start=st.dates(date(2014, 1, 1), date(2030, 1, 1)), days=st.integers(0, 400))
def test_any_wave_plans_every_milestone_in_order(start: date, days: int) -> None:
    dates = planned_dates(start, start + timedelta(days=days))
    assert list(dates) == list(MILESTONE_KINDS)
    assert [dates[kind] for kind in MILESTONE_KINDS] == sorted(dates.values())


def test_adoption_creates_every_milestone_with_its_planned_date(session, tracked, schools) -> None:
    waves = {wave.code: wave for wave in session.exec(select(Wave).where(Wave.programme_id == tracked.programme_id))}
    milestones = session.exec(select(Milestone).where(Milestone.school_id == schools[2].id)).all()
    expected = planned_dates(waves["W2"].start_date, waves["W2"].end_date)
    assert {m.kind: m.planned_on for m in milestones} == expected
    assert all(m.status == "not_started" and m.version == 1 for m in milestones)
    created = session.exec(select(AuditEvent).where(AuditEvent.entity == "milestone", AuditEvent.action == "create")).all()
    assert len(created) == 6 * len(MILESTONE_KINDS)
    assert {event.channel for event in created} == {"form"}


def test_adopting_another_plan_moves_planned_dates_and_keeps_what_people_typed(session, programme, schools, adopt) -> None:
    first = schools[0]
    briefed = session.exec(select(Milestone).where(Milestone.school_id == first.id, Milestone.kind == "leadership_briefed")).one()
    briefed.status, briefed.actual_on, briefed.note = "done", date(2015, 8, 10), "Réunion tenue"
    session.add(briefed)
    session.commit()

    rows = [{"uai": school.uai, "wave": "W3" if school is first else wave} for school, wave in
            zip(schools, ("W1", "W1", "W2", "W2", "W3", "W3"))]
    adopt(session, programme, rows)
    session.commit()

    w3 = session.exec(select(Wave).where(Wave.programme_id == programme.id, Wave.code == "W3")).one()
    session.refresh(briefed)
    assert briefed.planned_on == planned_dates(w3.start_date, w3.end_date)["leadership_briefed"]
    assert (briefed.status, briefed.actual_on, briefed.note, briefed.version) == ("done", date(2015, 8, 10), "Réunion tenue", 1)
    moved = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "milestone", AuditEvent.action == "update")
    ).all()
    assert len(moved) == len(MILESTONE_KINDS)
    assert {event.entity_id for event in moved} == {
        str(m.id) for m in session.exec(select(Milestone).where(Milestone.school_id == first.id))
    }
    assert all(set(event.changes) == {"planned_on"} for event in moved)


def test_a_school_the_plan_leaves_out_loses_its_planned_dates(session, programme, schools, adopt) -> None:
    adopt(session, programme, [{"uai": school.uai, "wave": "W1"} for school in schools[1:]])
    session.commit()
    left_out = session.exec(select(Milestone).where(Milestone.school_id == schools[0].id)).all()
    assert len(left_out) == len(MILESTONE_KINDS)
    assert all(m.planned_on is None for m in left_out)
