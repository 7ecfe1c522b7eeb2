"""Creating and editing schools: validation, uniqueness, optimistic locking, deletion rules, audit."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent, Milestone, Programme, School
from rollout.models.school import SchoolCreate, SchoolUpdate
from rollout.core.problems import InvalidChange, StaleVersion
from rollout.schools.records import create_school, delete_school, school_or_none, update_school
from rollout.core.author import Author

LEADER = Author(actor="direction@test.invalid", channel="form")
NEW_UAI = "0931234L"  # not in the world's programme


def _new(**changes) -> SchoolCreate:
    return SchoolCreate.model_validate(
        {"uai": NEW_UAI.lower(), "name": "Collège Test", "commune": "Bobigny", "pupils": 400, "teachers": 30, "basin": "N", **changes}
    )


def test_a_school_is_created_with_its_basin_and_waves_and_audited(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        school = create_school(session, programme=programme, data=_new(pinned_wave="W1", latest_wave="W2"), author=LEADER)
        session.commit()
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "school", AuditEvent.entity_id == str(school.id))).one()
    assert school.uai == NEW_UAI and school.version == 1
    assert event.action == "create" and event.channel == "form" and event.district_id == world.district_id
    assert event.changes["uai"] == [None, NEW_UAI] and event.changes["pinned_wave"] == [None, "W1"]


def test_unknown_codes_and_waves_out_of_order_are_refused_naming_the_field(engine, world):
    cases = [
        ({"basin": "Z"}, "basin", "Z"),
        ({"pinned_wave": "W9"}, "pinned_wave", "W9"),
        ({"pinned_wave": "W3", "latest_wave": "W1"}, "pinned_wave", "W3"),
    ]
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        for changes, column, value in cases:
            with pytest.raises(InvalidChange) as refused:
                create_school(session, programme=programme, data=_new(**changes), author=LEADER)
            assert (refused.value.problems[0].column, refused.value.problems[0].value) == (column, value)


def test_a_uai_already_in_the_programme_is_refused(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(InvalidChange, match="déjà dans le programme"):
            create_school(session, programme=programme, data=_new(uai=world.uais[0]), author=LEADER)


def test_another_districts_uai_may_be_added_to_this_programme(engine, world):
    """Uniqueness is per programme: the same collège can be in two districts' programmes."""
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        create_school(session, programme=programme, data=_new(uai=world.other_uai), author=LEADER)
        session.commit()
        holders = session.exec(select(School.programme_id).where(School.uai == world.other_uai)).all()
    assert sorted(holders) == sorted([world.programme_id, world.other_programme_id])


def test_the_second_of_two_concurrent_edits_is_refused_and_the_first_kept(engine, world):
    uai = world.uais[0]
    with Session(engine) as first, Session(engine) as second:
        programme_1, programme_2 = first.get(Programme, world.programme_id), second.get(Programme, world.programme_id)
        school_1 = school_or_none(first, programme=programme_1, uai=uai)
        school_2 = school_or_none(second, programme=programme_2, uai=uai)
        update_school(first, programme=programme_1, school=school_1, data=SchoolUpdate(version=1, teachers=42), author=LEADER)
        first.commit()
        with pytest.raises(StaleVersion) as refused:
            update_school(second, programme=programme_2, school=school_2, data=SchoolUpdate(version=1, teachers=7), author=LEADER)
        second.rollback()
    assert refused.value.current_version == 2 and refused.value.field == "version"
    with Session(engine) as session:
        school = session.exec(select(School).where(School.uai == uai, School.programme_id == world.programme_id)).one()
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "school", AuditEvent.entity_id == str(school.id))).all()
    assert (school.teachers, school.version) == (42, 2)
    assert [event.changes for event in events] == [{"teachers": [events[0].changes["teachers"][0], 42], "version": [1, 2]}]


def test_an_edit_changes_only_the_fields_given_and_moves_basins_by_code(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        school = school_or_none(session, programme=programme, uai=world.uais[0])
        name = school.name
        update_school(session, programme=programme, school=school, data=SchoolUpdate(version=1, basin="S", priority="REP"), author=LEADER)
        session.commit()
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "school")).one()
        assert school.name == name and school.priority == "REP" and school.version == 2
    assert event.changes["basin"] == ["N", "S"]


def test_a_school_with_recorded_progress_cannot_be_deleted(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        school, untouched = (school_or_none(session, programme=programme, uai=uai) for uai in world.uais[:2])
        session.add(Milestone(school_id=school.id, kind="leadership_briefed", status="in_progress"))
        session.add(Milestone(school_id=untouched.id, kind="leadership_briefed"))
        session.flush()
        with pytest.raises(InvalidChange, match="ne peut plus être supprimé"):
            delete_school(session, programme=programme, school=school, author=LEADER)
        delete_school(session, programme=programme, school=untouched, author=LEADER)
        session.commit()
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "delete")).one()
    assert event.changes["uai"] == [world.uais[1], None]
