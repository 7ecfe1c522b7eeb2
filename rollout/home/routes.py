"""The welcome page and `/healthz`, which load balancers and the demo's user check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from sqlmodel import select

from rollout.auth.access import access
from rollout.db import current_revision, get_engine, get_session, head_revision
from rollout.models import Programme

bp = Blueprint("home", __name__)


@bp.get("/")
@access(public=True)
def index() -> str:
    """Product welcome; tells visitors when the data shown is the simulated demo."""
    simulated = get_session().exec(select(Programme.id).where(Programme.simulated)).first() is not None
    return render_template("home/index.html", simulated=simulated)


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
