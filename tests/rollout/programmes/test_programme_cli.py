"""`rollout programme create|update|show`: the same rules as the pages, audited as the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from rollout.cli import main
from rollout.models import AuditEvent, Programme


@pytest.fixture
def rollout(engine, world, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    return lambda *args: CliRunner().invoke(main, list(args))


def test_create_then_update_then_show(engine, world, rollout):
    created = rollout("programme", "create", "--district", "094", "--name", "ENT 2026", "--platform", "Nouvel ENT",
                      "--start", "2026-09-01", "--trainer-lag", "2", "--weight-rep-plus", "2.5")
    assert created.exit_code == 0, created.output
    with Session(engine) as session:
        programme = session.exec(select(Programme).where(Programme.name == "ENT 2026")).one()
        assert (programme.district_id, programme.trainer_lag, programme.weight_rep_plus) == (world.other_district_id, 2, 2.5)
    updated = rollout("programme", "update", str(programme.id), "--version", "1", "--teachers-per-session", "20")
    assert updated.exit_code == 0 and "updated (version 2)" in updated.output, updated.output
    shown = rollout("programme", "show", str(programme.id))
    assert "teachers_per_session: 20" in shown.output and "district: 094" in shown.output and "version: 2" in shown.output
    with Session(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "programme").order_by(AuditEvent.id)).all()
        assert [(event.action, event.channel) for event in events] == [("create", "cli"), ("update", "cli")]


def test_refusals_exit_non_zero_naming_the_field_and_write_nothing(engine, world, rollout):
    cases = [
        (("create", "--district", "093", "--name", "ENT 093", "--platform", "ENT", "--start", "2026-09-01"), "name = 'ENT 093'"),
        (("create", "--name", "X", "--platform", "ENT", "--start", "2026-09-01"), "district"),
        (("create", "--district", "093", "--name", "X", "--platform", "ENT", "--start", "2026-09-01", "--weight-rep", "0"),
         "weight_rep = '0.0' : doit être > 0"),
        (("update", str(world.programme_id), "--version", "7", "--trainer-lag", "0"), "quelqu'un d'autre a enregistré"),
    ]
    for args, said in cases:
        result = rollout("programme", *args)
        assert result.exit_code == 1 and said in result.output, result.output
    with Session(engine) as session:
        assert len(session.exec(select(Programme)).all()) == 2
        assert session.get(Programme, world.programme_id).trainer_lag == 1
        assert session.exec(select(AuditEvent).where(AuditEvent.entity == "programme")).all() == []
