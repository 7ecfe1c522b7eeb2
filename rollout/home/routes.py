"""The welcome page and `/healthz`, which load balancers and the demo's user check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlmodel import func, select

from rollout.auth.access import access
from rollout.db import current_revision, get_engine, get_session, head_revision
from rollout.auth.scope import scoped_programmes
from rollout.models import Programme, School

bp = Blueprint("home", __name__)


@bp.get("/")
@access(public=True)
def index() -> str:
    """Product welcome, or the signed-in user's programmes; says when data is the simulated demo."""
    db = get_session()
    simulated = db.exec(select(Programme.id).where(Programme.simulated)).first() is not None
    programmes = []
    if current_user.is_authenticated:
        visible = scoped_programmes().subquery()
        programmes = db.exec(
            select(Programme, func.count(School.id))
            .join(visible, visible.c.id == Programme.id)
            .outerjoin(School, School.programme_id == Programme.id)
            .group_by(Programme.id)
            .order_by(Programme.id)
        ).all()
    return render_template("home/index.html", simulated=simulated, programmes=programmes)


@bp.get("/healthz")
@access(public=True)
def healthz():
    """200 when the database answers and is migrated to the code's schema, else 503."""
    try:
        revision = current_revision(get_engine())
    except sa.exc.SQLAlchemyError as error:
        return jsonify(status="error", database=type(error).__name__), 503
    expected = head_revision()
    if revision != expected:
        return jsonify(status="error", database="ok", revision=revision, expected=expected), 503
    return jsonify(status="ok", database="ok", revision=revision)
