"""The planning tasks `rollout worker` runs, and how the web app hands a plan to them.

The worker builds its own engine from DATABASE_URL (the web app's engine lives in the app,
which the worker never builds); `rollout.planning.runs` holds the logic, so that tests run it
without a queue.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from rollout.db import writing
from rollout.models import Plan, utcnow
from rollout.planning.runs import reap_stale, run_plan
from rollout.queue import huey, worker_engine

log = logging.getLogger(__name__)

QUEUE_DOWN = "the task queue could not be reached; queue the plan again"


@huey.task()
def solve_plan(plan_id: int) -> None:
    """Solve a queued plan; its row says how far it is and how it ended."""
    run_plan(worker_engine(), plan_id)


@huey.on_startup()
def reap_on_start() -> None:
    """A worker starting may be one restarted after a crash: its plans must not read solving."""
    with Session(writing(worker_engine())) as session:
        reap_stale(session, utcnow())
        session.commit()


def start_solve(session: Session, plan: Plan) -> None:
    """Enqueue the solve of `plan`, committed already: a worker must find the row it is given.

    A queue that cannot be reached leaves the plan failed with the reason, not queued forever.
    """
    try:
        solve_plan(plan.id)
    except Exception:  # any backend error (Redis down, disk full) means the same to the leader
        log.exception("plan %s could not be queued", plan.id)
        plan.status, plan.failure, plan.finished_at = "failed", QUEUE_DOWN, utcnow()
        session.add(plan)
        session.commit()
