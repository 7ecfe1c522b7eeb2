"""Basins: created with a new code, renamed, deleted only when no school is in them; each audited."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent, Programme, TrainerBasin
from rollout.models.school import BasinCreate, BasinUpdate
from rollout.basins.records import basin_or_none, create_basin, delete_basin, update_basin
from rollout.core.problems import InvalidChange
from rollout.core.author import Author

LEADER = Author(actor="direction@test.invalid", channel="form")


def test_basins_are_created_renamed_and_deleted_when_empty(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(InvalidChange, match="déjà dans le programme"):
            create_basin(session, programme=programme, data=BasinCreate(code="N", name="Autre Nord"), author=LEADER)
        east = create_basin(session, programme=programme, data=BasinCreate(code="E", name="Est"), author=LEADER)
        update_basin(session, programme=programme, basin=east, data=BasinUpdate(name="Est (Montreuil)"), author=LEADER)
        with pytest.raises(InvalidChange, match="3 établissement"):
            delete_basin(session, programme=programme, basin=basin_or_none(session, programme=programme, code="N"), author=LEADER)
        delete_basin(session, programme=programme, basin=east, author=LEADER)
        session.commit()
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "basin").order_by(AuditEvent.id)).all()
        assert [(event.action, event.changes.get("name")) for event in events] == [
            ("create", [None, "Est"]), ("update", ["Est", "Est (Montreuil)"]), ("delete", ["Est (Montreuil)", None]),
        ]


def test_deleting_an_empty_basin_stops_trainers_serving_it(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        east = create_basin(session, programme=programme, data=BasinCreate(code="E", name="Est"), author=LEADER)
        session.add(TrainerBasin(trainer_id=session.exec(select(TrainerBasin.trainer_id)).first(), basin_id=east.id, rank=5))
        session.flush()
        delete_basin(session, programme=programme, basin=east, author=LEADER)
        session.commit()
        assert session.exec(select(TrainerBasin).where(TrainerBasin.basin_id == east.id)).all() == []
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "delete")).one()
        assert event.changes["trainers_serving"] == [1, 0]
