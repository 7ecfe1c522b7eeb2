"""An infeasible plan's conflicts on its page, in French with the pages to change
(`rollout.planning.conflicts`)."""

from __future__ import annotations

from flask import Blueprint

from rollout.db import get_session
from rollout.models import Plan
from rollout.planning.conflicts import ConflictView, conflict_views

bp = Blueprint("plan_relaxation", __name__)


@bp.app_template_global()
def plan_conflicts(plan: Plan) -> list[ConflictView]:
    """The plan's conflicts for `planning/_conflicts.html` (none for a plan that has some)."""
    return conflict_views(get_session(), plan)

