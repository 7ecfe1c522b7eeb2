"""Plans pages: the programme's plans, one plan's waves and conflicts, solving and adopting."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.core.forms import ButtonForm
from rollout.auth.scope import programme_or_404
from rollout.db import get_session
from rollout.models import Plan, Programme
from rollout.planning.forms import NewPlanForm
from rollout.planning.plans import PlanningError, adopt_plan, create_plan, programme_plans, schools_per_wave

bp = Blueprint("planning", __name__)


def plan_or_404(programme: Programme, plan_id: int) -> Plan:
    plan = get_session().get(Plan, plan_id)
    if plan is None or plan.programme_id != programme.id:
        abort(404)
    return plan


@bp.get("/programmes/<int:programme_id>/plans")
@access(*READERS)
def index(programme_id: int):
    programme = programme_or_404(programme_id)
    return render_template(
        "planning/index.html", programme=programme, plans=programme_plans(get_session(), programme),
        form=NewPlanForm(),
    )


@bp.post("/programmes/<int:programme_id>/plans")
@access(*LEADERS)
def create(programme_id: int):
    programme = programme_or_404(programme_id)
    form = NewPlanForm()
    db = get_session()
    if not form.validate_on_submit():
        return render_template("planning/index.html", programme=programme, plans=programme_plans(db, programme),
                               form=form), 422
    try:
        plan = create_plan(db, programme=programme, name=form.name.data.strip(), time_limit=form.time_limit.data,
                           author=current_author("form"))
    except PlanningError as error:
        flash(str(error), "error")
        return render_template("planning/index.html", programme=programme, plans=programme_plans(db, programme),
                               form=form), 422
    db.commit()
    return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>")
@access(*READERS)
def detail(programme_id: int, plan_id: int):
    programme = programme_or_404(programme_id)
    plan = plan_or_404(programme, plan_id)
    return render_template(
        "planning/detail.html", programme=programme, plan=plan, waves=schools_per_wave(plan),
        adopt_form=ButtonForm(),
    )


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>/scenario.json")
@access(*READERS)
def scenario_file(programme_id: int, plan_id: int):
    plan = plan_or_404(programme_or_404(programme_id), plan_id)
    response = jsonify(plan.scenario)
    response.headers["Content-Disposition"] = f'attachment; filename="scenario-{plan.id}.json"'
    return response


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>/plan.json")
@access(*READERS)
def plan_file(programme_id: int, plan_id: int):
    plan = plan_or_404(programme_or_404(programme_id), plan_id)
    response = jsonify(plan.result or {})
    response.headers["Content-Disposition"] = f'attachment; filename="plan-{plan.id}.json"'
    return response


@bp.post("/programmes/<int:programme_id>/plans/<int:plan_id>/adopt")
@access(*LEADERS)
def adopt(programme_id: int, plan_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    programme = programme_or_404(programme_id)
    plan = plan_or_404(programme, plan_id)
    db = get_session()
    try:
        changed = adopt_plan(db, programme=programme, plan=plan, author=current_author("form"))
    except PlanningError as error:
        flash(str(error), "error")
        return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))
    db.commit()
    flash(_("Plan adopté comme référence : %(n)d jalons replanifiés.", n=changed), "info")
    return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))
