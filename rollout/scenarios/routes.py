"""Scenario pages: a programme's what-ifs, one scenario's edits in plain French with a form per
kind of edit, solving it in the background and exporting it as `rollout-scenario/1`.

District leaders change scenarios, everyone else reads them. Every change of a scenario is from
the version the page showed: when someone else changed it meanwhile, the page comes back (409)
with their version and nothing is written. No page here writes to the programme's own data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import col, select

from planner.whatif import WhatIfError, apply_edits
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.core.forms import show_problems
from rollout.core.problems import InvalidChange, StaleVersion, describe
from rollout.core.saving import submitted_version
from rollout.db import get_session
from rollout.models import Plan, Programme, Scenario
from rollout.planning import tasks
from rollout.planning.plans import PlanningError
from rollout.scenarios.edit_forms import edit_from_form
from rollout.scenarios.forms import NewScenarioForm, ScenarioForm, SolveForm, VersionForm
from rollout.scenarios.lookup import scenario_or_404
from rollout.scenarios.records import (
    add_edit, create_scenario, delete_scenario, programme_document, programme_scenarios, queue_scenario_plan,
    remove_edit, scenario_document, scenario_snapshot, update_scenario,
)
from rollout.scenarios.sentences import edit_sentences

bp = Blueprint("scenarios", __name__)
MAX_VERSION = 2**31 - 1


def _scenario(programme_id: int, scenario_id: int) -> tuple[Programme, Scenario]:
    return scenario_or_404(scenario_id, programme=programme_or_404(programme_id))


def _version(form: Any) -> int:
    """The version the page showed; 400 for one no page shows (tampered, or beyond the column)."""
    version = submitted_version(form)
    if not 1 <= version <= MAX_VERSION:
        abort(400)
    return version


@bp.get("/programmes/<int:programme_id>/scenarios")
@access(*READERS)
def index(programme_id: int):
    return _index_page(programme_or_404(programme_id), NewScenarioForm())


@bp.post("/programmes/<int:programme_id>/scenarios")
@access(*LEADERS)
def create(programme_id: int):
    """A new scenario with no edit yet: the programme as it is, to change on its page."""
    programme = programme_or_404(programme_id)
    form = NewScenarioForm()
    if not form.validate_on_submit():
        return _index_page(programme, form, status=422)
    db = get_session()
    try:
        scenario = create_scenario(db, programme=programme, name=form.name.data, edits=[], author=current_author("form"),
                                   description=form.description.data)
    except InvalidChange as refused:
        db.rollback()
        _show(form, refused)
        return _index_page(programme, form, status=422)
    db.commit()
    return redirect(url_for("scenarios.detail", programme_id=programme.id, scenario_id=scenario.id))


def _index_page(programme: Programme, form: NewScenarioForm, *, status: int = 200):
    return render_template("scenarios/index.html", programme=programme, form=form,
                           scenarios=programme_scenarios(get_session(), programme)), status


@bp.get("/programmes/<int:programme_id>/scenarios/<int:scenario_id>")
@access(*READERS)
def detail(programme_id: int, scenario_id: int):
    programme, scenario = _scenario(programme_id, scenario_id)
    return _detail_page(programme, scenario)


def _detail_page(programme: Programme, scenario: Scenario, *, settings: ScenarioForm | None = None,
                 solve: SolveForm | None = None, conflict: dict[str, Any] | None = None, problems: list[str] | None = None,
                 status: int = 200):
    """The scenario's page; `conflict` is the version someone else saved meanwhile (then 409)."""
    db = get_session()
    try:
        document = programme_document(db, programme)
    except InvalidChange as refused:
        document, problems = {}, [*(problems or []), str(refused)]
    if settings is None:
        settings = ScenarioForm(data={**scenario_snapshot(scenario), "version": scenario.version})
    plans = db.exec(select(Plan).where(Plan.scenario_id == scenario.id).order_by(col(Plan.created_at).desc())).all()
    return render_template(
        "scenarios/detail.html", programme=programme, scenario=scenario, settings=settings,
        solve=solve or SolveForm(data={"plan_name": scenario.name}), version_form=VersionForm(data={"version": scenario.version}),
        sentences=edit_sentences(scenario.edits, document), document=document, plans=plans,
        choices=_choices(document, scenario), conflict=conflict, problems=problems or [],
    ), status


def _choices(document: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """The waves, trainers, schools and basins the edit forms offer: the scenario's own (with the
    waves and trainers its edits add), or the programme's when an edit no longer applies."""
    try:
        shown = apply_edits(document, scenario.edits) if document else document
    except WhatIfError:
        shown = document
    return {
        "waves": [wave["id"] for wave in shown.get("waves", [])],
        "trainers": [(trainer["id"], trainer.get("name") or trainer["id"]) for trainer in shown.get("trainers", [])],
        "schools": [(school["uai"], school.get("name") or "") for school in shown.get("schools", [])],
        "basins": sorted({school["basin"] for school in shown.get("schools", [])}),
        "cascade": shown.get("cascade", {}),
        "weights": shown.get("objective", {}).get("priority_weights", {}),
    }


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>")
@access(*LEADERS)
def save(programme_id: int, scenario_id: int):
    """Rename or describe the scenario."""
    programme, scenario = _scenario(programme_id, scenario_id)
    form = ScenarioForm()
    if not form.validate_on_submit():
        return _detail_page(programme, scenario, settings=form, status=422)
    changes = {"name": form.name.data, "description": form.description.data}
    return _change(programme, scenario, _version(form), changes=changes, settings=form,
                   done=_("Scénario enregistré."))


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/edits")
@access(*LEADERS)
def add(programme_id: int, scenario_id: int):
    """One more edit, of the kind the form says, after the others."""
    programme, scenario = _scenario(programme_id, scenario_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        edit = edit_from_form(request.form.get("kind", ""), request.form)
    except InvalidChange as refused:
        return _detail_page(programme, scenario, problems=[describe(p) for p in refused.problems], status=422)
    return _change(programme, scenario, _version(form), edit=edit, done=_("Modification ajoutée."))


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/edits/<int:position>/remove")
@access(*LEADERS)
def remove(programme_id: int, scenario_id: int, position: int):
    """Remove the edit at `position` (1 for the first, as the page numbers them)."""
    programme, scenario = _scenario(programme_id, scenario_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    return _change(programme, scenario, _version(form), remove_at=position - 1, done=_("Modification retirée."))


def _change(programme: Programme, scenario: Scenario, version: int, *, done: str, changes: dict[str, Any] | None = None,
            edit: dict[str, Any] | None = None, remove_at: int | None = None, settings: ScenarioForm | None = None):
    """Apply one change from `version`, commit and come back to the page; refused: the page
    with the reasons (422), or with the version someone else saved meanwhile (409)."""
    db = get_session()
    author = current_author("form")
    try:
        if edit is not None:
            add_edit(db, programme=programme, scenario=scenario, version=version, author=author, edit=edit)
        elif remove_at is not None:
            remove_edit(db, programme=programme, scenario=scenario, version=version, author=author, index=remove_at)
        else:
            update_scenario(db, programme=programme, scenario=scenario, version=version, author=author, changes=changes or {})
        db.commit()
    except StaleVersion:
        db.rollback()
        db.refresh(scenario)
        if settings is not None:
            settings.version.data = str(scenario.version)
        return _detail_page(programme, scenario, settings=settings, conflict=scenario_snapshot(scenario), status=409)
    except InvalidChange as refused:
        db.rollback()
        db.refresh(scenario)
        if settings is not None:
            return _detail_page(programme, scenario, settings=settings, problems=_show(settings, refused), status=422)
        return _detail_page(programme, scenario, problems=[describe(p) for p in refused.problems], status=422)
    flash(done, "info")
    return redirect(url_for("scenarios.detail", programme_id=programme.id, scenario_id=scenario.id))


def _show(form: Any, refused: InvalidChange) -> list[str]:
    """Each problem beside its field; those no field shows, as sentences."""
    return [describe(problem) for problem in show_problems(form, refused.problems)]


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/delete")
@access(*LEADERS)
def remove_scenario(programme_id: int, scenario_id: int):
    programme, scenario = _scenario(programme_id, scenario_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    try:
        delete_scenario(db, programme=programme, scenario=scenario, version=_version(form), author=current_author("form"))
    except StaleVersion:
        db.rollback()
        db.refresh(scenario)
        return _detail_page(programme, scenario, conflict=scenario_snapshot(scenario), status=409)
    db.commit()
    flash(_("Scénario « %(name)s » supprimé ; ses plans sont conservés.", name=scenario.name), "info")
    return redirect(url_for("scenarios.index", programme_id=programme.id))


@bp.post("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/plans")
@access(*LEADERS)
def solve(programme_id: int, scenario_id: int):
    """Queue the scenario's solve (its edits on today's data) and follow it on the plan's page."""
    programme, scenario = _scenario(programme_id, scenario_id)
    form = SolveForm()
    if not form.validate_on_submit():
        return _detail_page(programme, scenario, solve=form, status=422)
    db = get_session()
    try:
        plan = queue_scenario_plan(db, programme=programme, scenario=scenario, name=form.plan_name.data.strip(),
                                   time_limit=form.time_limit.data, author=current_author("form"))
    except (InvalidChange, PlanningError) as refused:
        db.rollback()
        return _detail_page(programme, scenario, solve=form, problems=[str(refused)], status=422)
    db.commit()
    tasks.start_solve(db, plan)
    return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))


@bp.get("/programmes/<int:programme_id>/scenarios/<int:scenario_id>/scenario.json")
@access(*READERS)
def export(programme_id: int, scenario_id: int):
    """The scenario as `rollout-scenario/1`, for `rollout plan` or another tool; 409 (the page,
    with the reason) when an edit no longer applies to the programme's data."""
    programme, scenario = _scenario(programme_id, scenario_id)
    try:
        document = scenario_document(get_session(), programme, scenario)
    except InvalidChange as refused:
        return _detail_page(programme, scenario, problems=[describe(p) for p in refused.problems], status=409)
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{_file_name(scenario)}"'})


def _file_name(scenario: Scenario) -> str:
    """`scenario-12-moins-de-place.json`: the id keeps it unique, the name tells what it is."""
    words = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-")[:60]
    return f"scenario-{scenario.id}{'-' + words if words else ''}.json"
