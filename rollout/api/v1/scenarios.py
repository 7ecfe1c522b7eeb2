"""What-if scenarios: `GET|POST /api/v1/programmes/{id}/scenarios`, `GET|PATCH|DELETE
/api/v1/scenarios/{id}` (optimistic locking on `version`: 409 with `current_version` when someone
changed the scenario since), `GET /api/v1/scenarios/{id}/document` (the `rollout-scenario/1`
document: the programme's current data with the edits applied) and `POST
/api/v1/scenarios/{id}/plans` (202: its solve is queued, follow it with GET /api/v1/plans/{id}).
A what-if never changes the programme's own data. Edits that do not apply are refused with 409,
`field` naming the edit (`edits[2].wave`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from rollout.api import ErrorBody, api_v1, spec
from rollout.api.v1.plans import PlanQueued
from rollout.api.v1.reference import ConflictBody, api_author, commit_change
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.scope import programme_in_scope, programme_or_404
from rollout.core.problems import InvalidChange
from rollout.db import get_session
from rollout.errors import ApiError
from rollout.models import Scenario
from rollout.planning import tasks
from rollout.planning.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT
from rollout.scenarios.lookup import scenario_or_404
from rollout.scenarios.records import (
    NAME_LENGTH, create_scenario, delete_scenario, programme_scenarios, queue_scenario_plan, scenario_document,
    update_scenario,
)

REFUSALS = dict(HTTP_400=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ConflictBody, HTTP_422=ErrorBody)
EDITS_DESCRIPTION = (
    "What-if edits, applied in order to the programme's current data (see docs/planning.md, "
    "'Scenarios and what-if'): objects with a `kind` among wave_caps, trainer_capacity, trainer_add, "
    "trainer_remove, cascade, priority_weights, school_pin, school_earliest, school_latest, wave_add."
)


class ScenarioPublic(BaseModel):
    id: int
    programme_id: int
    name: str
    description: str | None
    edits: list[dict[str, Any]] = Field(description=EDITS_DESCRIPTION)
    version: int
    created_at: datetime
    updated_at: datetime


class ScenarioList(BaseModel):
    programme_id: int
    scenarios: list[ScenarioPublic]


class ScenarioCreate(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_LENGTH, description="Unique in the programme.")
    description: str | None = Field(default=None, max_length=2000)
    edits: list[dict[str, Any]] = Field(default_factory=list, description=EDITS_DESCRIPTION)


class ScenarioUpdate(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1, description="The version last read; 409 when it is no longer current.")
    name: str | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    description: str | None = Field(default=None, max_length=2000)
    edits: list[dict[str, Any]] | None = Field(default=None, description="The whole new list. " + EDITS_DESCRIPTION)


class ScenarioDocument(BaseModel):
    """A `rollout-scenario/1` document (../shared/contracts/planning.md); `rollout plan` reads it."""

    model_config = ConfigDict(extra="allow")
    format: str
    name: str
    waves: list[dict[str, Any]]
    schools: list[dict[str, Any]]
    trainers: list[dict[str, Any]]
    cascade: dict[str, Any]
    objective: dict[str, Any]


class VersionQuery(BaseModel):
    version: int = Field(ge=1, le=2**31 - 1, description="The version last read; 409 when it is no longer current.")


class ScenarioPlanCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="The plan's name.")
    time_limit: float = Field(default=60.0, ge=MIN_TIME_LIMIT, le=MAX_TIME_LIMIT, description="Seconds.")


def _public(scenario: Scenario) -> ScenarioPublic:
    return ScenarioPublic.model_validate(scenario, from_attributes=True)


@api_v1.get("/programmes/<int:programme_id>/scenarios")
@access(*READERS)
@spec.validate(resp=Response(HTTP_200=ScenarioList, HTTP_404=ErrorBody), tags=["scenarios"])
def list_scenarios(programme_id: int) -> ScenarioList:
    programme = programme_or_404(programme_id)
    return ScenarioList(programme_id=programme.id, scenarios=[_public(s) for s in programme_scenarios(get_session(), programme)])


@api_v1.post("/programmes/<int:programme_id>/scenarios")
@access(*LEADERS)
@programme_in_scope
@spec.validate(json=ScenarioCreate, resp=Response(HTTP_201=ScenarioPublic, **REFUSALS), tags=["scenarios"])
def post_scenario(programme_id: int, json: ScenarioCreate):
    """Save a what-if by name; its edits must apply to the programme's current data."""
    programme = programme_or_404(programme_id)
    db = get_session()
    scenario = commit_change(lambda: create_scenario(db, programme=programme, name=json.name, edits=json.edits,
                                                     author=api_author(), description=json.description))
    return _public(scenario), 201


@api_v1.get("/scenarios/<int:scenario_id>")
@access(*READERS)
@spec.validate(resp=Response(HTTP_200=ScenarioPublic, HTTP_404=ErrorBody), tags=["scenarios"])
def get_scenario(scenario_id: int) -> ScenarioPublic:
    return _public(scenario_or_404(scenario_id)[1])


def scenario_in_scope(view: Callable[..., Any]) -> Callable[..., Any]:
    """404 for a scenario outside the caller's districts before the body is validated, so that
    another district's scenario never answers anything else (not even 422)."""

    @functools.wraps(view)
    def scoped(*args: Any, **kwargs: Any) -> Any:
        scenario_or_404(kwargs["scenario_id"])
        return view(*args, **kwargs)

    return scoped


@api_v1.patch("/scenarios/<int:scenario_id>")
@access(*LEADERS)
@scenario_in_scope
@spec.validate(json=ScenarioUpdate, resp=Response(HTTP_200=ScenarioPublic, **REFUSALS), tags=["scenarios"])
def patch_scenario(scenario_id: int, json: ScenarioUpdate) -> ScenarioPublic:
    """Rename, describe or replace the edits (the fields sent), if the scenario is still at `version`."""
    programme, scenario = scenario_or_404(scenario_id)
    changes = json.model_dump(exclude_unset=True, exclude={"version"})
    commit_change(lambda: update_scenario(get_session(), programme=programme, scenario=scenario, version=json.version,
                                          author=api_author(), changes=changes))
    return _public(scenario)


@api_v1.delete("/scenarios/<int:scenario_id>")
@access(*LEADERS)
@scenario_in_scope
@spec.validate(query=VersionQuery, resp=Response(HTTP_204=None, **REFUSALS), tags=["scenarios"])
def delete_scenario_view(scenario_id: int, query: VersionQuery):
    """Delete the scenario if still at `version`; its plans stay, with the documents they solved."""
    programme, scenario = scenario_or_404(scenario_id)
    commit_change(lambda: delete_scenario(get_session(), programme=programme, scenario=scenario, version=query.version,
                                          author=api_author()))
    return "", 204


@api_v1.get("/scenarios/<int:scenario_id>/document")
@access(*READERS)
@spec.validate(resp=Response(HTTP_200=ScenarioDocument, HTTP_404=ErrorBody, HTTP_409=ErrorBody), tags=["scenarios"])
def scenario_document_view(scenario_id: int):
    """The `rollout-scenario/1` document `rollout plan` reads: 409 when the programme's data
    changed so that an edit no longer applies (`field` names it)."""
    programme, scenario = scenario_or_404(scenario_id)
    try:
        return jsonify(scenario_document(get_session(), programme, scenario))
    except InvalidChange as refused:
        raise ApiError(409, str(refused), field=refused.field) from None


@api_v1.post("/scenarios/<int:scenario_id>/plans")
@access(*LEADERS)
@scenario_in_scope
@spec.validate(json=ScenarioPlanCreate, resp=Response(HTTP_202=PlanQueued, **REFUSALS), tags=["scenarios"])
def post_scenario_plan(scenario_id: int, json: ScenarioPlanCreate):
    """Queue the solve of the scenario as it is now (up to 10 minutes); answers at once."""
    programme, scenario = scenario_or_404(scenario_id)
    db = get_session()
    plan = commit_change(lambda: queue_scenario_plan(db, programme=programme, scenario=scenario, name=json.name,
                                                     time_limit=json.time_limit, author=api_author()))
    tasks.start_solve(db, plan)
    return PlanQueued(id=plan.id, status=plan.status), 202
