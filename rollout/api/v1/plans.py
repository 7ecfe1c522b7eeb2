"""Plans: list, read (with the state of its solve), queue the solve of the programme's current
data, stop a solve, adopt a plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from spectree import Response

from rollout.api import ErrorBody, Id, api_v1, spec
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import current_plan_or_404, plan_or_404, single_programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.models import Plan
from rollout.planning import tasks
from rollout.planning.plans import PlanningError, adopt_plan, programme_plans
from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT, queue_plan, request_stop

PlanStatus = Literal["queued", "solving", "optimal", "feasible", "infeasible", "stopped", "failed"]


class PlanQuery(BaseModel):
    programme: Id | None = None


class PlanSummary(BaseModel):
    id: int
    name: str
    status: PlanStatus = Field(description=(
        "queued (waiting for a worker), solving, then optimal, feasible (the time limit came first), "
        "infeasible (see the result's conflicts), stopped (on request; keeps the best plan found, if any) "
        "or failed (see failure)."
    ))
    objective: float | None = Field(description="The best plan's objective so far (final once solved).")
    bound: float | None = Field(description="The proven lower bound on the objective so far.")
    gap: float | None = Field(description="(objective - bound) / objective: 0 when optimal.")
    elapsed_seconds: float | None = Field(validation_alias="elapsed", description="Seconds of solving so far.")
    time_limit: float | None
    stop_requested: bool
    failure: str | None = Field(description="Why the solve failed, when it did.")
    is_baseline: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    adopted_at: datetime | None


class PlanList(BaseModel):
    programme_id: int
    plans: list[PlanSummary]


class PlanDetail(PlanSummary):
    scenario: dict[str, Any] = Field(description="The rollout-scenario/1 document that was solved.")
    result: dict[str, Any] | None = Field(description="The rollout-plan/1 document.")


class PlanCreate(BaseModel):
    programme: Id | None = Field(default=None, description="The programme to plan; or ?programme=, or the caller's only one.")
    name: str = Field(min_length=1, max_length=200)
    time_limit: float = Field(default=60.0, ge=MIN_TIME_LIMIT, le=MAX_TIME_LIMIT, description="Seconds.")


class PlanQueued(BaseModel):
    id: int
    status: PlanStatus


class Adoption(BaseModel):
    plan: PlanSummary
    milestones_replanned: int


def _summary(plan: Plan) -> PlanSummary:
    return PlanSummary.model_validate(plan, from_attributes=True)


@api_v1.get("/plans")
@access(*READERS)
@spec.validate(query=PlanQuery, resp=Response(HTTP_200=PlanList, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["plans"])
def list_plans(query: PlanQuery) -> PlanList:
    programme = single_programme_or_404(query.programme)
    return PlanList(programme_id=programme.id, plans=[_summary(p) for p in programme_plans(get_session(), programme)])


@api_v1.get("/plans/<int:plan_id>")
@access(*READERS)
@spec.validate(query=PlanQuery, resp=Response(HTTP_200=PlanDetail, HTTP_400=ErrorBody, HTTP_404=ErrorBody), tags=["plans"])
def get_plan(plan_id: int, query: PlanQuery) -> PlanDetail:
    plan = current_plan_or_404(single_programme_or_404(query.programme), plan_id)
    return PlanDetail.model_validate(plan, from_attributes=True)


@api_v1.post("/plans")
@access(*LEADERS)
@spec.validate(
    query=PlanQuery, json=PlanCreate,
    resp=Response(HTTP_202=PlanQueued, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody, HTTP_422=ErrorBody),
    tags=["plans"],
)
def create(query: PlanQuery, json: PlanCreate):
    """Queue the solve of the programme's current schools, waves and trainers (up to 10 minutes).

    Answers at once; follow the solve with GET /plans/{id}. The scenario is the programme's data
    now: edits made while the plan waits or solves do not change it.
    """
    programme = single_programme_or_404(json.programme or query.programme)
    db = get_session()
    try:
        plan = queue_plan(db, programme=programme, name=json.name, time_limit=json.time_limit, author=current_author("api"))
    except PlanningError as error:
        raise ApiError(409, str(error)) from None
    db.commit()
    tasks.start_solve(db, plan)
    return PlanQueued(id=plan.id, status=plan.status), 202


@api_v1.post("/plans/<int:plan_id>/stop")
@access(*LEADERS)
@spec.validate(
    query=PlanQuery,
    resp=Response(HTTP_202=PlanSummary, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody),
    tags=["plans"],
)
def stop_plan(plan_id: int, query: PlanQuery):
    """Stop the plan's solve, keeping the best plan found so far; the status becomes stopped
    within a few seconds (optimal if the proof came first). 409 when the solve has ended."""
    programme = single_programme_or_404(query.programme)
    plan = current_plan_or_404(programme, plan_id)
    db = get_session()
    if not request_stop(db, programme=programme, plan=plan, author=current_author("api")):
        raise ApiError(409, f"this plan's solve has ended ({plan.status})", field="plan_id")
    db.commit()
    return _summary(plan), 202


@api_v1.post("/plans/<int:plan_id>/adopt")
@access(*LEADERS)
@spec.validate(
    query=PlanQuery,
    resp=Response(HTTP_200=Adoption, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody),
    tags=["plans"],
)
def adopt(plan_id: int, query: PlanQuery) -> Adoption:
    """Make the plan the programme's baseline; milestones' planned dates follow it."""
    programme = single_programme_or_404(query.programme)
    plan = plan_or_404(programme, plan_id)
    db = get_session()
    try:
        changed = adopt_plan(db, programme=programme, plan=plan, author=current_author("api"))
    except PlanningError as error:
        raise ApiError(409, str(error), field="plan_id") from None
    db.commit()
    return Adoption(plan=_summary(plan), milestones_replanned=changed)
