"""Named what-if scenarios (`rollout.scenarios.records`): saved by name with edits that must apply
to the programme's current data, changed under optimistic locking, audited, solved as a plan of
the edited document, and never writing to the programme's own data."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.core.problems import InvalidChange, StaleVersion
from rollout.models import AuditEvent, Plan, Programme, Scenario, School
from rollout.planning.runs import run_plan
from rollout.scenarios.records import (
    add_edit, create_scenario, delete_scenario, queue_scenario_plan, remove_edit, scenario_document, update_scenario,
)
from tests.conftest import WORLD_EMAILS, World

# The tables of a programme's own data, which no what-if may write to.
PROGRAMME_TABLES = ("programme", "school", "basin", "wave", "trainer", "trainerbasin", "trainercapacity")
EDITS = [
    {"kind": "wave_caps", "wave": "W1", "max_schools": 1, "max_pupils": None},
    {"kind": "trainer_capacity", "trainer": "AT-001", "wave": "W2", "capacity": 0},
    {"kind": "cascade", "trainer_lag": 0},
    {"kind": "priority_weights", "REP+": 4.0, "REP": 2.0, "none": 1.0},
]


def _leader(world: World) -> Author:
    return Author(actor=WORLD_EMAILS["district_leader"], channel="form", user_id=world.user_ids["district_leader"])


def _programme_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {table: sorted(map(tuple, connection.execute(sa.text(f"SELECT * FROM {table}"))), key=repr)
                for table in PROGRAMME_TABLES}


def _create(engine: sa.Engine, world: World, name: str = "Moins de place", edits: list[dict[str, Any]] = EDITS) -> int:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        scenario = create_scenario(session, programme=programme, name=name, edits=edits, author=_leader(world),
                                   description="W1 réduite")
        session.commit()
        return scenario.id


def test_a_scenario_is_saved_by_name_with_its_edits_and_audited(engine: sa.Engine, world: World) -> None:
    scenario_id = _create(engine, world, name="  Moins de place ")
    with Session(engine) as session:
        scenario = session.get(Scenario, scenario_id)
        assert (scenario.name, scenario.description, scenario.edits, scenario.version) == ("Moins de place", "W1 réduite", EDITS, 1)
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.entity == "scenario")).all()
        assert (event.action, event.entity_id, event.actor, event.district_id) == (
            "create", str(scenario_id), WORLD_EMAILS["district_leader"], world.district_id)
        assert event.changes["name"] == [None, "Moins de place"] and event.changes["edits"] == [None, EDITS]


def test_the_document_is_the_programme_with_the_edits_named_after_the_scenario(engine: sa.Engine, world: World) -> None:
    scenario_id = _create(engine, world)
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        document = scenario_document(session, programme, session.get(Scenario, scenario_id))
    assert document["name"] == "Moins de place"
    assert (document["waves"][0]["max_schools"], document["waves"][1]["max_schools"]) == (1, 3)
    (at1,) = [t for t in document["trainers"] if t["id"] == "AT-001"]
    assert at1["capacity_by_wave"] == {"W2": 0} and at1["capacity"] == 8
    assert document["cascade"]["trainer_lag"] == 0
    assert document["objective"]["priority_weights"]["REP+"] == 4.0
    assert sorted(s["uai"] for s in document["schools"]) == sorted(world.uais)


def test_the_document_follows_the_programme_data_of_today(engine: sa.Engine, world: World) -> None:
    """Only edits are stored: a school added to the programme later is in the scenario too."""
    scenario_id = _create(engine, world)
    with Session(engine) as session:
        school = session.exec(select(School).where(School.uai == world.uais[0])).one()
        school.pupils = 1234
        session.add(school)
        session.commit()
        programme = session.get(Programme, world.programme_id)
        document = scenario_document(session, programme, session.get(Scenario, scenario_id))
    assert next(s for s in document["schools"] if s["uai"] == world.uais[0])["pupils"] == 1234


def test_a_taken_name_or_a_bad_edit_is_refused_naming_the_field_and_nothing_is_written(engine: sa.Engine, world: World) -> None:
    _create(engine, world)
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(InvalidChange) as taken:
            create_scenario(session, programme=programme, name="Moins de place", edits=[], author=_leader(world))
        assert (taken.value.field, taken.value.problems[0].code) == ("name", "scenario_name_taken")
        with pytest.raises(InvalidChange) as blank:
            create_scenario(session, programme=programme, name="  ", edits=[], author=_leader(world))
        assert (blank.value.field, blank.value.problems[0].code) == ("name", "required")
        with pytest.raises(InvalidChange) as bad:
            create_scenario(session, programme=programme, name="Autre", author=_leader(world), edits=[
                {"kind": "trainer_remove", "trainer": "AT-404"},
                {"kind": "school_pin", "uai": world.uais[0], "wave": "W9"},
            ])
        assert [(p.column, p.params["detail"]) for p in bad.value.problems] == [
            ("edits[0].trainer", "'AT-404' is not a trainer id"),
            ("edits[1].wave", "'W9' is not a wave id"),
        ]
        session.rollback()
        assert session.exec(select(sa.func.count()).select_from(Scenario)).one() == 1


def test_the_name_is_unique_per_programme_only(engine: sa.Engine, world: World) -> None:
    _create(engine, world, edits=[])
    with Session(engine) as session:
        other = session.get(Programme, world.other_programme_id)
        create_scenario(session, programme=other, name="Moins de place", edits=[], author=_leader(world))
        session.commit()


def test_edits_added_and_removed_under_optimistic_locking(engine: sa.Engine, world: World) -> None:
    scenario_id = _create(engine, world)
    lag = {"kind": "cascade", "trainer_lag": 2}
    with Session(engine) as session:
        programme, scenario = session.get(Programme, world.programme_id), session.get(Scenario, scenario_id)
        add_edit(session, programme=programme, scenario=scenario, version=1, author=_leader(world), edit=lag)
        remove_edit(session, programme=programme, scenario=scenario, version=2, author=_leader(world), index=0)
        update_scenario(session, programme=programme, scenario=scenario, version=3, author=_leader(world),
                        changes={"name": "Sans W1", "description": ""})
        session.commit()
    with Session(engine) as session:
        scenario = session.get(Scenario, scenario_id)
        assert (scenario.name, scenario.description, scenario.version) == ("Sans W1", None, 4)
        assert scenario.edits == [*EDITS[1:], lag]
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(StaleVersion) as stale:
            add_edit(session, programme=programme, scenario=scenario, version=2, author=_leader(world), edit=lag)
        assert stale.value.current_version == 4
        session.rollback()
        with pytest.raises(InvalidChange) as missing:
            remove_edit(session, programme=programme, scenario=session.get(Scenario, scenario_id), version=4,
                        author=_leader(world), index=9)
        assert missing.value.problems[0].code == "no_such_edit"
        with pytest.raises(InvalidChange) as bad:
            add_edit(session, programme=programme, scenario=session.get(Scenario, scenario_id), version=4,
                     author=_leader(world), edit={"kind": "cascade", "trainer_lag": -1})
        assert bad.value.field == "edits[4].trainer_lag"
        session.rollback()
        assert session.get(Scenario, scenario_id).version == 4
        updates = session.exec(select(AuditEvent).where(AuditEvent.entity == "scenario", AuditEvent.action == "update")).all()
        assert [event.changes["version"] for event in updates] == [[1, 2], [2, 3], [3, 4]]


def test_solving_a_scenario_queues_its_edited_document_and_the_programme_is_untouched(engine: sa.Engine, world: World) -> None:
    before = _programme_rows(engine)
    scenario_id = _create(engine, world)
    with Session(engine) as session:
        programme, scenario = session.get(Programme, world.programme_id), session.get(Scenario, scenario_id)
        add_edit(session, programme=programme, scenario=scenario, version=1, author=_leader(world),
                 edit={"kind": "school_pin", "uai": world.uais[0], "wave": "W3"})
        plan = queue_scenario_plan(session, programme=programme, scenario=scenario, name="Essai", time_limit=10, author=_leader(world))
        session.commit()
        plan_id = plan.id
    run_plan(engine, plan_id)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        assert (plan.status, plan.scenario_id, plan.name) == ("optimal", scenario_id, "Essai")
        assert plan.scenario["waves"][0]["max_schools"] == 1
        assert {"uai": world.uais[0], "wave": "W3"} in plan.result["assignments"]
        assert sum(1 for row in plan.result["assignments"] if row["wave"] == "W1") <= 1
    assert _programme_rows(engine) == before


def test_deleting_a_scenario_keeps_its_plans_unlinked(engine: sa.Engine, world: World) -> None:
    scenario_id = _create(engine, world)
    with Session(engine) as session:
        programme, scenario = session.get(Programme, world.programme_id), session.get(Scenario, scenario_id)
        plan = queue_scenario_plan(session, programme=programme, scenario=scenario, name="Essai", time_limit=5, author=_leader(world))
        session.commit()
        with pytest.raises(StaleVersion):
            delete_scenario(session, programme=programme, scenario=scenario, version=7, author=_leader(world))
        session.rollback()
        delete_scenario(session, programme=programme, scenario=session.get(Scenario, scenario_id), version=1, author=_leader(world))
        session.commit()
        assert session.get(Scenario, scenario_id) is None
        session.refresh(plan)
        assert plan.scenario_id is None and plan.scenario["name"] == "Moins de place"
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.entity == "scenario", AuditEvent.action == "delete")).all()
        assert event.changes["name"] == ["Moins de place", None]
