"""The welcome page, `/healthz` (for load balancers and the demo's user), and its details for
admins."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlmodel import func, select

from rollout.auth.access import access
from rollout.auth.scope import scoped_programmes
from rollout.db import get_engine, get_session, health
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
    """200 `{"status": "ok"}` when the database answers and is migrated to the code's schema,
    else 503 `{"status": "error"}`. Anyone may call it, so it says nothing more (the schema's
    revision and the error tell an attacker what runs); the log and `/healthz/details` do."""
    state = health(get_engine())
    if not state.ok:
        current_app.logger.warning("health check failed: %s", state)
        return jsonify(status="error"), 503
    return jsonify(status="ok")


@bp.get("/healthz/details")
@access("admin")
def healthz_details():
    """The health check with what an admin needs to act: the engine, whether the database
    answers (else the error's class), its revision and the one the code expects."""
    state = health(get_engine())
    return jsonify(status="ok" if state.ok else "error", **asdict(state)), 200 if state.ok else 503
