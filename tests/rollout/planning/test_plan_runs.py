"""Plans solved in the background (`rollout.planning.runs`): the run's state and progress in the
plan's row, a leader's stop, a failing solve, and a worker killed in the middle of a solve."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from planner import solve
from planner.checker import check_plan
from rollout import queue
from rollout.core.author import Author
from rollout.models import AuditEvent, Plan, Programme, School
from rollout.planning.plans import PlanningError, adoptable
from rollout.planning.runs import MAX_TIME_LIMIT, STALE_AFTER, WORKER_DIED, queue_plan, reap_stale, request_stop, run_plan
from tests.conftest import WORLD_EMAILS, World

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from bench.scenarios import build_scenario as benchmark_scenario

# Deadlines for what takes a second or two here; far above it, so that a slow machine does not fail.
WAIT_SECONDS = 60.0
# Créteil's 362 schools: its first plan comes in a fraction of a second, its proof takes most of
# a minute (docs/benchmarks.md), so a solve of it is still running when a test acts on it.
LONG_TIME_LIMIT = 300.0


@cache
def _creteil() -> dict[str, Any]:
    return benchmark_scenario("creteil")


def _leader(world: World) -> Author:
    return Author(actor=WORLD_EMAILS["district_leader"], channel="form", user_id=world.user_ids["district_leader"])


def _queue(engine: sa.Engine, world: World, *, time_limit: float = 10.0) -> int:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        plan = queue_plan(session, programme=programme, name="Scénario", time_limit=time_limit, author=_leader(world))
        session.commit()
        return plan.id


def _queue_long_solve(engine: sa.Engine, world: World) -> int:
    """A queued plan of the Créteil benchmark, stored as queue_plan would store it."""
    with Session(engine) as session:
        plan = Plan(programme_id=world.programme_id, name="Créteil", status="queued", scenario=_creteil(),
                    time_limit=LONG_TIME_LIMIT)
        session.add(plan)
        session.commit()
        return plan.id


def _read(engine: sa.Engine, plan_id: int) -> Plan:
    with Session(engine) as session:
        return session.get(Plan, plan_id)


def _wait_for(condition: Callable[[], Any], what: str) -> Any:
    """Poll `condition` until it holds, failing after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    pytest.fail(f"{what}: not within {WAIT_SECONDS:g} s")


def test_a_queued_plan_keeps_its_scenario_and_is_solved_with_its_progress(engine: sa.Engine, world: World) -> None:
    plan_id = _queue(engine, world)
    queued = _read(engine, plan_id)
    assert (queued.status, queued.time_limit, queued.started_at) == ("queued", 10.0, None)
    with Session(engine) as session:
        # Edits after queueing do not change what is solved: the plan is the programme as it was.
        session.execute(sa.update(School).where(School.programme_id == world.programme_id).values(pupils=1))
        session.commit()
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "plan")).one()
        assert event.action == "create" and event.changes["status"] == [None, "queued"]
    assert all(school["pupils"] > 1 for school in _read(engine, plan_id).scenario["schools"])

    seen_while_solving = []

    def solver(*args: Any, **kwargs: Any):
        seen_while_solving.append(_read(engine, plan_id).status)
        return solve(*args, **kwargs)

    run_plan(engine, plan_id, solver=solver)
    plan = _read(engine, plan_id)
    assert seen_while_solving == ["solving"]
    assert plan.status == "optimal" and plan.failure is None and not plan.stop_requested
    assert check_plan(plan.scenario, plan.result) == []
    assert plan.objective == plan.result["objective"] == plan.bound and plan.gap == 0
    assert plan.progress and all(len(point) == 3 for point in plan.progress)
    assert plan.progress[-1][1] == plan.objective  # the curve ends at the plan kept
    assert plan.started_at <= plan.heartbeat_at == plan.finished_at and plan.elapsed > 0
    assert adoptable(plan)

    run_plan(engine, plan_id)  # a task delivered twice solves nothing again
    assert _read(engine, plan_id).finished_at == plan.finished_at


def test_time_limits_go_up_to_ten_minutes(engine: sa.Engine, world: World) -> None:
    with Session(engine) as session:
        programme = session.get(Programme, world.programme_id)
        for refused in (0.5, MAX_TIME_LIMIT + 1):
            with pytest.raises(PlanningError, match="between 1 and 600 seconds"):
                queue_plan(session, programme=programme, name="Trop long", time_limit=refused, author=_leader(world))
        assert queue_plan(session, programme=programme, name="Dix minutes", time_limit=600, author=_leader(world)).time_limit == 600


def test_a_failing_solve_leaves_the_plan_failed_with_the_reason(engine: sa.Engine, world: World) -> None:
    plan_id = _queue(engine, world)

    def solver(*_args: Any, **_kwargs: Any):
        raise MemoryError("plus de mémoire pour le modèle")

    run_plan(engine, plan_id, solver=solver)
    plan = _read(engine, plan_id)
    assert plan.status == "failed" and plan.failure == "MemoryError: plus de mémoire pour le modèle"
    assert plan.finished_at is not None and plan.result is None and not adoptable(plan)


def test_a_plan_stopped_before_a_worker_takes_it_is_never_solved(engine: sa.Engine, world: World) -> None:
    plan_id = _queue(engine, world)
    with Session(engine) as session:
        plan = session.get(Plan, plan_id)
        assert request_stop(session, programme=session.get(Programme, world.programme_id), plan=plan, author=_leader(world))
        session.commit()

    def solver(*_args: Any, **_kwargs: Any):
        raise AssertionError("a stopped plan must not be solved")

    run_plan(engine, plan_id, solver=solver)
    plan = _read(engine, plan_id)
    assert plan.status == "stopped" and plan.result is None and not adoptable(plan)


def test_a_stop_request_ends_a_long_solve_keeping_the_best_plan(engine: sa.Engine, world: World) -> None:
    plan_id = _queue_long_solve(engine, world)
    solving = threading.Thread(target=run_plan, args=(engine, plan_id))
    solving.start()
    try:
        _wait_for(lambda: _read(engine, plan_id).progress, "a first plan written as progress")
        with Session(engine) as session:
            plan = session.get(Plan, plan_id)
            assert plan.status == "solving"
            assert request_stop(session, programme=session.get(Programme, world.programme_id), plan=plan, author=_leader(world))
            session.commit()
    finally:
        solving.join(timeout=WAIT_SECONDS)
    assert not solving.is_alive(), "the solve went on after the stop request"
    plan = _read(engine, plan_id)
    assert plan.status == "stopped" and plan.elapsed < LONG_TIME_LIMIT / 2
    assert check_plan(plan.scenario, plan.result) == [] and len(plan.result["assignments"]) == 362
    assert plan.objective == plan.result["objective"] and plan.gap > 0
    assert adoptable(plan)


@pytest.fixture
def queue_file(tmp_path: Path) -> Iterator[str]:
    """The shared Huey instance on an empty SQLite queue of this test's, then put back."""
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    previous = queue.huey.storage
    queue.configure(url)
    yield url
    queue.huey.storage.close()
    queue.huey.storage = previous


def test_a_killed_worker_leaves_the_plan_failed(engine: sa.Engine, world: World, queue_file: str, tmp_path: Path) -> None:
    from rollout.planning.tasks import solve_plan

    plan_id = _queue_long_solve(engine, world)
    env = {**os.environ, "ROLLOUT_QUEUE_URL": queue_file, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "PYTHONPATH": str(ROOT), "PATH": f"{BIN}:{os.environ['PATH']}"}
    # A session of its own, so that killing its process group kills the consumer and its workers.
    worker = subprocess.Popen([str(BIN / "rollout"), "worker"], cwd=tmp_path, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        solve_plan(plan_id)
        _wait_for(lambda: _read(engine, plan_id).progress, "the worker solving and writing its progress")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=WAIT_SECONDS)
    last_news = _read(engine, plan_id).heartbeat_at
    assert _read(engine, plan_id).status == "solving"  # nobody is left to say otherwise

    with Session(engine) as session:
        assert reap_stale(session, last_news + STALE_AFTER / 2) == []  # quiet for a while is not dead yet
        assert reap_stale(session, last_news + STALE_AFTER + STALE_AFTER / 10) == [plan_id]
        session.commit()
    plan = _read(engine, plan_id)
    assert plan.status == "failed" and plan.failure == WORKER_DIED and plan.finished_at > last_news


def test_migration_0011_gives_stored_plans_the_run_statuses_and_back(database_url: str) -> None:
    from datetime import date

    from rollout.db import downgrade, make_engine, upgrade

    engine = make_engine(database_url)
    upgrade(engine, "0010")
    # Raw SQL: the models describe the newest schema, not 0010's.
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO district (code, name, created_at) VALUES ('093', 'Seine-Saint-Denis', CURRENT_TIMESTAMP)"))
        connection.execute(sa.text(
            "INSERT INTO programme (district_id, name, platform, start_date, simulated, teachers_per_session, trainers_per_session,"
            " schools_per_leadership_session, trainer_lag, weight_none, weight_rep, weight_rep_plus, created_at)"
            " SELECT id, 'ENT', 'ENT', :start, false, 15, 8, 6, 1, 1, 1, 1, CURRENT_TIMESTAMP FROM district"
        ), {"start": date(2015, 9, 1)})
        programme_id = connection.execute(sa.text("SELECT id FROM programme")).scalar_one()
    old = {"OPTIMAL": 1.0, "FEASIBLE": 2.0, "INFEASIBLE": None, "UNKNOWN": None}
    with engine.begin() as connection:
        for status, objective in old.items():
            connection.execute(sa.text(
                "INSERT INTO plan (programme_id, name, status, scenario, objective, is_baseline, created_at) "
                "VALUES (:programme, :name, :status, '{}', :objective, false, CURRENT_TIMESTAMP)"
            ), {"programme": programme_id, "name": status, "status": status, "objective": objective})
    upgrade(engine)
    with Session(engine) as session:
        plans = {plan.name: plan for plan in session.exec(select(Plan))}
        assert {name: plan.status for name, plan in plans.items()} == {
            "OPTIMAL": "optimal", "FEASIBLE": "feasible", "INFEASIBLE": "infeasible", "UNKNOWN": "failed"}
        assert plans["UNKNOWN"].failure == "no plan was found within the time limit"
        assert all(plan.progress == [] and not plan.stop_requested for plan in plans.values())
        session.execute(sa.update(Plan).where(Plan.name == "FEASIBLE").values(status="stopped"))
        session.commit()
    downgrade(engine, "0010")
    with engine.connect() as connection:
        assert dict(connection.execute(sa.text("SELECT name, status FROM plan")).all()) == {
            "OPTIMAL": "OPTIMAL", "FEASIBLE": "FEASIBLE", "INFEASIBLE": "INFEASIBLE", "UNKNOWN": "failed"}
    engine.dispose()
