"""Saving, changing and solving a programme's named what-if scenarios, whatever the channel.

A scenario stores only its edits: its document is always the programme's current data
(`build_scenario`) with the edits applied on a copy (`planner.whatif.apply_edits`), so nothing
here writes to the programme's schools, waves or trainers. Edits are checked against the
programme's data when they are saved, each bad one named (`edits[2].wave`). Names are unique per
programme; changes are optimistically locked on `Scenario.version` and audited (entity
"scenario") in the caller's transaction. No function commits.
"""

from __future__ import annotations

import copy
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from planner.whatif import WhatIfError, apply_edits
from rollout import audit
from rollout.core.author import Author
from rollout.core.locking import claim_version
from rollout.core.problems import InvalidChange, Problem, refuse
from rollout.models import Plan, Programme, Scenario, utcnow
from rollout.planning.runs import queue_plan
from rollout.planning.scenario import ScenarioDataError, build_scenario

ENTITY = "scenario"
NAME_LENGTH = 200
EDITABLE = ("name", "description", "edits")


def programme_scenarios(session: Session, programme: Programme) -> list[Scenario]:
    """The programme's scenarios by name."""
    return list(session.exec(select(Scenario).where(Scenario.programme_id == programme.id).order_by(col(Scenario.name))))


def scenario_snapshot(scenario: Scenario) -> dict[str, Any]:
    """What a person gives of a scenario, by field (the API's body, the audit's values)."""
    return {"name": scenario.name, "description": scenario.description, "edits": copy.deepcopy(scenario.edits)}


def programme_document(session: Session, programme: Programme, *, name: str | None = None) -> dict[str, Any]:
    """The programme's data as a `rollout-scenario/1` document; refused, with the reason, when
    the stored data cannot be planned (a school ready after the last wave starts)."""
    try:
        return build_scenario(session, programme, name=name)
    except ScenarioDataError as error:
        raise refuse("programme_not_plannable", detail=str(error)) from None


def edited_document(document: dict[str, Any], edits: list[dict[str, Any]]) -> dict[str, Any]:
    """`apply_edits`, its refusals as problems naming each bad edit (column `edits[i].field`)."""
    try:
        return apply_edits(document, edits)
    except WhatIfError as error:
        raise InvalidChange([_edit_problem(problem) for problem in error.problems]) from None


def _edit_problem(problem: str) -> Problem:
    place, _, detail = problem.partition(": ")
    return Problem("what_if_refused", column=place, params={"detail": detail})


def scenario_document(session: Session, programme: Programme, scenario: Scenario) -> dict[str, Any]:
    """The scenario as the planner reads it: the programme's current data with its edits,
    named after the scenario. Refused when the data changed so that an edit no longer applies
    (a trainer it names was deleted): the problem names the edit to remove."""
    return edited_document(programme_document(session, programme, name=scenario.name), scenario.edits)


def _clean_name(name: object) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise refuse("required", column="name")
    if len(text) > NAME_LENGTH:
        raise refuse("too_long", column="name", value=text, max_length=NAME_LENGTH)
    return text


def _check_name_free(session: Session, programme: Programme, name: str, scenario_id: int | None = None) -> None:
    """The table's unique key said in words, before the database refuses it with an error."""
    query = select(Scenario.id).where(Scenario.programme_id == programme.id, Scenario.name == name)
    if scenario_id is not None:
        query = query.where(Scenario.id != scenario_id)
    if session.exec(query).first() is not None:
        raise refuse("scenario_name_taken", column="name", value=name)


def create_scenario(session: Session, *, programme: Programme, name: str, edits: list[dict], author: Author,
                    description: str | None = None) -> Scenario:
    """A new named scenario of `programme` with `edits`, which must apply to the programme's
    current data; refused when the name is taken in the programme or an edit does not apply."""
    name = _clean_name(name)
    edited_document(programme_document(session, programme), edits)
    _check_name_free(session, programme, name)
    scenario = Scenario(programme_id=programme.id, name=name, description=description or None,
                        edits=copy.deepcopy(edits), created_by_id=author.user_id)
    try:
        author.add_created(session, programme=programme, entity=ENTITY, record=scenario, values=scenario_snapshot(scenario))
    except sa.exc.IntegrityError:  # created by someone else between the check and this insert
        raise refuse("scenario_name_taken", column="name", value=name) from None
    return scenario


def update_scenario(session: Session, *, programme: Programme, scenario: Scenario, version: int, author: Author,
                    changes: dict[str, Any]) -> Scenario:
    """Change the given fields of `changes` (name, description, edits: the whole new list) if
    the scenario is still at `version`; its version then moves on. The new edits are checked
    against the programme's current data like a new scenario's."""
    given = {field: changes[field] for field in EDITABLE if field in changes}
    if "name" in given:
        given["name"] = _clean_name(given["name"])
        if given["name"] != scenario.name:
            _check_name_free(session, programme, given["name"], scenario.id)
    if "description" in given:
        given["description"] = given["description"] or None
    if "edits" in given:
        edited_document(programme_document(session, programme), given["edits"])
        given["edits"] = copy.deepcopy(given["edits"])
    before = scenario_snapshot(scenario)
    claim_version(session, scenario, version, key=scenario.name)
    # A JSON column changes only when assigned a new list, never when the stored one is mutated.
    scenario.sqlmodel_update({**given, "updated_at": utcnow()})
    session.add(scenario)
    try:
        session.flush()
    except sa.exc.IntegrityError:  # renamed by someone else between the check and this update
        raise refuse("scenario_name_taken", column="name", value=given.get("name")) from None
    author.record(session, programme=programme, entity=ENTITY, entity_id=scenario.id, action="update",
                  changes={**audit.diff(before, scenario_snapshot(scenario)), "version": [version, scenario.version]})
    return scenario


def add_edit(session: Session, *, programme: Programme, scenario: Scenario, version: int, author: Author,
             edit: dict[str, Any]) -> Scenario:
    """The scenario with one more edit, applied after the others."""
    return update_scenario(session, programme=programme, scenario=scenario, version=version, author=author,
                           changes={"edits": [*scenario.edits, edit]})


def remove_edit(session: Session, *, programme: Programme, scenario: Scenario, version: int, author: Author,
                index: int) -> Scenario:
    """The scenario without its edit at `index` (0-based); the others keep their order."""
    if not 0 <= index < len(scenario.edits):
        raise refuse("no_such_edit", column="edit", value=index + 1, number=index + 1)
    edits = [edit for position, edit in enumerate(scenario.edits) if position != index]
    return update_scenario(session, programme=programme, scenario=scenario, version=version, author=author,
                           changes={"edits": edits})


def delete_scenario(session: Session, *, programme: Programme, scenario: Scenario, version: int, author: Author) -> None:
    """Delete the scenario if still at `version`. Its plans stay, with the document they solved,
    no longer linked to it."""
    claim_version(session, scenario, version, key=scenario.name)
    session.execute(sa.update(Plan).where(Plan.scenario_id == scenario.id).values(scenario_id=None))
    author.record(session, programme=programme, entity=ENTITY, entity_id=scenario.id, action="delete",
                  changes=audit.deleted(scenario_snapshot(scenario)))
    session.delete(scenario)
    session.flush()


def queue_scenario_plan(session: Session, *, programme: Programme, scenario: Scenario, name: str, time_limit: float,
                        author: Author) -> Plan:
    """A queued plan of the scenario's document as it is now (edits applied to today's data),
    linked to the scenario. InvalidChange when an edit no longer applies, PlanningError for a
    time limit out of range. Commit, then hand it to `rollout.planning.tasks.start_solve`."""
    document = scenario_document(session, programme, scenario)
    plan = queue_plan(session, programme=programme, name=name, time_limit=time_limit, author=author, document=document)
    plan.scenario_id = scenario.id
    session.add(plan)
    session.flush()
    return plan
