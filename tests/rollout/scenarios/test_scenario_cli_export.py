"""`rollout scenario …` and the export promise: a scenario exported as rollout-scenario/1 and
solved by `rollout plan` gives the objective of the same scenario solved in the background."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from rollout.cli import main
from rollout.models import AuditEvent, Plan, Scenario
from rollout.planning import tasks
from rollout.planning.runs import run_plan

EDITS = [
    {"kind": "priority_weights", "REP+": 5.0, "REP": 3.0, "none": 1.0},
    {"kind": "wave_caps", "wave": "W1", "max_schools": 2, "max_pupils": None},
    {"kind": "trainer_capacity", "trainer": "AT-002", "wave": None, "capacity": 2},
]


@pytest.fixture
def rollout(engine, world, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ROLLOUT_INSTANCE_PATH", str(tmp_path / "instance"))
    return lambda *args: CliRunner().invoke(main, list(args))


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The plans handed to the queue, in order, instead of a worker."""
    handed: list[int] = []
    monkeypatch.setattr(tasks, "solve_plan", handed.append)
    return handed


def _objective(rollout, scenario_file: Path, tmp_path: Path) -> float:
    """`rollout plan` on a scenario file, as anyone outside the app would run it."""
    out = tmp_path / f"{scenario_file.stem}-plan.json"
    result = rollout("plan", str(scenario_file), "--out", str(out), "--deterministic", "--time-limit", "30", "--workers", "1")
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["status"] == "OPTIMAL"
    return plan["objective"]


def test_an_exported_scenario_solves_to_the_objective_of_the_background_solve(engine, world, rollout, tmp_path, enqueued) -> None:
    created = rollout("scenario", "create", "--programme", str(world.programme_id), "--name", "Pondéré",
                      "--edits", json.dumps(EDITS[:2]))
    assert created.exit_code == 0, created.output
    with Session(engine) as session:
        scenario_id = session.exec(select(Scenario.id)).one()
    added = rollout("scenario", "add-edit", str(scenario_id), json.dumps(EDITS[2]))
    assert added.exit_code == 0 and "3 edits (version 2)" in added.output, added.output

    exported = tmp_path / "pondere.json"
    result = rollout("scenario", "export", str(scenario_id), "--out", str(exported))
    assert result.exit_code == 0, result.output
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["objective"]["priority_weights"] == {"REP+": 5.0, "REP": 3.0, "none": 1.0}

    queued = rollout("scenario", "solve", str(scenario_id), "--name", "En arrière-plan", "--time-limit", "30")
    assert queued.exit_code == 0 and "queued" in queued.output, queued.output
    (plan_id,) = enqueued
    run_plan(engine, plan_id)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        assert (plan.status, plan.scenario_id) == ("optimal", scenario_id)
        background = plan.objective

    assert _objective(rollout, exported, tmp_path) == pytest.approx(background, abs=1e-6)
    # The edits are in the file: the programme as it is plans to another objective.
    with Session(engine) as session:
        session.add(Scenario(programme_id=world.programme_id, name="Tel quel"))
        session.commit()
        plain_id = session.exec(select(Scenario.id).where(Scenario.name == "Tel quel")).one()
    plain = tmp_path / "tel-quel.json"
    assert rollout("scenario", "export", str(plain_id), "--out", str(plain)).exit_code == 0
    assert _objective(rollout, plain, tmp_path) != pytest.approx(background)


def test_list_and_refusals_name_the_edit_and_write_nothing(engine, world, rollout) -> None:
    assert rollout("scenario", "create", "--programme", str(world.programme_id), "--name", "A").exit_code == 0
    listed = rollout("scenario", "list", "--programme", str(world.programme_id))
    assert listed.exit_code == 0 and "\tv1\t0 edits\tA" in listed.output
    refused = rollout("scenario", "create", "--programme", str(world.programme_id), "--name", "B",
                      "--edits", '[{"kind": "school_pin", "uai": "0930099Z", "wave": "W1"}]')
    assert refused.exit_code == 1 and "edits[0].uai" in refused.output and "'0930099Z' is not a school" in refused.output
    with Session(engine) as session:
        scenario_id = session.exec(select(Scenario.id)).one()
    stale = rollout("scenario", "add-edit", str(scenario_id), '{"kind": "cascade", "trainer_lag": 0}', "--version", "7")
    assert stale.exit_code == 1 and "version 7" in stale.output
    beyond = rollout("scenario", "add-edit", str(scenario_id), '{"kind": "cascade", "trainer_lag": 0}', "--version", str(2**31))
    assert beyond.exit_code == 2 and "--version" in beyond.output  # never reaches the database's INTEGER
    broken = rollout("scenario", "add-edit", str(scenario_id), '{"kind": ')
    assert broken.exit_code == 2 and "not valid JSON" in broken.output
    assert rollout("scenario", "export", "999", "--out", "x.json").exit_code == 1
    with Session(engine) as session:
        assert [s.edits for s in session.exec(select(Scenario))] == [[]]
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "scenario")).all()
        assert [(event.action, event.channel) for event in events] == [("create", "cli")]
