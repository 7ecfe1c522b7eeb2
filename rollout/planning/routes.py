"""Plans pages: the programme's plans, one plan's waves and conflicts, its solve's live
progress, queueing, stopping and adopting."""

from __future__ import annotations

import plotly
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dashboards.cells import cell_text
from dashboards.pages.drawn import figure_json
from dashboards.plotly_asset import plotly_style_ids
from planner.export import calendar_file_name
from rollout.auth.access import LEADERS, READERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import current_plan_or_404, plan_or_404, programme_or_404
from rollout.core.forms import ButtonForm
from rollout.db import get_session
from rollout.imports.export import table_bytes
from rollout.models import Plan
from rollout.planning import tasks
from rollout.planning.forms import NewPlanForm
from rollout.planning.plans import PlanningError, adopt_plan, adoptable, programme_plans, schools_per_wave
from rollout.planning.results import calendars, drawn, figure_table, holds_assignment, plan_spreadsheet, schools_table, summary_sentence, trainer_calendar
from rollout.planning.runs import queue_plan, request_stop

bp = Blueprint("planning", __name__)

STATUS_LABELS = {
    "queued": _l("en attente d'un calculateur"), "solving": _l("calcul en cours"), "optimal": _l("optimal"),
    "feasible": _l("réalisable (optimalité non prouvée)"), "infeasible": _l("impossible"),
    "stopped": _l("arrêté"), "failed": _l("échec"),
}


def progress_state(plan: Plan) -> dict:
    """What the page's polling reads: the run's state, all of it from the plan's row."""
    return {
        "status": plan.status, "status_label": str(STATUS_LABELS[plan.status]), "objective": plan.objective, "bound": plan.bound, "gap": plan.gap,
        "elapsed_seconds": plan.elapsed, "time_limit": plan.time_limit, "progress": plan.progress,
        "stop_requested": plan.stop_requested, "failure": plan.failure,
        "running": plan.status in ("queued", "solving"),
        "summary": summary_sentence(plan),
    }


@bp.get("/programmes/<int:programme_id>/plans")
@access(*READERS)
def index(programme_id: int):
    programme = programme_or_404(programme_id)
    return render_template(
        "planning/index.html", programme=programme, plans=programme_plans(get_session(), programme), status_labels=STATUS_LABELS,
        form=NewPlanForm(),
    )


@bp.post("/programmes/<int:programme_id>/plans")
@access(*LEADERS)
def create(programme_id: int):
    programme = programme_or_404(programme_id)
    form = NewPlanForm()
    db = get_session()
    if not form.validate_on_submit():
        return render_template("planning/index.html", programme=programme, plans=programme_plans(db, programme), status_labels=STATUS_LABELS,
                               form=form), 422
    try:
        plan = queue_plan(db, programme=programme, name=form.name.data.strip(), time_limit=form.time_limit.data,
                          author=current_author("form"))
    except PlanningError as error:
        flash(str(error), "error")
        return render_template("planning/index.html", programme=programme, plans=programme_plans(db, programme), status_labels=STATUS_LABELS,
                               form=form), 422
    db.commit()
    tasks.start_solve(db, plan)
    return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>")
@access(*READERS)
def detail(programme_id: int, plan_id: int):
    programme = programme_or_404(programme_id)
    plan = current_plan_or_404(programme, plan_id)
    shown = holds_assignment(plan)
    return render_template(
        "planning/detail.html", programme=programme, plan=plan, waves=schools_per_wave(plan),
        adopt_form=ButtonForm(), adoptable=adoptable(plan), state=progress_state(plan),
        plotly_version=plotly.__version__, plotly_style_ids=plotly_style_ids(),
        summary=summary_sentence(plan), drawn=drawn(plan) if shown else [], schools=schools_table(plan) if shown else None,
        calendars=calendars(plan) if shown else [], figure_json=figure_json, cell_text=cell_text,
    )


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>/progress.json")
@access(*READERS)
def progress(programme_id: int, plan_id: int):
    """The run's state for the plan page's polling (`static/plan_progress.js`)."""
    response = jsonify(progress_state(current_plan_or_404(programme_or_404(programme_id), plan_id)))
    response.cache_control.no_store = True
    return response


@bp.post("/programmes/<int:programme_id>/plans/<int:plan_id>/stop")
@access(*LEADERS)
def stop(programme_id: int, plan_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    programme = programme_or_404(programme_id)
    plan = plan_or_404(programme, plan_id)
    db = get_session()
    if request_stop(db, programme=programme, plan=plan, author=current_author("form")):
        db.commit()
        flash(_("Arrêt demandé : le meilleur plan trouvé jusqu'ici sera conservé."), "info")
    else:
        flash(_("Ce calcul est déjà terminé."), "error")
    return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))


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


SPREADSHEET_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>/plan.<fmt>")
@access(*READERS)
def plan_table(programme_id: int, plan_id: int, fmt: str):
    """The plan's schools, wave by wave, with their trainers, as CSV or XLSX (404 before a plan is found)."""
    plan = plan_or_404(programme_or_404(programme_id), plan_id)
    if fmt not in SPREADSHEET_TYPES or not holds_assignment(plan):
        abort(404)
    return Response(plan_spreadsheet(plan, fmt), mimetype=SPREADSHEET_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="plan-{plan.id}.{fmt}"'})


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>/figures/<figure>.csv")
@access(*READERS)
def figure_csv(programme_id: int, plan_id: int, figure: str):
    """One figure's table as CSV: the page links to it instead of writing a table too long to read there."""
    plan = plan_or_404(programme_or_404(programme_id), plan_id)
    table = figure_table(plan, figure) if holds_assignment(plan) else None
    if table is None:
        abort(404)
    return Response(table_bytes(table.columns, table.rows, fmt="csv", sheet=figure), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="plan-{plan.id}-{figure}.csv"'})


@bp.get("/programmes/<int:programme_id>/plans/<int:plan_id>/calendar.ics")
@access(*READERS)
def trainer_ics(programme_id: int, plan_id: int):
    """A trainer's sessions in the plan (`?trainer=ID`) as an iCalendar file for their agenda;
    404 for a trainer the plan gives no session."""
    plan = plan_or_404(programme_or_404(programme_id), plan_id)
    trainer = request.args.get("trainer", "")
    calendar = trainer_calendar(plan, trainer) if holds_assignment(plan) else None
    if calendar is None:
        abort(404)
    return Response(calendar, mimetype="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="plan-{plan.id}-{calendar_file_name(trainer)}"'})


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
