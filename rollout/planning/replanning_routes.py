"""Re-planning from the tracker's records, from the plans page: queue it, then read on the
re-plan's page how it changes the baseline school by school (`planning/_changes.html`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from rollout.auth.access import LEADERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import programme_or_404
from rollout.db import get_session
from rollout.models import Plan
from rollout.planning import tasks
from rollout.planning.forms import ReplanForm
from rollout.planning.plans import PlanningError
from rollout.planning.replanning import NoBaselineError, SchoolChange, queue_replan, replan_changes

bp = Blueprint("replanning", __name__)


@bp.app_template_global()
def changes_from_baseline(plan: Plan) -> list[SchoolChange]:
    """The re-plan's changes from its baseline, for the plan page (empty for other plans)."""
    return replan_changes(plan)


@bp.app_template_global()
def replan_form() -> ReplanForm:
    """The plans page's "re-plan from today" form, with its CSRF token."""
    return ReplanForm(formdata=None)


@bp.post("/programmes/<int:programme_id>/replans")
@access(*LEADERS)
def create(programme_id: int):
    """Queue a re-plan from today's records; a refusal (no baseline, invalid field) is flashed
    on the plans page and nothing is stored."""
    programme = programme_or_404(programme_id)
    form = ReplanForm()
    if not form.validate_on_submit():  # the CSRF token was checked before the view (app.protect_forms)
        for field, errors in form.errors.items():
            for error in errors:
                flash(f"{form[field].label.text} : {error}", "error")
        return redirect(url_for("planning.index", programme_id=programme.id))
    db = get_session()
    try:
        plan = queue_replan(db, programme=programme, name=form.replan_name.data.strip(), time_limit=form.replan_time_limit.data,
                            author=current_author("form"))
    except NoBaselineError:
        flash(_("Replanification impossible : aucun plan n'est adopté comme référence. Adoptez d'abord un plan."), "error")
        return redirect(url_for("planning.index", programme_id=programme.id))
    except PlanningError as error:
        flash(_("Replanification impossible : %(reason)s", reason=str(error)), "error")
        return redirect(url_for("planning.index", programme_id=programme.id))
    db.commit()
    tasks.start_solve(db, plan)
    return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))
