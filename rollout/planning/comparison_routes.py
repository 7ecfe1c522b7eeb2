"""The plan comparison page: 2 to 4 plans of a programme side by side, ticked on the plans page
or reached from a plan's page ("compare with the baseline")."""

from __future__ import annotations

import plotly
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from dashboards.figures.plan_comparison import LABELS, PupilsCurve, plan_comparison_table, plot_plan_comparison
from dashboards.pages.drawn import figure_json
from dashboards.plotly_asset import plotly_style_ids
from rollout.auth.access import READERS, access
from rollout.auth.scope import plan_or_404, programme_or_404
from rollout.db import get_session
from rollout.models import Plan, Programme
from rollout.planning.comparison import ComparisonError, chosen_plan_ids, compare, what_if_names
from rollout.planning.plans import adoptable
from rollout.planning.routes import STATUS_LABELS
from rollout.tracking.schedule import baseline

bp = Blueprint("plan_comparison", __name__)


@bp.app_template_global()
def plan_has_assignment(plan: Plan) -> bool:
    """Whether the plans page offers the plan for comparison: only plans placing schools can be."""
    return adoptable(plan)


@bp.app_template_global()
def baseline_to_compare(plan: Plan) -> Plan | None:
    """The programme's baseline, when `plan` is another plan and both can be compared: the
    plan page's "compare with the baseline" link."""
    if plan.is_baseline or not adoptable(plan):
        return None
    db = get_session()
    current = baseline(db, db.get(Programme, plan.programme_id))
    return current if current is not None and adoptable(current) else None


@bp.get("/programmes/<int:programme_id>/plans/compare")
@access(*READERS)
def compare_page(programme_id: int):
    programme = programme_or_404(programme_id)
    try:
        ids = chosen_plan_ids(request.args.getlist("plan"))
        plans = [plan_or_404(programme, plan_id) for plan_id in ids]
        comparison = compare(plans)
    except ComparisonError as error:
        abort(400, description=str(error))
    labels = {key: _(text) for key, text in LABELS.items()}
    curves = [PupilsCurve(name=column.plan.name, points=column.curve) for column in comparison.plans]
    return render_template(
        "planning/compare.html", programme=programme, comparison=comparison, status_labels=STATUS_LABELS,
        what_ifs=what_if_names(get_session(), plans),
        figure=figure_json(plot_plan_comparison(curves, labels)), table=plan_comparison_table(curves, labels),
        plotly_version=plotly.__version__, plotly_style_ids=plotly_style_ids(),
    )
