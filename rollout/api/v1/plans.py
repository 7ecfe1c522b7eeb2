"""Plans: list, read, solve the programme's current data into a new plan, adopt a plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort
from pydantic import BaseModel, Field
from spectree import Response

from rollout.api import ErrorBody, Id, api_v1, spec
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import single_programme_or_404
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.models import Plan, Programme
from rollout.planning.plans import MAX_TIME_LIMIT, PlanningError, adopt_plan, create_plan, programme_plans


class PlanQuery(BaseModel):
    programme: Id | None = None


class PlanSummary(BaseModel):
    id: int
    name: str
    status: str
    objective: float | None
    bound: float | None
    is_baseline: bool
    created_at: datetime
    adopted_at: datetime | None


class PlanList(BaseModel):
    programme_id: int
    plans: list[PlanSummary]


class PlanDetail(PlanSummary):
    scenario: dict[str, Any] = Field(description="The rollout-scenario/1 document that was solved.")
    result: dict[str, Any] | None = Field(description="The rollout-plan/1 document.")


class PlanCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    time_limit: float = Field(default=10.0, ge=1, le=MAX_TIME_LIMIT)


class Adoption(BaseModel):
    plan: PlanSummary
    milestones_replanned: int


def _plan(programme: Programme, plan_id: int) -> Plan:
    plan = get_session().get(Plan, plan_id)
    if plan is None or plan.programme_id != programme.id:
        abort(404)
    return plan


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
    plan = _plan(single_programme_or_404(query.programme), plan_id)
    return PlanDetail.model_validate(plan, from_attributes=True)


@api_v1.post("/plans")
@access(*LEADERS)
@spec.validate(
    query=PlanQuery, json=PlanCreate,
    resp=Response(HTTP_201=PlanDetail, HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody, HTTP_422=ErrorBody),
    tags=["plans"],
)
def create(query: PlanQuery, json: PlanCreate):
    """Solve the programme's current schools, waves and trainers (at most 30 s) and store the plan."""
    programme = single_programme_or_404(query.programme)
    db = get_session()
    try:
        plan = create_plan(db, programme=programme, name=json.name, time_limit=json.time_limit, author=current_author("api"))
    except PlanningError as error:
        raise ApiError(409, str(error)) from None
    db.commit()
    return PlanDetail.model_validate(plan, from_attributes=True), 201


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
    plan = _plan(programme, plan_id)
    db = get_session()
    try:
        changed = adopt_plan(db, programme=programme, plan=plan, author=current_author("api"))
    except PlanningError as error:
        raise ApiError(409, str(error), field="plan_id") from None
    db.commit()
    return Adoption(plan=_summary(plan), milestones_replanned=changed)
