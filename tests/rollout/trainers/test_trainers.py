"""Trainers: basins served (rank 0 = home) and per-wave capacities, by domain call and import."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent, Programme, TrainerBasin, TrainerCapacity
from rollout.models.trainer import TrainerCreate, TrainerUpdate
from rollout.imports.pipeline import ImportConflict, apply_preview, read_preview
from rollout.core.problems import InvalidChange
from rollout.trainers.table import TrainerTable
from rollout.trainers.records import create_trainer, trainer_or_none, trainer_snapshot, update_trainer
from rollout.core.author import Author

LEADER = Author(actor="direction@test.problems", channel="form")


def test_a_trainer_serves_its_basins_in_rank_order_with_capacity_overrides(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        trainer = create_trainer(session, programme=programme, author=LEADER, data=TrainerCreate(
            code="AT-003", name="Formatrice", tier="academic", capacity=8, basins=["S", "N"], capacities={"W2": 0}))
        session.commit()
        ranks = session.exec(select(TrainerBasin.rank).where(TrainerBasin.trainer_id == trainer.id).order_by(TrainerBasin.rank)).all()
        assert trainer_snapshot(session, trainer)["basins"] == ["S", "N"] and ranks == [0, 1]
        assert session.exec(select(TrainerCapacity.capacity).where(TrainerCapacity.trainer_id == trainer.id)).all() == [0]
        assert not trainer.all_basins


def test_unknown_basins_and_waves_and_a_taken_code_are_refused(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        with pytest.raises(InvalidChange) as refused:
            create_trainer(session, programme=programme, author=LEADER, data=TrainerCreate(
                code="AT-003", name="F", tier="academic", basins=["N", "Z"], capacities={"W9": 1}))
        assert {(p.column, p.value) for p in refused.value.problems} == {("basins", "Z"), ("capacities", "W9")}
        with pytest.raises(InvalidChange, match="déjà dans le programme"):
            create_trainer(session, programme=programme, author=LEADER,
                           data=TrainerCreate(code="AT-001", name="F", tier="academic"))


def test_changing_a_home_basin_is_audited_old_to_new(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        trainer = trainer_or_none(session, programme=programme, code="AT-001")
        update_trainer(session, programme=programme, trainer=trainer,
                       data=TrainerUpdate(basins=["S"], trained=False, version=trainer.version), author=LEADER)
        session.commit()
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "trainer")).one()
        assert event.changes == {"basins": [["N", "S"], ["S"]], "trained": [True, False], "version": [1, 2]}


def test_trainer_import_reads_french_cells_and_reports_bad_ones(engine, world):
    text = "\n".join([
        "Code;Nom;Niveau;Capacité;Formé;Bassins;Capacités par vague",
        "AT-001;Formatrice Nord;academic;10;oui;N S;W3=2",
        "AT-009;Relais;relay;2;non;*;",
        "AT-010;Sans bassin;relay;2;peut-être;;W9=1",
        "AT-011;Inconnu;chef;2;non;Z;",
    ])
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = read_preview(session, importer=TrainerTable(), programme=programme, data=text.encode(), filename="formateurs.csv", today=date.today())
        assert {(p.row, p.column, p.value) for p in preview.problems} == {
            (4, "trained", "peut-être"), (4, "basins", ""), (4, "capacities", "W9"), (5, "tier", "chef"), (5, "basins", "Z"),
        }
        changed = next(entry for entry in preview.payload if entry.key == "AT-001")
        assert changed.changes == {"capacity": [8, 10], "capacities": [{}, {"W3": 2}]}

        valid = "\n".join(text.splitlines()[:3])
        preview = read_preview(session, importer=TrainerTable(), programme=programme, data=valid.encode(), filename="formateurs.csv", today=date.today())
        apply_preview(session, importer=TrainerTable(), programme=programme, preview=preview, author=LEADER, today=date.today())
        session.commit()
        relay = trainer_or_none(session, programme=programme, code="AT-009")
        assert relay.all_basins and trainer_snapshot(session, relay)["basins"] is None


def test_a_trainer_import_confirmed_after_someone_edited_the_trainer_is_refused(engine, world):
    """The preview read AT-001 at one version; someone else's edit committed before the
    confirmation moves it on: confirming is refused, naming the row and the version, and the
    other edit stays."""
    text = "\n".join(["Code;Nom;Niveau;Capacité;Formé;Bassins", "AT-001;Nom importé;academic;8;oui;N S"])
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = read_preview(session, importer=TrainerTable(), programme=programme, data=text.encode(), filename="f.csv", today=date.today())
        trainer = trainer_or_none(session, programme=programme, code="AT-001")
        update_trainer(session, programme=programme, trainer=trainer,
                       data=TrainerUpdate(name="Nom saisi", version=trainer.version), author=LEADER)
        session.commit()
        with pytest.raises(ImportConflict) as refused:
            apply_preview(session, importer=TrainerTable(), programme=programme, preview=preview, author=LEADER, today=date.today())
        session.rollback()
        assert (refused.value.problems[0].row, refused.value.problems[0].column) == (2, "version")
        assert trainer_or_none(session, programme=programme, code="AT-001").name == "Nom saisi"
