"""Re-plans: queue a re-plan of the programme's baseline from the tracker's records. The
queued plan is then read, stopped and adopted like any plan (/plans/{id})."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from spectree import Response

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.v1.plans import PlanQueued
from rollout.auth.access import LEADERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_in_scope, programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.planning import tasks
from rollout.planning.plans import PlanningError
from rollout.planning.replanning import queue_replan
from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT


class ReplanCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    time_limit: float = Field(default=60.0, ge=MIN_TIME_LIMIT, le=MAX_TIME_LIMIT, description="Seconds.")
    as_of: date | None = Field(default=None, description=(
        "The day the tracker's records describe (default: today): waves starting before it have begun."
    ))


@api_v1.post("/programmes/<int:programme_id>/replans")
@access(*LEADERS)
@programme_in_scope
@spec.validate(
    json=ReplanCreate,
    resp=Response(HTTP_202=PlanQueued, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody, HTTP_422=ErrorBody),
    tags=["plans"],
)
def create_replan(programme_id: int, json: ReplanCreate):
    """Queue a re-plan of the baseline from today's records (docs/replanning.md): schools live or
    in progress and trainers already trained are kept, the waves not begun are planned again.

    Answers at once; follow it with GET /plans/{id}. 409 when there is no baseline or the records
    cannot be followed (the message says why).
    """
    programme = programme_or_404(programme_id)
    db = get_session()
    try:
        plan = queue_replan(db, programme=programme, name=json.name, time_limit=json.time_limit, author=current_author("api"),
                            as_of=json.as_of)
    except PlanningError as error:
        raise ApiError(409, str(error)) from None
    db.commit()
    tasks.start_solve(db, plan)
    return PlanQueued(id=plan.id, status=plan.status), 202
