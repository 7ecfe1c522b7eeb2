"""Creating and editing a programme through its domain functions: one name per district, every
value checked with the field named, edits refused when based on an old version, all audited."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.core.problems import InvalidChange, StaleVersion, describe, problems_of
from rollout.models import AuditEvent, District, Programme
from rollout.models.organisation import ProgrammeCreate, ProgrammeUpdate
from rollout.programmes.records import chosen_district, create_programme, update_programme, visible_districts

LEADER = Author(actor="direction@test.invalid", channel="form")


def _new(**values) -> ProgrammeCreate:
    return ProgrammeCreate.model_validate({"name": "ENT 2026", "platform": "Nouvel ENT", "start_date": "2026-09-01", **values})


def test_a_programme_is_created_with_its_settings_and_audited(engine, world):
    with Session(engine) as session:
        district = session.get(District, world.district_id)
        programme = create_programme(session, district=district, data=_new(trainer_lag=2, weight_rep_plus=3, weight_rep=1.5),
                                     author=LEADER)
        session.commit()
        stored = session.get(Programme, programme.id)
        assert (stored.district_id, stored.trainer_lag, stored.weight_rep_plus, stored.weight_rep, stored.weight_none) == (
            world.district_id, 2, 3.0, 1.5, 1.0)
        assert (stored.teachers_per_session, stored.version, stored.start_date) == (15, 1, date(2026, 9, 1))
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "programme")).one()
        assert (event.action, event.entity_id, event.district_id, event.actor) == ("create", str(programme.id), world.district_id,
                                                                                  LEADER.actor)
        assert event.changes["district"] == [None, "093"] and event.changes["weight_rep_plus"] == [None, 3.0]


def test_a_name_taken_in_the_district_is_refused_naming_the_field_but_free_in_another(engine, world):
    with Session(engine) as session:
        district, other = session.get(District, world.district_id), session.get(District, world.other_district_id)
        with pytest.raises(InvalidChange) as refused:
            create_programme(session, district=district, data=_new(name=" ENT 093 "), author=LEADER)
        assert refused.value.field == "name" and "un programme de ce district porte déjà ce nom" in str(refused.value)
        session.rollback()
        create_programme(session, district=other, data=_new(name="ENT 093"), author=LEADER)
        session.commit()
        assert len(session.exec(select(Programme).where(Programme.name == "ENT 093")).all()) == 2


@pytest.mark.parametrize(("values", "field", "reason"), [
    ({"weight_rep": 0}, "weight_rep", "doit être > 0"),
    ({"weight_none": 101}, "weight_none", "doit être ≤ 100"),
    ({"weight_rep_plus": float("nan")}, "weight_rep_plus", "nombre attendu"),
    ({"teachers_per_session": 0}, "teachers_per_session", "doit être ≥ 1"),
    ({"trainer_lag": -1}, "trainer_lag", "doit être ≥ 0"),
    ({"trainer_lag": None}, "trainer_lag", "valeur obligatoire"),
    ({"start_date": None}, "start_date", "valeur obligatoire"),
    ({"start_date": "2026-02-30"}, "start_date", "date attendue"),
    ({"name": "  "}, "name", "valeur obligatoire"),
])
def test_bad_values_are_refused_naming_the_field_and_the_value(values, field, reason):
    given = {"name": "ENT", "platform": "ENT", "start_date": "2026-09-01", **values}
    with pytest.raises(ValidationError) as refused:
        ProgrammeCreate.model_validate(given)
    [problem] = problems_of(refused.value, given)
    assert problem.column == field and reason in describe(problem)


def test_an_edit_from_an_old_version_is_refused_and_the_first_edit_stays(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        update_programme(session, programme=programme, data=ProgrammeUpdate(version=1, trainer_lag=3, weight_rep_plus=2.0),
                         author=LEADER)
        session.commit()
        with pytest.raises(StaleVersion) as stale:
            update_programme(session, programme=programme, data=ProgrammeUpdate(version=1, trainer_lag=0), author=LEADER)
        assert stale.value.current_version == 2 and stale.value.field == "version"
        session.rollback()
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        assert (programme.trainer_lag, programme.weight_rep_plus, programme.version) == (3, 2.0, 2)
        [event] = session.exec(select(AuditEvent).where(AuditEvent.entity == "programme")).all()
        assert event.action == "update"
        assert event.changes == {"trainer_lag": [1, 3], "weight_rep_plus": [1.0, 2.0], "version": [1, 2]}


def test_renaming_onto_another_programme_of_the_district_is_refused(engine, world):
    with Session(engine) as session:
        district = session.get(District, world.district_id)
        create_programme(session, district=district, data=_new(name="Second"), author=LEADER)
        session.commit()
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(InvalidChange) as refused:
            update_programme(session, programme=programme, data=ProgrammeUpdate(version=1, name="Second"), author=LEADER)
        assert refused.value.field == "name"
        session.rollback()
        assert session.get(Programme, world.programme_id).name == "ENT 093"


def test_the_district_is_one_of_the_persons_and_named_when_they_have_several(engine, world):
    with Session(engine) as session:
        mine = visible_districts(session, district_ids={world.district_id})
        assert chosen_district(mine, None).code == "093"
        with pytest.raises(InvalidChange, match="aucun de vos districts") as refused:
            chosen_district(mine, "094")
        assert refused.value.field == "district"
        with pytest.raises(InvalidChange, match="093, 094"):
            chosen_district(visible_districts(session, district_ids=None), None)
