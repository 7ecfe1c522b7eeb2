"""The training-sessions file through the import pipeline (`SessionTable`): French or English
headers with aliases, `;` and Windows-1252, every invalid row reported with row, column, value
and nothing written, a re-import that changes nothing and says so, and the key that replaces."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from rollout.core.author import Author
from rollout.imports.pipeline import import_file
from rollout.imports.tabular import TableError
from rollout.models import ImportBatch, Programme, Trainer
from rollout.models.training import TrainingSession, TrainingTrainee
from rollout.training.record_imports import RECORD_IMPORTERS
from tests.conftest import World

TODAY = date(2016, 6, 1)
AUTHOR = Author(actor="projet@test.invalid", channel="cli")


def _written(batch: ImportBatch | None) -> dict[str, int] | None:
    """The counts the import batch wrote, None when nothing was written."""
    return None if batch is None else {"new": batch.rows_new, "changed": batch.rows_replaced, "unchanged": batch.rows_unchanged}


def _import(engine: sa.Engine, world: World, data: bytes, *, dry_run: bool = False, name: str = "seances.csv"):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview, batch = import_file(session, importer=RECORD_IMPORTERS["sessions"](), programme=programme, data=data, filename=name,
                                     author=AUTHOR, today=TODAY, dry_run=dry_run)
        session.commit()
        return preview.counts, _written(batch)


def _sessions(engine: sa.Engine) -> list[TrainingSession]:
    with Session(engine) as session:
        return list(session.exec(select(TrainingSession).order_by(TrainingSession.id)))


def _english(world: World) -> bytes:
    first, second = world.uais[:2]
    return (
        "date,trainer,audience,uai,modality,hours,attendees,status,reference\n"
        "2015-09-10,V-1,trainers,,face_to_face,6,2,held,\n"
        f"2015-10-05,AT-002,teachers,{first},online,1.5,12,held,S-1\n"
        f"12/10/2015,AT-001,leadership,{second},hybrid,\"2,5\",3,cancelled,\n"
    ).encode()


def test_an_english_file_is_imported_then_reimported_unchanged(engine: sa.Engine, world: World) -> None:
    counts, written = _import(engine, world, _english(world), dry_run=True)
    assert counts == {"new": 3, "changed": 0, "unchanged": 0} and written is None and _sessions(engine) == []
    counts, written = _import(engine, world, _english(world))
    assert counts == written == {"new": 3, "changed": 0, "unchanged": 0}
    stored = _sessions(engine)
    assert [(s.audience, s.modality, s.hours, s.status, s.reference) for s in stored] == [
        ("trainers", "face_to_face", 6.0, "held", None), ("teachers", "online", 1.5, "held", "S-1"),
        ("leadership", "hybrid", 2.5, "cancelled", None)]
    counts, written = _import(engine, world, _english(world))
    assert counts == {"new": 0, "changed": 0, "unchanged": 3} and written is None  # nothing to write: nothing written
    assert [s.version for s in _sessions(engine)] == [1, 1, 1]


def test_a_french_windows_file_with_semicolons_and_aliases(engine: sa.Engine, world: World) -> None:
    text = ("Date session;Code formateur;Public;RNE;Modalité;Durée heures;Présents;Statut;Id session\r\n"
            f"05/10/2015;AT-002;Enseignants;{world.uais[0]};Présentiel;3,5;10;Réalisée;ABC\r\n"
            f"06/10/2015;AT-002;Direction;{world.uais[1]};Distanciel;1;2;Annulée;\r\n")
    counts, _ = _import(engine, world, text.encode("cp1252"))
    assert counts["new"] == 2
    assert [(s.audience, s.modality, s.hours, s.status) for s in _sessions(engine)] == [
        ("teachers", "face_to_face", 3.5, "held"), ("leadership", "online", 1.0, "cancelled")]


def test_every_invalid_row_is_reported_and_nothing_written(engine: sa.Engine, world: World) -> None:
    first = world.uais[0]
    data = ("date,trainer,audience,uai,modality,hours,attendees\n"
            f"2015-10-05,AT-002,teachers,{first},online,1,12\n"
            f"2015-10-05,AT-999,teachers,{first},by post,1,12\n"
            "2015-02-30,AT-002,teachers,,online,-1,x\n"
            f"2015-10-07,AT-002,pupils,{first},online,1,1\n").encode()
    with pytest.raises(TableError) as refused:
        _import(engine, world, data)
    assert [(p.row, p.column, p.value, p.code) for p in refused.value.problems] == [
        (3, "modality", "by post", "one_of"),
        (4, "date", "2015-02-30", "no_such_day"), (4, "hours", "-1", "more_than"), (4, "attendees", "x", "integer_expected"),
        (5, "audience", "pupils", "one_of"),
    ]
    assert _sessions(engine) == []


def test_rule_problems_name_the_row_and_the_value(engine: sa.Engine, world: World) -> None:
    data = ("date,trainer,audience,uai,modality,hours,attendees\n"
            f"2015-10-05,AT-999,teachers,{world.uais[0]},online,1,12\n"
            f"2015-10-05,AT-002,teachers,{world.other_uai},online,1,12\n"
            f"2016-07-01,AT-002,teachers,{world.uais[0]},online,1,12\n"
            f"2015-10-06,AT-002,teachers,{world.uais[0]},online,1,99999\n").encode()
    with pytest.raises(TableError) as refused:
        _import(engine, world, data)
    assert [(p.row, p.column, p.value, p.code) for p in refused.value.problems] == [
        (2, "trainer", "AT-999", "training_trainer_unknown"), (3, "uai", world.other_uai, "training_school_unknown"),
        (4, "date", "2016-07-01", "training_held_in_future"), (5, "attendees", "99999", "training_attendees_above_teachers"),
    ]
    assert "ligne 5" in str(refused.value) and _sessions(engine) == []


def test_a_row_with_a_stored_key_replaces_the_session(engine: sa.Engine, world: World) -> None:
    _import(engine, world, _english(world))
    changed = _english(world).replace(b"online,1.5,12,held,S-1", b"online,2,11,held,S-1").replace(b",2,held,\n", b",3,held,\n")
    counts, written = _import(engine, world, changed)
    assert counts == written == {"new": 0, "changed": 2, "unchanged": 1}
    stored = _sessions(engine)
    assert len(stored) == 3 and (stored[1].hours, stored[1].attendees, stored[1].version) == (2.0, 11, 2)
    moved = _english(world).replace(b"2015-10-05,AT-002", b"2015-10-06,AT-002")  # same reference S-1, another day
    counts, _ = _import(engine, world, moved)
    assert counts["changed"] >= 1 and len(_sessions(engine)) == 3 and _sessions(engine)[1].held_on == date(2015, 10, 6)


def test_a_trainers_session_of_the_file_trains_and_marks_the_plans_trainees(engine: sa.Engine, world: World) -> None:
    from rollout.models import Plan

    with Session(engine) as session:
        session.add(Plan(programme_id=world.programme_id, name="Référence", status="feasible", is_baseline=True, scenario={},
                         result={"assignments": [], "trainer_training": [{"wave": "W1", "vendor": "V-1", "trainers": ["AT-002"]}]}))
        session.commit()
    _import(engine, world, _english(world).split(b"\n2015-10-05")[0] + b"\n")
    with Session(engine) as session:
        trainer = session.exec(select(Trainer).where(Trainer.code == "AT-002")).one()
        assert trainer.trained
        assert session.exec(select(TrainingTrainee.trainer_id)).all() == [trainer.id]


def test_an_xlsx_file_reads_like_its_csv(engine: sa.Engine, world: World) -> None:
    from rollout.imports.export import table_bytes

    header = ["Date", "Formateur", "Public", "UAI", "Modalité", "Durée", "Participants"]
    rows = [["2015-10-05", "AT-002", "enseignants", world.uais[0], "hybride", "1,5", "4"]]
    counts, written = _import(engine, world, table_bytes(header, rows, fmt="xlsx", sheet="Séances"), name="seances.xlsx")
    assert written == {"new": 1, "changed": 0, "unchanged": 0}
    assert [(s.modality, s.hours, s.attendees) for s in _sessions(engine)] == [("hybrid", 1.5, 4)]
