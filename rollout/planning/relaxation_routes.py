"""An infeasible plan's conflicts on its page, in French with the pages to change
(`rollout.planning.conflicts`), and the suggested relaxation tried in one click as a new
what-if scenario (`rollout.planning.relaxed_scenarios`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _

from rollout.auth.access import LEADERS, access
from rollout.auth.identity import current_author
from rollout.auth.scope import plan_or_404, programme_or_404
from rollout.core.forms import ButtonForm
from rollout.core.problems import InvalidChange
from rollout.db import get_session
from rollout.models import Plan
from rollout.planning.conflicts import ConflictView, conflict_views, relaxation_edits
from rollout.planning.plans import PlanningError
from rollout.planning.relaxed_scenarios import relaxed_scenario

bp = Blueprint("plan_relaxation", __name__)


@bp.app_template_global()
def plan_conflicts(plan: Plan) -> list[ConflictView]:
    """The plan's conflicts for `planning/_conflicts.html` (none for a plan without conflicts)."""
    return conflict_views(get_session(), plan)


@bp.app_template_global()
def relaxable(plan: Plan) -> bool:
    """Whether the plan's relaxation can be tried as a what-if: a re-plan's conflicts are about
    the remaining waves only, which a what-if of the whole programme cannot express."""
    return plan.replan is None and bool(relaxation_edits(plan))


@bp.post("/programmes/<int:programme_id>/plans/<int:plan_id>/relax")
@access(*LEADERS)
def relax(programme_id: int, plan_id: int):
    """Save the plan's suggested relaxation as a new what-if and open it; the programme's own
    data stays as it is."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    programme = programme_or_404(programme_id)
    plan = plan_or_404(programme, plan_id)
    db = get_session()
    try:
        scenario = relaxed_scenario(db, programme=programme, plan=plan, author=current_author("form"))
    except (PlanningError, InvalidChange) as error:
        flash(str(error), "error")
        return redirect(url_for("planning.detail", programme_id=programme.id, plan_id=plan.id))
    db.commit()
    flash(_("Scénario « %(name)s » créé avec la relaxation suggérée.", name=scenario.name), "info")
    return redirect(url_for("scenarios.detail", programme_id=programme.id, scenario_id=scenario.id))
