"""Plans solved in the background: queued by a request, solved by a worker, watched by anyone.

Everything a page or the API shows about a run is in the plan's row (status, best objective,
bound, gap, elapsed time, the progress curve), so any web process answers "how far is it" and
a reload or a web restart changes nothing. The worker writes that row about once a second, in
short transactions of its own: on SQLite a writer holds the only write lock, and the solve lasts
minutes. The same write reads `stop_requested`, which is how a leader's stop reaches the solve.
A worker that dies stops writing: `reap_stale` then marks its plan failed, so no plan stays
`solving` forever.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from planner import Progress, ScenarioError, solve
from planner.plan import relative_gap
from rollout.core.author import Author
from rollout.db import writing
from rollout.models import Plan, Programme, utcnow
from rollout.planning.plans import PlanningError, record_plan_change
from rollout.planning.replan_solve import solve_replan
from rollout.planning.greedy_baseline import GREEDY, greedy_baseline
from rollout.planning.scenario import ScenarioDataError, build_scenario
from rollout.queue import HEARTBEAT_SECONDS, STALE_SECONDS

log = logging.getLogger(__name__)

MIN_TIME_LIMIT = 1.0
MAX_TIME_LIMIT = 600.0
# A solving plan whose worker has not written for this long has lost its worker.
STALE_AFTER = timedelta(seconds=STALE_SECONDS)
# The curve needs the shape, not every plan: long solves find thousands.
MAX_PROGRESS_POINTS = 200
WORKERS = 2
WORKER_DIED = "the worker stopped during the solve"
NO_PLAN_IN_TIME = "no plan was found within the time limit"
FINAL_STATUS = {"OPTIMAL": "optimal", "FEASIBLE": "feasible", "INFEASIBLE": "infeasible"}


def queue_plan(session: Session, *, programme: Programme, name: str, time_limit: float, author: Author,
               document: dict[str, Any] | None = None) -> Plan:
    """Store a plan to be solved, with its scenario built now from the programme's data, or
    `document` when given (a what-if's, `rollout.scenarios.records.queue_scenario_plan`).

    Building the scenario here, not in the worker, makes the plan the programme as it was when
    the leader asked, whatever is edited while it waits. Does not commit; enqueue the solve
    only after the commit, or the worker may look for a row it cannot see yet.
    """
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise PlanningError(f"time limit must be between {MIN_TIME_LIMIT:g} and {MAX_TIME_LIMIT:g} seconds")
    try:
        scenario = document if document is not None else build_scenario(session, programme, name=name)
    except ScenarioDataError as error:
        raise PlanningError(str(error)) from None
    plan = Plan(programme_id=programme.id, name=name, status="queued", scenario=scenario, time_limit=time_limit,
                created_by_id=author.user_id)
    session.add(plan)
    session.flush()
    record_plan_change(session, programme, plan, author, "create", {"status": [None, "queued"], "time_limit": [None, time_limit]})
    return plan


def request_stop(session: Session, *, programme: Programme, plan: Plan, author: Author) -> bool:
    """Ask the plan's solve to stop, keeping its best plan so far. False when it has ended already.

    The worker hears it at its next write (about a second); a plan still queued is stopped
    when a worker picks it up. Does not commit.
    """
    if plan.status not in ("queued", "solving") or plan.stop_requested:
        return plan.status in ("queued", "solving")
    plan.stop_requested = True
    session.add(plan)
    session.flush()
    record_plan_change(session, programme, plan, author, "update", {"stop_requested": [False, True]})
    return True


def reap_stale(session: Session, now: datetime) -> list[int]:
    """Mark failed the solving plans whose worker has not written since `now - STALE_AFTER`.

    Called when a worker starts and when a plan's state is read, so a killed worker's plan
    reads failed with the reason rather than solving forever. Reads first and writes only
    when there is something to mark, so that polling pages do not queue for SQLite's write lock.
    Does not commit; returns the plans marked.
    """
    stale = list(session.exec(
        select(Plan.id).where(Plan.status == "solving", col(Plan.heartbeat_at) < now - STALE_AFTER)
    ))
    if stale:
        session.execute(
            sa.update(Plan).where(col(Plan.id).in_(stale), Plan.status == "solving")
            .values(status="failed", failure=WORKER_DIED, finished_at=now)
        )
        log.warning("plans %s marked failed: no news from their worker since %s", stale, now - STALE_AFTER)
    return stale


def reap_if_stale(session: Session, plan: Plan) -> bool:
    """Run `reap_stale` when `plan` reads as solving, and reload it if that marked any plan:
    reading a plan's state is when a dead worker is noticed. Does not commit."""
    if plan.status != "solving" or not reap_stale(session, utcnow()):
        return False
    session.refresh(plan)
    return True


def run_plan(engine: sa.Engine, plan_id: int, *, solver: Callable[..., Any] = solve) -> None:
    """Solve a queued plan and record its progress and outcome: the task body of a worker.

    Never raises for a failed solve: the plan records why (`failure`) and the task ends, so
    that a queue does not retry a scenario that fails the same way each time. `solver` is
    `planner.solve`, replaceable in tests.
    """
    engine = writing(engine)
    with Session(engine, expire_on_commit=False) as session:
        plan = session.get(Plan, plan_id)
        if plan is None or plan.status != "queued":
            log.info("plan %s is not queued (%s): nothing to solve", plan_id, plan and plan.status)
            return
        now = utcnow()
        plan.started_at = plan.heartbeat_at = now
        if plan.stop_requested:
            plan.status, plan.finished_at, plan.elapsed = "stopped", now, 0.0
            session.commit()
            return
        plan.status = "solving"
        session.commit()
        scenario, time_limit, replan = plan.scenario, plan.time_limit or MAX_TIME_LIMIT, plan.replan
    run = _Run(engine, plan_id)
    heartbeat = threading.Thread(target=run.beat, name=f"plan-{plan_id}-heartbeat", daemon=True)
    heartbeat.start()
    try:
        options = {"time_limit": time_limit, "workers": WORKERS, "seed": 0, "progress": run.record, "stop": run.stop}
        # A re-plan (`rollout.planning.replanning`) solves only the future and keeps the past.
        result = solver(scenario, **options) if replan is None else solve_replan(replan, solver, **options)
    except Exception as error:  # whatever went wrong, the plan must say so, not stay solving
        log.exception("plan %s failed", plan_id)
        reason = str(error) if isinstance(error, ScenarioError) else f"{type(error).__name__}: {error}"
        run.finish(status="failed", failure=reason)
    else:
        run.finish(**_outcome(result.to_json(), stopped=run.stop.is_set(), scenario=scenario))
    finally:
        run.done.set()
        heartbeat.join()


def _outcome(document: dict[str, Any], *, stopped: bool, scenario: dict[str, Any]) -> dict[str, Any]:
    """The plan's final fields from the planner's result; a stopped solve keeps its best plan.
    A plan found carries the greedy baseline its page compares it with, computed here once
    (over a second on a France-size scenario) rather than at every page view."""
    if document["assignments"]:
        document["stats"][GREEDY] = greedy_baseline(scenario)
    status = FINAL_STATUS.get(document["status"])
    if stopped and status != "optimal":
        status = "stopped"
    fields: dict[str, Any] = {
        "status": status or "failed", "result": document, "objective": document["objective"], "bound": document["bound"],
        "gap": document["stats"].get("gap"),
    }
    if status is None:
        fields["failure"] = NO_PLAN_IN_TIME
    return fields


class _Run:
    """One solve's live state, shared by the solver's progress hook and the heartbeat thread.

    The hook runs in the solver's threads and must not wait on the database, so it only notes
    the point; the heartbeat thread writes the row once a second and reads the stop request.
    """

    def __init__(self, engine: sa.Engine, plan_id: int) -> None:
        self.engine = engine
        self.plan_id = plan_id
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.points: list[list[float | None]] = []
        self.stop = threading.Event()
        self.done = threading.Event()

    def record(self, progress: Progress) -> None:
        # Before the first bound is proven CP-SAT reports an infinite one, which JSON cannot hold.
        bound = progress.bound if math.isfinite(progress.bound) else None
        with self.lock:
            self.points = _capped([*self.points, [round(progress.elapsed, 3), progress.objective, bound]])

    def beat(self) -> None:
        while not self.done.wait(HEARTBEAT_SECONDS):
            try:
                self._write()
            except sa.exc.OperationalError:
                # A busy or briefly unreachable database: the next beat tries again, and a
                # long outage ends in the stale check, as a dead worker would.
                log.warning("plan %s: progress not written", self.plan_id, exc_info=True)

    def finish(self, **fields: Any) -> None:
        self._write(finished=True, **fields)

    def _write(self, *, finished: bool = False, **fields: Any) -> None:
        with self.lock:
            points = list(self.points)
        with Session(self.engine) as session:
            plan = session.get(Plan, self.plan_id)
            if plan is None or plan.status != "solving":
                # Deleted, or marked failed as stale meanwhile: that verdict stands.
                self.stop.set()
                return
            now = utcnow()
            plan.heartbeat_at = now
            plan.elapsed = round(time.monotonic() - self.started, 3)
            plan.progress = points
            if points:
                plan.objective, plan.bound = points[-1][1], points[-1][2]
                plan.gap = None if plan.bound is None else relative_gap(plan.objective, plan.bound)
            if plan.stop_requested:
                self.stop.set()
            if finished:
                plan.finished_at = now
                plan.sqlmodel_update(fields)
            session.add(plan)
            session.commit()


def _capped(points: list[list[float | None]]) -> list[list[float | None]]:
    """At most MAX_PROGRESS_POINTS points: past it, every other older point goes, the newest stays."""
    if len(points) <= MAX_PROGRESS_POINTS:
        return points
    return points[:-1:2] + points[-1:]
