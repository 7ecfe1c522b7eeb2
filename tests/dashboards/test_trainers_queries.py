"""The trainers' load on SQLite and PostgreSQL: sessions from the adopted plan's document, as the
checker counts them, against today's capacities (per-wave overrides included)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from dashboards.queries.filters import Filters
from dashboards.queries.overview import selected_schools
from dashboards.queries.trainers import trainer_load
from rollout.models import Plan, Programme, Trainer, TrainerCapacity, Wave
from tests.rollout.tracking.tracking_world import adopt, tracked  # noqa: F401  (fixtures)


@pytest.fixture
def planned(engine, tracked):  # noqa: F811
    """`tracked` whose adopted plan runs sessions, one trainer unavailable in W2 since, and a
    trainer the plan names that the database no longer holds."""
    uais = sorted(tracked.uais)
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.programme_id == tracked.programme_id, Plan.is_baseline)).one()
        plan.result = plan.result | {
            "teacher_sessions": [
                {"trainer": "AT-001", "uai": uais[0], "wave": "W1", "sessions": 2},
                {"trainer": "AT-001", "uai": uais[1], "wave": "W1", "sessions": 3},
                {"trainer": "AT-002", "uai": uais[3], "wave": "W2", "sessions": 3},
                {"trainer": "AT-900", "uai": uais[4], "wave": "W3", "sessions": 4},
            ],
            "trainer_training": [{"vendor": "V-1", "wave": "W1", "trainers": ["AT-002"]}],
            "leadership_training": [{"vendor": "V-1", "wave": "W1", "schools": uais[:2]}],
        }
        plan.scenario = {"trainers": [{"id": "AT-900", "tier": "academic", "capacity": 5, "capacity_by_wave": {"W3": 3}}]}
        session.add(plan)
        away = session.exec(select(Trainer).where(Trainer.programme_id == tracked.programme_id, Trainer.code == "AT-002")).one()
        w2 = session.exec(select(Wave).where(Wave.programme_id == tracked.programme_id, Wave.code == "W2")).one()
        session.add(TrainerCapacity(trainer_id=away.id, wave_id=w2.id, capacity=0))
        session.commit()
    return tracked


def _load(engine, world, filters: Filters):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        schools = selected_schools(session, programme=programme, filters=filters)
        return trainer_load(session, programme=programme, schools=schools, filters=filters)


def test_sessions_come_from_the_plan_and_capacities_from_today(engine, planned) -> None:
    load = _load(engine, planned, Filters())
    assert load.waves == ["Vague 1", "Vague 2", "Vague 3"]
    rows = {row.name: row for row in load.trainers}
    assert [row.number for row in load.trainers] == [1, 2, 3, 4]  # by code: AT-001, AT-002, AT-900, V-1
    assert (rows["Formatrice Nord"].sessions, rows["Formatrice Nord"].capacity) == ([5, 0, 0], [8, 8, 8])
    assert (rows["Formateur Sud"].sessions, rows["Formateur Sud"].capacity) == ([0, 3, 0], [8, 0, 8])  # now away in W2
    assert (rows["AT-900"].sessions, rows["AT-900"].capacity) == ([0, 0, 4], [5, 5, 3])  # as the plan was solved
    assert (rows["Éditeur"].sessions, rows["Éditeur"].tier) == ([2, 0, 0], "vendor")  # a training and a briefing


def test_filters_narrow_waves_and_trainers_but_keep_their_numbers(engine, planned) -> None:
    by_wave = _load(engine, planned, Filters(wave="W2"))
    assert by_wave.waves == ["Vague 2"] and len(by_wave.trainers) == 4
    one_school = _load(engine, planned, Filters(school=sorted(planned.uais)[3]))
    assert [(row.number, row.name) for row in one_school.trainers] == [(2, "Formateur Sud")]


def test_no_adopted_plan_means_no_load(engine, planned) -> None:
    with Session(engine) as session:
        plan = session.exec(select(Plan).where(Plan.programme_id == planned.programme_id, Plan.is_baseline)).one()
        plan.is_baseline = False
        session.add(plan)
        session.commit()
    assert _load(engine, planned, Filters()) is None
