"""Waves: codes and positions unique, dates following the order, deletion refused while used."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from rollout.models import AuditEvent, Plan, Programme, School, Wave
from rollout.models.wave import WaveCreate, WaveUpdate
from rollout.imports.pipeline import apply_preview, read_preview
from rollout.core.problems import InvalidChange
from rollout.waves.table import WaveTable
from rollout.waves.records import create_wave, delete_wave, update_wave, wave_or_none
from rollout.core.author import Author

LEADER = Author(actor="direction@test.problems", channel="api")


def test_a_wave_after_the_last_is_created_and_audited(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        wave = create_wave(session, programme=programme, author=LEADER,
                           data=WaveCreate(code="W4", position=3, start_date=date(2016, 9, 1), end_date=date(2016, 12, 16)))
        session.commit()
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "wave")).one()
        assert (event.action, event.entity_id, event.changes["code"]) == ("create", str(wave.id), [None, "W4"])


def test_a_wave_breaking_uniqueness_or_order_is_refused(engine, world):
    cases = [
        ({"code": "W1", "position": 5, "start_date": date(2017, 1, 1), "end_date": date(2017, 2, 1)}, "code"),
        ({"code": "W4", "position": 2, "start_date": date(2017, 1, 1), "end_date": date(2017, 2, 1)}, "position"),
        ({"code": "W4", "position": 3, "start_date": date(2016, 5, 1), "end_date": date(2016, 9, 1)}, "start_date"),
        ({"code": "W4", "position": 3, "start_date": date(2017, 2, 1), "end_date": date(2017, 1, 1)}, "end_date"),
    ]
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        for data, column in cases:
            with pytest.raises(InvalidChange) as refused:
                create_wave(session, programme=programme, data=WaveCreate(**data), author=LEADER)
            assert refused.value.field == column


def test_moving_a_wave_into_the_next_one_is_refused(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        wave = wave_or_none(session, programme=programme, code="W1")
        with pytest.raises(InvalidChange, match="W2"):
            update_wave(session, programme=programme, wave=wave, data=WaveUpdate(end_date=date(2016, 2, 1), version=wave.version),
                        author=LEADER)


def test_deleting_a_wave_is_refused_while_schools_are_pinned_to_it_or_the_plan_uses_it(engine, world):
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        w1, w2, w3 = (wave_or_none(session, programme=programme, code=code) for code in ("W1", "W2", "W3"))
        school = session.exec(select(School).where(School.uai == world.uais[0], School.programme_id == programme.id)).one()
        school.pinned_wave_id = w1.id
        session.add(school)
        session.add(Plan(programme_id=programme.id, name="Plan adopté", status="optimal", scenario={}, is_baseline=True,
                         result={"assignments": [{"uai": world.uais[1], "wave": "W2"}]}))
        session.flush()
        with pytest.raises(InvalidChange, match=f"1 établissement.*{world.uais[0]}"):
            delete_wave(session, programme=programme, wave=w1, author=LEADER)
        with pytest.raises(InvalidChange, match="plan adopté « Plan adopté »"):
            delete_wave(session, programme=programme, wave=w2, author=LEADER)
        delete_wave(session, programme=programme, wave=w3, author=LEADER)
        session.commit()
        assert set(session.exec(select(Wave.code).where(Wave.programme_id == programme.id))) == {"W1", "W2"}
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "delete")).one().changes["code"] == ["W3", None]


def test_an_import_may_shift_every_wave_and_swap_positions_at_once(engine, world):
    """Checked on the waves as the whole file leaves them, not row by row (where shifting W1
    first would overlap W2)."""
    text = "\n".join([
        "Vague;Ordre;Début;Fin",
        "W1;1;04/01/2016;31/03/2016",
        "W2;0;01/09/2015;18/12/2015",
        "W3;2;04/04/2016;07/07/2016",
        "W4;3;01/09/2016;16/12/2016",
    ])
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = read_preview(session, importer=WaveTable(), programme=programme, data=text.encode(), filename="vagues.csv", today=date.today())
        assert (preview.counts["new"], preview.counts["changed"], preview.counts["unchanged"], preview.problems) == (1, 2, 1, [])
        apply_preview(session, importer=WaveTable(), programme=programme, preview=preview, author=LEADER, today=date.today())
        session.commit()
        order = session.exec(select(Wave.code).where(Wave.programme_id == programme.id).order_by(Wave.position)).all()
        assert order == ["W2", "W1", "W3", "W4"]
        moved = session.exec(select(AuditEvent).where(AuditEvent.entity == "wave", AuditEvent.action == "update")).all()
        assert sorted(tuple(event.changes["position"]) for event in moved) == [(0, 1), (1, 0)]


def test_an_import_reports_waves_out_of_order_on_their_rows(engine, world):
    text = "code;position;start_date;end_date\nW4;3;2016-06-01;2016-09-01\nW5;3;2016-10-01;2016-12-01\nW6;x;2017-01-01;2016-12-01"
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        preview = read_preview(session, importer=WaveTable(), programme=programme, data=text.encode(), filename="vagues.csv", today=date.today())
        problems = {(p.row, p.column) for p in preview.problems}
        assert problems == {(2, "start_date"), (3, "position"), (4, "position"), (4, "end_date")}
        assert not preview.confirmable
