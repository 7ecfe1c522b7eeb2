"""District scoping: what the current user may see, loaded so that anything else is a 404.

Answering 404 (not 403) for another district's data means a user cannot even learn that a
school or programme exists elsewhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from rollout.db import get_session
from rollout.models import Plan, Programme, School
from rollout.planning.runs import reap_if_stale


def visible_district_ids() -> set[int] | None:
    """The districts the current user may see, or None for an admin (all of them)."""
    if current_user.role == "admin":
        return None
    return set(current_user.district_ids)


def scoped_programmes() -> SelectOfScalar[Programme]:
    """A query of the programmes the current user may see."""
    query = select(Programme).order_by(col(Programme.id))
    districts = visible_district_ids()
    if districts is not None:
        query = query.where(col(Programme.district_id).in_(districts))
    return query


def programme_or_404(programme_id: int) -> Programme:
    """The programme if the current user may see it; 404 otherwise."""
    programme = get_session().exec(scoped_programmes().where(Programme.id == programme_id)).first()
    if programme is None:
        abort(404)
    return programme


def programme_in_scope(view: Callable[..., Any]) -> Callable[..., Any]:
    """404 for a `programme_id` outside the caller's districts before the view validates its
    body, so that another district's programme never answers anything else (not even 422)."""

    @functools.wraps(view)
    def scoped(*args: Any, **kwargs: Any) -> Any:
        programme_or_404(kwargs["programme_id"])
        return view(*args, **kwargs)

    return scoped


def school_or_404(programme: Programme, uai: str) -> School:
    """A school of a programme the user may see (check the programme first); 404 otherwise."""
    school = get_session().exec(
        select(School).where(School.programme_id == programme.id, School.uai == uai.upper())
    ).first()
    if school is None:
        abort(404)
    return school


def plan_or_404(programme: Programme, plan_id: int) -> Plan:
    """A plan of a programme the user may see (check the programme first); 404 otherwise."""
    plan = get_session().get(Plan, plan_id)
    if plan is None or plan.programme_id != programme.id:
        abort(404)
    return plan


def current_plan_or_404(programme: Programme, plan_id: int) -> Plan:
    """`plan_or_404`, after marking failed a solve whose worker died (`runs.reap_if_stale`),
    so that pages and the API never show a dead solve as running."""
    plan = plan_or_404(programme, plan_id)
    db = get_session()
    if reap_if_stale(db, plan):
        db.commit()
    return plan


def single_programme_or_404(programme_id: int | None) -> Programme:
    """`programme_id` when given; otherwise the user's only programme (API convenience).

    With several visible programmes and none named, the caller must choose: 400 says so.
    """
    if programme_id is not None:
        return programme_or_404(programme_id)
    programmes = get_session().exec(scoped_programmes().limit(2)).all()
    if not programmes:
        abort(404)
    if len(programmes) > 1:
        abort(400, description="several programmes are visible: name one with ?programme=ID")
    return programmes[0]
